"""The picture's hand edits and the step-through in the lab itself, through the run (``Run.set_parameter``, a step
by hand): the outputs follow at once, training goes on from the edited weights, a saved file keeps them, and an
applied whole-batch step is the next epoch."""

from __future__ import annotations

import numpy as np

from lab.core.experiment import Layer
from lab.core.recipes import recipe
from lab.files.experiment_file import read, write
from lab.ui.app import LabApp
from lab.ui.screens.step_through import StepThroughScreen
from lab.ui.widgets.inspect_view import InspectView
from lab.ui.widgets.network_picture import STEP
from lab.ui.widgets.truth_table import TruthTableView

from tests.ui.helpers import Said

SIZE = (120, 40)


def xor_app() -> LabApp:
    """XOR on 2 -> 2 sigmoid -> 1 sigmoid, sse, sgd lr 1."""
    return LabApp(recipe("keras-xor").with_architecture(layers=(Layer(2, "sigmoid"),)).with_training(
        optimizer="sgd", loss="sse", lr=1.0))


async def picture(pilot, app: LabApp) -> InspectView:
    """The picture shown and focused, for the table's cursor row."""
    app.show_view("picture")
    await pilot.pause()
    view = app.query_one(InspectView)
    view.focus()
    app.view_routing.refresh()
    await pilot.pause()
    return view


async def test_a_weight_set_by_hand_is_the_runs_at_once(tmp_path):
    app = xor_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.action_step()
        await pilot.pause()
        view = await picture(pilot, app)
        view.cursor.select(("edge", 0))
        before = float(app.lab_run.frozen().state.params()["W1"][0, 0])
        outputs = app.lab_run.predict(app.experiment.table.inputs).copy()
        await pilot.press("right")
        await pilot.pause()
        state = app.lab_run.frozen().state
        assert state.params()["W1"][0, 0] == round(before + STEP, 10)
        now = app.lab_run.predict(app.experiment.table.inputs)
        assert not np.array_equal(now, outputs)  # the outputs follow
        assert view.text.splitlines()[-2] == f"w(a→h1) = {before + STEP:+.4f}"
        assert app.query_one(TruthTableView).table == app.experiment.table
        path = tmp_path / "edited.json"
        write(path, app.experiment, state)  # a saved file keeps the edit
        _, trainer = read(path)
        assert trainer is not None and trainer.net.W[0][0, 0] == round(before + STEP, 10)
        epoch = state.epoch
        app.action_step()  # training goes on from the edited weights
        await pilot.pause()
        assert app.lab_run.frozen().state.epoch == epoch + 1
        trainer.step()
        assert np.array_equal(app.lab_run.frozen().state.theta, trainer.net.theta)


async def test_an_applied_whole_batch_step_is_the_next_epoch():
    app = xor_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = await picture(pilot, app)
        epoch = app.lab_run.frozen().state.epoch
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, StepThroughScreen)
        await pilot.press("w")
        await pilot.pause()
        step = app.screen.query_one("StepThrough").step
        assert step is not None and step.whole_batch
        await pilot.press("a")
        await pilot.pause()
        state = app.lab_run.frozen().state
        assert state.epoch == epoch + 1
        assert np.abs(state.theta - step.theta_after).max() <= 1e-12
        assert view.paused


async def test_a_row_step_sets_the_weights_and_dont_leaves_them():
    app = xor_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await picture(pilot, app)
        theta = app.lab_run.frozen().state.theta.copy()
        await pilot.press("b")
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        assert np.array_equal(app.lab_run.frozen().state.theta, theta)
        await pilot.press("b")
        await pilot.pause()
        step = app.screen.query_one("StepThrough").step
        await pilot.press("a")
        await pilot.pause()
        state = app.lab_run.frozen().state
        assert not step.whole_batch and np.array_equal(state.theta, step.theta_after) and state.epoch == 0


async def test_no_edit_while_training():
    """The run refuses a weight by hand while it trains, and says why."""
    said = Said()
    app = xor_app()
    async with app.run_test(size=SIZE, message_hook=said) as pilot:
        await pilot.pause()
        view = await picture(pilot, app)
        app.lab_run.epochs_per_tick = 1
        await pilot.press("space")
        await pilot.pause()
        assert app.lab_run.running
        view.cursor.select(("edge", 0))
        await pilot.press("right")
        await pilot.pause()
        assert [n.message for n in said.notes][-1] == "pause the run (space) to set a weight by hand"
        await pilot.press("space")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not app.lab_run.running


async def test_a_step_applied_after_the_budget_sets_the_weights_instead():
    """The run's budget is spent (no epoch may train): the whole batch's step is set by hand."""
    app = LabApp(recipe("keras-xor").with_architecture(layers=(Layer(2, "sigmoid"),)).with_training(
        optimizer="sgd", loss="sse", lr=1.0, epochs=1))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.action_step()
        await pilot.pause()
        await picture(pilot, app)
        await pilot.press("b")
        await pilot.pause()
        await pilot.press("w")
        await pilot.pause()
        step = app.screen.query_one("StepThrough").step
        await pilot.press("a")
        await pilot.pause()
        state = app.lab_run.frozen().state
        assert state.epoch == 1 and np.array_equal(state.theta, step.theta_after)


async def test_the_footer_names_the_pictures_keys_while_it_has_the_focus():
    """Focused in the picture mode, the footer names = and b; the same view in another mode (the arrows scroll
    there) neither shows them nor acts on them."""
    app = xor_app()
    async with app.run_test(size=(80, 24)) as pilot:
        view = await picture(pilot, app)
        shown = {key: (b.binding.description, b.enabled) for key, b in app.screen.active_bindings.items()
                 if b.binding.show}
        assert shown["equals_sign"] == ("Type weight", True) and shown["b"] == ("One step", True)
        app.show_view("network")
        await pilot.pause()
        assert view.mode == "network" and view.has_focus
        assert not {"equals_sign", "b"} & {key for key, b in app.screen.active_bindings.items() if b.binding.show}
        await pilot.press("b")
        await pilot.pause()
        assert not isinstance(app.screen, StepThroughScreen)
