"""Turn a plotext figure into Textual strips without the round trip through ANSI text.

plotext's ``build()`` writes its character matrix out as one ANSI string (an escape sequence at every change of
colour) that rich then parses back into styled text: at 200x50 that round trip is a third of a chart's drawing time,
all of it holding the interpreter lock. ``figure_strips`` builds the figure's matrices and reads them instead
(``monitor.matrix``: ``marker``, ``fullground``, ``style`` and ``background``, each rows x cols, bottom row first),
making one segment per run of equal colours, with run boundaries where ``build()`` puts its escapes and the rich
style rich parses from that run's escape codes (worked out once per combination of colours). These are plotext
internals, reached through ``lab.ui.textual_adapter`` (``plot_matrix``, ``cell_ansi``), which names the version they
were checked against; a test checks the strips against the ANSI path for every kind of chart the lab draws.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from lab.ui.textual_adapter import cell_ansi, plot_matrix

_CONSOLE = Console(width=8, color_system="truecolor", force_terminal=True, legacy_windows=False)


def _key(color: Any) -> Any:
    """A plotext colour as a hashable value (RGB colours may be lists)."""
    return tuple(color) if isinstance(color, list) else color


@lru_cache(maxsize=1024)
def _style(fullground: Any, style: Any, background: Any) -> Style | None:
    """The rich style of a run drawn in these plotext colours, as rich parses plotext's escape codes for it."""
    segment = next(iter(Text.from_ansi(cell_ansi(fullground, style, background) + "x").render(_CONSOLE)))
    return segment.style


def figure_strips(figure: Any) -> list[Strip]:
    """Build a plotext figure (as its ``build()`` does, short of writing the ANSI text) and return its strips,
    top line first, one per row of the figure."""
    matrix = plot_matrix(figure)
    markers, fullground, styles, background = matrix.marker, matrix.fullground, matrix.style, matrix.background
    strips = []
    for row in range(matrix.rows - 1, -1, -1):
        chars = markers[row]
        cells = list(zip(fullground[row], styles[row], background[row], strict=True))
        segments = []
        start = 0
        for col in range(1, len(cells) + 1):
            if col == len(cells) or cells[col] != cells[start]:
                segments.append(Segment("".join(chars[start:col]), _style(*map(_key, cells[start]))))
                start = col
        strips.append(Strip(segments, len(chars)))
    return strips
