"""One input traced through the network, and every weight as a signed glyph for drawing the network.

For an input row ``x`` (n_inputs,) the trace keeps, for every dense layer l = 1..L (see ``lab.core.nn``)::

    z_l = a_{l-1} @ W_l + b_l     (units_l,)       a_0 = x
    a_l = f_l(z_l)                (units_l,)       a_L is the network's output

Each line of the network picture is drawn from its weight's own size on a fixed scale (``diagram``), not from a
layer's largest weight.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lab.core.errors import LabError
from lab.core.gates import TruthTable
from lab.core.inspect.common import frozen, layer_names
from lab.core.nn import Network

Array = np.ndarray


@dataclass(frozen=True, eq=False)
class LayerWeights:
    """The parameters of one dense layer, copied.

    Attributes:
        name: Keras' name of the layer (``dense``, ``dense_1``, ...).
        activation: the layer's activation name.
        weights: W, (n_in, units): ``weights[i, j]`` joins unit i below to unit j of this layer.
        bias: b, (units,); all zeros when the network has no biases (see ``has_bias``).
        has_bias: whether the network has bias vectors.
        scale: ``max(|W|, |b|)``, the layer's largest magnitude; 0.0 when every parameter is zero.
    """

    name: str
    activation: str
    weights: Array
    bias: Array
    has_bias: bool
    scale: float


def layer_weights(net: Network) -> tuple[LayerWeights, ...]:
    """Every dense layer's weights and biases with their largest magnitude, input side first."""
    layers = []
    for l, name in enumerate(layer_names(net.shape)):
        w = frozen(net.W[l])
        b = frozen(net.b[l] if net.b[l] is not None else np.zeros(w.shape[1]))
        scale = float(max(np.max(np.abs(w), initial=0.0), np.max(np.abs(b), initial=0.0)))
        layers.append(LayerWeights(name, net.shape.activations[l], w, b, net.b[l] is not None, scale))
    return tuple(layers)


@dataclass(frozen=True, eq=False)
class LayerTrace:
    """One dense layer's values for the traced input.

    Attributes:
        z: pre-activations ``a_{l-1} @ W + b``, (units,).
        a: activations ``f(z)``, (units,).
        weights: the layer's parameters.
    """

    z: Array
    a: Array
    weights: LayerWeights


@dataclass(frozen=True, eq=False)
class ForwardTrace:
    """An input and every layer's pre-activations and activations.

    Attributes:
        x: the input, (n_inputs,).
        layers: one trace per dense layer, the output layer last.
        row: the table row traced, or None for an input that is not a row.
        target: that row's targets, (n_outputs,), or None.
    """

    x: Array
    layers: tuple[LayerTrace, ...]
    row: int | None = None
    target: Array | None = None

    @property
    def output(self) -> Array:
        """The network's output ``a_L``, (n_outputs,)."""
        return self.layers[-1].a


def trace_input(net: Network, x: Array, row: int | None = None, target: Array | None = None) -> ForwardTrace:
    """Trace one input through ``net``.

    Args:
        net: the network (only read).
        x: the input, (n_inputs,) or (1, n_inputs), values in [0, 1] or any real numbers.
        row: the table row ``x`` came from, if any, kept for the caller.
        target: that row's targets, (n_outputs,), if any.

    Raises:
        LabError: when ``x`` does not have one value per input.
    """
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    if x.shape != (net.shape.sizes[0],):
        raise LabError(f"expected {net.shape.sizes[0]} input values, got {x.size}")
    with np.errstate(all="ignore"):
        zs, acts = net.forward_trace(x[None, :])
    layers = tuple(LayerTrace(frozen(z[0]), frozen(a[0]), w)
                   for z, a, w in zip(zs, acts[1:], layer_weights(net), strict=True))
    return ForwardTrace(frozen(x), layers, row, None if target is None else frozen(target))


def trace_row(net: Network, table: TruthTable, row: int) -> ForwardTrace:
    """Trace row ``row`` of ``table`` (its inputs are the row's bits, ``a`` first) through ``net``.

    Raises:
        LabError: when the row does not exist or the table's input count differs from the network's.
    """
    if not 0 <= row < table.n_rows:
        raise LabError(f"row {row} does not exist: rows are 0 to {table.n_rows - 1}")
    return trace_input(net, table.inputs[row], row, table.targets[row])
