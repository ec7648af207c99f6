"""The list of hidden layers and training settings in the architecture pane, with a cursor: its lines, drawn in
one or two columns under the parameter summary, the mouse, and the keys that edit them.

Up/down choose a line, left/right step its value, ``a`` adds a hidden layer, ``x`` removes the selected one (on any
other line it says so and removes nothing), ``c`` cycles a layer's activation. The edits themselves are
``lab.ui.widgets.setting_edits``; the list proposes each result, posting ``Changed`` with the new (validated) values
or ``Refused`` with the core's one line. Typed values come through ``edit_request`` and ``apply_text``, which the
pane's value line calls.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from lab.core.errors import LabError
from lab.core.experiment import MAX_HIDDEN_LAYERS, Architecture, Training
from lab.ui.tooltips import field_hint
from lab.ui.widgets.setting_edits import (
    Setting,
    Values,
    add_layer,
    added_at,
    next_activation,
    parse_layer,
    remove_layer,
    settings,
    step_units,
)

LABEL_WIDTH = 8
COLUMN_WIDTH = 24


class SettingsList(Widget, can_focus=True):
    """The list of hidden layers and settings with a cursor; posts ``EditRequested`` for typed values."""

    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("left", "step(-1)", "Less", id="arch.less"),
        Binding("right", "step(1)", "More", id="arch.more"),
        # Not in the footer (at 80 columns it would cut the keys after them): the pane's hint line names them.
        Binding("a", "add_layer", "+layer", id="arch.add_layer", show=False),
        Binding("x,delete", "remove_layer", "-layer (on a layer)", id="arch.remove_layer", show=False),
        Binding("c", "cycle_activation", "Activation", id="arch.activation", show=False),
    ]
    COMPONENT_CLASSES = {"settings--cursor", "settings--label", "settings--summary"}
    DEFAULT_CSS = "SettingsList { height: auto; }"

    cursor: reactive[int] = reactive(0)
    """Index of the selected line: hidden layers first, then ``settings()``."""

    class Changed(Message):
        """The user changed a value: the proposed architecture and training settings (already validated)."""

        def __init__(self, architecture: Architecture, training: Training) -> None:
            super().__init__()
            self.architecture = architecture
            self.training = training

    class Refused(Message):
        """A change was refused: ``error`` says why in one line."""

        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    def __init__(self, architecture: Architecture, training: Training, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.architecture = architecture
        self.training = training
        self.io = (2, 1)
        self.settings = settings()

    # --- values ----------------------------------------------------------------------------------------------------
    @property
    def _has_add_line(self) -> bool:
        """Whether the '+ layer' line is listed (not when the network has its most hidden layers)."""
        return len(self.architecture.layers) < MAX_HIDDEN_LAYERS

    @property
    def n_lines(self) -> int:
        """Hidden layers, the 'add layer' line when there is room, and the settings."""
        return len(self.architecture.layers) + self._has_add_line + len(self.settings)

    def layer_at(self, index: int) -> int | None:
        """The hidden layer line ``index`` shows (0 for the first), or None when it is not a layer's line."""
        return index if index < len(self.architecture.layers) else None

    def setting_at(self, index: int) -> Setting | None:
        """The setting line ``index`` shows, or None for a layer's line and the '+ layer' line."""
        i = index - len(self.architecture.layers) - self._has_add_line
        return self.settings[i] if 0 <= i < len(self.settings) else None

    def line_of(self, key: str) -> int | None:
        """The line of setting ``key`` (``lr``, ``loss``...) or hidden layer ``layerN`` (from 1); None if none."""
        if key.startswith("layer") and key[5:].isdigit():
            n = int(key[5:]) - 1
            return n if 0 <= n < len(self.architecture.layers) else None
        return next((i for i in range(self.n_lines) if (s := self.setting_at(i)) is not None and s.key == key),
                    None)

    def value_of(self, key: str) -> str:
        """What the line of ``key`` shows as its value (``bce``, ``on``, ``16 relu``); "" for no such line."""
        line = self.line_of(key)
        if line is None:
            return ""
        layer = self.layer_at(line)
        if layer is not None:
            l = self.architecture.layers[layer]
            return f"{l.units} {l.activation}"
        setting = self.setting_at(line)
        return setting.show(self.architecture, self.training) if setting is not None else ""

    def index_of(self, key: str) -> int:
        """The line that shows the setting named ``key`` (``"lr"``, ``"seed"``, ...).

        Raises:
            KeyError: no setting has that key.
        """
        for index in range(self.n_lines):
            if (setting := self.setting_at(index)) is not None and setting.key == key:
                return index
        raise KeyError(key)

    def set_values(self, architecture: Architecture, training: Training) -> None:
        """Show these values (without posting ``Changed``)."""
        self.architecture, self.training = architecture, training
        self.cursor = min(self.cursor, self.n_lines - 1)
        self.refresh(layout=True)

    def set_io(self, n_inputs: int, n_outputs: int) -> None:
        """Show the input and output sizes the table implies."""
        self.io = (n_inputs, n_outputs)
        self.refresh()

    def _propose(self, make: Callable[[], Values], setting: Setting | None = None) -> str | None:
        """Validate and adopt a change, posting ``Changed``; or post ``Refused`` and return its error, which names
        ``setting`` as the list labels it (``Batch: expected 0 to 65536``, not the file's ``batch_size``)."""
        try:
            architecture, training = make()
        except LabError as e:
            error = str(e)
            if setting is not None and error.startswith(f"{setting.key}:"):
                error = setting.label + error[len(setting.key):]
            self.post_message(self.Refused(error))
            return error
        self.architecture, self.training = architecture, training
        self.refresh(layout=True)
        self.post_message(self.Changed(architecture, training))
        return None

    # --- words -----------------------------------------------------------------------------------------------------
    def hint_for(self, index: int) -> str:
        """The plain-words hint of line ``index``: ``LR: step size of each update; ] doubles, [ halves``."""
        return self.hint_choices(index)[0]

    def hint_choices(self, index: int) -> list[str]:
        """The hint of line ``index`` from the fullest to the shortest, so a narrow pane can show one whole: what
        goes first is the meaning, never the keys (``Layer 1 · ←/→ units, c activation, a add, x remove``, then
        the keys alone; ``LR: ] doubles, [ halves``)."""
        layer = self.layer_at(index)
        if layer is not None:
            l = self.architecture.layers[layer]
            keys = field_hint("layer")
            return [f"Layer {layer + 1} · {keys} · {field_hint('layer', l.activation)}", f"Layer {layer + 1} · {keys}",
                    keys]
        setting = self.setting_at(index)
        if setting is None:
            return [f"+ layer: {field_hint('add')}"]
        text = field_hint(setting.key, setting.show(self.architecture, self.training))
        _, semicolon, keys = text.rpartition("; ")
        return [f"{setting.label}: {text}"] + ([f"{setting.label}: {keys}"] if semicolon else [])

    def on_mouse_move(self, event) -> None:
        """The tooltip says what the line under the mouse means (``line_at``, below, finds it)."""
        index = self.line_at(event.x, event.y)
        self.tooltip = None if index is None else self.hint_for(index)

    # --- drawing ---------------------------------------------------------------------------------------------------
    def summary(self) -> str:
        """``65 params · 2 in → 16 relu → 1 sigmoid`` (the count first, so a narrow pane still shows it)."""
        shape = self.architecture.shape(*self.io)
        parts = [f"{self.io[0]} in"] + [f"{l.units} {l.activation}" for l in self.architecture.layers]
        parts.append(f"{self.io[1]} {self.architecture.output_activation}")
        return f"{shape.n_params:,} params · {' → '.join(parts)}"

    @property
    def column_count(self) -> int:
        """Two columns of settings when the widget is wide enough, else one."""
        return 2 if self.size.width >= 2 * COLUMN_WIDTH else 1

    def line(self, i: int) -> Text:
        """Line ``i`` as drawn: the cursor mark, the label and the value."""
        layer = self.layer_at(i)
        setting = self.setting_at(i)
        if layer is not None:
            l = self.architecture.layers[layer]
            label, value = f"Layer {layer + 1}", f"{l.units} {l.activation}"
        elif setting is None:
            label, value = "", "+ layer (a)"
        else:
            label, value = setting.label, setting.show(self.architecture, self.training)
        line = Text("▸ " if i == self.cursor else "  ")
        line.append(f"{label:<{LABEL_WIDTH}}", self.get_component_rich_style("settings--label"))
        line.append(value)
        if i == self.cursor and self.has_focus:
            line.stylize(self.get_component_rich_style("settings--cursor"))
        return line

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(self.summary(), self.get_component_rich_style("settings--summary"))
        rows = -(-self.n_lines // self.column_count)
        for r in range(rows):
            text.append("\n")
            for c in range(self.column_count):
                i = r + c * rows
                if i < self.n_lines:
                    line = self.line(i)
                    if c == 0 and self.column_count == 2:
                        line.truncate(COLUMN_WIDTH - 1, pad=True)
                    text.append_text(line)
                    text.append(" " if c == 0 else "")
        return text

    def get_content_height(self, container, viewport, width: int) -> int:
        return 1 + -(-self.n_lines // (2 if width >= 2 * COLUMN_WIDTH else 1))

    def on_resize(self) -> None:
        self.refresh(layout=True)

    def watch_cursor(self) -> None:
        self.refresh()
        self.scroll_visible()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # --- the mouse -------------------------------------------------------------------------------------------------
    def line_at(self, x: int, y: int) -> int | None:
        """The index of the line drawn at content offset ``(x, y)`` (as ``render`` lays them out in one or two
        columns), or None for the summary line and empty places."""
        columns = self.column_count
        rows = -(-self.n_lines // columns)
        column = 1 if columns == 2 and x >= COLUMN_WIDTH else 0
        index = y - 1 + column * rows
        return index if 1 <= y <= rows and index < self.n_lines else None

    def on_click(self, event: events.Click) -> None:
        """A click selects the line under the mouse (as up/down would)."""
        offset = event.get_content_offset(self)
        index = None if offset is None else self.line_at(offset.x, offset.y)
        if index is not None:
            event.stop()
            self.action_cursor(index - self.cursor)

    # --- actions ---------------------------------------------------------------------------------------------------
    def action_cursor(self, delta: int) -> None:
        """Move the selection."""
        self.cursor = max(0, min(self.n_lines - 1, self.cursor + delta))

    def action_step(self, step: int) -> None:
        """Step the selected value down (-1) or up (+1)."""
        a, t = self.architecture, self.training
        layer = self.layer_at(self.cursor)
        if layer is not None:
            self._propose(lambda: (step_units(a, layer, step), t))
            return
        setting = self.setting_at(self.cursor)
        if setting is None:
            self.action_add_layer()
            return
        self._propose(lambda: setting.step(a, t, step))

    def action_cycle_activation(self) -> None:
        """Give the selected hidden layer the next activation."""
        a = self.architecture
        layer = self.layer_at(self.cursor)
        if layer is None:
            return
        self._propose(lambda: (next_activation(a, layer), self.training))

    def action_add_layer(self) -> None:
        """Insert a hidden layer after the selected one (a copy of it, or 4 relu)."""
        a = self.architecture
        if len(a.layers) >= MAX_HIDDEN_LAYERS:
            self.post_message(self.Refused(f"at most {MAX_HIDDEN_LAYERS} hidden layers"))
            return
        layer = self.layer_at(self.cursor)
        self._propose(lambda: (add_layer(a, layer), self.training))
        self.cursor = added_at(a, layer)

    def action_remove_layer(self) -> None:
        """Remove the selected hidden layer; the cursor stays on the layer that takes its place (or the one above,
        or the '+ layer' line when none is left). On any other line, say what x does and remove nothing."""
        a = self.architecture
        layer = self.layer_at(self.cursor)
        if layer is None:
            self.post_message(self.Refused("x removes a hidden layer: select a Layer line"
                                           if a.layers else "there is no hidden layer to remove"))
            return
        if self._propose(lambda: (remove_layer(a, layer), self.training)) is None:
            self.cursor = min(layer, max(len(self.architecture.layers) - 1, 0))

    def edit_request(self) -> tuple[str, str] | None:
        """Enter on the selected line: the (label, value) to ask text for, or None when the line has no typed
        value (the '+ layer' line adds a layer, a choice steps to its next value)."""
        layer = self.layer_at(self.cursor)
        if layer is not None:
            l = self.architecture.layers[layer]
            return f"Layer {layer + 1} (units:activation)", f"{l.units}:{l.activation}"
        setting = self.setting_at(self.cursor)
        if setting is None:
            self.action_add_layer()
        elif setting.parse is None:
            self.action_step(1)
        else:
            return setting.label, setting.show(self.architecture, self.training)
        return None

    def apply_text(self, text: str) -> str | None:
        """Apply typed ``text`` to the selected line (posts ``Changed`` or ``Refused``); returns the error, if any."""
        a, t = self.architecture, self.training
        layer = self.layer_at(self.cursor)
        if layer is not None:
            return self._propose(lambda: (parse_layer(a, layer, text), t))
        setting = self.setting_at(self.cursor)
        parse = None if setting is None else setting.parse
        if parse is not None:
            return self._propose(lambda: parse(a, t, text), setting)
        return None
