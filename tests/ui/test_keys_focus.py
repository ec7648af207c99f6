"""Keys go where the screen says they go: a burst after a key that opens a line lands in the line, focus survives
resizes, every text line has a way out, tab never stops on an invisible container, x removes only what it says."""

from __future__ import annotations

from textual import events
from textual.keys import key_to_character
from textual.widgets import Input

from lab.core.experiment import MAX_HIDDEN_LAYERS
from lab.ui.screens.confirm import ConfirmScreen
from lab.ui.screens.path_prompt import PathScreen
from lab.ui.screens.presets import PresetScreen
from lab.ui.widgets.architecture import SettingsList
from lab.ui.widgets.truth_table import TruthTableView

from tests.ui.helpers import Said, make_app, small_xor_app

SIZE = (100, 30)


async def burst(pilot, *keys: str) -> None:
    """Queue ``keys`` all at once, as a paste or a laggy link delivers them, then let the app handle them."""
    for key in keys:
        pilot.app.post_message(events.Key(key, key_to_character(key)))
    await pilot.pause()
    await pilot.pause()


async def test_keys_after_e_go_into_the_expression_line():
    """e x o r in one burst: the line holds 'xor'; no output was added, the weights were not reset."""
    app = small_xor_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s", "s")
        await burst(pilot, "e", "x", "o", "r")
        line = app.query_one("#expression", Input)
        assert line.value == "xor"
        assert app.focused is line
        assert app.experiment.table.n_outputs == 1
        assert app.lab_run.session.trainer.epoch == 2


async def test_keys_after_enter_go_into_the_settings_line():
    """enter 0 . 1 in a burst on the LR line: the value line holds the typed text."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        settings = app.query_one(SettingsList)
        settings.focus()
        await pilot.pause()
        settings.cursor = next(i for i in range(settings.n_lines)
                               if (s := settings._setting_at(i)) is not None and s.key == "lr")
        await burst(pilot, "enter", "0", "full_stop", "5")  # the prefilled value is selected: typing replaces it
        line = app.query_one("#settings-input", Input)
        assert app.focused is line
        assert line.value == "0.5"
        assert app.lab_run.session.epochs_per_tick == 20  # '.' was text, not 'faster'
        await pilot.press("enter")
        assert app.experiment.training.lr == 0.5


async def test_keys_after_p_and_ctrl_o_never_reach_the_table():
    """p then o r, and ctrl+o then a typed path, in bursts: the dialog is up, the table and weights untouched."""
    app = small_xor_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await burst(pilot, "p", "o", "r", "n")
        assert isinstance(app.screen, PresetScreen)
        assert app.experiment.table.n_outputs == 1 and app.lab_run.session.trainer.epoch == 1
        await pilot.press("escape")
        await burst(pilot, "ctrl+o", "o", "n", "f", "r")
        assert isinstance(app.screen, PathScreen)
        assert app.experiment.table.columns == ("0110",) and app.lab_run.session.trainer.epoch == 1
        assert app.experiment.training.seed == 1


async def test_focus_survives_a_too_small_terminal_and_a_resize_storm():
    """After the terminal was 60x18, and after a storm of sizes, the table still has the focus: f flips a bit."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.resize_terminal(60, 18)
        await pilot.pause()
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.focused, TruthTableView)
        app.query_one(SettingsList).focus()
        await pilot.pause()
        for size in [(70, 20), (120, 40), (50, 10), (79, 23), (200, 60), (60, 18), (80, 24)]:
            await pilot.resize_terminal(*size)
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.focused, SettingsList)


async def test_escape_leaves_the_prediction_line_and_says_so():
    """In the prediction line the footer shows esc; esc gives the keys back to the table (space trains again)."""
    app = small_xor_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab")
        assert app.focused is app.query_one("#prediction-input", Input)
        footer_keys = {b.binding.key for b in app.screen.active_bindings.values() if b.binding.show}
        assert "escape" in footer_keys
        await pilot.press("1", "space", "0", "escape")
        assert isinstance(app.focused, TruthTableView)
        assert app.query_one("#prediction-input", Input).value == "1 0"
        await pilot.press("s")
        assert app.lab_run.session.trainer.epoch == 1


async def test_tab_goes_from_prediction_straight_to_the_settings():
    """tab visits only widgets that show they have it: table, prediction, settings list."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        seen = []
        for _ in range(3):
            await pilot.press("tab")
            seen.append(type(app.focused).__name__)
        assert seen == ["Input", "SettingsList", "TruthTableView"]


def settings_line(settings: SettingsList, key: str) -> int:
    return next(i for i in range(settings.n_lines) if (s := settings._setting_at(i)) is not None and s.key == key)


async def test_x_on_a_setting_removes_nothing_and_says_what_x_does():
    """x on the LR line keeps every layer and shows a one-line hint; on a layer it removes that layer and the
    cursor stays on the layer that took its place."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        settings = app.query_one(SettingsList)
        settings.focus()
        await pilot.press("a", "a")  # three layers of 16 relu
        assert len(app.experiment.architecture.layers) == 3
        settings.cursor = settings_line(settings, "lr")
        await pilot.press("x")
        await pilot.pause()
        assert len(app.experiment.architecture.layers) == 3
        error = str(app.query_one("#settings-error").render())
        assert "x removes a hidden layer: select a Layer line" in error
        settings.cursor = 1
        await pilot.press("left")  # layer 2 is now 15 units: the one removed next
        await pilot.press("x")
        await pilot.pause()
        assert [l.units for l in app.experiment.architecture.layers] == [16, 16]
        assert settings.cursor == 1 and settings._layer_at(settings.cursor) == 1
        settings.cursor = 1
        await pilot.press("x")
        assert settings.cursor == 0 and settings._layer_at(0) == 0


async def test_at_most_layers_the_cursor_never_lands_on_a_blank_line():
    """With the most hidden layers the '+ layer' line is gone: every line the cursor reaches shows something."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        settings = app.query_one(SettingsList)
        settings.focus()
        while len(app.experiment.architecture.layers) < MAX_HIDDEN_LAYERS:
            await pilot.press("a")
        lines = [settings._line(i).plain.strip() for i in range(settings.n_lines)]
        assert all(lines), lines
        settings.cursor = MAX_HIDDEN_LAYERS - 1
        await pilot.press("down")
        assert settings._setting_at(settings.cursor) is not None


async def test_n_after_a_dialog_that_did_not_appear_changes_nothing():
    """n outside a dialog keeps the seed and the trained weights and says that new seed is N; N asks first."""
    app = small_xor_app()
    said = Said()
    async with app.run_test(size=SIZE, message_hook=said) as pilot:
        await pilot.press("s", "s", "n")
        assert app.experiment.training.seed == 1 and app.lab_run.session.trainer.epoch == 2
        assert any("N" in n.message for n in said.notes)
        await pilot.press("N")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert app.experiment.training.seed == 1 and app.lab_run.session.trainer.epoch == 2
        await pilot.press("N", "y")
        assert app.experiment.training.seed == 2 and app.lab_run.session.trainer.epoch == 0
