"""Trained work is never thrown away without the same question: a recipe, a preset of another shape, opening a
file, a reset or a new seed each ask first when the run has trained and is not saved, and a no keeps it all."""

from __future__ import annotations

from lab.ui.screens.confirm import ConfirmScreen
from lab.ui.screens.path_prompt import PathScreen
from lab.ui.screens.presets import PresetScreen

from tests.ui.helpers import small_xor_app, table_lines

SIZE = (100, 30)
QUESTION = "discard the trained weights (3 epochs, not saved)?"


def question(app) -> str:
    assert isinstance(app.screen, ConfirmScreen), app.screen
    return app.screen.question


async def pick(pilot, option_id: str) -> None:
    """Open the presets with p and pick ``option_id`` (``recipe:two-layer``)."""
    await pilot.press("p")
    assert isinstance(pilot.app.screen, PresetScreen)
    options = pilot.app.screen.query_one("#presets-list")
    options.highlighted = options.get_option_index(option_id)
    await pilot.press("enter")
    await pilot.pause()


async def test_picking_a_recipe_asks_before_replacing_a_trained_run():
    """p, a recipe, after 3 epochs: the question; n keeps the run; y opens the recipe."""
    app = small_xor_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s", "s", "s")
        trainer = app.lab_run.session.trainer
        await pick(pilot, "recipe:two-layer")
        assert question(app).endswith(QUESTION)
        await pilot.press("n")
        assert app.lab_run.session.trainer is trainer and app.experiment.name == "xor"
        await pick(pilot, "recipe:two-layer")
        await pilot.press("y")
        assert app.experiment.name == "two-layer" and app.lab_run.session.trainer.epoch == 0


async def test_opening_a_file_asks_before_replacing_a_trained_run(tmp_path):
    """ctrl+o on a readable file after 3 epochs: the question; n keeps the run."""
    app = small_xor_app()
    async with app.run_test(size=SIZE) as pilot:
        path = tmp_path / "other.json"
        path.write_bytes(app.files.experiment_bytes())
        await pilot.press("s", "s", "s")
        trainer = app.lab_run.session.trainer
        await pilot.press("ctrl+o")
        assert isinstance(app.screen, PathScreen)
        app.screen.query_one("Input").value = str(path)
        await pilot.press("enter")
        await pilot.pause()
        assert question(app).startswith(f"Open {path}")
        await pilot.press("n")
        assert app.lab_run.session.trainer is trainer and app.lab_run.session.trainer.epoch == 3


async def test_a_saved_run_is_replaced_without_a_question(tmp_path):
    """Saved at epoch 3, a reset asks nothing (the file has it); one more epoch and it asks again."""
    app = small_xor_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s", "s", "s")
        app.files.path = tmp_path / "run.json"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.files.path.exists()
        await pilot.press("s", "r")
        assert question(app).startswith("Reset")
        await pilot.press("escape")
        app.action_save()
        await pilot.press("r")
        assert not isinstance(app.screen, ConfirmScreen)
        assert app.lab_run.session.trainer.epoch == 0


async def test_an_untrained_network_is_replaced_without_a_question():
    """Nothing trained, nothing to lose: a recipe opens at once."""
    app = small_xor_app()
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, "recipe:single-neuron")
        assert app.experiment.name == "single-neuron"


async def test_a_declined_change_of_shape_shows_the_kept_network_again():
    """A 3-input expression after 3 epochs asks; n keeps the 2-input gate and its network, and the table shows that
    network's outputs again (the table had shown the new gate behind the question and dropped them)."""
    app = small_xor_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s", "s", "s")
        before = table_lines(app)
        assert all(line.split()[-1][-1] in "✓✗" for line in before[1:5])  # each row: its output and right/wrong
        await pilot.press("e", *"a & b | c", "enter")
        await pilot.pause()
        assert question(app).endswith(QUESTION)
        await pilot.press("n")
        await pilot.pause()
        assert app.experiment.table.n_inputs == 2 and app.lab_run.session.trainer.epoch == 3
        assert table_lines(app) == before
