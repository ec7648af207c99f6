"""The number cursor over the network picture, and what a hand edit of the selected weight or bias sets: the model
behind the inspect view's picture mode (``InspectView``), without Textual.

The cursor runs over the drawn nodes (inputs first, column by column) and then the drawn lines; ``words`` says what
it is on in plain names: ``w(a→h1) = +2.3100`` for a line, ``h1: bias = ... · sum z = ... · output = ...`` for a
node, ``input a = 1`` for an input. A new drawing keeps the cursor on the same node or line when it is still drawn.
An ``Edit`` names the parameter as the experiment file does (``W1``, ``b1``) and as ``Run.set_parameter`` takes it
(``layer``, ``i``, ``j``).
"""

from __future__ import annotations

from dataclasses import dataclass

from lab.core.inspect import diagram as dg

STEP = 0.1
"""How far ←/→ move the selected weight or bias."""
LIMIT = 1e6
"""The largest size a weight may be given by hand."""


@dataclass(frozen=True)
class Edit:
    """A weight or bias set by hand: ``parameter`` (``W1``, ``b2``) at ``index`` becomes ``value``; ``name`` is its
    plain name (``w(a→h1)``, ``bias(h1)``)."""

    parameter: str
    index: tuple[int, ...]
    value: float
    name: str

    @property
    def layer(self) -> int:
        """The dense layer, from 0 (``Run.set_parameter``'s ``layer``)."""
        return int(self.parameter[1:]) - 1

    @property
    def i(self) -> int:
        """The unit below for a weight, the unit for a bias."""
        return self.index[0]

    @property
    def j(self) -> int | None:
        """The unit of the layer for a weight; None for a bias."""
        return self.index[1] if len(self.index) == 2 else None


def parse_value(text: str) -> float | str:
    """``text`` as a weight (``-1.5``, ``2e-3``), or why it is not one, in one line."""
    try:
        value = float(text.strip())
    except ValueError:
        value = float("nan")
    if not abs(value) <= LIMIT:  # nan and infinity fail too
        return f"expected a number from {-LIMIT:g} to {LIMIT:g}, got '{text.strip()}'"
    return value


class PictureCursor:
    """Which drawn node or line is selected.

    Attributes:
        diagram: the drawing the cursor runs over (None before the first).
        items: ``("node", k)`` for every node, then ``("edge", k)`` for every line.
        position: the selected item's index in ``items``.
    """

    def __init__(self) -> None:
        self.diagram: dg.Diagram | None = None
        self.items: list[tuple[str, int]] = []
        self.position = 0
        self._pending: dict[tuple[str, tuple[int, ...]], float] = {}  # edits posted since the last drawing

    def follow(self, diagram: dg.Diagram) -> None:
        """Run over a new drawing, on the same node or line as before when it is still drawn."""
        old = self._key(self.selected) if self.selected is not None and self.diagram is not None else None
        self._pending.clear()  # the new drawing holds the values as they are
        self.diagram = diagram
        self.items = [("node", k) for k in range(len(diagram.nodes))] + \
                     [("edge", k) for k in range(len(diagram.edges))]
        keys = [self._key(item) for item in self.items]
        self.position = keys.index(old) if old in keys else min(self.position, max(len(self.items) - 1, 0))

    def _key(self, item: tuple[str, int]) -> tuple:
        """What an item is, whatever its index: a node's place, or a weight's layer and units."""
        assert self.diagram is not None
        if item[0] == "node":
            node = self.diagram.nodes[item[1]]
            return ("node", node.column, node.unit)
        edge = self.diagram.edges[item[1]]
        return ("edge", edge.layer, edge.source, edge.target)

    @property
    def selected(self) -> tuple[str, int] | None:
        """The selected item, or None before the first drawing."""
        return self.items[self.position] if self.items else None

    def move(self, by: int) -> None:
        """``by`` items on (negative: back), round the ends."""
        if self.items:
            self.position = (self.position + by) % len(self.items)

    def select(self, item: tuple[str, int]) -> None:
        """Select ``item`` (``("node", k)`` or ``("edge", k)``) when it is drawn."""
        if item in self.items:
            self.position = self.items.index(item)

    def select_at(self, y: int, x: int) -> bool:
        """Select what is drawn at line ``y``, column ``x`` of the drawing; whether there was anything."""
        item = self.diagram.item_at(y, x) if self.diagram is not None else None
        if item is None or item not in self.items:
            return False
        self.position = self.items.index(item)
        return True

    def words(self) -> str:
        """What the cursor is on, in plain names (empty before the first drawing)."""
        if self.diagram is None or self.selected is None:
            return ""
        kind, index = self.selected
        return dg.describe_edge(self.diagram, index) if kind == "edge" else dg.describe_node(self.diagram, index)

    def target(self) -> Edit | None:
        """The selected parameter with its value now, or None for an input or a network without biases."""
        if self.diagram is None or self.selected is None:
            return None
        kind, index = self.selected
        if kind == "edge":
            edge = self.diagram.edges[index]
            return Edit(f"W{edge.layer + 1}", (edge.source, edge.target), edge.weight, edge.name)
        node = self.diagram.nodes[index]
        if node.column == 0 or node.bias != node.bias:
            return None
        return Edit(f"b{node.column}", (node.unit,), node.bias, f"bias({node.name})")

    def refusal(self, paused: bool) -> str | None:
        """Why the selected item cannot be edited now, or None."""
        if not paused:
            return "pause the run (space) to set a weight by hand"
        if self.target() is None:
            return "an input has no weight of its own: choose a line or a unit"
        return None

    def nudged(self, direction: int) -> Edit | None:
        """The selected parameter moved by ``direction`` times ``STEP`` from its value, or from the value last asked
        for when the drawing has not caught up yet (keys faster than redraws still add up); None when there is
        none."""
        target = self.target()
        if target is None:
            return None
        now = self._pending.get((target.parameter, target.index), target.value)
        return self.asked(Edit(target.parameter, target.index, round(now + direction * STEP, 10), target.name))

    def asked(self, edit: Edit) -> Edit:
        """Note ``edit`` as asked for (until the next drawing); returns it."""
        self._pending[edit.parameter, edit.index] = edit.value
        return edit

