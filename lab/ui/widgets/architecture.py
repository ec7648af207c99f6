"""The architecture pane: hidden layers and every training setting, edited from the keyboard.

Up/down choose a setting, left/right step it through its values, enter types a value, ``a`` adds a hidden layer,
``x`` removes the selected one (on any other line it says so and removes nothing), ``c`` cycles a layer's
activation. Enter is the pane's priority binding, so the value line has the focus before the next key is dispatched
and keys typed in one burst go into it. Every change posts ``ArchitecturePane.Changed`` with the new
(validated) architecture and training settings; the app decides whether it applies live or needs a reset, and may
put the old values back with ``set_values``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Input, Static

from lab.core.activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from lab.core.errors import LabError
from lab.core.experiment import MAX_HIDDEN_LAYERS, Architecture, Layer, StopRule, Training, parse_hidden
from lab.core.glossary import field_hint
from lab.core.init import INITIALISERS
from lab.core.losses import LOSSES
from lab.core.optim import OPTIMIZERS

BATCH_STEPS = (0, 1, 2, 4, 8, 16, 32, 64, 128)
EPOCH_STEPS = (10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000,
               1_000_000)
STOP_CHOICES = ("budget", "solved", "loss<0.01", "loss<0.001")
LABEL_WIDTH = 8
COLUMN_WIDTH = 24


def _cycle(options: tuple, value, step: int):
    """The option ``step`` places after ``value`` (wrapping)."""
    i = options.index(value) if value in options else 0
    return options[(i + step) % len(options)]


def _ladder(steps: tuple[int, ...], value: int, step: int) -> int:
    """The next rung of ``steps`` above (step 1) or below (step -1) ``value``, clamped to the ends."""
    if step > 0:
        return next((s for s in steps if s > value), steps[-1])
    return next((s for s in reversed(steps) if s < value), steps[0])


@dataclass(frozen=True)
class Setting:
    """One line of the list: its label, how to show it, step it and parse typed text."""

    key: str
    label: str
    show: Callable[[Architecture, Training], str]
    step: Callable[[Architecture, Training, int], tuple[Architecture, Training]]
    parse: Callable[[Architecture, Training, str], tuple[Architecture, Training]] | None = None


def _train_field(name: str, convert: Callable[[str], object]):
    def parse(a: Architecture, t: Training, text: str) -> tuple[Architecture, Training]:
        try:
            value = convert(text.strip())
        except ValueError:
            raise LabError(f"{name}: '{text.strip()}' is not a number") from None
        return a, replace(t, **{name: value})
    return parse


def _lr_step(a: Architecture, t: Training, step: int) -> tuple[Architecture, Training]:
    return a, replace(t, lr=float(f"{t.lr * (2.0 if step > 0 else 0.5):.6g}"))


def _stop_parse(a: Architecture, t: Training, text: str) -> tuple[Architecture, Training]:
    return a, replace(t, stop=str(StopRule.parse(text)))


def settings() -> list[Setting]:
    """Every setting after the hidden layers, in the order they are listed."""
    return [
        Setting("output", "Output", lambda a, t: a.output_activation,
                lambda a, t, s: (replace(a, output_activation=_cycle(OUTPUT_ACTIVATIONS, a.output_activation, s)), t)),
        Setting("bias", "Bias", lambda a, t: "on" if a.bias else "off",
                lambda a, t, s: (replace(a, bias=not a.bias), t)),
        Setting("loss", "Loss", lambda a, t: t.loss,
                lambda a, t, s: (a, replace(t, loss=_cycle(tuple(LOSSES), t.loss, s)))),
        Setting("optimizer", "Optim", lambda a, t: t.optimizer,
                lambda a, t, s: (a, replace(t, optimizer=_cycle(tuple(OPTIMIZERS), t.optimizer, s)))),
        Setting("lr", "LR", lambda a, t: f"{t.lr:g}", _lr_step, _train_field("lr", float)),
        Setting("batch_size", "Batch", lambda a, t: "full" if t.batch_size == 0 else str(t.batch_size),
                lambda a, t, s: (a, replace(t, batch_size=_ladder(BATCH_STEPS, t.batch_size, s))),
                _train_field("batch_size", lambda x: 0 if x.lower() == "full" else int(x))),
        Setting("init", "Init", lambda a, t: t.init,
                lambda a, t, s: (a, replace(t, init=_cycle(tuple(INITIALISERS), t.init, s)))),
        Setting("seed", "Seed", lambda a, t: str(t.seed),
                lambda a, t, s: (a, replace(t, seed=max(0, t.seed + s))), _train_field("seed", int)),
        Setting("epochs", "Epochs", lambda a, t: f"{t.epochs:,}",
                lambda a, t, s: (a, replace(t, epochs=_ladder(EPOCH_STEPS, t.epochs, s))),
                _train_field("epochs", lambda x: int(x.replace(",", "").replace("_", "")))),
        Setting("stop", "Stop", lambda a, t: t.stop,
                lambda a, t, s: (a, replace(t, stop=_cycle(STOP_CHOICES, t.stop, s))), _stop_parse),
    ]


class SettingsList(Widget, can_focus=True):
    """The list of hidden layers and settings with a cursor; posts ``EditRequested`` for typed values."""

    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("left", "step(-1)", "Less", id="arch.less"),
        Binding("right", "step(1)", "More", id="arch.more"),
        Binding("a", "add_layer", "+layer", id="arch.add_layer"),
        Binding("x,delete", "remove_layer", "-layer (on a layer)", id="arch.remove_layer"),
        Binding("c", "cycle_activation", "Activation", id="arch.activation"),
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

    def _layer_at(self, index: int) -> int | None:
        return index if index < len(self.architecture.layers) else None

    def _setting_at(self, index: int) -> Setting | None:
        i = index - len(self.architecture.layers) - self._has_add_line
        return self.settings[i] if 0 <= i < len(self.settings) else None

    def set_values(self, architecture: Architecture, training: Training) -> None:
        """Show these values (without posting ``Changed``)."""
        self.architecture, self.training = architecture, training
        self.cursor = min(self.cursor, self.n_lines - 1)
        self.refresh(layout=True)

    def set_io(self, n_inputs: int, n_outputs: int) -> None:
        """Show the input and output sizes the table implies."""
        self.io = (n_inputs, n_outputs)
        self.refresh()

    def _propose(self, make: Callable[[], tuple[Architecture, Training]]) -> str | None:
        """Validate and adopt a change, posting ``Changed``; or post ``Refused`` and return its error."""
        try:
            architecture, training = make()
        except LabError as e:
            self.post_message(self.Refused(str(e)))
            return str(e)
        self.architecture, self.training = architecture, training
        self.refresh(layout=True)
        self.post_message(self.Changed(architecture, training))
        return None

    # --- words -----------------------------------------------------------------------------------------------------
    def hint_for(self, index: int) -> str:
        """The plain-words hint of line ``index``: ``LR: step size of each update; ] doubles, [ halves``."""
        layer = self._layer_at(index)
        if layer is not None:
            l = self.architecture.layers[layer]
            return f"Layer {layer + 1} · {field_hint('layer')} · {field_hint('layer', l.activation)}"
        setting = self._setting_at(index)
        if setting is None:
            return f"+ layer: {field_hint('add')}"
        return f"{setting.label}: {field_hint(setting.key, setting.show(self.architecture, self.training))}"

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

    def _columns(self) -> int:
        """Two columns of settings when the widget is wide enough, else one."""
        return 2 if self.size.width >= 2 * COLUMN_WIDTH else 1

    def _line(self, i: int) -> Text:
        layer = self._layer_at(i)
        setting = self._setting_at(i)
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
        rows = -(-self.n_lines // self._columns())
        for r in range(rows):
            text.append("\n")
            for c in range(self._columns()):
                i = r + c * rows
                if i < self.n_lines:
                    line = self._line(i)
                    if c == 0 and self._columns() == 2:
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
        columns = self._columns()
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
        layer = self._layer_at(self.cursor)
        if layer is not None:
            units = max(1, min(64, a.layers[layer].units + step))
            layers = a.layers[:layer] + (replace(a.layers[layer], units=units),) + a.layers[layer + 1 :]
            self._propose(lambda: (replace(a, layers=layers), t))
            return
        setting = self._setting_at(self.cursor)
        if setting is None:
            self.action_add_layer()
            return
        self._propose(lambda: setting.step(a, t, step))

    def action_cycle_activation(self) -> None:
        """Give the selected hidden layer the next activation."""
        a = self.architecture
        layer = self._layer_at(self.cursor)
        if layer is None:
            return
        l = a.layers[layer]
        new = replace(l, activation=_cycle(HIDDEN_ACTIVATIONS, l.activation, 1))
        self._propose(lambda: (replace(a, layers=a.layers[:layer] + (new,) + a.layers[layer + 1 :]), self.training))

    def action_add_layer(self) -> None:
        """Insert a hidden layer after the selected one (a copy of it, or 4 relu)."""
        a = self.architecture
        if len(a.layers) >= MAX_HIDDEN_LAYERS:
            self.post_message(self.Refused(f"at most {MAX_HIDDEN_LAYERS} hidden layers"))
            return
        layer = self._layer_at(self.cursor)
        at = len(a.layers) if layer is None else layer + 1
        new = a.layers[layer] if layer is not None else (a.layers[-1] if a.layers else Layer(4, "relu"))
        self._propose(lambda: (replace(a, layers=a.layers[:at] + (new,) + a.layers[at:]), self.training))
        self.cursor = at

    def action_remove_layer(self) -> None:
        """Remove the selected hidden layer; the cursor stays on the layer that takes its place (or the one above,
        or the '+ layer' line when none is left). On any other line, say what x does and remove nothing."""
        a = self.architecture
        layer = self._layer_at(self.cursor)
        if layer is None:
            self.post_message(self.Refused("x removes a hidden layer: select a Layer line"
                                           if a.layers else "there is no hidden layer to remove"))
            return
        if self._propose(lambda: (replace(a, layers=a.layers[:layer] + a.layers[layer + 1 :]), self.training)) is None:
            self.cursor = min(layer, max(len(self.architecture.layers) - 1, 0))

    def edit_request(self) -> tuple[str, str] | None:
        """Enter on the selected line: the (label, value) to ask text for, or None when the line has no typed
        value (the '+ layer' line adds a layer, a choice steps to its next value)."""
        layer = self._layer_at(self.cursor)
        if layer is not None:
            l = self.architecture.layers[layer]
            return f"Layer {layer + 1} (units:activation)", f"{l.units}:{l.activation}"
        setting = self._setting_at(self.cursor)
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
        layer = self._layer_at(self.cursor)
        if layer is not None:
            def make() -> tuple[Architecture, Training]:
                parsed = parse_hidden(text)
                if len(parsed) != 1:
                    raise LabError("type one layer as units:activation, e.g. 8:tanh")
                new = parsed[0]
                return replace(a, layers=a.layers[:layer] + (new,) + a.layers[layer + 1 :]), t
            return self._propose(make)
        setting = self._setting_at(self.cursor)
        if setting is not None and setting.parse is not None:
            return self._propose(lambda: setting.parse(a, t, text))
        return None


class SettingsScroll(VerticalScroll, can_focus=False):
    """The settings list's scroll area: it scrolls with the list's cursor, so tab goes straight to the list."""


class ArchitecturePane(Vertical):
    """The settings list in a scroll area, with an input line for typed values and a line for refusals."""

    BINDINGS = [
        Binding("enter", "edit", "Type value", id="arch.edit", priority=True),
        Binding("escape", "close_editor", "Cancel", id="arch.close_editor"),
    ]

    def __init__(self, architecture: Architecture, training: Training, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._initial = (architecture, training)

    def compose(self) -> ComposeResult:
        with SettingsScroll(id="settings-scroll"):
            yield SettingsList(*self._initial, id="settings")
        yield Input(id="settings-input")
        yield Static("", id="settings-error", markup=False)

    def on_mount(self) -> None:
        self.watch(self.settings_list, "cursor", self.show_hint)

    def show_hint(self) -> None:
        """The hint line, in the pane's bottom border (it costs no row): what the selected field means and which
        keys change it. As Text, so nothing in it is read as markup."""
        settings = self.settings_list
        self.border_subtitle = Text(settings.hint_for(settings.cursor))

    @property
    def hint(self) -> str:
        """The hint line as plain text."""
        settings = self.settings_list
        return settings.hint_for(settings.cursor)

    @property
    def settings_list(self) -> SettingsList:
        """The list this pane owns."""
        return self.query_one(SettingsList)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Enter opens the value line, except in the value line itself, where it applies the value."""
        if action == "edit":
            return not self.query_one("#settings-input", Input).has_focus
        if action == "close_editor":  # escape, shown in the footer while the value line is open
            return bool(self.query_one("#settings-input", Input).display)
        return True

    def action_edit(self) -> None:
        """Open the value line for the selected setting, focused at once (see the module docstring)."""
        request = self.settings_list.edit_request()
        if request is None:
            return
        label, value = request
        line = self.query_one("#settings-input", Input)
        line.placeholder = f"{label}: type a value, enter applies, esc cancels"
        line.value = value
        line.display = True
        self.screen.set_focus(line)

    @on(Input.Submitted, "#settings-input")
    def _typed(self, event: Input.Submitted) -> None:
        event.stop()
        # Run in the list's own context, so its Changed message bubbles past this pane to the app.
        self.settings_list.call_later(self.settings_list.apply_text, event.value)

    @on(SettingsList.Refused)
    def _refused(self, event: SettingsList.Refused) -> None:
        error = self.query_one("#settings-error", Static)
        error.update(f"✗ {event.error}")
        error.display = True

    @on(SettingsList.Changed)
    def _changed(self, event: SettingsList.Changed) -> None:
        self.query_one("#settings-error", Static).display = False
        self.show_hint()
        if self.query_one("#settings-input", Input).display:
            self._close_editor()

    def _close_editor(self) -> None:
        self.query_one("#settings-input", Input).display = False
        self.settings_list.focus()

    def action_close_editor(self) -> None:
        """Close the value line, keeping the value as it was."""
        self._close_editor()


