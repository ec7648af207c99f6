"""SVG snapshots of the truth table, keys and confirmation states of issue 15, at 80x24 and 100x30, seeded, with the
cursor blink off."""

from __future__ import annotations

import pytest
from textual import events
from textual.keys import key_to_character
from textual.pilot import Pilot
from textual.widgets import Input

from lab.ui.app import LabApp
from lab.ui.widgets.architecture import SettingsList
from lab.ui.widgets.truth_table import TruthTableView

from tests.snapshots.test_panes import steps
from tests.ui.helpers import make_app

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((100, 30), id="100x30")]


@pytest.mark.parametrize("size", SIZES)
def test_bottom_of_64_rows_up_three_held(snap_compare, size):
    """parity4 with two more inputs, End, Up Up Up, h: the highlight and the held flag on row 60."""
    assert snap_compare(make_app(gate="parity4"), terminal_size=size,
                        run_before=steps(0, "plus", "plus", "end", "up", "up", "up", "h"))


@pytest.mark.parametrize("size", SIZES)
def test_last_of_256_rows_held(snap_compare, size):
    """8 inputs, End, h: row 255 visible above the pane's edge, flagged h, no sideways scrollbar."""
    assert snap_compare(make_app(gate="parity4"), terminal_size=size,
                        run_before=steps(0, *["plus"] * 4, "end", "h"))


@pytest.mark.parametrize("size", SIZES)
def test_full_adder_third_output_names(snap_compare, size):
    """full-adder plus an output: sum and carry keep their names (whole, or visibly shortened), the new one is y3."""
    assert snap_compare(make_app(gate="full-adder"), terminal_size=size, run_before=steps(0, "o"))


@pytest.mark.parametrize("size", SIZES)
def test_values_on_the_threshold(snap_compare, size):
    """Outputs that round to .50 show their side (.50+/.50-) in agreement with their marks, and in the prediction."""

    async def run_before(pilot: Pilot) -> None:
        app: LabApp = pilot.app  # type: ignore[assignment]
        app.query_one(TruthTableView).show_outputs(((0.4991,), (0.5021,), (0.4991,), (0.5,)))
        await pilot.press("shift+tab", "1", "0")  # the prediction line: last in tab's order
        app.query_one("PredictionPane").show_outputs(__import__("numpy").array([0.50003]))
        await steps(0)(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_burst_after_e_fills_the_expression_line(snap_compare, size):
    """e x o r in one burst: the expression line holds 'xor'; one output, weights untouched."""

    async def run_before(pilot: Pilot) -> None:
        for line in pilot.app.query(Input):
            line.cursor_blink = False
        for key in ("e", "x", "o", "r"):
            pilot.app.post_message(events.Key(key, key_to_character(key)))
        await pilot.pause()
        await steps(0)(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_prediction_line_shows_esc(snap_compare, size):
    """The prediction line focused: the footer offers esc to leave it."""
    assert snap_compare(make_app(), terminal_size=size, run_before=steps(0, "shift+tab", "1", "space", "0"))


@pytest.mark.parametrize("size", SIZES)
def test_x_on_a_setting_says_what_x_does(snap_compare, size):
    """x on the LR line: every layer stays and one line says what x does."""

    async def run_before(pilot: Pilot) -> None:
        app: LabApp = pilot.app  # type: ignore[assignment]
        settings = app.query_one(SettingsList)
        settings.focus()
        await pilot.pause()
        settings.cursor = settings.index_of("lr")
        await steps(0, "x")(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_recipe_asks_before_discarding(snap_compare, size):
    """A recipe picked after 5 epochs asks the same question as a change of shape."""

    async def run_before(pilot: Pilot) -> None:
        await steps(5, "p")(pilot)
        options = pilot.app.screen.query_one("#presets-list")
        options.highlighted = options.get_option_index("recipe:two-layer")
        await pilot.press("enter")
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)
