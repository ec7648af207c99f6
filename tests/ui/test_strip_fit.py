"""A line fitted to a width is Textual's fitting, without the reference cycle Textual makes of a line that already
fits (``lab.ui.widgets.strip_fit``)."""

from __future__ import annotations

import gc

import pytest
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from lab.ui.widgets.strip_fit import crop_extend

PAD = Style(bgcolor="grey7")


def _line() -> Strip:
    return Strip([Segment("ab", Style(color="cyan")), Segment("cd")])


@pytest.mark.parametrize(("start", "end"), [(0, 4), (0, 6), (0, 3), (1, 4), (1, 6), (2, 3), (5, 7)])
def test_a_fitted_line_is_textuals_crop_extend(start, end):
    """Cropped, padded in the style given, or both: the same cells and styles as ``Strip.crop_extend``."""
    assert list(crop_extend(_line(), start, end, PAD)) == list(_line().crop_extend(start, end, PAD))
    assert crop_extend(_line(), start, end, PAD).cell_length == end - start


def test_a_line_that_fits_is_given_back_and_freed_when_dropped():
    """A line as wide as asked comes back as it is, and once dropped refcounting frees it: the cyclic collector
    finds nothing. Textual's own ``crop_extend`` caches such a line in itself, so the same line waits for the
    collector (the reason for the module: if Textual stops doing so, the wrapper can go)."""
    gc.collect()
    gc.disable()
    try:
        line = _line()
        assert crop_extend(line, 0, 4, PAD) is line
        del line
        assert gc.collect() == 0
        line = _line()
        assert line.crop_extend(0, 4, PAD) is line
        del line
        assert gc.collect() > 0
    finally:
        gc.enable()
