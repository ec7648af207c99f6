"""plotext 6 for the lab's charts, on its public API: a figure of each chart's own, the app theme's colours as a
plotext theme, and a built figure read into Textual strips.

plotext 6 has one figure in its public namespace (``plotext.figure``, the master of ``plotext.terminal``); a chart
that drew on it would share its state with every other chart and thread. ``new_figure`` makes one of the same class
under a terminal of its own, not limited to the real terminal's size (plotext's ``limit``), so each widget sizes and
builds its figure alone. ``figure_strips`` builds it (``build()``, a ``plotext.matrix``) and reads the matrix's ANSI
text (``string()``) into strips: plotext starts every run of equal colours with a reset, so each run's style depends
on its own escape codes alone, and the style rich parses from them is worked out once per combination
(``tests/ui/test_plotext_strips.py`` holds this to rich's own parse of the whole text). Parsing the whole text with
rich instead costs a third of a chart's drawing time at 200x50, all of it holding the interpreter lock.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import plotext
from rich.color import Color
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

CLEAR_THEME = "colorless"
"""The plotext theme of an ANSI app theme: no colour on the canvas or the frame, so the terminal's own show."""

_CONSOLE = Console(width=8, color_system="truecolor", force_terminal=True, legacy_windows=False)
_PLAIN = Style()
_RUN = re.compile(r"((?:\x1b\[[0-9;]*m)+)")  # the escape codes before a run of cells
_registered: set[str] = set()  # the plotext themes registered for app themes, by name


def new_figure() -> Any:
    """A plotext figure of its own (the class of ``plotext.figure``, under a terminal of its own whose size does
    not limit the figure's): nothing drawn on it reaches another."""
    terminal = type(plotext.terminal)()
    terminal.limit(False, False)
    return type(plotext.figure)(terminal)


def plot_theme(surface: str, foreground: str) -> str:
    """The name of a plotext theme that draws on ``surface`` with axes, ticks and titles in ``foreground`` (both
    ``#rrggbb``, as an app theme's variables spell them), registered with plotext the first time it is asked for."""
    name = f"nnlab-{surface.lstrip('#')}-{foreground.lstrip('#')}".lower()
    if name not in _registered:
        canvas, text = (Color.parse(c).get_truecolor() for c in (surface, foreground))
        plotext.add_theme(name, canvas=tuple(canvas), text=plotext.pixel(foreground=tuple(text),
                                                                         background=tuple(canvas)))
        _registered.add(name)
    return name


@lru_cache(maxsize=1024)
def _style(codes: str) -> Style:
    """The rich style of a run of cells after ``codes``, as rich parses plotext's escape codes (an empty style, not
    None, for a plain run: Textual's colour filters, such as NO_COLOR's, expect a style on every segment)."""
    return next(iter(Text.from_ansi(codes + "x").render(_CONSOLE))).style or _PLAIN


def figure_strips(figure: Any) -> list[Strip]:
    """Build a plotext figure and return its lines as strips, top line first, one per row of the figure, each
    segment a run of cells plotext wrote in one colour."""
    return text_strips(figure.build().string())


def text_strips(text: str) -> list[Strip]:
    """plotext's ANSI text as strips, one per line (see the module's docstring)."""
    strips = []
    for line in text.removesuffix("\n").split("\n"):  # each line ends in one
        parts = _RUN.split(line)
        segments = [Segment(parts[0], _PLAIN)] if parts[0] else []
        segments += [Segment(run, _style(codes)) for codes, run in zip(parts[1::2], parts[2::2], strict=True) if run]
        strips.append(Strip(segments))
    return strips


def app_plot_theme(app: Any) -> str:
    """The plotext theme for ``app``'s current theme: its surface and foreground colours, or ``CLEAR_THEME`` for an
    ANSI theme (whose background is the terminal's own)."""
    if app.current_theme.ansi:
        return CLEAR_THEME
    variables = app.theme_variables
    return plot_theme(variables["surface"], variables["foreground"])
