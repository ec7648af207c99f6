"""Pilot tests: press keys as a person would and check what the app shows and posts."""

from __future__ import annotations

import pytest
from textual.geometry import Region
from textual.worker import WorkerState

from lab.ui.messages import TrainingFailed, TrainingProgress
from lab.ui.screens.confirm import ConfirmScreen
from lab.ui.screens.presets import PresetScreen
from lab.ui.widgets.architecture import SettingsList
from lab.ui.widgets.chart import LossChart
from lab.ui.widgets.truth_table import TruthTableView

from tests.ui.helpers import Said, make_app, send_key, small_xor_app, status_text, table_lines, train_to_end, until

SIZE = (100, 30)


async def test_opens_idle_on_keras_xor():
    """The default experiment is keras-xor, idle, with the table and settings shown."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "idle" in status_text(app)
        assert "epoch 0/1,000" in status_text(app)
        lines = table_lines(app)
        assert lines[0].split()[:3] == ["#", "a", "b"]
        assert [line.split()[4] for line in lines[1:5]] == ["0", "1", "1", "0"]
        assert "65 params · 2 in → 16 relu → 1 sigmoid" in str(app.query_one(SettingsList).render())


async def test_edit_table_to_xor_build_2_4_1_and_train_to_solved():
    """Flip AND into XOR, shrink the hidden layer to 4, train: solved, every row ticked."""
    app = make_app(gate="and", lr=0.05, epochs=3000, seed=2)
    async with app.run_test(size=SIZE) as pilot:
        for row in (1, 2, 3):
            app.query_one(TruthTableView).cursor_row = row
            await pilot.press("f")
        assert app.experiment.table.columns == ("0110",)
        app.query_one(SettingsList).focus()
        await pilot.press("c")  # relu -> sigmoid -> ... cycle to tanh
        while app.experiment.architecture.layers[0].activation != "tanh":
            await pilot.press("c")
        for _ in range(12):
            await pilot.press("left")
        assert app.experiment.architecture.layers[0].units == 4
        assert app.lab_run.session.trainer.net.shape.sizes == (2, 4, 1)
        await train_to_end(pilot, app)
        status = status_text(app)
        assert "solved at epoch" in status, status
        assert all(line.endswith("✓") for line in table_lines(app)[1:5])


async def test_hold_out_a_row_shows_heldout_loss():
    """Holding a row out dims it, scores it separately and charts a held-out loss."""
    app = small_xor_app(epochs=50)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "down", "down", "h")
        assert app.experiment.table.heldout == frozenset({3})
        assert table_lines(app)[4].endswith("held")
        await train_to_end(pilot, app)
        assert "held-out acc" in status_text(app)
        chart = app.query_one(LossChart)
        assert len(chart.heldout_loss) == len(chart.loss) == 50


async def test_expression_with_error_shows_message_and_keeps_table():
    """A malformed expression shows the parser's message inline; the table is unchanged."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        await pilot.press(*"a ^ )", "enter")
        error = app.query_one("#expression-error")
        assert error.display
        assert "col 5: expected a variable or '(' but found ')'" in str(error.render())
        assert app.experiment.table.columns == ("0110",)
        await pilot.press("ctrl+u", *"a^b^c", "enter")
        await pilot.pause()
        assert app.experiment.table.n_inputs == 3
        assert app.experiment.table.columns == ("01101001",)
        assert not app.query_one("#expression").display


async def test_prediction_typed_valid_and_invalid():
    """Typing an input shows the network's answer; invalid text is refused with a message."""
    app = small_xor_app()
    async with app.run_test(size=SIZE) as pilot:
        app.query_one("#prediction-input").focus()
        await pilot.press("1", "space", "0")
        await pilot.pause()
        result = str(app.query_one("#prediction-result").render())
        assert result.startswith("y = ") and "→" in result
        app.query_one(TruthTableView).focus()  # space in the input line types a space
        await train_to_end(pilot, app)
        result = str(app.query_one("#prediction-result").render())
        assert result.endswith("→ 1"), result
        app.query_one("#prediction-input").focus()
        await pilot.press("end", "backspace", "2")
        result = str(app.query_one("#prediction-result").render())
        assert "input b: expected a number from 0 to 1, got '2'" in result


async def test_pause_step_reset():
    """Step trains exactly one epoch, reset returns to epoch 0 with the same weights."""
    app = small_xor_app()
    async with app.run_test(size=SIZE) as pilot:
        before = app.lab_run.session.trainer.net.theta.copy()
        await pilot.press("s", "s", "s")
        assert app.lab_run.session.trainer.epoch == 3
        assert "epoch 3/2,000" in status_text(app)
        assert "paused" in status_text(app)
        await pilot.press("r")
        assert isinstance(app.screen, ConfirmScreen)  # three trained epochs, not saved: asks first
        await pilot.press("y")
        assert app.lab_run.session.trainer.epoch == 0
        assert (app.lab_run.session.trainer.net.theta == before).all()
        assert "idle" in status_text(app)
        await pilot.press("N")
        assert app.experiment.training.seed == 2
        assert not (app.lab_run.session.trainer.net.theta == before).all()


async def test_change_lr_while_training_keeps_the_run():
    """Doubling the learning rate mid-run applies live: same trainer, epochs keep counting."""
    app = small_xor_app(epochs=10_000_000)  # at the pace the lab picks, not done within the test
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        trainer = app.lab_run.session.trainer
        await until(pilot, lambda: trainer.epoch > 0, "the first epochs")
        await pilot.press("right_square_bracket")
        assert trainer.lr == pytest.approx(0.1)
        assert app.lab_run.session.trainer is trainer and app.running
        epoch = trainer.epoch
        await until(pilot, lambda: trainer.epoch > epoch, "epochs after the change")
        await pilot.press("space")
        await app.workers.wait_for_complete()
        assert not app.running
        assert "lr 0.1" in status_text(app)


async def test_diverging_run_pauses_with_a_notification():
    """A huge learning rate diverges: the run pauses, the epoch is named, the app keeps working."""
    app = make_app(gate="xor", optimizer="sgd")
    said = Said()
    async with app.run_test(size=SIZE, message_hook=said) as pilot:
        app.query_one(SettingsList).focus()
        settings = app.query_one(SettingsList)
        settings.cursor = settings.index_of("lr")
        await pilot.press("enter", "ctrl+u", *"100000", "enter")
        await pilot.pause()
        assert app.experiment.training.lr == 100000
        while app.experiment.architecture.output_activation != "linear":
            settings.cursor = settings.index_of("output")
            await pilot.press("right")
        app.query_one(TruthTableView).focus()
        await train_to_end(pilot, app)
        assert app.lab_run.session.trainer.diverged_epoch is not None
        assert "diverged at epoch" in status_text(app)
        assert any("Diverged at epoch" in n.message for n in said.notes)
        assert all("nan" not in line for line in table_lines(app))
        await pilot.press("r", "y")  # a diverged run keeps its last finite weights: reset asks too
        assert "idle" in status_text(app)


async def test_shape_change_after_training_asks_first():
    """Adding an input after training asks before discarding weights; 'n' keeps everything."""
    app = small_xor_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s", "s")
        await pilot.press("plus")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert app.lab_run.session.trainer.epoch == 2
        assert app.experiment.table.n_inputs == 2
        assert app.query_one(TruthTableView).table.n_inputs == 2
        await pilot.press("plus")
        await pilot.press("y")
        assert app.lab_run.session.trainer.epoch == 0
        assert app.lab_run.session.trainer.net.shape.sizes[0] == 3


async def test_table_edit_while_training_continues_on_new_data():
    """Flipping a bit while training continues the same run on the new table."""
    app = small_xor_app(epochs=100_000)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        trainer = app.lab_run.session.trainer
        await until(pilot, lambda: trainer.epoch > 0, "the first epochs")
        await pilot.press("f")
        assert app.lab_run.session.trainer is trainer
        assert trainer.experiment.table.columns == ("1110",)
        await pilot.press("space")
        await app.workers.wait_for_complete()


async def test_progress_messages_are_contiguous():
    """The worker's history slices join without gaps, and the last says training stopped (how often they come is
    ``paced_loop``'s, tested with a clock of its own in ``test_paced_loop.py``)."""
    seen: list[TrainingProgress] = []

    def hook(message) -> None:
        if isinstance(message, TrainingProgress):
            seen.append(message)

    app = small_xor_app(epochs=100_000)
    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        app.lab_run.session.epochs_per_tick = 0
        await pilot.press("space")
        await until(pilot, lambda: len(seen) >= 2, "two progress messages")
        await pilot.press("space")
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert len(seen) >= 2
    assert seen[-1].snapshot.running is False
    epochs = 0
    for message in seen:
        assert message.snapshot.history.start == epochs
        epochs += len(message.snapshot.history.loss)
    assert epochs == seen[-1].snapshot.epoch


async def test_start_pause_storm_leaves_at_most_one_worker():
    """Hammering start/pause/reset leaves one or zero training workers and a consistent status."""
    app = small_xor_app(epochs=100_000)
    async with app.run_test(size=SIZE) as pilot:
        for key in ["space", "space", "space", "r", "space", "s", "space", "space", "N", "y", "space"] * 3:
            await send_key(pilot, key)  # as fast as a terminal sends them (a key at a time while training)
            await pilot.pause(0)  # each handled before the next
            running = [w for w in app.workers if w.group == "training" and not w.is_finished]
            assert len([w for w in running if not w.is_cancelled]) <= 1
        await pilot.pause()
        while len(app.screen_stack) > 1:  # a dialog the last keys opened: answered no
            await pilot.press("escape")
        await pilot.press("space") if app.running else None
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not app.running
        assert ("paused" in status_text(app) or "solved" in status_text(app) or "idle" in status_text(app))


async def test_quit_while_training_cancels_the_worker_and_exits():
    """q mid-training cancels the training worker, ends any hold it waits in (so it sees the cancel at once) and
    exits with status 0."""
    app = small_xor_app(epochs=10_000_000)
    async with app.run_test(size=SIZE) as pilot:
        app.lab_run.session.epochs_per_tick = 0
        await pilot.press("space")
        await until(pilot, lambda: app.lab_run.session.trainer.epoch > 0, "the first epochs")
        worker = next(w for w in app.workers if w.group == "training")
        app.scheduler.key_arrived()  # a key's hold the quit arrives in
        await pilot.press("q")
        assert worker.is_cancelled and not app.scheduler.holding
        await app.workers.wait_for_complete()
        assert worker.state == WorkerState.CANCELLED
    assert app.return_code == 0 and not app.is_running


async def test_presets_screen_opens_a_recipe():
    """The preset list holds every preset and recipe; choosing a recipe opens its experiment."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("p")
        assert isinstance(app.screen, PresetScreen)
        option_list = app.screen.query_one("#presets-list")
        ids = [option_list.get_option_at_index(i).id for i in range(option_list.option_count)]
        assert "preset:full-adder" in ids and "recipe:single-neuron" in ids
        option_list.highlighted = ids.index("recipe:single-neuron")
        await pilot.press("enter")
        assert app.experiment.name == "single-neuron"
        assert app.experiment.table.heldout == frozenset({0, 2, 4, 6})
        assert "Layer" not in str(app.query_one(SettingsList).render()).split("\n")[1]


async def test_help_lists_every_key():
    """The help screen lists the training keys and each pane's keys."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        text = str(app.screen.query_one("#help-keys").render())
        for words in ("Train/Pause", "Step", "Reset", "New seed", "Flip", "Hold out", "Expr", "Presets",
                      "+layer", "Log scale", "Quit"):
            assert words in text
        await pilot.press("escape")
        assert not app.screen.query("#help-box")


async def test_help_names_the_pictures_keys_and_hangs_each_meaning_under_itself():
    """At 80x24 the help lists the network picture's keys by their glyphs, and a word's meaning that wraps goes on
    under the meaning, not under the word."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark", *"weight")
        await pilot.pause()
        keys = app.screen.query_one("#help-keys")
        lines = [strip.text.rstrip() for strip in keys.render_lines(Region(0, 0, keys.size.width, keys.size.height))]
        assert "Network picture (v to it, tab to focus it)" in lines
        assert [line.split(maxsplit=1) for line in lines if line.split()[:1] in (["←"], ["→"], ["="])] == [
            ["←", "Weight −0.1"], ["→", "Weight +0.1"], ["=", "Type weight"]]
        word = next(i for i, line in enumerate(lines) if line.startswith("  weight "))
        meaning_at = lines[word].index("a number on a connection")
        assert lines[word + 1].startswith(" " * meaning_at) and lines[word + 1][meaning_at] != " "
        assert all(len(line) <= keys.content_size.width for line in lines)


async def test_every_row_held_out_is_refused_with_a_message():
    """With every row held out, start explains instead of crashing."""
    app = small_xor_app()
    said = Said()
    async with app.run_test(size=SIZE, message_hook=said) as pilot:
        for _ in range(4):
            await pilot.press("h", "down")
        await pilot.press("space")
        await pilot.pause()
        assert not app.running
        assert any("Every row is held out" in n.message for n in said.notes)


async def test_a_workers_last_message_after_the_panes_are_down_is_dropped():
    """An app that ends while it trains takes its panes down while the worker's last progress (or failure) message
    may still be on its way: handled then, it finds nothing to show and is dropped, not raised (it was a NoMatches
    on the chart, which failed a test now and then)."""
    app = make_app(epochs=1_000)
    async with app.run_test(size=SIZE):
        with app.lab_run.session.lock:
            snapshot = app.lab_run.session.snapshot(True)
    assert app.panes_gone
    app.show_progress(TrainingProgress(snapshot))
    app.show_failure(TrainingFailed(app.lab_run.session.run_id, "every row is held out"))
