"""Pilot tests of the seeds view: k sweeps the experiment over many seeds, A pins a result to compare with an edited
network, K sets the count; the numbers shown are the core's own, and a sweep shares the one training worker."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
from textual.app import App, ComposeResult
from textual.message import Message
from textual.worker import WorkerCancelled

from lab.core.experiment import Layer
from lab.core.recipes import recipe
from lab.core.sweep import Sweep
from lab.core.sweep_summary import sweep_stats
from lab.ui.app import LabApp
from lab.ui.messages import SweepProgress
from lab.ui.screens.count_prompt import CountScreen
from lab.ui.widgets.architecture import SettingsList
from lab.ui.widgets.seeds_view import SeedsView
from lab.ui.widgets.success_curve import Curve, SuccessCurve

from tests.ui.helpers import Said, small_xor_app

SIZE = (120, 40)
SEEDS = 20


def shown(app: LabApp, selector: str = "#seeds-numbers") -> list[str]:
    """The lines a part of the seeds view shows, as plain text."""
    widget = app.query_one(selector)
    return [widget.render_line(y).text.rstrip() for y in range(widget.size.height)]


def row(app: LabApp, tag: str) -> list[str]:
    """The cells of the numbers row of sweep ``tag`` (``A``, ``B``, or ``▪`` for a sweep alone)."""
    rows = [line.split() for line in shown(app) if line.startswith(f"{tag} ") and "/" in line.split()[1]]
    assert len(rows) == 1, shown(app)
    return rows[0][1:]


def core_result(experiment, seeds: int = SEEDS) -> tuple[str, str, str]:
    """``(solved/K, rate, median)`` as the core's own sweep of ``experiment`` gives them."""
    sweep = Sweep(experiment, seeds, keep_history=False)
    sweep.run()
    stats = sweep_stats(sweep, 0.0)
    assert 0 < stats.solved < seeds  # a budget that some seeds miss: the numbers say something
    return f"{stats.solved}/{seeds}", f"{100 * stats.success_rate:.0f}%", f"{stats.median_solved_epoch:,.0f}"


async def settle(pilot, app: App[None]) -> None:
    """Wait for every worker to end, cancelled ones too, and for the messages they posted."""
    for worker in list(app.workers):
        try:
            await worker.wait()
        except WorkerCancelled:
            pass
    await pilot.pause()


async def sweep(pilot, app: LabApp, *keys: str) -> None:
    """Press ``keys`` (default k) and wait for the sweep worker and its messages."""
    await pilot.press(*(keys or ("k",)))
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_k_sweeps_the_experiment_and_shows_the_cores_numbers():
    """k runs K seeds in the worker, switches to the seeds view and shows the core's success rate and median; the
    worker's updates follow on from each other, cover every epoch once between them, and the last says the sweep
    finished (how often it posts is ``test_paced_loop``'s)."""
    app = small_xor_app(epochs=25)
    app.seed_count = SEEDS
    posted: list[SweepProgress] = []

    async with app.run_test(size=SIZE, message_hook=lambda m: isinstance(m, SweepProgress) and posted.append(m)) \
            as pilot:
        await sweep(pilot, app)
        assert app.view == "seeds" and app.query_one("#seeds").display
        assert str(app.query_one("#seeds").border_title).startswith("Seeds")
        solved, rate, median = core_result(app.experiment)
        cells = row(app, "▪")
        assert cells[:3] == [solved, rate, median]
        assert shown(app)[0] == "▪ 2-4-1 tanh adam lr 0.05 25 epochs · seeds 1-20"
        assert posted and posted[-1].update.finished and not posted[-1].update.running
        updates = [message.update for message in posted]
        assert [u.start for u in updates] == [0, *(u.stats.epoch for u in updates[:-1])]
        assert sum(len(u.solved_counts) for u in updates) == updates[-1].stats.epoch == 25
        assert sum(sum(u.solved_counts) for u in updates) == int(solved.split("/")[0])
        assert all(u.running for u in updates[:-1])
        curves = app.query_one(SuccessCurve).curves
        assert len(curves) == 1 and curves[0].fraction[-1] == int(solved.split("/")[0]) / SEEDS
        histogram = shown(app, "#seeds-histogram")
        assert histogram[0] == "solved at epoch" and histogram[-1].endswith("✗")


async def test_pin_a_edit_the_network_and_run_b_beside_it():
    """k then A pins the sweep as A; adding a hidden layer and pressing k runs B; both rows, both labels and both
    curves are shown, each with its own configuration's numbers."""
    app = small_xor_app(epochs=25)
    app.seed_count = SEEDS
    async with app.run_test(size=SIZE) as pilot:
        a_experiment = app.experiment
        await sweep(pilot, app, "k")
        await pilot.press("A")
        view = app.query_one(SeedsView)
        assert view.pinned is not None and view.latest is None
        assert "then k runs B beside A" in " ".join(shown(app))
        app.query_one(SettingsList).focus()
        await pilot.press("a")  # a second hidden layer (nothing trained yet, so no question)
        assert app.experiment.architecture.layers == (Layer(4, "tanh"), Layer(4, "tanh"))
        await sweep(pilot, app, "k")
        lines = shown(app)
        assert lines[0].startswith("A 2-4-1 tanh adam lr 0.05") and lines[1].startswith("B 2-4-4-1 tanh adam lr 0.05")
        assert row(app, "A")[:3] == list(core_result(a_experiment))
        assert row(app, "B")[:3] == list(core_result(app.experiment))
        assert [c.name for c in app.query_one(SuccessCurve).curves] == ["A", "B"]


async def test_a_with_nothing_to_pin_runs_the_sweep_and_pins_it_then_unpins():
    """A on a fresh experiment sweeps it and pins the result when it finishes; A again on the same configuration
    unpins it."""
    app = small_xor_app(epochs=25)
    app.seed_count = SEEDS
    async with app.run_test(size=SIZE) as pilot:
        await sweep(pilot, app, "A")
        view = app.query_one(SeedsView)
        assert view.pinned is not None and view.pinned.finished and view.latest is None
        assert row(app, "A")[:3] == list(core_result(app.experiment))
        await pilot.press("A")
        assert view.pinned is None


async def test_a_sweep_pauses_training_and_training_stops_the_sweep():
    """k while training pauses it (one worker group); space during a sweep stops the sweep part way and trains.
    (Keys pressed while a worker runs go through ``run_action``: Pilot's ``press`` waits for an idle app, about
    two seconds while a worker posts.)"""
    app = small_xor_app(lr=1e-6, epochs=1_000_000)  # never solves: the sweep runs until stopped
    app.seed_count = 500
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        assert app.running
        await app.run_action("sweep")
        assert not app.running
        view = app.query_one(SeedsView)
        while view.latest.stats is None:  # the first update: the sweep is under way
            await pilot.pause(0.02)
        await app.run_action("toggle_training")
        assert app.running
        while view.latest.running:
            await pilot.pause(0.02)
        assert not view.latest.finished and view.latest.epoch > 0
        assert re.match(r"▪ stopped at epoch [\d,]+ · 2-4-1 tanh", shown(app)[0])
        await app.run_action("toggle_training")
        await settle(pilot, app)
        assert not app.running


async def test_k_during_a_sweep_stops_it():
    """k starts a sweep and k again stops it part way."""
    app = small_xor_app(lr=1e-6, epochs=1_000_000)
    app.seed_count = 500
    async with app.run_test(size=SIZE) as pilot:
        await app.run_action("sweep")
        await app.run_action("sweep")
        await settle(pilot, app)
        latest = app.query_one(SeedsView).latest
        assert not latest.running and not latest.finished


async def test_capital_k_sets_the_seed_count_with_a_clear_error_first():
    """K asks for the count: a bad entry is one line of error, a good one shows in the empty view's hint and is
    used by the next sweep."""
    app = small_xor_app(epochs=25)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("K")
        assert isinstance(app.screen, CountScreen)
        await pilot.press("ctrl+a", "ctrl+k", *"0", "enter")
        assert str(app.screen.query_one("#count-error").render()) == "✗ expected 1 to 10,000, got 0"
        await pilot.press("ctrl+a", "ctrl+k", *"1,2", "enter")
        assert not isinstance(app.screen, CountScreen) and app.seed_count == 12
        await pilot.press(*"v" * 8)  # the seeds view is the last of the views v cycles through
        assert app.view == "seeds" and app.query_one("#seeds").display
        assert " ".join(shown(app)).startswith("k trains this experiment from 12 seeds at once (K changes how many)")
        await sweep(pilot, app)
        assert app.query_one(SeedsView).latest.seeds == 12


async def test_a_sweep_too_big_for_memory_is_refused_in_one_line():
    """10,000 seeds of a 4 x 64 network would need several GiB: a one-line error, no worker, training untouched."""
    app = LabApp(recipe("keras-xor").with_architecture(layers=(Layer(64, "relu"),) * 4))
    app.seed_count = 10_000
    said = Said()
    async with app.run_test(size=SIZE, message_hook=said) as pilot:
        await pilot.press("k")
        assert not list(app.workers) and app.query_one(SeedsView).latest is None
        assert any(n.message.startswith("10,000 seeds of this 12,737-parameter network need about")
                   for n in said.notes)


class _SeedsOnly(App[None]):
    """The seeds view alone: it runs its own sweeps, with no lab around it."""

    def compose(self) -> ComposeResult:
        yield SeedsView(id="seeds")


async def test_the_seeds_view_runs_its_own_worker_and_posts_what_the_app_must_know():
    """Without the lab: ``sweep`` runs in the view's worker; the view posts Updated and Finished; A on the finished
    sweep pins it (Pinned); a sweep the core refuses (every row held out) posts Failed and leaves no sweep."""
    experiment = small_xor_app(epochs=25).experiment
    app = _SeedsOnly()
    posted: list[Message] = []
    kinds = (SeedsView.Updated, SeedsView.Finished, SeedsView.Pinned, SeedsView.Failed)
    async with app.run_test(size=SIZE, message_hook=lambda m: isinstance(m, kinds) and posted.append(m)) as pilot:
        view = app.query_one(SeedsView)
        view.sweep(experiment, range(1, 1 + SEEDS))
        assert [w.node for w in app.workers] == [view]
        await app.workers.wait_for_complete()
        await pilot.pause()
        finished = {m for m in posted if isinstance(m, SeedsView.Finished)}  # (each seen at every node it bubbles to)
        assert len(finished) == 1 and finished.pop().run is view.latest and view.latest.finished
        assert any(isinstance(m, SeedsView.Updated) for m in posted)
        assert view.request_pin(experiment) == "pinned"
        await pilot.pause()
        assert isinstance(posted[-1], SeedsView.Pinned) and posted[-1].run is view.pinned
        assert view.request_pin(experiment) == "unpinned" and view.pinned is None
        held = experiment.with_table(replace(experiment.table, heldout=frozenset(range(4))))
        view.sweep(held, range(3))
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(posted[-1], SeedsView.Failed) and "held out" in posted[-1].error
        assert view.latest is None


async def test_the_seeds_view_stops_its_own_sweep():
    """``stop`` cancels the view's worker part way: the sweep is marked stopped, not finished."""
    experiment = small_xor_app(lr=1e-6, epochs=1_000_000).experiment
    app = _SeedsOnly()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(SeedsView)
        view.sweep(experiment, range(500))
        assert view.sweeping
        view.stop()
        await settle(pilot, app)
        assert not view.sweeping and not view.latest.finished


async def test_the_success_curve_draws_a_legend_only_to_tell_curves_apart():
    """One curve (A pinned alone) gets no legend box over its start; A beside B gets one naming both."""
    class Host(App):
        def compose(self) -> ComposeResult:
            yield SuccessCurve()

    rising = np.linspace(0.0, 1.0, 200)
    a = Curve("A", rising, "orange", "braille")
    b = Curve("B", rising ** 2, "cyan", "dot")
    app = Host()
    async with app.run_test(size=(50, 8)) as pilot:
        curve = app.query_one(SuccessCurve)
        for shown_curves, legend in (((a,), False), ((a, b), True)):
            curve.show(shown_curves)
            await pilot.pause()
            text = str(curve.render())
            assert ("A" in text and "B" in text) == legend and ("A" in text) == legend, text
