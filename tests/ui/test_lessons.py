"""Pilot tests of the course: all ten lessons in order in one app at 80x24, each step first by a plausible wrong
path that must not pass it, then by its own solution (the ``Solution:`` lines, played by ``LessonPlayer`` with the
keys a learner would press), which must; every lesson starts the same after every other lesson. Training runs
unthrottled so the course takes seconds."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from lab.core.lessons import SPEEDS, parse_action, shipped_lessons
from lab.ui.app import LabApp
from lab.ui.lesson_player import LessonPlayer
from lab.ui.screens.confirm import ConfirmScreen
from lab.ui.widgets.lesson_pane import LessonPane
from lab.ui.widgets.task_strip import TaskStrip

from tests.ui.helpers import Said, send_key

SIZE = (80, 24)

WRONG: dict[tuple[int, int], tuple[str, ...]] = {
    (1, 1): ("press s",), (1, 2): ("cursor 010",), (1, 3): ("cursor 001",), (1, 4): ("train",),
    (2, 1): ("press s",), (2, 2): ("press v",), (2, 3): ("train",),
    (3, 1): ("press s",), (3, 2): ("train",), (3, 3): ("press s",),
    (4, 1): ("press s",), (4, 2): ("press v",), (4, 3): ("press v",),
    (5, 1): ("press s",), (5, 2): ("press r", "train"), (5, 3): ("press r", "train"),
    (6, 1): ("press s",), (6, 2): ("train",), (6, 3): ("setting output linear",),
    (7, 1): ("train",), (7, 2): ("train",), (7, 3): ("train",),
    (8, 1): ("press A",), (8, 2): ("press A", "press k", "wait"), (8, 3): ("press k", "wait"),
    (9, 1): ("weight w(a→y) 2", "weight w(b→y) 2"), (9, 2): ("weight bias(y) -3",), (9, 3): ("view surface",),
    (10, 1): ("picture", "press down"), (10, 2): ("picture", "press b", "press d"), (10, 3): ("press s",),
}
"""Per (lesson, step), from 1: what a learner might plausibly do instead of the task (too little training, the
wrong row, the wrong key, a setting left as it was, training without the change the step asks for)."""


def pane(app: LabApp) -> LessonPane:
    return app.query_one(LessonPane)


def player(pilot: Pilot) -> LessonPlayer:
    """A player pressing keys through the pilot, training unthrottled."""
    app: LabApp = pilot.app  # type: ignore[assignment]

    async def press(key: str) -> None:
        if key == "space":
            app.lab_run.session.epochs_per_tick = 0
        await send_key(pilot, key)  # then one wait for the lab to take it, where Pilot.press makes two
        await pilot.pause()

    async def settle() -> None:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()

    return LessonPlayer(app, press, settle)


def test_ten_lessons_in_the_issues_order():
    """The shipped track: ten lessons, in the order the tutorials' ideas build on each other."""
    ids = [l.id for l in shipped_lessons()]
    assert ids == ["01-one-neuron", "02-one-neuron-xor", "03-hidden-layer", "04-two-layer", "05-learning-rate",
                   "06-loss-functions", "07-generalisation", "08-many-seeds", "09-be-the-neuron",
                   "10-backprop-by-hand"]


def test_every_step_has_a_wrong_path_here():
    """The wrong paths cover every shipped step (a new step needs one)."""
    steps = {(i + 1, j + 1) for i, l in enumerate(shipped_lessons()) for j in range(len(l.steps))}
    assert set(WRONG) == steps


@pytest.mark.long
async def test_the_whole_course_in_one_app(tmp_path):
    """Lessons 1 to 10 in order at 80x24: each step refuses its wrong path (> is refused too), then passes by its
    solution, and > goes on; every lesson's start is its own, whatever the one before left; the task strip names
    the step while the view it works in has the lesson's place."""
    app = LabApp(lesson="1", progress_path=tmp_path / "lessons.json")
    lessons = shipped_lessons()
    async with app.run_test(size=SIZE) as pilot:
        play = player(pilot)
        await play.settle()
        for n, lesson in enumerate(lessons, 1):
            p = pane(app)
            assert p.lesson == lesson and p.step == 0
            assert app.experiment == lesson.experiment_at(0), lesson.id
            cursor = int(lesson.screen_at(0)["cursor"])
            assert app.query_one("#chart").log_scale is False and app.table_view.cursor_row == cursor
            for s, step in enumerate(lesson.steps, 1):
                assert p.step == s - 1 and not p.done
                for text in WRONG[(n, s)]:
                    await play.act(parse_action(text))
                await play.settle()
                assert not p.done, f"lesson {n} step {s} passed by its wrong path: {p.text}"
                await pilot.press("greater_than_sign")
                await pilot.pause()
                assert p.lesson == lesson and p.step == s - 1  # > refused
                await play.play(step)
                await play.settle()
                assert p.done and all(p.passed), f"lesson {n} step {s}: {p.text}"
                if not p.display:
                    strip = app.query_one(TaskStrip)
                    assert strip.display and "✓ done" in strip.shown.plain
                await pilot.press("greater_than_sign")
                await pilot.pause()
                await play.settle()
        assert {l.id for l in lessons} <= p.progress.completed


@pytest.mark.long
async def test_every_lesson_starts_the_same_after_every_other(tmp_path):
    """Each lesson opened after each other lesson's start (and after that lesson's last step's setup, with the log
    axis on and the cursor moved) holds the same experiment, speed, log axis and cursor as when opened first."""
    lessons = shipped_lessons()
    app = LabApp(lesson="1", progress_path=tmp_path / "lessons.json")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        p = pane(app)
        for before in lessons:
            for lesson in lessons:
                p.start(before, step=len(before.steps) - 1)
                await pilot.pause()
                app.query_one("#chart").log_scale = True
                app.table_view.cursor_row = 1
                app.query_one("#prediction-input", Input).value = "1 1"
                p.start(lesson, restart=True)
                await pilot.pause()
                assert app.query_one("#prediction-input", Input).value == ""
                screen = lesson.screen_at(0)
                assert app.experiment == lesson.experiment_at(0), (before.id, lesson.id)
                assert app.lab_run.session.trainer.epoch == 0
                assert app.query_one("#chart").log_scale is False
                assert app.table_view.cursor_row == int(screen["cursor"])
                assert app.lab_run.session.epochs_per_tick == SPEEDS[screen["speed"]]


@pytest.mark.parametrize("typed", ["0 0 1", "0,0,1"])
async def test_typing_the_row_in_the_prediction_line_asks_about_it(tmp_path, typed):
    """Lesson 4 step 2 passes when 0 0 1 is typed in the prediction line, the cursor left where it was."""
    app = LabApp(lesson="4", progress_path=tmp_path / "lessons.json")
    async with app.run_test(size=SIZE) as pilot:
        play = player(pilot)
        await play.settle()
        await play.play(pane(app).lesson.steps[0])  # type: ignore[union-attr]
        await play.settle()
        await pilot.press("greater_than_sign")
        await play.settle()
        assert pane(app).step == 1 and app.table_view.cursor_row == 0
        app.query_one("#prediction-input").focus()
        await pilot.pause()
        await play.act(parse_action(f"type {typed}"))
        await pilot.pause()
        assert pane(app).done, pane(app).text  # at once: the line's Query ticks the lesson, no timer looks


async def test_restart_asks_before_discarding_a_trained_network(tmp_path):
    """"Lesson: restart" after training asks first; n keeps the trained network and the step."""
    app = LabApp(lesson="2", progress_path=tmp_path / "lessons.json")
    async with app.run_test(size=SIZE) as pilot:
        play = player(pilot)
        await play.settle()
        await play.act(parse_action("train"))
        epoch = app.lab_run.session.trainer.epoch
        assert epoch > 0
        app.lesson.restart()
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert app.lab_run.session.trainer.epoch == epoch
        app.lesson.restart()
        await pilot.pause()
        await pilot.press("y")
        await play.settle()
        assert app.lab_run.session.trainer.epoch == 0 and pane(app).step == 0


async def test_opening_a_lesson_asks_before_discarding_the_labs_own_trained_network(tmp_path):
    """Trained in the lab, not saved, then a lesson opened (L, the palette): its start would replace the network, so
    the lab asks first; n keeps the network and leaves the lesson pane on its menu; y sets the lesson up."""
    lesson = shipped_lessons()[2]
    app = LabApp(progress_path=tmp_path / "lessons.json")
    async with app.run_test(size=SIZE) as pilot:
        play = player(pilot)
        await play.act(parse_action("train"))
        epoch = app.lab_run.session.trainer.epoch
        assert epoch > 0
        app.lesson.open_lesson(lesson.id)
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and "Start lesson 3" in app.screen.question
        await pilot.press("n")
        await pilot.pause()
        assert app.lab_run.session.trainer.epoch == epoch and pane(app).lesson is None
        app.lesson.open_lesson(lesson.id)
        await pilot.pause()
        await pilot.press("y")
        await play.settle()
        assert app.lab_run.session.trainer.epoch == 0 and pane(app).lesson == lesson
        assert app.experiment == lesson.experiment_at(0)


async def test_a_lesson_picked_from_the_menu_asks_before_discarding_a_trained_network(tmp_path):
    """The menu's enter is a choice from outside the lesson too: it asks before replacing a trained network."""
    app = LabApp(progress_path=tmp_path / "lessons.json")
    async with app.run_test(size=SIZE) as pilot:
        play = player(pilot)
        await play.act(parse_action("train"))
        epoch = app.lab_run.session.trainer.epoch
        await pilot.press("L")  # no lesson followed yet: the menu, focused
        await pilot.pause()
        assert pane(app).lesson is None and not isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert app.lab_run.session.trainer.epoch == epoch and pane(app).lesson is None


async def test_going_back_does_not_pass_a_step_on_old_state(tmp_path):
    """< to a passed step shows it unpassed until its task is done again in it."""
    app = LabApp(lesson="4", progress_path=tmp_path / "lessons.json")
    async with app.run_test(size=SIZE) as pilot:
        play = player(pilot)
        await play.settle()
        lesson = pane(app).lesson
        assert lesson is not None
        for step in lesson.steps[:2]:
            await play.play(step)
            await play.settle()
            await pilot.press("greater_than_sign")
            await play.settle()
        assert pane(app).step == 2
        await pilot.press("less_than_sign")
        await play.settle()
        app.lesson.tick()
        assert pane(app).step == 1 and not pane(app).done  # the cursor is still on 001: it must be moved there
        await play.act(parse_action("cursor 000"))
        await play.act(parse_action("cursor 001"))
        await play.settle()
        assert pane(app).done
        assert app.lab_run.session.trainer.epoch == 1000  # the same experiment: the run step 1 trained stays


async def test_going_back_restores_the_steps_own_experiment(tmp_path):
    """Lesson 7: < from parity3 (step 2) to step 1 brings back a OR b OR c, fresh, as step 1 starts."""
    app = LabApp(lesson="7", progress_path=tmp_path / "lessons.json")
    async with app.run_test(size=SIZE) as pilot:
        play = player(pilot)
        await play.settle()
        lesson = pane(app).lesson
        assert lesson is not None
        await play.play(lesson.steps[0])
        await play.settle()
        await pilot.press("greater_than_sign")
        await play.settle()
        assert app.experiment.table.name == "parity3"
        await pilot.press("less_than_sign")
        await play.settle()
        assert pane(app).step == 0 and app.experiment == lesson.experiment_at(0)


async def test_show_me_plays_the_steps_solution(tmp_path):
    """M ("show me") on lesson 5's second step presses ] seven times, r, y and space through the lab's own keys
    (each named in a notification) and the step passes."""
    app = LabApp(lesson="5", progress_path=tmp_path / "lessons.json")
    said = Said()
    async with app.run_test(size=SIZE, message_hook=said) as pilot:
        play = player(pilot)
        await play.settle()
        await play.play(pane(app).lesson.steps[0])  # type: ignore[union-attr]
        await play.settle()
        await pilot.press("greater_than_sign")
        await play.settle()
        app.lab_run.session.epochs_per_tick = 0
        assert "M show me" in app.query_one(TaskStrip).shown.plain
        await pilot.press("M")
        for _ in range(200):
            await pilot.pause(0.05)
            if not app.lesson.showing:
                break
        await play.settle()
        app.lesson.tick()
        assert pane(app).done, pane(app).text
        shown = [n.message for n in said.notes if n.message.startswith("show me: ")]
        assert shown == ["show me: right_square_bracket"] * 7 + ["show me: r", "show me: y", "show me: space"]


async def test_a_lesson_looking_at_the_lab_while_the_app_takes_its_panes_down_does_nothing(tmp_path):
    """When the app is ending its panes go one by one; a look at the lab (a tick) that finds the truth table gone
    is skipped (it ended the app with ``NoMatches``, seen in the palette's key test when a timer looked)."""
    app = LabApp(lesson="3", progress_path=tmp_path / "lessons.json")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.lesson.open
        await app.table_view.remove()
        app.lesson.tick()
        await pilot.pause()


def toasts(app: LabApp) -> list[str]:
    """The text of every notification on screen."""
    return [str(toast.render()) for toast in app.screen.query("Toast")]


async def test_the_next_lesson_starts_without_the_last_ones_news(tmp_path):
    """Lesson 5's last step diverges on purpose and the lab says so; > starts lesson 6 on a new network, and that
    warning, about a network no longer there, is gone with it."""
    lessons = shipped_lessons()
    app = LabApp(lesson=lessons[4].id, progress_path=tmp_path / "lessons.json")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        play = player(pilot)
        await play.settle()
        for s, step in enumerate(lessons[4].steps):
            if s:
                await pilot.press("greater_than_sign")
            await play.play(step)
            await play.settle()
        assert pane(app).done and any("Diverged" in text for text in toasts(app))
        await pilot.press("greater_than_sign")
        await play.settle()
        assert pane(app).lesson == lessons[5]
        assert not any("Diverged" in text for text in toasts(app))
