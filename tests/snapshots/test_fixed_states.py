"""SVG snapshots of the states issue 15 fixed, at 80x24 and 100x30: views laid out for their width, a one-line
status line, a paused run that solved, a diverged run's chart with its legend, the preset list and a recipe's pace."""

from __future__ import annotations

from dataclasses import replace

import pytest
from textual.pilot import Pilot

from lab.core.experiment import Architecture, Layer
from lab.core.recipes import recipe
from lab.ui.app import LabApp
from lab.ui.widgets.inspect_view import VIEWS

from tests.snapshots.test_panes import steps
from tests.ui.helpers import make_app, small_xor_app

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((100, 30), id="100x30")]


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("size", SIZES)
def test_view_wraps_to_its_width(snap_compare, size, view):
    """Each view of keras-xor after 150 epochs, every line wrapped within the pane (the summary's counts whole)."""

    async def run_before(pilot: Pilot) -> None:
        app: LabApp = pilot.app  # type: ignore[assignment]
        await steps(150, "down", "g" if view == "gradcheck" else "v")(pilot)
        app.show_view(view)
        await pilot.pause()

    assert snap_compare(make_app(lr=0.01), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_paused_after_solving(snap_compare, size):
    """Stepped past the solved epoch with budget left: the status says paused and solved at, on one line."""
    assert snap_compare(small_xor_app(epochs=2000), terminal_size=size, run_before=steps(200))


@pytest.mark.parametrize("size", SIZES)
def test_diverged_chart(snap_compare, size):
    """A run that diverged: its loss drawn on the linear scale in units of a power of ten, the legend in words."""
    experiment = replace(recipe("keras-xor"), architecture=Architecture((Layer(16, "relu"),), "linear"))
    app = LabApp(experiment.with_training(optimizer="sgd", lr=50.0))

    async def run_before(pilot: Pilot) -> None:
        while app.lab_run.session.trainer.diverged_epoch is None:  # once: a step after it would say so again
            app.action_step()
        await steps(0)(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_preset_list(snap_compare, size):
    """The preset list: recipes first, in sight, each description wrapped under itself."""
    assert snap_compare(make_app(), terminal_size=size, run_before=steps(0, "p"))


@pytest.mark.parametrize("size", SIZES)
def test_recipe_pace(snap_compare, size):
    """single-neuron picked from the list: the speed raised to 100/tick and the notification saying how long."""

    async def run_before(pilot: Pilot) -> None:
        app: LabApp = pilot.app  # type: ignore[assignment]
        app.open_recipe("single-neuron")
        await steps(0)(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)
