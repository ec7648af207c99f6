"""Choosing the fullest wording that fits: a hint, a placeholder or a title is written in a few lengths, and the
widget shows the first whole one its width holds, so an 80x24 screen shows shorter words, never cut ones."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from rich.cells import cell_len

MIN_ROOM = 16
"""Cells a broken line needs beside its indent; with less room it is left whole, for the terminal to wrap (broken
into a narrower column, its words would come out a few letters a line)."""


def fitting(choices: Sequence[str], width: int) -> str:
    """The first of ``choices`` (fullest first) at most ``width`` cells wide, or the last (the shortest) when none
    is."""
    return next((text for text in choices if cell_len(text) <= width), choices[-1])


def hanging(text: str, width: int | None, indent: int) -> list[str]:
    """``text`` broken at spaces (never at a hyphen) into lines of at most ``width`` cells, each after the first
    ``indent`` spaces in: a hanging indent. Whole when it fits, when ``width`` is None, or when fewer than
    ``MIN_ROOM`` cells are left beside the indent."""
    if width is None or len(text) <= width or width - indent < MIN_ROOM:
        return [text]
    return textwrap.wrap(text, width, subsequent_indent=" " * indent, break_on_hyphens=False) or [text]
