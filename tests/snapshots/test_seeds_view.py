"""SVG snapshots of the seeds view at 80x24 and 120x40: one sweep, and two configurations side by side. Seeded and
deterministic; the seconds and network-epochs per second, which vary from run to run, are hidden."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from lab.ui.app import LabApp
from lab.ui.widgets.architecture import SettingsList
from lab.ui.widgets.seeds_view import SeedsView

from tests.ui.helpers import make_app

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


async def sweep(pilot: Pilot, *keys: str) -> None:
    """Press ``keys`` and wait for the sweep worker and its messages."""
    app: LabApp = pilot.app  # type: ignore[assignment]
    await pilot.press(*keys)
    await app.workers.wait_for_complete()
    await pilot.pause()


async def untimed(pilot: Pilot) -> None:
    """Hide the timings and the notifications before the picture."""
    app: LabApp = pilot.app  # type: ignore[assignment]
    app.query_one(SeedsView).show_timing = False
    app.clear_notifications()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_one_sweep(snap_compare, size):
    """keras-xor over 100 seeds with a 150-epoch budget: some solve, some do not (the ✗ bar)."""

    async def run_before(pilot: Pilot) -> None:
        await sweep(pilot, "k")
        await untimed(pilot)

    assert snap_compare(make_app(epochs=150), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_a_beside_b(snap_compare, size):
    """keras-xor pinned as A, then with a second hidden layer of 16 as B: both rows, both curves, paired bars."""

    async def run_before(pilot: Pilot) -> None:
        await sweep(pilot, "A")
        pilot.app.query_one(SettingsList).focus()
        await pilot.press("a")
        await sweep(pilot, "k")
        await untimed(pilot)

    assert snap_compare(make_app(epochs=300), terminal_size=size, run_before=run_before)
