"""The body of the sweep worker: trains one experiment from many seeds at once (``lab.core.sweep``) and reports, in
the training worker's paced loop (``lab.ui.training_loop.paced_loop``).

It owns its ``Sweep`` (nothing else touches it, so it needs no lock), checks ``cancelled()`` before every epoch,
posts a ``SweepProgress`` at most every ``interval`` seconds and once at the end, and never touches a widget. It
waits before every epoch while the interface handles a key (``wait``, the app scheduler's ``wait_for_interface``).

The seconds it reports are this thread's processor time (``time.thread_time``), not the time on the clock: the
interface thread shares the interpreter and takes turns with it, by as much as several times the sweep's own time
while the view redraws, and two configurations compare fairly only by the work each took.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from textual.message import Message

from lab.core.errors import LabError
from lab.core.experiment import Experiment
from lab.core.sweep import Sweep, seed_list, sweep_bytes
from lab.core.sweep_summary import sweep_stats
from lab.timings import Timings
from lab.ui.messages import SweepFailed, SweepProgress, SweepUpdate
from lab.ui.training_loop import paced_loop

DEFAULT_SEEDS = 100
MAX_SEEDS = 10_000
MAX_BYTES = 1 << 30  # a sweep may take about this much memory at the most


def sweep_experiment(experiment: Experiment) -> Experiment:
    """What a sweep trains: ``experiment``, each seed stopping once solved if it would otherwise run its budget."""
    if experiment.training.stop == "budget":
        return experiment.with_training(stop="solved")
    return experiment


def sweep_seeds(experiment: Experiment, count: int) -> range:
    """The ``count`` seeds a sweep of ``experiment`` runs, from its seed up.

    Raises:
        LabError: the seeds pass the largest seed, or the sweep would need more than ``MAX_BYTES`` of memory (the
            message says what to do).
    """
    try:
        seeds = seed_list(experiment.training.seed, count)
    except LabError as e:
        raise LabError(f"{e}: lower the seed or press K for fewer seeds.") from None
    need = sweep_bytes(experiment.shape, len(experiment.table.train_rows), len(seeds))
    if need > MAX_BYTES:
        raise LabError(f"{len(seeds):,} seeds of this {experiment.shape.n_params:,}-parameter network need about "
                       f"{need / 2**20:,.0f} MiB, more than {MAX_BYTES / 2**20:,.0f} MiB: press K for fewer seeds.")
    return range(seeds[0], seeds[-1] + 1)


def sweep_loop(run_id: int, experiment: Experiment, seeds: Sequence[int], cancelled: Callable[[], bool],
               post: Callable[[Message], object], interval: float = Timings.tick,
               wait: Callable[[], None] = lambda: None) -> None:
    """Train ``experiment`` from each of ``seeds`` until every member stops or ``cancelled()``; post progress.
    ``wait()`` is called before every epoch (the app's key-press hold).

    A ``LabError`` from the core (every row held out, a bad seed) is posted as ``SweepFailed``.
    """
    started = time.thread_time()
    try:
        sweep = Sweep(experiment, seeds, keep_history=False)
    except LabError as e:
        post(SweepFailed(run_id, str(e)))
        return
    sent = 0

    def advance(epochs: int) -> tuple[int, bool]:
        return sweep.run(epochs=epochs, should_stop=cancelled), sweep.done

    def report(running: bool) -> None:
        nonlocal sent
        counts = sweep.solved_counts(sent)
        post(SweepProgress(SweepUpdate(run_id, sent, tuple(int(c) for c in counts),
                                       sweep_stats(sweep, time.thread_time() - started), running, sweep.done)))
        sent = sweep.epoch

    paced_loop(advance, cancelled, report, lambda message: post(SweepFailed(run_id, message)), interval=interval,
               wait=wait, max_chunk=1)
