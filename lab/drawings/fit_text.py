"""Choosing the fullest wording that fits: a hint, a placeholder or a title is written in a few lengths, and the
widget shows the first whole one its width holds, so an 80x24 screen shows shorter words, never cut ones."""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len


def fitting(choices: Sequence[str], width: int) -> str:
    """The first of ``choices`` (fullest first) at most ``width`` cells wide, or the last (the shortest) when none
    is."""
    return next((text for text in choices if cell_len(text) <= width), choices[-1])
