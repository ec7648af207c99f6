"""The seeds view's two drawn parts: its table of numbers and its histogram, each drawn by a function the view
passes in (``SeedsView.numbers_lines``, ``SeedsView.histogram_lines``), fitted to the part's own size."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget


class SeedsNumbers(Widget):
    """The table of numbers: ``lines(width)`` draws it."""

    def __init__(self, lines: Callable[[int], list[Text]], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines = lines
        self._height = 0

    def update_lines(self) -> None:
        """Redraw; lay the view out again only when the number of lines changes."""
        height = len(self.lines(self.size.width)) if self.size.width else -1
        self.refresh(layout=height != self._height)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        self._height = len(self.lines(width))
        return self._height

    def render(self) -> Text:
        return Text("\n").join(self.lines(self.size.width))


class SeedsHistogram(Widget):
    """The histogram of solve epochs: ``lines(width, height)`` draws it."""

    def __init__(self, lines: Callable[[int, int], list[Text]], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines = lines

    def render(self) -> Text:
        return Text("\n").join(self.lines(self.size.width, self.size.height))
