"""Pilot tests of the two lessons on the network picture at 200x50, where the lesson sits below the chart and the
picture (the whole course, these two with it, is played at 80x24 in tests/ui/test_lessons.py): ``weight NAME
VALUE`` sets exactly the value typed, and the step-through opened and closed passes ``stepped`` though nothing else
changed."""

from __future__ import annotations

import pytest

from lab.core.lessons import parse_action
from lab.ui.app import LabApp
from lab.ui.screens.step_through import StepThroughScreen

from tests.ui.test_lessons import pane, player

SIZE = (200, 50)


async def test_lesson_9_sets_the_weights_typed(tmp_path):
    """Lesson 9 step 1 by its solution: w(a→y) = 2, w(b→y) = 2 and bias(y) = -3 exactly, and the step passes."""
    app = LabApp(lesson="9", progress_path=tmp_path / "lessons.json")
    async with app.run_test(size=SIZE) as pilot:
        play = player(pilot)
        await play.settle()
        p = pane(app)
        assert p.lesson is not None and p.lesson.id == "09-be-the-neuron" and app.wide
        assert not p.done
        await play.play(p.lesson.steps[0])
        await play.settle()
        net = app.lab_run.session.trainer.net
        assert net.W[0][:, 0].tolist() == [2.0, 2.0] and net.b[0] is not None and net.b[0].tolist() == [-3.0]
        assert p.done and all(p.passed), p.text


async def test_lesson_10_the_step_through_opened_then_applied(tmp_path):
    """Lesson 10: b, → four times and d (nothing applied) pass step 1 with the weights unchanged; b and a on row
    011 pass step 2, its output from 0.69 to 0.65 (seed 0)."""
    app = LabApp(lesson="10", progress_path=tmp_path / "lessons.json")
    async with app.run_test(size=SIZE) as pilot:
        play = player(pilot)
        await play.settle()
        p = pane(app)
        assert p.lesson is not None and p.lesson.id == "10-backprop-by-hand"
        before = app.lab_run.session.trainer.predict()[3, 0]
        assert before == pytest.approx(0.69, abs=0.005)
        await play.play(p.lesson.steps[0])
        await play.settle()
        assert p.done and all(p.passed), p.text  # at once: opening the step-through ticks the lesson
        assert app.lab_run.session.trainer.predict()[3, 0] == before
        await pilot.press("greater_than_sign")
        await play.settle()
        assert p.step == 1 and not p.done
        await play.play(p.lesson.steps[1])
        await play.settle()
        assert p.done and all(p.passed), p.text
        assert app.lab_run.session.trainer.predict()[3, 0] == pytest.approx(0.65, abs=0.005)


async def test_lesson_10_sees_the_step_through_the_moment_it_opens(tmp_path):
    """b on the picture opens the step-through, and the lesson's check that it was opened passes at once, the
    step-through still on screen (the app ticks the lesson as it opens; nothing waits for a look on a timer)."""
    app = LabApp(lesson="10", progress_path=tmp_path / "lessons.json")
    async with app.run_test(size=SIZE) as pilot:
        play = player(pilot)
        await play.settle()
        p = pane(app)
        await play.act(parse_action("picture"))
        await play.settle()
        assert not p.done
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, StepThroughScreen)
        assert p.done and all(p.passed), p.text
