"""A line fitted to a width without the reference cycle Textual's own fitting makes of it.

Textual's ``Strip.crop_extend(start, end, style)`` caches its answer in the strip it was asked of, and when the strip
already spans ``start`` to ``end`` exactly the answer is the strip itself (Textual 8.2.8, ``textual/strip.py``:
``extend_cell_length`` and ``crop`` return ``self``, then ``self._crop_extend_cache[cache_key] = strip``). The strip
then refers to itself, so once it is dropped (every redraw of a chart or a view drops its old lines) refcounting cannot
free it: it waits, with its seven caches and its segments, for the cyclic collector's next full pass. While the lab
trains flat out that was most of the garbage per redraw of the chart, kept for seconds at a time.
"""

from __future__ import annotations

from rich.style import Style
from textual.strip import Strip


def crop_extend(strip: Strip, start: int, end: int, style: Style | None) -> Strip:
    """``strip`` cropped to the cells from ``start`` to ``end``, padded with blanks in ``style`` where it is shorter:
    what ``Strip.crop_extend`` gives, but ``strip`` itself, uncached, when it spans exactly that already."""
    if start == 0 and strip.cell_length == end:
        return strip
    return strip.crop_extend(start, end, style)
