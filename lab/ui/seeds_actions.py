"""The app's seeds actions: sweep the experiment over many seeds, pin a result as A, set how many seeds. A mixin of
``LabApp``.

A sweep runs in the app's one training worker group, so starting it pauses training and training (space) stops it.
It trains the experiment as the person set it, except that with the stop rule ``budget`` each seed stops once it has
solved the table: when it solved does not change, and the sweep ends sooner. The seeds run from the experiment's
seed up, as in ``nnlab sweep``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.binding import Binding
from textual.worker import Worker, WorkerState, get_current_worker

from lab.core.errors import LabError
from lab.core.experiment import Experiment
from lab.core.sweep import seed_list, sweep_bytes
from lab.core.sweep_summary import configuration_label
from lab.ui.messages import SweepFailed, SweepProgress
from lab.ui.screens.count_prompt import CountScreen
from lab.ui.sweep_loop import sweep_loop
from lab.ui.widgets.seeds_view import SeedsRun, SeedsView

if TYPE_CHECKING:
    from lab.ui.app import LabApp

DEFAULT_SEEDS = 100
MAX_SEEDS = 10_000
MAX_BYTES = 1 << 30  # a sweep may take about this much memory at the most
# Seconds between a sweep's updates at the least. A redraw of the seeds view costs about 20 ms of the interface
# thread, doubled while it shares the interpreter with the sweep: at ten a second it left keys waiting about 100 ms
# (p50) behind redraws; at four a second about 17 ms, and the sweep ran 70% faster.
UPDATE_INTERVAL = 0.25

SEEDS_BINDINGS = [
    Binding("k", "sweep", "Seeds", id="seeds.run"),
    Binding("A", "pin_seeds", "Pin as A", id="seeds.pin"),
    Binding("K", "seed_count", "Seed count", id="seeds.count", priority=True),  # opens its dialog as it arrives
]


def sweep_experiment(experiment: Experiment) -> Experiment:
    """What a sweep trains: ``experiment``, each seed stopping once solved if it would otherwise run its budget."""
    if experiment.training.stop == "budget":
        return experiment.with_training(stop="solved")
    return experiment


class SeedsActions:
    """Seeds sweeps for ``LabApp`` (which provides ``experiment``, ``notify``, ``_stop_worker``, ``_show_view``...)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._seed_count = DEFAULT_SEEDS
        self._sweep_id = 0
        self._pin_on_finish: int | None = None  # the run to pin as A once it finishes
        self._sweep_runs: dict[Worker, int] = {}  # each sweep worker's run id, until it ends

    @property
    def seeds_view(self: LabApp) -> SeedsView:
        return self.query_one(SeedsView)

    @property
    def seed_count(self) -> int:
        """How many seeds a sweep runs."""
        return self._seed_count

    @seed_count.setter
    def seed_count(self: LabApp, count: int) -> None:
        self._seed_count = count
        if self.screen_stack:  # (before the app runs there is no view to tell)
            for view in self.query(SeedsView):
                view.seed_count = count

    def _panes_gone(self: LabApp) -> bool:
        """Whether the panes are gone: the app is closing (a sweep's last message can arrive after)."""
        return not self.query(SeedsView)

    # --- actions ---------------------------------------------------------------------------------------------------
    def action_sweep(self: LabApp) -> None:
        """Train the experiment from ``seed_count`` seeds at once and show it in the seeds view; stop a running
        sweep."""
        latest = self.seeds_view.latest
        if latest is not None and latest.running:
            self.workers.cancel_group(self, "training")
            return
        self._start_sweep()

    def action_pin_seeds(self: LabApp) -> None:
        """Pin this configuration's sweep as A (running it first when there is none); unpin A if it is this one."""
        view = self.seeds_view
        latest, pinned = view.latest, view.pinned
        self._show_view("seeds")
        if latest is not None and latest.experiment == self.experiment:
            if latest.finished:
                self._pinned(view.pin())
                return
            if latest.running:
                self._pin_on_finish = latest.run_id
                self.notify("A is pinned when this sweep finishes.", timeout=3)
                return
        elif pinned is not None and pinned.experiment == self.experiment:
            view.unpin()
            self.notify("A unpinned.", timeout=2)
            return
        run_id = self._start_sweep()
        if run_id is not None:
            self._pin_on_finish = run_id

    def action_seed_count(self: LabApp) -> None:
        """Ask how many seeds a sweep runs."""

        def chosen(count: int | None) -> None:
            if count is not None:
                self.seed_count = count
                self.notify(f"Sweeps run {count:,} seeds (k).", timeout=2)

        self.push_screen(CountScreen(f"Seeds per sweep (1 to {MAX_SEEDS:,})", self.seed_count, 1, MAX_SEEDS), chosen)

    # --- the worker ------------------------------------------------------------------------------------------------
    def _start_sweep(self: LabApp) -> int | None:
        """Start a sweep of the experiment as it is; returns its run id, or None (with a message) if it cannot."""
        experiment = self.experiment
        if not self.has_training_rows(experiment.table):
            return None
        try:
            seeds = seed_list(experiment.training.seed, self.seed_count)
        except LabError as e:
            self.notify(f"{e}: lower the seed or press K for fewer seeds.", severity="error")
            return None
        need = sweep_bytes(experiment.shape, len(experiment.table.train_rows), len(seeds))
        if need > MAX_BYTES:
            self.notify(f"{len(seeds):,} seeds of this {experiment.shape.n_params:,}-parameter network need about "
                        f"{need / 2**20:,.0f} MiB, more than {MAX_BYTES / 2**20:,.0f} MiB: press K for fewer seeds.",
                        severity="error")
            return None
        self._stop_worker()  # pauses training: one worker at a time
        self._sweep_id += 1
        self._pin_on_finish = None
        self.seeds_view.begin(self._sweep_id, configuration_label(experiment), experiment, len(seeds))
        self._show_view("seeds")
        worker = self._sweep(self._sweep_id, sweep_experiment(experiment), range(seeds[0], seeds[-1] + 1))
        self._sweep_runs[worker] = self._sweep_id
        return self._sweep_id

    @work(thread=True, exclusive=True, exit_on_error=False, group="training", name="sweep")
    def _sweep(self: LabApp, run_id: int, experiment: Experiment, seeds: range) -> None:
        """Sweep in a thread: calls the core, posts messages, never touches a widget."""
        worker = get_current_worker()
        sweep_loop(run_id, experiment, seeds, lambda: worker.is_cancelled, self.post_message,
                   interval=max(1.0 / self.fps, UPDATE_INTERVAL), wait=self.scheduler.wait_for_interface)

    def on_sweep_progress(self: LabApp, message: SweepProgress) -> None:
        if self._panes_gone():
            return
        run = self.seeds_view.apply(message.update)
        seeds = self.query_one("#seeds")
        if run is not None and seeds.display:
            self._hold_for_paint(seeds.size.area)
        if run is None or run.running:
            return
        if run.finished and self._pin_on_finish == run.run_id:
            self._pinned(self.seeds_view.pin())
        elif run.finished and not self.query_one("#seeds").display:
            s = run.stats
            self.notify(f"{run.label}: {s.solved}/{s.seeds} seeds solved the gate (v cycles to the seeds view).",
                        title="Sweep done", timeout=5)

    def on_sweep_failed(self: LabApp, message: SweepFailed) -> None:
        if self._panes_gone():
            return
        self.seeds_view.drop(message.run_id)
        self.notify(message.error, title="Cannot sweep", severity="error")

    def on_worker_state_changed(self: LabApp, event: Worker.StateChanged) -> None:
        """A sweep worker that ended without its last update (cancelled before it began, or failed) leaves its sweep
        marked as stopped; a last update that does come later still fills in its numbers."""
        if event.state in (WorkerState.CANCELLED, WorkerState.ERROR, WorkerState.SUCCESS):
            run_id = self._sweep_runs.pop(event.worker, None)
            if run_id is not None and not self._panes_gone():
                self.seeds_view.halt(run_id)

    def _pinned(self: LabApp, run: SeedsRun | None) -> None:
        self._pin_on_finish = None
        if run is not None:
            self.notify(f"A is {run.label}. Change the network, then k runs B beside it.", title="Pinned A",
                        timeout=5)
