"""SVG snapshots of each pane's states at 80x24 and 120x40, seeded, with the cursor blink off."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from lab.ui.app import LabApp
from lab.ui.widgets.architecture import SettingsList
from lab.ui.widgets.truth_table import TruthTableView

from tests.ui.helpers import make_app

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def steps(n: int, *keys: str):
    """A ``run_before`` that turns the cursor blink off, trains ``n`` epochs by hand, then presses ``keys``."""

    async def run_before(pilot: Pilot) -> None:
        app: LabApp = pilot.app  # type: ignore[assignment]
        for line in app.query(Input):
            line.cursor_blink = False
        for _ in range(n):
            app.action_step()
        await pilot.pause()
        if keys:
            await pilot.press(*keys)
        for line in app.screen.query(Input):
            line.cursor_blink = False
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_start(snap_compare, size):
    """The lab as it opens: keras-xor, idle, every pane visible."""
    assert snap_compare(make_app(), terminal_size=size, run_before=steps(0))


@pytest.mark.parametrize("size", SIZES)
def test_trained_xor(snap_compare, size):
    """keras-xor after 150 epochs by hand: the chart, the answers with their marks, the solved epoch."""
    assert snap_compare(make_app(lr=0.01), terminal_size=size, run_before=steps(150))


@pytest.mark.parametrize("size", SIZES)
def test_heldout_row_and_expression_error(snap_compare, size):
    """A held-out row (dimmed, 'held') and an expression line showing the parser's error."""
    assert snap_compare(make_app(gate="parity3", lr=0.01), terminal_size=size,
                        run_before=steps(60, "down", "down", "h", "e", *"a ^ (b", "enter"))


@pytest.mark.parametrize("size", SIZES)
def test_full_adder_two_outputs(snap_compare, size):
    """A gate with two outputs: two target columns and two answer columns."""
    assert snap_compare(make_app(gate="full-adder", lr=0.02), terminal_size=size, run_before=steps(200))


@pytest.mark.parametrize("size", SIZES)
def test_architecture_editing(snap_compare, size):
    """The architecture pane focused, a second layer added, the value editor open on the learning rate."""

    async def run_before(pilot: Pilot) -> None:
        app: LabApp = pilot.app  # type: ignore[assignment]
        settings = app.query_one(SettingsList)
        settings.focus()
        await pilot.press("a", "c")
        settings.cursor = settings.index_of("lr")
        await pilot.press("enter")
        await steps(0)(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_presets_screen(snap_compare, size):
    """The preset list: every gate and recipe with its description."""
    assert snap_compare(make_app(), terminal_size=size, run_before=steps(0, "p"))


@pytest.mark.parametrize("size", SIZES)
def test_help_screen(snap_compare, size):
    """The help screen listing every key."""
    assert snap_compare(make_app(), terminal_size=size, run_before=steps(0, "question_mark"))


@pytest.mark.parametrize("size", SIZES)
def test_confirm_rebuild(snap_compare, size):
    """Adding an input after training asks before discarding the weights."""
    assert snap_compare(make_app(), terminal_size=size, run_before=steps(5, "plus"))


@pytest.mark.parametrize("size", SIZES)
def test_eight_inputs_scrolled(snap_compare, size):
    """A 256-row table, cursor moved far down: the header stays, compact input bits."""

    async def run_before(pilot: Pilot) -> None:
        app: LabApp = pilot.app  # type: ignore[assignment]
        await pilot.press(*["plus"] * 6)
        app.query_one(TruthTableView).cursor_row = 200
        await steps(0)(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("view", ["network", "units", "surface", "health", "gradcheck", "summary"])
@pytest.mark.parametrize("size", SIZES)
def test_views(snap_compare, size, view):
    """Each view of what the network learned, for keras-xor after 150 epochs by hand."""
    from lab.ui.widgets.inspect_view import VIEWS

    presses = ["v"] * (VIEWS.index(view) + 1)
    if view == "gradcheck":
        presses = ["g"]
    assert snap_compare(make_app(lr=0.01), terminal_size=size, run_before=steps(150, "down", *presses))


@pytest.mark.parametrize("size", SIZES)
def test_karnaugh_view(snap_compare, size):
    """The surface view of a three-input gate is a Karnaugh map."""
    assert snap_compare(make_app(gate="majority3", lr=0.02), terminal_size=size,
                        run_before=steps(100, "v", "v", "v"))
