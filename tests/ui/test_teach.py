"""Pilot tests of the teaching features around the lessons: the lesson pane's place and keys, progress kept between
runs, the help's glossary and filter, the architecture hint line and tooltip, the event hints, ``nnlab learn``."""

from __future__ import annotations

import subprocess
import sys

from textual.geometry import Region
from textual.widgets import Input

from lab.core.lessons import shipped_lessons
from lab.ui.app import LabApp
from lab.ui.screens.confirm import ConfirmScreen
from lab.ui.screens.help import HelpScreen
from lab.ui.widgets.architecture import ArchitecturePane, SettingsList
from lab.ui.widgets.inspect_view import InspectView
from lab.ui.widgets.lesson_pane import LessonPane
from lab.ui.widgets.task_strip import TaskStrip

from tests.ui.helpers import Said, small_xor_app


async def test_l_opens_the_menu_in_the_charts_place_and_closes_it(tmp_path):
    """At 80x24 L shows the lesson menu where the chart was; a lesson started opens the view its step names (the
    chart) with the task strip below it; L shows the lesson's text, v cycles it with the views; L again closes it
    and the chart returns. The lab's keys still work meanwhile."""
    app = LabApp(progress_path=tmp_path / "lessons.json")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("L")
        await pilot.pause()
        pane = app.query_one(LessonPane)
        assert pane.display and app.view == "lesson" and not app.query_one("#views").display
        assert "1. One neuron learns to copy" in pane.text
        await pilot.press("enter")  # the menu has focus: start the highlighted lesson
        await pilot.pause()
        assert pane.lesson is not None and app.experiment.name == "single-neuron"
        assert app.view == "chart" and not pane.display and app.query_one("#views").display
        strip = app.query_one(TaskStrip)
        assert strip.display and strip.shown.plain.startswith("1.1/4 press space to train")
        await pilot.press("L")
        await pilot.pause()
        assert app.view == "lesson" and pane.display and not strip.display
        await pilot.press("v")
        await pilot.pause()
        assert app.view == "chart" and not pane.display and app.query_one("#views").display
        await pilot.press("L")
        await pilot.pause()
        assert app.view == "lesson" and pane.display
        await pilot.press("s")  # a lab key during a lesson: one epoch
        await pilot.pause()
        assert app.lab_run.session.trainer.epoch == 1
        await pilot.press("L")
        await pilot.pause()
        assert not pane.display and app.view == "chart" and not app.lesson_open


async def test_next_step_waits_for_the_checks(tmp_path):
    """> before the checks pass says what is missing and stays; < from the first step goes back to the menu."""
    app = LabApp(lesson="2", progress_path=tmp_path / "lessons.json")
    said = Said()
    async with app.run_test(size=(100, 30), message_hook=said) as pilot:
        await pilot.pause()
        pane = app.query_one(LessonPane)
        await pilot.press("greater_than_sign")
        await pilot.pause()
        assert pane.step == 0
        assert any("checks have not all passed" in n.message for n in said.notes)
        assert "✗ at least 2,000 epochs in this step's run" in pane.text
        await pilot.press("less_than_sign")
        await pilot.pause()
        assert pane.lesson is None and "Why one neuron cannot learn XOR" in pane.text


async def test_progress_is_kept_between_runs_and_a_lesson_restarts(tmp_path):
    """A step reached is where the lesson reopens in the next run (lesson 7's second step sets its own gate up, so
    it can start there); restarting it goes back to its first step."""
    path = tmp_path / "state" / "lessons.json"
    app = LabApp(lesson="7", progress_path=path)
    async with app.run_test(size=(100, 30)) as pilot:
        app.lab_run.session.epochs_per_tick = 0
        await pilot.pause()
        app.table_view.focus()
        await pilot.press(*["down"] * 7, "h", "r")
        await pilot.pause()
        if isinstance(app.screen, ConfirmScreen):
            await pilot.press("y")
        app.lab_run.session.epochs_per_tick = 0
        await pilot.press("space")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("greater_than_sign")
        await pilot.pause()
        assert app.query_one(LessonPane).step == 1
    assert path.exists()
    again = LabApp(lesson="", progress_path=path)
    async with again.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        pane = again.query_one(LessonPane)
        assert "7. Generalisation: rows it never saw  2/3" in pane.text  # the menu shows the step reached
        await pilot.press("enter")
        await pilot.pause()
        assert pane.step == 1
        again.action_restart_lesson()
        await pilot.pause()
        assert pane.step == 0 and pane.progress.at(shipped_lessons()[6]) == 0


async def test_wide_screen_puts_the_lesson_below_the_views(tmp_path):
    """From 160x50 the lesson sits below the chart and the network picture, which stay."""
    app = LabApp(lesson="3", progress_path=tmp_path / "lessons.json")
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        assert app.query_one(LessonPane).display and app.query_one("#chart").display
        inspect = app.query_one(InspectView)
        assert inspect.display and inspect.mode == "picture"
        assert inspect.text.splitlines()[-2] == "input a = 0" and "y " in inspect.text  # the cursor's numbers


async def test_help_lists_words_and_filters():
    """? lists the keys and the glossary; typing narrows both to what matches; q types instead of closing."""
    app = small_xor_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, HelpScreen)
        assert "glorot_uniform" in screen.text and "Train/Pause" in screen.text
        await pilot.press(*"percentile")
        await pilot.pause()
        assert "p10" in screen.text and "p90" in screen.text and "Train/Pause" not in screen.text
        screen.query_one(Input).value = ""
        await pilot.press("q")
        await pilot.pause()
        assert app.screen is screen and "Quit" in screen.text
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_hint_line_and_tooltip_say_what_a_field_means():
    """The architecture pane's hint line follows the cursor; the tooltip says what the line under the mouse is."""
    app = small_xor_app()
    async with app.run_test(size=(100, 30)) as pilot:
        settings = app.query_one(SettingsList)
        settings.focus()
        pane = app.query_one(ArchitecturePane)
        lr = settings.index_of("lr")
        while settings.cursor != lr:
            await pilot.press("down")
        await pilot.pause()
        assert pane.hint == "LR: step size of each update; ] doubles, [ halves"
        loss = lr - 2
        await pilot.press("up", "up")
        assert settings.cursor == loss and pane.hint.startswith("Loss: mse: mean squared error")
        await pilot.press("right")
        await pilot.pause()
        assert pane.hint.startswith("Loss: sse: sum-squared error")
        rows = -(-settings.n_lines // settings.column_count)
        x = 2 if loss < rows else 30
        await pilot.hover(SettingsList, offset=(x, 1 + loss % rows))
        await pilot.pause()
        assert settings.tooltip == settings.hint_for(loss)


async def test_a_gate_one_neuron_cannot_learn_gets_a_hint_once():
    """A single neuron training on XOR: after a while one notification says why, once."""
    from lab.core.experiment import Architecture, Experiment, Training
    from lab.core.gates import preset

    app = LabApp(Experiment(preset("xor"), Architecture((), "sigmoid"), Training(loss="sse", optimizer="sgd", lr=1.0,
                                                                                   epochs=400)))
    said = Said()
    async with app.run_test(size=(100, 30), message_hook=said) as pilot:
        app.lab_run.session.epochs_per_tick = 0
        await pilot.press("space")
        await app.workers.wait_for_complete()
        await pilot.pause()
        for _ in range(3):
            app.action_step()
        await pilot.pause()
        hints = [n for n in said.notes if "no straight line separates" in n.message]
        assert len(hints) == 1


def test_nnlab_learn_refuses_an_unknown_lesson_in_one_line():
    result = subprocess.run([sys.executable, "-m", "lab", "learn", "42"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.startswith("nnlab: error: unknown lesson '42': choose 1 to 10")
    assert result.stderr.count("\n") == 1


async def test_the_lesson_menu_hangs_a_long_title_under_itself(tmp_path):
    """At 80x24 lesson 4's title takes two lines in the menu; the second starts under the title, not under its
    number; the pane's text still reads each lesson on one line."""
    app = LabApp(progress_path=tmp_path / "lessons.json")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("L")
        await pilot.pause()
        menu = app.query_one("#lesson-menu")
        lines = [strip.text.rstrip() for strip in menu.render_lines(Region(0, 0, menu.size.width, menu.size.height))]
        four = next(i for i, line in enumerate(lines) if line.lstrip().startswith("4. "))
        title_at = lines[four].index("4. ") + 3
        assert lines[four + 1][:title_at].strip() == "" and lines[four + 1][title_at] != " "
        assert "4. Two layers, learning rate 1, sum-squared loss" in app.query_one(LessonPane).text


async def test_a_lesson_title_in_the_menu_is_shown_never_parsed_as_markup():
    """A title holding Rich markup reads as typed in the menu (its cells are Text, not markup strings)."""
    from dataclasses import replace

    from textual.app import App, ComposeResult

    lessons = shipped_lessons()
    odd = (replace(lessons[0], title="[bold red]One[/] [link=x]neuron[/link]"), *lessons[1:])

    class Host(App):
        def compose(self) -> ComposeResult:
            yield LessonPane(odd)

    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        menu = app.query_one("#lesson-menu")
        shown = [strip.text for strip in menu.render_lines(Region(0, 0, menu.size.width, menu.size.height))]
        assert any("1. [bold red]One[/] [link=x]neuron[/link]" in line for line in shown), shown
        assert app.query_one(LessonPane).text.splitlines()[0] == "1. [bold red]One[/] [link=x]neuron[/link]"
