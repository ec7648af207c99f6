"""SVG snapshots of the whole lab at each terminal size, in colour and with ``NO_COLOR``."""

from __future__ import annotations

import pytest

from tests.snapshots.test_panes import steps
from tests.ui.helpers import make_app

ALL_SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40"),
             pytest.param((200, 60), id="200x60")]


def test_wide_layout_puts_a_view_beside_the_chart(snap_compare):
    """200x60: a bigger chart with the network picture beside it, following the cursor's row."""
    assert snap_compare(make_app(lr=0.01), terminal_size=(200, 60), run_before=steps(150, "down"))


def test_wide_layout_cycles_views_beside_the_chart(snap_compare):
    """200x60: v moves the side view on (from the network picture to the seeds view) while the chart stays."""
    assert snap_compare(make_app(lr=0.01), terminal_size=(200, 60), run_before=steps(150, "v"))


@pytest.mark.parametrize("size", ALL_SIZES)
def test_no_color(snap_compare, monkeypatch, size):
    """NO_COLOR=1: the trained lab is legible in plain text; ✓/✗ and markers carry every state."""
    monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(make_app(lr=0.01), terminal_size=size, run_before=steps(150, "down", "h"))


def test_below_the_minimum_size(snap_compare):
    """70x20: a clear request for a bigger terminal, with the run's status, instead of a garbled layout."""
    assert snap_compare(make_app(), terminal_size=(70, 20), run_before=steps(20))
