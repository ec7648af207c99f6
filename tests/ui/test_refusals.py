"""Pilot tests that every refusal shows at every size, naming what the person edited as the lab counts it."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Static

from lab.ui.widgets.architecture import SettingsList

from tests.ui.helpers import make_app, on_screen, shown_text

SIZES = [(80, 24), (120, 40), (200, 50)]


@pytest.mark.parametrize("size", SIZES)
async def test_a_refused_layer_size_shows_and_names_the_layer_typed(size):
    """``100`` typed as layer 2's units is refused in a line on the screen, whole, naming hidden layer 2 (not 1),
    and the value line stays open to correct it."""
    app = make_app()
    async with app.run_test(size=size) as pilot:
        app.query_one(SettingsList).focus()
        await pilot.press("a")  # a second layer of 16 relu, selected
        await pilot.press("enter", "ctrl+u", *"100", "enter")
        await pilot.pause()
        error = app.query_one("#settings-error", Static)
        assert on_screen(app, error)
        assert shown_text(error) == "✗ hidden layer 2.units: a layer has 1 to 64 neurons, got 100"
        assert on_screen(app, app.query_one("#settings-input", Input))
        assert [l.units for l in app.experiment.architecture.layers] == [16, 16]


@pytest.mark.parametrize("label,typed,error", [
    ("batch_size", "100000", "✗ Batch: expected 0 to 65536, got 100000"),
    ("lr", "fast", "✗ LR: 'fast' is not a number"),
    ("seed", "-1", "✗ Seed: expected 0 to 4294967295, got -1"),
])
async def test_a_refused_setting_is_named_as_the_list_labels_it(label, typed, error):
    """A typed value refused at 80x24 shows whole, naming the line as the list labels it (Batch, not
    batch_size)."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        settings = app.query_one(SettingsList)
        settings.focus()
        settings.cursor = next(i for i in range(settings.n_lines)
                               if (s := settings.setting_at(i)) is not None and s.key == label)
        await pilot.press("enter", "ctrl+u", *typed, "enter")
        await pilot.pause()
        shown = app.query_one("#settings-error", Static)
        assert on_screen(app, shown) and shown_text(shown) == error


async def test_escape_takes_the_refusal_away_with_the_text_it_named():
    """'fast' typed as the learning rate is refused; esc closes the value line, the setting as it was, and the
    refusal, which named text no longer anywhere, goes with it."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        settings = app.query_one(SettingsList)
        settings.focus()
        settings.cursor = next(i for i in range(settings.n_lines)
                               if (s := settings.setting_at(i)) is not None and s.key == "lr")
        await pilot.press("enter", "ctrl+u", *"fast", "enter")
        await pilot.pause()
        shown = app.query_one("#settings-error", Static)
        assert on_screen(app, shown)
        await pilot.press("escape")
        await pilot.pause()
        assert not on_screen(app, shown) and not on_screen(app, app.query_one("#settings-input", Input))
        assert app.experiment.training.lr == 0.001 and settings.has_focus
