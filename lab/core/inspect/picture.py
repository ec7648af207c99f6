"""The network as a picture: nodes in columns, every edge with its sign and strength, every node shaded by its
activation for one input row. The layout maths for ``lab.ui.widgets.network_picture``.

Columns are the inputs, each hidden layer and the outputs. The edges into a unit are drawn as its **fan-in strip**:
one glyph per unit of the column before it, in that column's order, on the unit's own line, so that every edge has
a cell of its own however many there are (crossing lines would hide one another in a terminal)::

    |w| / s              w > 0    w < 0
    below 0.1            ·        ·
    0.1 to below 0.5     ─        ╌
    0.5 and above        ═        ╍

with ``s`` the layer's largest weight magnitude (as ``trace``), so the sign reads by shape (solid or dashed) and
the colour only repeats it. A node is a circle filled by its activation for the row, ``○ ◔ ◑ ◕ ●`` from the bottom
of its activation's range to the top (sigmoid 0 to 1, tanh -1 to 1, relu and linear 0 to the layer's largest
activation on that row, or to 1 when that is smaller).

A layer of more than ``max_units`` units is **folded**: it shows the ``max_units`` units whose weights in and out
are largest (``|W_in[:, j]|₁ + |W_out[j, :]|₁``, each layer's weights scaled by its ``s``), in their own order, and
says how many it folded; the fan-in strips then hold the shown units of the column before only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lab.core.errors import LabError
from lab.core.expr import VARIABLES
from lab.core.gates import TruthTable
from lab.core.inspect.common import frozen
from lab.core.inspect.trace import NEGLIGIBLE, STRONG, trace_row
from lab.core.nn import Network

Array = np.ndarray

# Near zero, weak +, strong +, weak -, strong - (the network view's ━ means strong minus: not used here).
EDGE_GLYPHS = ("·", "─", "═", "╌", "╍")
NODE_GLYPHS = "○◔◑◕●"  # activation from the bottom of its range to the top
RANGES = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}  # other activations: 0 to the largest on the row
RANGE_FLOOR = 1.0
"""The least top of an unbounded activation's range (relu, linear): a layer whose units all sit near 0 on a row
draws them near empty, as their values (``+0.0``) read, not spread from empty to full by differences too small to
print (which, while training, would change the picture at every redraw)."""


def edge_codes(scaled: Array) -> Array:
    """The index into ``EDGE_GLYPHS`` of every weight, given its value over its layer's scale (in [-1, 1])."""
    m = np.abs(scaled)
    strength = (m >= NEGLIGIBLE).astype(np.intp) + (m >= STRONG)
    return np.where(strength == 0, 0, strength + 2 * (np.asarray(scaled) < 0))


def fill(a: Array, activation: str) -> Array:
    """Each activation as a fraction of its activation's range, in [0, 1] (nan as the bottom)."""
    low, high = RANGES.get(activation, (0.0, max(float(np.max(np.abs(a), initial=0.0)), RANGE_FLOOR)))
    if activation not in RANGES and float(np.min(a, initial=0.0)) < 0:
        low = -high  # linear or leaky units below zero: centre the range on 0
    return np.clip((np.nan_to_num(a, nan=0.0) - low) / (high - low), 0.0, 1.0)


def node_levels(a: Array, activation: str) -> Array:
    """Each activation as a fill level 0-4 (an index into ``NODE_GLYPHS``)."""
    return np.rint(fill(a, activation) * (len(NODE_GLYPHS) - 1)).astype(np.intp)


@dataclass(frozen=True, eq=False)
class PictureColumn:
    """One column of nodes.

    Attributes:
        title: ``in``, ``h1`` (hidden layer 1), ..., ``out``.
        activation: the layer's activation (``""`` for the inputs).
        units: the shown units' indices in the layer, ascending, (n_shown,).
        labels: a short label per shown unit (``a``, ``3``, ``y``).
        values: each shown unit's activation on the row, (n_shown,).
        levels: each shown unit's fill level 0-4, (n_shown,).
        folded: how many units of the layer are not shown.
        fan_in: the edges into each shown unit from the previous column's shown units as codes into
            ``EDGE_GLYPHS``, (n_shown, n_shown_before); None for the inputs.
        fan_in_sign: the sign of each of those weights (+1, -1 or 0), same shape; None for the inputs.
    """

    title: str
    activation: str
    units: Array
    labels: tuple[str, ...]
    values: Array
    levels: Array
    folded: int
    fan_in: Array | None
    fan_in_sign: Array | None


@dataclass(frozen=True, eq=False)
class NetworkPicture:
    """The network for one row of its table, ready to draw.

    Attributes:
        row: the table row.
        row_label: its inputs as bits.
        heldout: whether the row is held out.
        outputs: the network's outputs on it, (n_outputs,).
        targets: its targets, (n_outputs,).
        columns: the inputs, each hidden layer, the outputs.
    """

    row: int
    row_label: str
    heldout: bool
    outputs: Array
    targets: Array
    columns: tuple[PictureColumn, ...]

    @property
    def height(self) -> int:
        """Lines the tallest column takes."""
        return max(len(c.units) for c in self.columns)


def _importance(scaled_in: Array | None, scaled_out: Array | None, units: int) -> Array:
    score = np.zeros(units)
    if scaled_in is not None:
        score += np.abs(scaled_in).sum(axis=0)
    if scaled_out is not None:
        score += np.abs(scaled_out).sum(axis=1)
    return score


def network_picture(net: Network, table: TruthTable, row: int, max_units: int = 8) -> NetworkPicture:
    """Lay ``net`` out for row ``row`` of ``table``, showing at most ``max_units`` units per column.

    Raises:
        LabError: when the row does not exist, ``max_units`` is below 1, or the table does not fit the network.
    """
    if max_units < 1:
        raise LabError(f"a picture shows at least one unit per column, got {max_units}")
    trace = trace_row(net, table, row)
    n_layers = len(trace.layers)
    scaled = [layer.weights.weights_scaled for layer in trace.layers]  # (n_in, n_out) per layer
    sizes = net.shape.sizes
    shown: list[Array] = []
    for c, size in enumerate(sizes):
        if size <= max_units:
            shown.append(np.arange(size))
            continue
        score = _importance(scaled[c - 1] if c > 0 else None, scaled[c] if c < n_layers else None, size)
        shown.append(np.sort(np.argsort(-score, kind="stable")[:max_units]))
    columns = []
    n_outputs = table.n_outputs
    for c, size in enumerate(sizes):
        units = shown[c]
        if c == 0:
            values, activation, title = trace.x, "", "in"
            labels = tuple(VARIABLES[i] for i in units)
            levels = np.rint(np.clip(values, 0, 1) * (len(NODE_GLYPHS) - 1)).astype(np.intp)
            fan_in = sign = None
        else:
            layer = trace.layers[c - 1]
            values, activation = layer.a, layer.weights.activation
            levels = node_levels(values, activation)
            title = "out" if c == n_layers else f"h{c}"
            labels = (tuple(table.output_names[i] for i in units) if c == n_layers and n_outputs > 1
                      else tuple("y" if c == n_layers else str(i + 1) for i in units))
            w = scaled[c - 1][np.ix_(shown[c - 1], units)].T  # (n_shown, n_shown_before)
            fan_in, sign = edge_codes(w), np.sign(w).astype(np.intp)
        columns.append(PictureColumn(title, activation, frozen(units, np.intp), labels, frozen(values[units]),
                                     frozen(levels[units], np.intp), size - len(units),
                                     None if fan_in is None else frozen(fan_in, np.intp),
                                     None if sign is None else frozen(sign, np.intp)))
    return NetworkPicture(row, table.row_label(row), row in table.heldout, frozen(trace.output),
                          frozen(table.targets[row]), tuple(columns))
