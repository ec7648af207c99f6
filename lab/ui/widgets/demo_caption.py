"""The demo's caption bar: one line saying what the attract mode is showing, and how to take over."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

HINT = "any key: take over"


class DemoCaption(Horizontal):
    """A one-line bar: the caption on the left (cut with an ellipsis when the terminal is narrow), the hint on the
    right while the demo plays."""

    def compose(self) -> ComposeResult:
        yield Static("", id="demo-text", markup=False)
        yield Static(HINT, id="demo-hint")

    def show(self, text: str, playing: bool) -> None:
        """Show ``text``; the take-over hint only while the demo is ``playing``."""
        self.query_one("#demo-text", Static).update(text)
        self.query_one("#demo-hint", Static).display = playing

    @property
    def text(self) -> str:
        """The caption as plain text."""
        return str(self.query_one("#demo-text", Static).render())
