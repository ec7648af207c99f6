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
