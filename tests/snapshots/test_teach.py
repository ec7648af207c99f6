"""SVG snapshots of the teaching features: the network picture, the decision surface with the table's rows on it,
and the lesson pane, at 80x24, 100x30 and 200x50, in colour and with NO_COLOR."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from lab.core.experiment import Architecture, Experiment, Layer, Training
from lab.core.gates import preset
from lab.ui.app import LabApp

from tests.snapshots.test_panes import steps

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((100, 30), id="100x30"),
         pytest.param((200, 50), id="200x50")]
COLOUR = [pytest.param(False, id="colour"), pytest.param(True, id="no_color")]


def view(name: str, epochs: int, *keys: str):
    """A ``run_before``: ``epochs`` by hand, then ``v`` until ``name`` is shown (alone, or beside the chart on a
    wide screen), then ``keys``."""

    async def run_before(pilot: Pilot) -> None:
        app: LabApp = pilot.app  # type: ignore[assignment]
        await steps(epochs)(pilot)
        for _ in range(12):
            if name in (app.view, app.side_view if app.view == "chart" and app.wide else None):
                break
            await pilot.press("v")
        if keys:
            await pilot.press(*keys)
        await steps(0)(pilot)

    return run_before


def deep_app() -> LabApp:
    """Full adder on three hidden layers of eight units: the largest network the picture draws unfolded."""
    return LabApp(Experiment(preset("full-adder"), Architecture((Layer(8, "relu"), Layer(8, "tanh"),
                                                                  Layer(8, "relu")), "sigmoid"),
                             Training(lr=0.01, seed=2), name="full-adder-deep"))


def heldout_xor_app() -> LabApp:
    """XOR with row 11 held out on a 2-4-1 tanh network."""
    return LabApp(Experiment(preset("xor").with_heldout({3}), Architecture((Layer(4, "tanh"),), "sigmoid"),
                             Training(lr=0.05, seed=1), name="xor-held"))


@pytest.mark.parametrize(("size", "no_color"), [pytest.param((80, 24), False, id="80x24-colour"),
                                                pytest.param((200, 50), True, id="200x50-no_color")])
def test_network_picture(snap_compare, monkeypatch, size, no_color):
    """Three hidden layers of eight units after 100 epochs, drawn for row 2 in the room the pane has: lines from
    node to node, dashed where negative (the picture widget's own snapshots cover the tutorials' networks)."""
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(deep_app(), terminal_size=size, run_before=view("picture", 100, "down", "down"))


@pytest.mark.parametrize("size", SIZES)
def test_network_picture_folded(snap_compare, size):
    """keras-xor's sixteen hidden units folded to the strongest the pane has room for, saying so."""
    assert snap_compare(LabApp(), terminal_size=size, run_before=view("picture", 150))


@pytest.mark.parametrize("no_color", COLOUR)
@pytest.mark.parametrize("size", SIZES)
def test_surface_with_points(snap_compare, monkeypatch, size, no_color):
    """The decision surface with the four rows on it: targets ● ○, the held-out 11 as ◇, ✓/✗ beside each."""
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(heldout_xor_app(), terminal_size=size, run_before=view("surface", 120))


@pytest.mark.parametrize("size", SIZES)
def test_lesson_pane(snap_compare, size, tmp_path):
    """Lesson 1 opened by nnlab learn 1, its text shown with L below 160x50 (the lesson's place at 200x50): the
    start line, the step, its task and its unticked check in words."""
    app = LabApp(lesson="1", progress_path=tmp_path / "lessons.json")

    async def run_before(pilot: Pilot) -> None:
        if not app.wide:
            await pilot.press("L")
        await steps(0)(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("number", range(1, 9))
def test_each_lessons_first_step_at_80x24(snap_compare, number, tmp_path):
    """Each lesson opened by nnlab learn N at 80x24: the view its first step names, with the task strip (the
    step's task and its unticked checks in words) above the status line."""
    app = LabApp(lesson=str(number), progress_path=tmp_path / "lessons.json")
    assert snap_compare(app, terminal_size=(80, 24), run_before=steps(0))


def test_karnaugh_marks_heldout(snap_compare):
    """A three-input Karnaugh map marks its held-out cells h."""
    app = LabApp(Experiment(preset("majority3").with_heldout({3, 5}), Architecture((Layer(4, "tanh"),)),
                            Training(lr=0.05), name="majority3"))
    assert snap_compare(app, terminal_size=(100, 30), run_before=view("surface", 80))


def test_lesson_menu_at_80x24(snap_compare, tmp_path):
    """L with no lesson followed yet: the menu, each number in a column of its own so a long title (lesson 4's, 8's)
    goes on under the title, the marks of progress at the right."""
    app = LabApp(progress_path=tmp_path / "lessons.json")

    async def run_before(pilot: Pilot) -> None:
        await pilot.press("L")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
