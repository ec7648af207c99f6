"""The network picture as a widget: the drawn network (``lab.core.inspect.diagram``), a number cursor over its nodes
and lines, and the hand edit of the selected weight or bias while the run is paused.

The cursor moves with ↑/↓ (or a click on a node or a line) and the line under the picture says what it is in plain
names: ``w(a→h1) = +2.3100`` for a line, ``h1: bias = ... · sum z = ... · output = ...`` for a node. While
``paused``, ←/→ move the selected weight (or a node's bias) by ``STEP``, and ``=`` opens a field to type its new
value; either posts ``NetworkPicture.Edited`` with the parameter's name in the experiment file (``W1``, ``b1``), its
index and the new value. The widget never writes a network: whoever owns the run applies the edit and calls
``show`` again with the new weights, so the picture, the table's outputs, the surface and the loss follow from
the same state. ``s`` asks for the step-through of one backpropagation update (``NetworkPicture.StepAsked``).
"""

from __future__ import annotations

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Input, Static

from lab.core.experiment import Experiment
from lab.core.inspect import diagram as dg
from lab.core.nn import Network
from lab.drawings.views import picture_text

STEP = 0.1
"""How far ←/→ move the selected weight or bias."""


class NetworkPicture(Vertical, can_focus=True):
    """The drawn network with a number cursor and hand edits."""

    DEFAULT_CSS = """
    NetworkPicture { height: auto; }
    NetworkPicture #picture-drawing { height: auto; }
    NetworkPicture #picture-numbers { height: 1; text-style: bold; }
    NetworkPicture #picture-value { display: none; }
    NetworkPicture.typing #picture-value { display: block; }
    """

    BINDINGS = [
        Binding("down", "move(1)", "Next node or line", id="picture.next"),
        Binding("up", "move(-1)", "Previous node or line", id="picture.previous"),
        Binding("right", "nudge(1)", f"Weight +{STEP:g}", id="picture.more"),
        Binding("left", "nudge(-1)", f"Weight −{STEP:g}", id="picture.less"),
        Binding("equals_sign", "type_value", "Type a value", id="picture.type"),
        Binding("s", "step", "One step, every number", id="picture.step"),
    ]

    paused: reactive[bool] = reactive(True)
    """Whether the run is paused: weights may be edited only then."""
    monochrome: reactive[bool] = reactive(False)
    """Surfaces in shades instead of colours."""

    class Selected(Message):
        """The cursor moved to a node or a line; ``words`` say what it is, in plain names."""

        def __init__(self, picture: NetworkPicture, item: tuple[str, int], words: str) -> None:
            super().__init__()
            self.picture = picture
            self.item = item
            self.words = words

        @property
        def control(self) -> NetworkPicture:
            """The picture."""
            return self.picture

    class Edited(Message):
        """A weight or bias set by hand: ``parameter`` (``W1``, ``b2``) at ``index`` becomes ``value``."""

        def __init__(self, picture: NetworkPicture, parameter: str, index: tuple[int, ...], value: float,
                     name: str) -> None:
            super().__init__()
            self.picture = picture
            self.parameter = parameter
            self.index = index
            self.value = value
            self.name = name

        @property
        def control(self) -> NetworkPicture:
            """The picture."""
            return self.picture

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

    class StepAsked(Message):
        """The step-through of one update is asked for, on the picture's row."""

        def __init__(self, picture: NetworkPicture, row: int) -> None:
            super().__init__()
            self.picture = picture
            self.row = row

        @property
        def control(self) -> NetworkPicture:
            """The picture."""
            return self.picture

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.diagram: dg.Diagram | None = None
        self.items: list[tuple[str, int]] = []
        self.cursor = 0
        self._room = (80, 20)

    def on_mount(self) -> None:
        self.monochrome = self.app.no_color  # Textual reads (and removes) NO_COLOR from the environment

    def compose(self) -> ComposeResult:
        yield Static(id="picture-drawing")
        yield Static(id="picture-numbers")
        yield Input(placeholder="new value, then enter (escape: keep)", id="picture-value")

    # --- drawing ---------------------------------------------------------------------------------------------------
    def show(self, experiment: Experiment, net: Network, row: int, width: int | None = None,
             height: int | None = None) -> None:
        """Draw ``net`` for ``row`` of ``experiment``'s table in ``width`` x ``height`` cells (default the widget's
        size), keeping the cursor on the same node or line when it is still drawn."""
        if width is not None and height is not None:
            self._room = (width, height)
        elif self.size.width:
            self._room = (self.size.width, max(self.size.height, 10))
        width, height = self._room
        table = experiment.table
        old = self.items[self.cursor] if self.items else None
        old_key = self._key(old) if old is not None else None
        self.diagram = dg.fitting(net, table, min(row, table.n_rows - 1), width, height - 1)
        self.items = [("node", k) for k in range(len(self.diagram.nodes))] + \
                     [("edge", k) for k in range(len(self.diagram.edges))]
        keys = [self._key(item) for item in self.items]
        self.cursor = keys.index(old_key) if old_key in keys else min(self.cursor, len(self.items) - 1)
        self._paint()

    def _key(self, item: tuple[str, int]) -> tuple:
        """What an item is, whatever its index: a node's place, or a weight's layer and units."""
        assert self.diagram is not None
        if item[0] == "node":
            node = self.diagram.nodes[item[1]]
            return ("node", node.column, node.unit)
        edge = self.diagram.edges[item[1]]
        return ("edge", edge.layer, edge.source, edge.target)

    def _paint(self) -> None:
        if self.diagram is None:
            return
        selected = self.items[self.cursor] if self.items else None
        ansi = self.app.current_theme.ansi
        self.query_one("#picture-drawing", Static).update(picture_text(self.diagram, self.monochrome, selected,
                                                                       ansi=ansi))
        self.query_one("#picture-numbers", Static).update(Text(self.words()))

    def watch_monochrome(self) -> None:
        self._paint()

    def words(self) -> str:
        """What the cursor is on, in plain names (empty before the first drawing)."""
        if self.diagram is None or not self.items:
            return ""
        kind, index = self.items[self.cursor]
        if kind == "edge":
            return dg.describe_edge(self.diagram, index)
        return dg.describe_node(self.diagram, index)

    # --- the cursor ----------------------------------------------------------------------------------------------
    def select(self, position: int) -> None:
        """Put the cursor on item ``position`` (nodes first, then lines) and say what it is."""
        if not self.items:
            return
        self.cursor = position % len(self.items)
        self._paint()
        self.post_message(self.Selected(self, self.items[self.cursor], self.words()))

    def action_move(self, by: int) -> None:
        self.select(self.cursor + by)

    def on_click(self, event: events.Click) -> None:
        if self.diagram is None:
            return
        offset = event.get_content_offset(self.query_one("#picture-drawing", Static))
        if offset is None:
            return
        item = self.diagram.item_at(offset.y, offset.x)
        if item is not None and item in self.items:
            self.focus()
            self.select(self.items.index(item))

    # --- hand edits ----------------------------------------------------------------------------------------------
    def _target(self) -> tuple[str, tuple[int, ...], float, str] | None:
        """The selected parameter: its name in the file, its index, its value and its plain name; None for an
        input node or a network without biases."""
        if self.diagram is None or not self.items:
            return None
        kind, index = self.items[self.cursor]
        if kind == "edge":
            edge = self.diagram.edges[index]
            return f"W{edge.layer + 1}", (edge.source, edge.target), edge.weight, edge.name
        node = self.diagram.nodes[index]
        if node.column == 0 or node.bias != node.bias:
            return None
        return f"b{node.column}", (node.unit,), node.bias, f"bias({node.name})"

    def _refuse(self) -> str | None:
        """Why an edit cannot happen now, or None."""
        if not self.paused:
            return "pause the run (space) to set a weight by hand"
        if self._target() is None:
            return "an input has no weight of its own: choose a line or a unit"
        return None

    def action_nudge(self, direction: int) -> None:
        reason = self._refuse()
        target = self._target()
        if reason is not None or target is None:
            self.query_one("#picture-numbers", Static).update(Text(reason or ""))
            return
        parameter, index, value, name = target
        self.post_message(self.Edited(self, parameter, index, round(value + direction * STEP, 10), name))

    def action_type_value(self) -> None:
        reason = self._refuse()
        if reason is not None:
            self.query_one("#picture-numbers", Static).update(Text(reason))
            return
        self.add_class("typing")
        field = self.query_one("#picture-value", Input)
        field.value = ""
        field.focus()

    @on(Input.Submitted, "#picture-value")
    def _typed(self, event: Input.Submitted) -> None:
        event.stop()
        target = self._target()
        try:
            value = float(event.value)
        except ValueError:
            value = float("nan")
        if not (abs(value) <= 1e6):  # nan and infinity fail too
            self.query_one("#picture-numbers", Static).update(
                Text(f"expected a number from -1e6 to 1e6, got '{event.value}'"))
            return
        self.remove_class("typing")
        self.focus()
        if target is not None:
            parameter, index, _, name = target
            self.post_message(self.Edited(self, parameter, index, value, name))

    def on_key(self, event: events.Key) -> None:
        if event.key == "escape" and self.has_class("typing"):
            event.stop()
            self.remove_class("typing")
            self.focus()

    def action_step(self) -> None:
        if self.diagram is not None:
            self.post_message(self.StepAsked(self, self.diagram.row))
