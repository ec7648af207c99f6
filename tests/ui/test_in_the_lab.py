"""Pilot tests of issue 28's fixes that live in the app: the name an expression gives, space after a spent budget,
figures of one table after an edit, the confirm dialog pausing the run, a new optimizer going on, tab's order."""

from __future__ import annotations

import pytest

from lab.ui.file_actions import file_stem
from lab.ui.screens.confirm import ConfirmScreen
from lab.ui.screens.go_on import GoOnScreen
from lab.ui.widgets.architecture import SettingsList
from lab.ui.widgets.chart import LossChart
from lab.ui.widgets.inspect_view import InspectView
from lab.ui.widgets.truth_table import TruthTableView

from tests.ui.helpers import make_app, small_xor_app, status_text, train_to_end, until


async def test_an_expression_names_the_run_everywhere():
    """parity4, then e 'a & b': the experiment, its title, the table's title, the save's and the export's names and
    the model summary all say 'a & b', none 'parity4'."""
    app = make_app(gate="parity4")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("e", *"a & b", "enter")
        await pilot.pause()
        assert app.experiment.name == "a & b" and app.experiment.table.name == "a & b"
        assert app.sub_title == "a & b"
        assert str(app.query_one("#table-pane").border_title) == "Truth table · a & b"
        assert file_stem(app.experiment.name) == "a_b"
        app.show_view("summary")
        await pilot.pause()
        assert 'Model: "a & b"' in app.query_one(InspectView).text and "parity4" not in app.query_one(
            InspectView).text


async def test_space_after_a_spent_budget_offers_another():
    """A budget of 30 spent unsolved: space offers to go on; space again trains 30 more (to epoch 60); later u
    trains until stopped."""
    app = make_app(epochs=30)
    async with app.run_test(size=(120, 40)) as pilot:
        await train_to_end(pilot, app)
        assert app.lab_run.session.trainer.epoch == 30
        await pilot.press("space")
        await pilot.pause()
        assert isinstance(app.screen, GoOnScreen)
        await pilot.press("space")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.experiment.training.epochs == 60 and app.lab_run.session.trainer.epoch == 60
        await pilot.press("space")
        await pilot.pause()
        await pilot.press("u")
        await pilot.pause()
        assert app.experiment.training.until_stopped and app.running
        assert "(until stopped)" in status_text(app)
        await pilot.press("space")  # pause
        await pilot.pause()


async def test_after_a_table_edit_the_loss_is_the_edited_tables():
    """Trained, then a bit flipped: the status line's loss is the weights' loss on the edited table (as
    ``Trainer.scores_now`` gives it), with the accuracy of that table, not the last epoch's loss."""
    app = small_xor_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await train_to_end(pilot, app)
        recorded = app.lab_run.session.trainer.history.loss[-1]
        app.query_one(TruthTableView).focus()
        await pilot.press("f")
        await pilot.pause()
        now = app.lab_run.session.trainer.scores_now()
        assert f"loss {now.loss:.4g}" in status_text(app) and f"loss {recorded:.4g}" not in status_text(app)
        assert "acc 0.75" in status_text(app)


async def test_after_a_table_edit_the_charts_title_has_the_status_lines_loss():
    """Trained, then a bit flipped: the chart's title shows the loss the status line shows (the weights' loss on
    the edited table), not the last epoch's; the last epoch's again once the status line shows it."""
    app = small_xor_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await train_to_end(pilot, app)
        chart = app.query_one(LossChart)
        recorded = app.lab_run.session.trainer.history.loss[-1]
        # the chart is drawn by a worker of its own: its last picture can come after the run's last message
        await until(pilot, lambda: f"loss {recorded:.4g}" in chart_title(chart), "the last epoch's loss")
        app.query_one(TruthTableView).focus()
        await pilot.press("f")
        await pilot.pause()
        now = app.lab_run.session.trainer.scores_now()
        await until(pilot, lambda: f"loss {now.loss:.4g}" in chart_title(chart), "the edited table's loss")
        assert f"loss {recorded:.4g}" not in chart_title(chart) and f"loss {now.loss:.4g}" in status_text(app)
        chart.show_loss(recorded, len(chart.loss))  # as the status line shows it once an epoch scores the table
        await until(pilot, lambda: f"loss {recorded:.4g}" in chart_title(chart), "the last epoch's loss")
        assert chart.loss_now is None


def chart_title(chart: LossChart) -> str:
    """The chart's title line as painted."""
    lines = chart.shown_lines or []
    return lines[0].text if lines else ""


async def test_the_confirm_dialog_pauses_training_and_a_no_goes_on():
    """Training, then a change that needs a new network: the run pauses while the dialog asks, the epochs it names
    are the run's (they no longer move), and a no trains on."""
    app = make_app(epochs=100_000)
    async with app.run_test(size=(120, 40)) as pilot:
        app.lab_run.epochs_per_tick = 1  # slow, so the run is still going when the dialog opens
        await pilot.press("space")
        await until(pilot, lambda: app.lab_run.session.trainer.epoch > 0, "a first epoch")
        app.query_one(TruthTableView).focus()
        await pilot.press("plus")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and not app.running
        await app.workers.wait_for_complete()
        epoch = app.lab_run.session.trainer.epoch
        assert f"({epoch:,} epochs, not saved)" in app.screen.question
        await pilot.pause(0.2)
        assert app.lab_run.session.trainer.epoch == epoch
        await pilot.press("n")
        await pilot.pause()
        assert app.running
        await pilot.press("space")
        await pilot.pause()


async def test_a_new_optimizer_or_loss_goes_on_without_asking():
    """Trained 50 epochs, then Optim and Loss stepped: no dialog, the same run goes on with them."""
    app = make_app(lr=0.05)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(50):
            app.action_step()
        settings = app.query_one(SettingsList)
        settings.focus()
        for key in ("optimizer", "loss"):
            settings.cursor = next(i for i in range(settings.n_lines)
                                   if (s := settings.setting_at(i)) is not None and s.key == key)
            await pilot.press("right")
            await pilot.pause()
            assert not isinstance(app.screen, ConfirmScreen)
        assert (app.experiment.training.optimizer, app.experiment.training.loss) == ("sgd", "sse")
        assert app.lab_run.session.trainer.epoch == 50


@pytest.mark.parametrize("view", ["chart", "network", "seeds"])
async def test_tab_goes_from_the_table_to_the_architecture_in_every_view(view):
    """Tab from the table lands in the architecture pane whatever view is shown, and shift+tab in the prediction
    line; keys typed after one tab never land in the prediction line."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        if view != "chart":
            app.show_view(view)
        await pilot.pause()
        app.query_one(TruthTableView).focus()
        await pilot.press("tab")
        assert app.focused is app.query_one(SettingsList)
        app.query_one(TruthTableView).focus()
        await pilot.press("shift+tab")
        assert app.focused.id == "prediction-input"


def test_the_restore_prompt_names_an_expression_run_once():
    """The autosave of parity4 given 'a & b' is offered back as 'a & b', once; a chosen name keeps its gate beside
    it."""
    from dataclasses import replace
    from time import time

    from lab.core.gates import preset, table_from_expression
    from lab.core.recipes import recipe
    from lab.files.autosave import Autosaved

    parity4 = replace(recipe("keras-xor").with_table(preset("parity4")), name="parity4")
    typed = parity4.with_table(table_from_expression("a & b"))
    assert Autosaved(typed, None, time()).describe() == "a & b at epoch 0, saved just now"
    assert Autosaved(replace(typed, name="mine"), None, time()).describe().startswith("mine (a & b) at epoch 0")
