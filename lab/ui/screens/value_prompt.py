"""Ask for a weight's new value (the picture's hand edit); a bad entry gets one line saying why."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, Static

from lab.ui.screens.dialog import Dialog
from lab.ui.widgets.network_picture import parse_value


class ValueScreen(Dialog[float | None]):
    """A number input for ``name``, its value now in the placeholder; enter confirms, escape returns None."""

    DEFAULT_CSS = """
    ValueScreen { align: center middle; }
    ValueScreen #value-box { width: 50; height: auto; border: round $accent; padding: 0 1; background: $surface; }
    ValueScreen #value-error { color: $error; }
    """

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="value.cancel")]

    def __init__(self, name: str, value: float) -> None:
        super().__init__()
        self.name_text = name
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(id="value-box"):
            yield Label(f"new value of {self.name_text}", id="value-title", markup=False)
            yield Input("", placeholder=f"now {self.value:+.4f}; enter confirms, esc cancels", id="value-input")
            yield Static("", id="value-error", markup=False)

    def on_mount(self) -> None:
        field = self.query_one("#value-input", Input)
        field.cursor_blink = False
        field.focus()

    @on(Input.Submitted, "#value-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = parse_value(event.value)
        if isinstance(value, str):
            self.query_one("#value-error", Static).update(f"✗ {value}")
            return
        self.close(value)
