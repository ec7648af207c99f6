"""Pilot tests of every shipped lesson: each performs the tasks its steps ask, with the keys a learner would press,
and sees every check pass and the next step open. Training runs unthrottled so the lessons take seconds."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from lab.core.lessons import shipped_lessons
from lab.ui.app import LabApp
from lab.ui.widgets.architecture import SettingsList
from lab.ui.widgets.lesson_pane import LessonPane
from lab.ui.widgets.truth_table import TruthTableView

from tests.ui.helpers import Said

SIZE = (100, 30)


def pane(app: LabApp) -> LessonPane:
    return app.query_one(LessonPane)


async def settle(pilot: Pilot) -> None:
    """Wait for the worker (training or a sweep) and the messages it posted."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def train(pilot: Pilot) -> None:
    """Space at the fastest speed, then wait for the run to end."""
    app: LabApp = pilot.app  # type: ignore[assignment]
    app.lab_run.session.epochs_per_tick = 0
    await pilot.press("space")
    await settle(pilot)


async def done_and_next(pilot: Pilot, step: int) -> None:
    """Every check of step ``step`` (0-based) has passed; > opens the next one."""
    p = pane(pilot.app)  # type: ignore[arg-type]
    assert p.step == step
    assert p.done and all(p.passed), p.text
    assert "Why:" in p.text
    await pilot.press("greater_than_sign")
    await pilot.pause()


async def cursor_to(pilot: Pilot, row: int) -> None:
    """Focus the truth table and move its cursor to ``row`` with the arrow keys."""
    table = pilot.app.query_one(TruthTableView)
    table.focus()
    await pilot.pause()
    while table.cursor_row != row:
        await pilot.press("down" if table.cursor_row < row else "up")


async def setting(pilot: Pilot, key: str) -> SettingsList:
    """Focus the architecture pane with its cursor on the setting ``key`` (or ``layer0`` for the first layer)."""
    settings = pilot.app.query_one(SettingsList)
    settings.focus()
    await pilot.pause()
    target = 0 if key == "layer0" else next(i for i in range(settings.n_lines)
                                            if (s := settings._setting_at(i)) is not None and s.key == key)
    while settings.cursor != target:
        await pilot.press("down" if settings.cursor < target else "up")
    return settings


def open_lesson(number: int, tmp_path) -> LabApp:
    return LabApp(lesson=str(number), progress_path=tmp_path / "lessons.json")


def test_ten_lessons_in_the_issues_order():
    """The shipped track: ten lessons, in the order the tutorials' ideas build on each other (the last two, on the
    network picture, are played in tests/ui/test_inside_lessons.py)."""
    ids = [l.id for l in shipped_lessons()]
    assert ids == ["01-one-neuron", "02-one-neuron-xor", "03-hidden-layer", "04-two-layer", "05-learning-rate",
                   "06-loss-functions", "07-generalisation", "08-many-seeds", "09-be-the-neuron",
                   "10-backprop-by-hand"]


async def test_lesson_1_one_neuron(tmp_path):
    """Train 15,000 epochs, read the unseen 100 (above 0.9), see 000 stuck at 0.5, give the neuron a bias."""
    app = open_lesson(1, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.experiment.name == "single-neuron" and pane(app).step == 0
        assert not pane(app).done
        await train(pilot)
        assert app.lab_run.session.trainer.epoch == 15_000
        await done_and_next(pilot, 0)
        await cursor_to(pilot, 4)
        await done_and_next(pilot, 1)
        await cursor_to(pilot, 0)
        await done_and_next(pilot, 2)
        await setting(pilot, "bias")
        await pilot.press("right", "y")
        await pilot.pause()
        assert app.experiment.architecture.bias
        await train(pilot)
        assert pane(app).done and all(pane(app).passed)
        assert "01-one-neuron" in pane(app).progress.completed
        await pilot.press("greater_than_sign")
        await pilot.pause()
        assert pane(app).lesson.id == "02-one-neuron-xor"


async def test_lesson_2_one_neuron_cannot_learn_xor(tmp_path):
    """XOR stays unsolved, the surface view is found with v, and flipping row 11 makes OR, which it solves."""
    app = open_lesson(2, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await train(pilot)
        await done_and_next(pilot, 0)
        while app.view != "surface":
            await pilot.press("v")
        await pilot.pause()
        assert pane(app).done
        await pilot.press("L")  # the lesson back into view: it is one of the views at this size
        await pilot.pause()
        assert app.view == "lesson"
        await done_and_next(pilot, 1)
        await cursor_to(pilot, 3)
        await pilot.press("f", "r")
        await pilot.pause()
        await pilot.press("y")  # r asks before it discards the trained weights
        await pilot.pause()
        await train(pilot)
        assert app.experiment.table.columns == ("0111",)
        assert pane(app).done and all(pane(app).passed)


async def test_lesson_3_hidden_layer(tmp_path):
    """keras-xor solves; the units view; the 2-2-1 tanh step names its units a OR b and a NAND b."""
    app = open_lesson(3, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await train(pilot)
        await done_and_next(pilot, 0)
        while app.view != "units":
            await pilot.press("v")
        await pilot.press("L")
        await pilot.pause()
        await done_and_next(pilot, 1)
        assert app.experiment.architecture.describe() == "2:tanh"
        await train(pilot)
        assert pane(app).done and all(pane(app).passed), pane(app).text


async def test_lesson_4_two_layer(tmp_path):
    """The two-layer tutorial's 1,000 epochs, the answer for 001 below 0.1, the log-scale loss."""
    app = open_lesson(4, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await train(pilot)
        await done_and_next(pilot, 0)
        await cursor_to(pilot, 1)
        await done_and_next(pilot, 1)
        await pilot.press("l")
        await pilot.pause()
        assert pane(app).done and all(pane(app).passed)


async def test_lesson_5_learning_rate(tmp_path):
    """0.001 crawls; seven doublings (0.128) solve; doubling on past 1 diverges."""
    app = open_lesson(5, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await train(pilot)
        await done_and_next(pilot, 0)
        await pilot.press(*["right_square_bracket"] * 7, "r")
        await pilot.pause()
        await pilot.press("y")  # r asks before it discards the trained weights
        await pilot.pause()
        assert app.lab_run.session.trainer.lr == pytest.approx(0.128)
        await train(pilot)
        await done_and_next(pilot, 1)
        await pilot.press(*["right_square_bracket"] * 3, "r")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        await train(pilot)
        assert app.lab_run.session.trainer.diverged_epoch is not None
        assert pane(app).done and all(pane(app).passed)


async def test_lesson_6_loss_functions(tmp_path):
    """mse solves; bce chosen in the architecture pane solves; a linear output with bce passes the last step and
    the hint about it speaks up."""
    app = open_lesson(6, tmp_path)
    said = Said()
    async with app.run_test(size=SIZE, message_hook=said) as pilot:
        await pilot.pause()
        await train(pilot)
        await done_and_next(pilot, 0)
        await setting(pilot, "loss")
        while app.experiment.training.loss != "bce":
            await pilot.press("right")
            await pilot.pause()
            if app.screen is not app.screen_stack[0]:
                await pilot.press("y")
                await pilot.pause()
        await train(pilot)
        await done_and_next(pilot, 1)
        await setting(pilot, "output")
        while app.experiment.architecture.output_activation != "linear":
            await pilot.press("right")
            await pilot.pause()
            if app.screen is not app.screen_stack[0]:
                await pilot.press("y")
                await pilot.pause()
        await pilot.pause()
        assert pane(app).done and all(pane(app).passed)
        assert any("bce reads each output as a probability" in n.message for n in said.notes)


async def test_lesson_7_generalisation(tmp_path):
    """OR of three guesses the held-out 111; parity3 cannot; AND without 11 has nothing to learn a 1 from."""
    app = open_lesson(7, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for step, row in ((0, 7), (1, 7), (2, 3)):
            await cursor_to(pilot, row)
            await pilot.press("h")
            await pilot.pause()
            await train(pilot)
            if step < 2:
                await done_and_next(pilot, step)
        assert app.experiment.table.name == "and"
        assert pane(app).done and all(pane(app).passed)


async def test_lesson_8_many_seeds(tmp_path):
    """100 seeds of keras-xor; pinned as A; a second layer swept as B beside it; then 32 neurons instead."""
    app = open_lesson(8, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("k")
        await settle(pilot)
        await pilot.press("L")
        await pilot.pause()
        await done_and_next(pilot, 0)
        await pilot.press("A")
        await pilot.pause()
        await setting(pilot, "layer0")
        await pilot.press("a")
        await pilot.pause()
        assert len(app.experiment.architecture.layers) == 2
        await pilot.press("k")
        await settle(pilot)
        await pilot.press("L")
        await pilot.pause()
        await done_and_next(pilot, 1)
        settings = await setting(pilot, "layer0")
        await pilot.press("down", "x")
        await pilot.pause()
        settings.cursor = 0
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press(*["backspace"] * len("16:relu"), *"32:relu", "enter")  # over the prefilled value
        await pilot.pause()
        if app.screen is not app.screen_stack[0]:
            await pilot.press("y")
            await pilot.pause()
        assert app.experiment.architecture.describe() == "32:relu"
        await pilot.press("k")
        await settle(pilot)
        assert pane(app).done and all(pane(app).passed), pane(app).text
