"""Hidden units read as logic gates, and units that have died.

Every hidden unit is run on every row of the truth table and thresholded: it is *on* for a row when its activation is
above ``f(0)``, the activation of a zero pre-activation. That is 0.5 for a sigmoid and 0 for tanh, relu, leaky_relu and
linear, the middle of the sigmoid's and tanh's range; for every activation here, which all increase, it is the same as
``z > 0``, the side of the unit's hyperplane the input falls on. A relu that never fires is off on every row.

The unit's column of on/off bits (one per row, in the table's row order) is then named when it equals a constant, one
input or its negation, or one of the ten functions that need both of two inputs, trying the simplest first::

    0, 1  <  a, NOT a, b, ...  <  a AND b, a AND NOT b, NOT a AND b, a NOR b, a XOR b, a XNOR b,
                                  a OR b, a OR NOT b, NOT a OR b, a NAND b  (for every pair of inputs)

A column that is none of these (a function of three or more inputs) has no name.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from lab.core.activations import ACTIVATIONS
from lab.core.errors import LabError
from lab.core.expr import VARIABLES
from lab.core.gates import TruthTable, input_bits
from lab.core.inspect.common import frozen, hidden_label
from lab.core.nn import Network

Array = np.ndarray

DEAD_TOLERANCE = 1e-6  # a unit whose activation varies by at most this over every row is dead

# The ten functions that depend on both inputs x, y: their outputs on (x, y) = 00, 01, 10, 11, and their names.
TWO_INPUT_GATES: dict[tuple[int, int, int, int], str] = {
    (0, 0, 0, 1): "{x} AND {y}",
    (0, 0, 1, 0): "{x} AND NOT {y}",
    (0, 1, 0, 0): "NOT {x} AND {y}",
    (1, 0, 0, 0): "{x} NOR {y}",
    (0, 1, 1, 0): "{x} XOR {y}",
    (1, 0, 0, 1): "{x} XNOR {y}",
    (0, 1, 1, 1): "{x} OR {y}",
    (1, 0, 1, 1): "{x} OR NOT {y}",
    (1, 1, 0, 1): "NOT {x} OR {y}",
    (1, 1, 1, 0): "{x} NAND {y}",
}


def threshold(activation: str) -> float:
    """``f(0)`` for activation ``activation``: the level above which a unit counts as on."""
    return float(ACTIVATIONS[activation].fn(np.zeros(1))[0])


@cache
def gate_names(n_inputs: int) -> dict[bytes, str]:
    """Names of every function of at most two of ``n_inputs`` inputs, keyed by its packed column.

    Returns:
        ``{np.packbits(column).tobytes(): name}`` where ``column`` is a bool (2**n_inputs,) array in table row order;
        each column keeps its simplest name (constant, then one input, then two).
    """
    bits = input_bits(n_inputs).astype(bool)
    names: dict[bytes, str] = {}

    def add(column: Array, name: str) -> None:
        names.setdefault(np.packbits(column).tobytes(), name)

    add(np.zeros(bits.shape[0], bool), "0")
    add(np.ones(bits.shape[0], bool), "1")
    for j in range(n_inputs):
        add(bits[:, j], VARIABLES[j])
        add(~bits[:, j], f"NOT {VARIABLES[j]}")
    for i in range(n_inputs):
        for j in range(i + 1, n_inputs):
            pair = 2 * bits[:, i] + bits[:, j]  # which of the four (x, y) cases each row is
            for outputs, name in TWO_INPUT_GATES.items():
                add(np.array(outputs, bool)[pair], name.format(x=VARIABLES[i], y=VARIABLES[j]))
    return names


@dataclass(frozen=True, eq=False)
class UnitGate:
    """One hidden unit over the whole table.

    Attributes:
        layer: the hidden layer, 0-based.
        unit: the unit in that layer, 0-based.
        label: ``h3`` (one hidden layer) or ``h2.3`` (hidden layer 2, unit 3).
        activation: the layer's activation name.
        threshold: ``f(0)``; the unit is on for a row when its activation is above it.
        values: the unit's activation on every table row, (n_rows,).
        bits: ``'0'``/``'1'`` per row in row order, like ``TruthTable.columns``: whether the unit is on.
        name: the simplest boolean function of at most two inputs equal to ``bits`` (``a NAND b``, ``NOT c``,
            ``1``), or None.
        dead: the activation is the same on every row (within ``DEAD_TOLERANCE``).
    """

    layer: int
    unit: int
    label: str
    activation: str
    threshold: float
    values: Array
    bits: str
    name: str | None
    dead: bool

    def describe(self) -> str:
        """``h3 ~ a NAND b``, or ``h3: no gate of one or two inputs``, with ``(dead)`` after a dead unit."""
        text = f"{self.label} ~ {self.name}" if self.name is not None else f"{self.label}: no gate of one or two inputs"
        return text + " (dead)" if self.dead else text


def dead_units(acts: list[Array], n_hidden: int) -> tuple[Array, ...]:
    """Which hidden units are dead, from a forward trace's activations over some rows.

    Args:
        acts: ``Network.forward_trace``'s activations, ``acts[l + 1]`` (n, units_l).
        n_hidden: number of hidden layers.

    Returns:
        One bool (units_l,) array per hidden layer: true where the activation's range over the rows,
        ``max - min``, is at most ``DEAD_TOLERANCE``.
    """
    return tuple(frozen(np.ptp(acts[l + 1], axis=0) <= DEAD_TOLERANCE, bool) for l in range(n_hidden))


def hidden_gates(net: Network, table: TruthTable) -> tuple[UnitGate, ...]:
    """Every hidden unit of ``net`` (every hidden layer, input side first) as a gate over every row of ``table``.

    Raises:
        LabError: when the table's input count differs from the network's.
    """
    if table.n_inputs != net.shape.sizes[0]:
        raise LabError(f"the table has {table.n_inputs} inputs, the network {net.shape.sizes[0]}")
    with np.errstate(all="ignore"):
        _, acts = net.forward_trace(table.inputs)
    n_hidden = net.shape.n_layers - 1
    names = gate_names(table.n_inputs)
    dead = dead_units(acts, n_hidden)
    gates = []
    for l in range(n_hidden):
        activation = net.shape.activations[l]
        level = threshold(activation)
        a = acts[l + 1]  # (n_rows, units)
        on = a > level
        packed = np.packbits(on, axis=0)  # (ceil(n_rows / 8), units): column j packs like packbits(on[:, j])
        text = (on.T.astype(np.uint8) + ord("0")).tobytes().decode("ascii")  # every unit's bits, one after another
        rows = table.n_rows
        for j in range(a.shape[1]):
            gates.append(UnitGate(l, j, hidden_label(l, j, n_hidden), activation, level, frozen(a[:, j]),
                                  text[j * rows : (j + 1) * rows], names.get(packed[:, j].tobytes()),
                                  bool(dead[l][j])))
    return tuple(gates)
