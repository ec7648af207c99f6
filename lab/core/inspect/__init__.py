"""What the network learned, computed headlessly for the interface to draw: one module per view.

* ``trace``: one input's pre-activations and activations through every layer (``trace_row``, ``trace_input``,
  ``layer_weights``).
* ``units``: each hidden unit thresholded on every table row and named as a gate of at most two inputs
  (``hidden_gates``).
* ``surface``: a two-input network's output over the unit square (``decision_surface``, ``half_blocks``) and Karnaugh
  maps for two to four inputs (``karnaugh_maps``).
* ``diagram``: the network drawn as nodes in columns joined by lines, each line's glyph from its weight on a fixed
  scale, each node shaded by its activation and, for two inputs, carrying its own picture (``draw_diagram``).
* ``health``: per-layer norms of the weights and of the loss's gradient, and dead units (``trainer_health``), and
  their history over a run in bounded memory (``HealthHistory``).
* ``gradcheck``: backpropagation against centred differences (``trainer_gradient_check``).
* ``step``: one step of backpropagation with every number, by the trainer's own passes (``backprop_step``).
* the Keras-style model summary lives in ``lab.core.summary`` and is re-exported here.

Every result is a small frozen dataclass whose arrays are read-only copies, so it can be posted from a worker and
drawn later while training goes on. Nothing here writes to the network it is given.
"""

from __future__ import annotations

from lab.core.inspect.common import hidden_label, layer_names
from lab.core.inspect.diagram import Diagram
from lab.core.inspect.diagram import draw as draw_diagram
from lab.core.inspect.gradcheck import GradCheck, ParamCheck, backprop_grad, gradient_check, trainer_gradient_check
from lab.core.inspect.health import HealthHistory, LayerHealth, WeightHealth, trainer_health, weight_health
from lab.core.inspect.step import BackpropStep, LayerStep, backprop_step, step_json, step_sections
from lab.core.inspect.surface import (
                                        Corner,
                                        DecisionSurface,
                                        HalfBlocks,
                                        KarnaughMap,
                                        SurfacePoint,
                                        decision_surface,
                                        gray_codes,
                                        half_blocks,
                                        karnaugh_maps,
                                        karnaugh_rows,
                                        surface_points,
)
from lab.core.inspect.trace import ForwardTrace, LayerTrace, LayerWeights, layer_weights, trace_input, trace_row
from lab.core.inspect.units import UnitGate, dead_units, gate_names, hidden_gates, threshold
from lab.core.summary import SummaryRow, summary_rows, summary_text

__all__ = [
    "BackpropStep", "Corner", "DecisionSurface", "Diagram", "ForwardTrace", "GradCheck", "HalfBlocks",
    "HealthHistory", "KarnaughMap", "LayerHealth", "LayerStep", "LayerTrace", "LayerWeights",
    "ParamCheck", "SummaryRow", "SurfacePoint", "UnitGate", "WeightHealth", "backprop_grad",
    "backprop_step", "dead_units", "decision_surface", "draw_diagram", "gate_names", "gradient_check", "gray_codes",
    "half_blocks", "hidden_gates", "hidden_label", "karnaugh_maps", "karnaugh_rows", "layer_names", "layer_weights",
    "step_json", "step_sections", "summary_rows", "summary_text", "surface_points", "threshold",
    "trace_input", "trace_row", "trainer_gradient_check", "trainer_health", "weight_health",
]
