"""The task strip: a lesson's current step in two lines (where it is and its task; each check ✓ or ✗ in words, or
that it is done), shown above the status line while the view the step works in has the lesson pane's place, so the
task and what it talks about are on screen together at 80x24. ``L`` brings the full text.

It only shows what it is handed (``show``): the lesson routing keeps it up to date. Text from lesson files is shown
as text, never parsed as markup.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class TaskStrip(Static):
    """Two lines: the step's task and its checks (``LessonPane.strip``)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self.shown = Text()

    def show(self, text: Text) -> None:
        """Show ``text`` (two lines), redrawing only when it changed."""
        if text == self.shown:
            return
        self.shown = text
        self.update(text)
