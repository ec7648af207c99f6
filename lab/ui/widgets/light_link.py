"""Fewer bytes per repaint over a terminal link: lines in fewer segments, and only the cells that changed.

Textual writes every segment of a repainted line as ``ESC[<style>m<text>ESC[0m`` (about 25 bytes of escapes in
256 colours), and a partial repaint of a line from the left edge of its widget to the right end of the region
asked for. So:

- ``compact`` joins a run of blanks to a neighbouring segment wherever only its foreground colour or an attribute
  that a blank does not show (bold, dim, italic, blink) tells them apart: the same cells on screen in fewer
  segments (a live chart line drops from about 12 segments to 6);
- ``changed_span`` finds the columns where two versions of a line differ on screen, so a widget repaints
  ``Region(start, y, end - start, 1)`` and the cells right of the change are not sent again.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

SHOWN_ON_BLANKS = ("reverse", "underline", "underline2", "strike", "overline", "frame", "encircle", "link", "meta")
"""Style attributes a blank cell shows or carries (a link, a click action): blanks with any of these are never
joined to a neighbour."""

Cell = tuple[str, object]
"""One cell as it looks: its character and its style, or for a blank ``""`` and the only thing a blank shows, its
background colour."""


@lru_cache(maxsize=4096)
def _plain_blank(style: Style | None) -> bool:
    """Whether a blank in ``style`` looks the same in any style of the same background without ``SHOWN_ON_BLANKS``."""
    return style is None or not any(getattr(style, name) for name in SHOWN_ON_BLANKS)


def _bg(style: Style | None) -> object:
    return None if style is None else style.bgcolor


def _joins(blank: Segment, other: Segment) -> bool:
    """Whether the blank segment ``blank`` can take ``other``'s style without a visible change."""
    return (not blank.control and not other.control and _plain_blank(blank.style) and _plain_blank(other.style)
            and _bg(blank.style) == _bg(other.style))


def compact(strip: Strip) -> Strip:
    """``strip`` in as few segments as it takes to look the same: neighbours of equal style joined, and a blank
    segment (spaces only) joined to the segment before it, or else after it, when ``_joins`` allows."""
    out: list[Segment] = []
    for segment in strip:
        if out:
            last = out[-1]
            if not segment.control and not last.control and (
                    segment.style == last.style or (not segment.text.strip(" ") and _joins(segment, last))):
                out[-1] = Segment(last.text + segment.text, last.style)
                continue
            if not last.text.strip(" ") and _joins(last, segment):
                out[-1] = Segment(last.text + segment.text, segment.style)
                continue
        out.append(segment)
    return Strip(out, strip.cell_length)


def _cells(segments: Iterable[Segment]) -> list[Cell]:
    out: list[Cell] = []
    for text, style, control in segments:
        if control:
            continue
        blank = ("", _bg(style)) if _plain_blank(style) else None
        if cell_len(text) == len(text):
            out.extend(blank if blank is not None and char == " " else (char, style) for char in text)
            continue
        for char in text:  # wide characters: each takes two columns
            out.append(blank if blank is not None and char == " " else (char, style))
            out.extend([("", None)] * (cell_len(char) - 1))
    return out


def cells(strip: Strip) -> list[Cell]:
    """The cells of ``strip`` as they look (``Cell``), one per column (a wide character's second column is
    ``("", None)``)."""
    return _cells(strip)


def changed_span(old: Strip, new: Strip) -> tuple[int, int] | None:
    """The columns ``(start, end)`` outside which ``old`` and ``new`` look the same, or None when they look the same
    everywhere. Columns where only one of the two has cells count as changed.

    Segments equal at the start (and, for lines of one length, at the end) are skipped whole; only the cells
    between are compared one by one."""
    if old == new:
        return None
    a, b = list(old), list(new)
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    j = 0
    if old.cell_length == new.cell_length:
        while j < min(len(a), len(b)) - i and a[-1 - j] == b[-1 - j]:
            j += 1
    left = sum(segment.cell_length for segment in a[:i])
    ca, cb = _cells(a[i : len(a) - j]), _cells(b[i : len(b) - j])
    n = min(len(ca), len(cb))
    start = next((x for x in range(n) if ca[x] != cb[x]), n)
    if start == n and len(ca) == len(cb):
        return None
    end = max(len(ca), len(cb))
    if len(ca) == len(cb):
        end = next(x for x in range(len(ca), 0, -1) if ca[x - 1] != cb[x - 1])
    return left + start, left + end
