"""Ask for a whole number in a range (the number of seeds a sweep runs); a bad entry gets one line saying why."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, Static

from lab.ui.screens.dialog import Dialog


def parse_count(text: str, low: int, high: int) -> int | str:
    """``text`` as a whole number from ``low`` to ``high`` (``1,000`` and ``1_000`` allowed), or why it is not."""
    cleaned = text.strip().replace(",", "").replace("_", "")
    if not cleaned.isdigit():
        return f"expected a whole number from {low:,} to {high:,}, got '{text.strip()}'"
    value = int(cleaned)
    if not low <= value <= high:
        return f"expected {low:,} to {high:,}, got {value:,}"
    return value


class CountScreen(Dialog[int | None]):
    """A title and a number input prefilled with ``value``; enter confirms, escape returns None."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="count.cancel")]

    def __init__(self, title: str, value: int, low: int, high: int) -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.low, self.high = low, high

    def compose(self) -> ComposeResult:
        with Vertical(id="count-box"):
            yield Label(self.title_text, id="count-title", markup=False)
            yield Input(str(self.value), placeholder=f"{self.low:,} to {self.high:,}; enter confirms, esc cancels",
                        id="count-input")
            yield Static("", id="count-error", markup=False)

    @on(Input.Submitted, "#count-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = parse_count(event.value, self.low, self.high)
        if isinstance(value, str):
            self.query_one("#count-error", Static).update(f"✗ {value}")
            return
        self.close(value)
