"""SVG snapshots of the tune screen at 80x24 and 100x30: the finished search around keras-xor (4 seeds, 120 epochs,
one process), the cursor moved to two layers of 8. Seeded and deterministic; the seconds are hidden."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from lab.ui.widgets.tune_view import TuneView

from tests.ui.helpers import make_app

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((100, 30), id="100x30")]


@pytest.mark.parametrize("size", SIZES)
def test_tune_heatmap(snap_compare, size):
    """The heatmap filled (success rate and median epochs in each cell), the cursor on layers 2 x units 8 in
    brackets, its numbers below."""
    app = make_app(epochs=120)
    app.tune_seeds = 4
    app.tune_jobs = 1

    async def run_before(pilot: Pilot) -> None:
        await pilot.press("t")
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        pilot.app.screen.query_one(TuneView).show_timing = False
        await pilot.press("down", "right", "right")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)
