"""The run has one owner: ``lab.ui.run.Run`` alone imports the trainer, starts it, and keeps a sweep and training
apart; its commands for other features (a weight set by hand, a step, a prediction, a frozen state) work."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
from textual.app import App, ComposeResult

import lab.ui
from lab.core.recipes import recipe
from lab.ui.app import LabApp
from lab.ui.run import Run, RunState
from lab.ui.run_rules import Note
from lab.ui.widgets.seeds_view import SeedsView

from tests.ui.helpers import until

SIZE = (100, 30)

UI = Path(lab.ui.__file__).parent


def _imports_trainer(path: Path) -> bool:
    """Whether the module at ``path`` imports the ``Trainer`` (from anywhere) or the whole ``lab.core.train`` (its
    rules, such as ``THRESHOLD``, are everyone's)."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and any(a.name == "Trainer" for a in node.names):
            return True
        if isinstance(node, ast.Import) and any(a.name == "lab.core.train" for a in node.names):
            return True
    return False


def test_only_the_run_imports_the_trainer():
    """Who may start the trainer has a one-file answer: no module of ``lab/ui`` but ``run.py`` imports it."""
    importers = sorted(str(p.relative_to(UI)) for p in UI.rglob("*.py") if _imports_trainer(p))
    assert importers == ["run.py"]


def _app(epochs: int = 100_000) -> LabApp:
    return LabApp(recipe("keras-xor").with_training(epochs=epochs))


async def test_setting_a_weight_by_hand_changes_the_outputs_at_once():
    """``Run.set_parameter`` sets one weight or bias live; the snapshot it returns carries the new outputs."""
    app = _app()
    async with app.run_test(size=SIZE):
        run = app.query_one(Run)
        before = run.snapshot().outputs
        snapshot = run.set_parameter(0, 0, 0, 7.5)
        assert not isinstance(snapshot, Note)
        assert run.frozen().state.theta[0] == 7.5
        assert snapshot.outputs != before
        bias = run.set_parameter(0, 1, None, -3.0)
        assert not isinstance(bias, Note)
        assert run.frozen().experiment == app.experiment


async def test_a_weight_outside_the_network_is_refused_in_one_line():
    """A layer, row or column outside the network, or a value that is not finite, is a ``Note``, not a crash."""
    app = _app()
    async with app.run_test(size=SIZE):
        run = app.query_one(Run)
        theta = run.frozen().state.theta.copy()
        for layer, i, j, value in [(5, 0, 0, 1.0), (0, 99, 0, 1.0), (0, 0, 99, 1.0), (0, 0, 0, float("nan"))]:
            answer = run.set_parameter(layer, i, j, value)
            assert isinstance(answer, Note) and "\n" not in answer.text
        assert np.array_equal(run.frozen().state.theta, theta)


async def test_a_weight_set_by_hand_after_a_save_asks_before_it_is_discarded():
    """A network saved (or opened) and then changed by hand is no longer the saved one: a reset asks first."""
    app = _app()
    async with app.run_test(size=SIZE):
        run = app.query_one(Run)
        run.step()
        run.mark_saved()
        assert run.discard_question("Reset") is None
        run.set_parameter(0, 0, 0, 2.0)
        assert run.discard_question("Reset") is not None


async def test_a_step_reports_one_epoch_and_pauses_training():
    """``Run.step`` pauses a running worker and trains exactly one epoch, returning its snapshot."""
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        run = app.query_one(Run)
        run.epochs_per_tick = 1
        assert run.start() is None and run.running and run.busy
        step = run.step()
        assert not run.running
        await until(pilot, lambda: all(w.is_finished for w in app.workers), "the worker to end")
        assert step.snapshot is not None and step.snapshot.epoch == run.frozen().state.epoch


async def test_training_and_a_sweep_never_run_at_once():
    """Starting training stops a sweep, and a sweep started through the run stops training: by the run's rule."""
    app = _app(epochs=10_000_000)
    async with app.run_test(size=SIZE) as pilot:
        run, seeds = app.query_one(Run), app.query_one(SeedsView)
        run.epochs_per_tick = 1
        assert run.start() is None
        run.sweep(seeds, app.experiment, range(0, 50))
        assert not run.running and seeds.sweeping
        await until(pilot, lambda: seeds.latest is not None and seeds.latest.stats is not None)
        assert run.start() is None
        await until(pilot, lambda: not seeds.sweeping)
        assert run.running
        run.stop()


async def test_the_frozen_state_is_a_copy():
    """``Run.frozen`` is taken under the lock and does not move on with the trainer."""
    app = _app()
    async with app.run_test(size=SIZE):
        run = app.query_one(Run)
        frozen = run.frozen()
        assert isinstance(frozen, RunState)
        run.step()
        assert frozen.state.epoch == 0 and run.frozen().state.epoch == 1
        assert run.predict(np.zeros((1, 2))).shape == (1, 1)


async def test_busy_looks_for_the_sweeping_views_once_they_exist():
    """``busy`` is asked on every key press: it finds the views that sweep once (a DOM query per key cost more than
    the key: 174 us against 1 us a call), yet still sees a sweep in them."""
    looked: list[int] = []

    class Host(App):
        def compose(self) -> ComposeResult:
            yield SeedsView()
            yield Run(recipe("keras-xor"), sweepers=self.sweepers)

        def sweepers(self) -> list[SeedsView]:
            looked.append(1)
            return list(self.query(SeedsView))

    app = Host()
    async with app.run_test() as pilot:
        run = app.query_one(Run)
        assert not any(run.busy for _ in range(100)) and len(looked) == 1
        view = app.query_one(SeedsView)
        view.sweep(recipe("keras-xor").with_training(lr=1e-6, epochs=100_000), range(200))  # never solved: it runs
        await pilot.pause()
        assert run.busy and len(looked) == 1
        view.stop()
        await until(pilot, lambda: not run.busy, "the sweep to stop")
        assert len(looked) == 1
