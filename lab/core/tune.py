"""A search over configurations: each trained from K seeds with the batched sweep, ranked by how reliably, how fast
and how small it learns the gate.

One file, about 450 lines, because it is one pipeline read top to bottom (candidates, rounds, the batches that
train them, the plan); its search space and its tables are ``tune_space`` and ``tune_table``.

Configuration c is ``Sweep(c.experiment(base), seeds)`` run to the end, so member k is exactly ``nnlab train
--seed k`` of that configuration and its numbers are ``nnlab sweep``'s (``lab.core.sweep_summary.sweep_stats``).
Configurations that differ only in their learning rate train as one sweep (``Batch``: a learning rate per member,
the same arithmetic), so a grid of small networks pays each epoch's fixed NumPy cost once per network shape;
configurations of different shapes cannot share one, so the batches train side by side, one per worker process (a
local pool, or a Dask cluster: ``lab.core.tune_cluster``), the largest first (so the last to finish are small), each
batch's results streamed back as it finishes.

Strategies (each reproducible from the seed: the same flags give the same ranking and numbers):

- ``grid``: every configuration of the search space.
- ``random``: ``samples`` configurations drawn without repeats from the grid by ``default_rng(seed)``.
- ``halving`` (successive halving): every candidate (the grid, or a random sample with ``samples``) trains on a few
  seeds for a few epochs; the best third by the objective go on, with three times the seeds and epochs, until the
  last round trains the survivors on all K seeds for the whole budget. A round of n configurations on K_i seeds and
  E_i epochs: round i of R has ``ceil(n / 3^i)`` configurations, ``K_i = ceil(K / 3^(R-1-i))`` seeds and ``E_i =
  ceil(E / 3^(R-1-i))`` epochs, with R = 1 + floor(log_3 n) (a round keeps at least one configuration).

Objectives (``OBJECTIVES``; the key sorts ascending, ties go to the configuration listed first):

- ``reliable`` (the default): the highest success rate, then the fewest median epochs to solve, then the fewest
  parameters.
- ``fast``: the fewest median epochs to solve (of the seeds that solved), then the success rate, then the size.
- ``small``: the fewest parameters among configurations solving at least ``SMALL_RATE`` of the seeds, then the
  success rate, then the median epochs.
- ``loss``: the lowest median final loss, then the success rate.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, replace

import numpy as np

from lab.core.blas import blas_threads
from lab.core.errors import LabError
from lab.core.experiment import Experiment
from lab.core.sweep import Sweep, seed_list, sweep_bytes
from lab.core.sweep_jobs import (
    Stopped,
    WorkerFailed,
    local_executor,
    results_as_done,
    start_resource_tracker,
    usable_cpus,
    worker_should_stop,
)
from lab.core.sweep_summary import SweepStats, configuration_label, sweep_stats
from lab.core.tune_space import Config, SearchSpace

STRATEGIES = ("grid", "random", "halving")
ETA = 3  # successive halving keeps the best 1 / ETA of a round and gives the next ETA times the seeds and epochs
MAX_CONFIGS = 2_000  # configurations a search trains at the most (the grid, a sample, halving's first round)
SMALL_RATE = 0.9  # the ``small`` objective's bar: the success rate a configuration must reach to count as small
# The time model, from keras-xor-sized networks on the project's 2-core machine (one process): an epoch costs about
# a fixed EPOCH_COST seconds (a hundred small NumPy calls) plus K x P / RATE (member-parameters per second).
EPOCH_COST = 1.3e-4
RATE = 7e7
# Configurations that differ only in their learning rate train as one sweep of at most this many members (``Batch``):
# at 100 seeds a keras-xor configuration's epoch is mostly the fixed cost of its hundred NumPy calls, which five of
# them then pay once (the 5 x 5 grid of bench_tune took 1.85 processor seconds in all instead of 2.88).
BATCH_MEMBERS = 1_000
MAX_SECONDS = 3_600.0  # a search estimated to take longer than this is refused
MAX_BYTES = 2 << 30  # the sweeps training at once may take this much memory at the most


@dataclass(frozen=True)
class TuneResult:
    """One configuration's numbers.

    Attributes:
        index: its place in the candidates (the grid's order, or the sample's).
        config: the configuration.
        experiment: what it trained (the base with the configuration applied, the round's epochs).
        label: its short name (``2-16-1 relu adam lr 0.01``).
        rung: the halving round it reached (0 for grid and random search).
        n_params: parameters per network.
        stats: the sweep's numbers (``sweep_stats``): success, solve-epoch percentiles, final loss, seconds.
    """

    index: int
    config: Config
    experiment: Experiment
    label: str
    rung: int
    n_params: int
    stats: SweepStats

    @property
    def success_rate(self) -> float:
        """The fraction of seeds that solved within the budget."""
        return self.stats.success_rate

    @property
    def median(self) -> float:
        """The median solve epoch, inf when no seed solved."""
        m = self.stats.median_solved_epoch
        return math.inf if m is None else m

    @property
    def final_loss(self) -> float:
        """The median final training loss, inf when there is none."""
        return self.stats.final_loss[1] if self.stats.final_loss else math.inf


OBJECTIVES: dict[str, Callable[[TuneResult], tuple]] = {
    "reliable": lambda r: (-r.success_rate, r.median, r.n_params, r.index),
    "fast": lambda r: (r.median, -r.success_rate, r.n_params, r.index),
    "small": lambda r: (r.success_rate < SMALL_RATE, r.n_params, -r.success_rate, r.median, r.index),
    "loss": lambda r: (r.final_loss, -r.success_rate, r.n_params, r.index),
}


def ranked(results: Sequence[TuneResult], objective: str = "reliable") -> list[TuneResult]:
    """``results`` best first: those that reached a later halving round first, then by ``objective``."""
    key = OBJECTIVES[objective]
    return sorted(results, key=lambda r: (-r.rung, key(r)))


# --- what to train ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Task:
    """One sweep to train: candidate ``index`` in halving round ``rung``, ``experiment`` from ``seeds``."""

    index: int
    rung: int
    config: Config
    experiment: Experiment
    seeds: tuple[int, ...]

    @property
    def seconds(self) -> float:
        """The time model's estimate of this sweep in one process, in seconds."""
        return estimate_seconds(self.experiment, len(self.seeds))


def estimate_seconds(experiment: Experiment, seeds: int) -> float:
    """About how long ``seeds`` members of ``experiment`` take to train for the whole budget in one process."""
    return experiment.training.epochs * (EPOCH_COST + seeds * experiment.shape.n_params / RATE)


def candidates(space: SearchSpace, strategy: str, samples: int | None, seed: int) -> list[Config]:
    """The configurations a search starts from: the grid, or ``samples`` of it drawn by ``default_rng(seed)`` (for
    ``random``, and for ``halving`` when ``samples`` is given), in grid order.

    Raises:
        LabError: for an unknown strategy, ``samples`` below 1, or more than ``MAX_CONFIGS`` configurations.
    """
    if strategy not in STRATEGIES:
        raise LabError(f"--strategy: unknown '{strategy}', choose from {', '.join(STRATEGIES)}")
    size = space.size()
    if strategy == "random" or (strategy == "halving" and samples is not None):
        n = samples if samples is not None else min(size, 20)
        if not 1 <= n <= MAX_CONFIGS:
            raise LabError(f"--samples: expected 1 to {MAX_CONFIGS:,}, got {n}")
        if n >= size:
            return list(space.grid())
        picks = np.random.default_rng(seed).choice(size, n, replace=False)
        return [space.config(int(i)) for i in np.sort(picks)]
    if size > MAX_CONFIGS:
        raise LabError(f"the grid holds {size:,} configurations, more than {MAX_CONFIGS:,}: give fewer values, or "
                       "--strategy random --samples N")
    return list(space.grid())


def rounds(n: int, seeds: int, epochs: int) -> list[tuple[int, int, int]]:
    """Successive halving's rounds for ``n`` candidates: ``(configurations, seeds, epochs)`` each, the last on all
    ``seeds`` for all ``epochs``."""
    r = 1 + int(math.floor(math.log(max(n, 1), ETA) + 1e-9))
    return [(math.ceil(n / ETA**i), math.ceil(seeds / ETA ** (r - 1 - i)), math.ceil(epochs / ETA ** (r - 1 - i)))
            for i in range(r)]


def check_budget(tasks: Sequence[Task], jobs: int) -> None:
    """Refuse, up front, a search that would not fit in memory or time.

    Raises:
        LabError: with the figure, when the ``jobs`` largest sweeps together would pass ``MAX_BYTES`` or the
            whole search would take longer than ``MAX_SECONDS`` by the time model.
    """
    sizes = sorted((sweep_bytes(t.experiment.shape, len(t.experiment.table.train_rows), len(t.seeds))
                    for t in tasks), reverse=True)
    need = sum(sizes[:jobs])
    if need > MAX_BYTES:
        raise LabError(f"the search needs about {need / 2**20:,.0f} MiB at once ({jobs} sweeps side by side), more "
                       f"than {MAX_BYTES / 2**20:,.0f} MiB: fewer seeds, smaller networks or fewer --jobs")
    seconds = sum(t.seconds for t in tasks) / jobs
    if seconds > MAX_SECONDS:
        raise LabError(f"the search would take about {seconds / 60:,.0f} minutes, more than "
                       f"{MAX_SECONDS / 60:,.0f}: fewer configurations, seeds or epochs")


def tasks_for(base: Experiment, configs: Sequence[tuple[int, Config]], seeds: int, epochs: int,
              rung: int) -> list[Task]:
    """A sweep of ``seeds`` members from the base's seed for each ``(index, config)``, with ``epochs`` each.

    Raises:
        LabError: for seeds past the largest seed, or a configuration the experiment refuses.
    """
    first = seed_list(base.training.seed, seeds)
    out = []
    for index, config in configs:
        experiment = config.experiment(base)
        if experiment.training.epochs != epochs:
            experiment = experiment.with_training(epochs=epochs)
        out.append(Task(index, rung, config, experiment, tuple(first)))
    return out


# --- training --------------------------------------------------------------------------------------------------
def train_task(task: Task, should_stop: Callable[[], bool] | None = None) -> TuneResult | None:
    """Train one sweep to the end (None when ``should_stop`` ended it first; by default, in a worker process, the
    pool's stop: ``worker_should_stop``)."""
    started = time.perf_counter()
    sweep = Sweep(task.experiment, task.seeds, keep_history=False)
    sweep.run(should_stop=worker_should_stop if should_stop is None else should_stop)
    if not sweep.done:
        return None
    return TuneResult(task.index, task.config, task.experiment, configuration_label(task.experiment), task.rung,
                      task.experiment.shape.n_params, sweep_stats(sweep, time.perf_counter() - started))


@dataclass(frozen=True)
class Batch:
    """Tasks that differ only in their learning rate (same round, seeds, network and other settings), trained as one
    sweep: their members side by side, each with its own learning rate (``Sweep(..., lrs=...)``), so the fixed cost
    of each epoch's NumPy calls is paid once for all of them. Each task's numbers are those of its own sweep."""

    tasks: tuple[Task, ...]

    @property
    def seconds(self) -> float:
        """The time model's estimate of the batch's sweep in one process."""
        first = self.tasks[0]
        return estimate_seconds(first.experiment, len(first.seeds) * len(self.tasks))


def batches(tasks: Sequence[Task]) -> list[Batch]:
    """``tasks`` grouped into batches of those that differ only in their learning rate, each of at most
    ``BATCH_MEMBERS`` members (a task with more trains alone), in the order of each batch's first task. Past that
    size the work that grows with the members outweighs the fixed cost a batch shares, and a batch is one process's
    work: smaller ones keep the processes busy. The grouping depends on the tasks alone, never on the processes, so a
    search's numbers are the same on any machine or cluster."""
    groups: dict[tuple, list[Task]] = {}
    for task in tasks:
        e = task.experiment
        key = (task.rung, task.seeds, e.architecture, replace(e.training, lr=1.0))
        groups.setdefault(key, []).append(task)
    out = []
    for group in groups.values():
        per = max(1, BATCH_MEMBERS // len(group[0].seeds))
        chunks = -(-len(group) // per)
        out += [Batch(tuple(chunk)) for chunk in np.array_split(np.array(group, dtype=object), chunks)]
    return out


def train_batch(batch: Batch, should_stop: Callable[[], bool] | None = None) -> list[TuneResult] | None:
    """Train a batch's one sweep to the end and split it into each task's result (None when ``should_stop`` ended
    it first; by default, in a worker process, the pool's stop). Each result's seconds are its share of the whole."""
    tasks = batch.tasks
    if len(tasks) == 1:
        alone = train_task(tasks[0], should_stop)
        return None if alone is None else [alone]
    started = time.perf_counter()
    first = tasks[0]
    k = len(first.seeds)
    sweep = Sweep(first.experiment, first.seeds * len(tasks), keep_history=False,
                  lrs=[t.experiment.training.lr for t in tasks for _ in range(k)])
    sweep.run(should_stop=worker_should_stop if should_stop is None else should_stop)
    if not sweep.done:
        return None
    arrays, share = sweep.arrays(), (time.perf_counter() - started) / len(tasks)
    return [TuneResult(t.index, t.config, t.experiment, configuration_label(t.experiment), t.rung,
                       t.experiment.shape.n_params,
                       sweep_stats(Sweep.merged(t.experiment, [arrays.members(i * k, (i + 1) * k)]), share))
            for i, t in enumerate(tasks)]


def run_tasks(tasks: Sequence[Task], on_result: Callable[[TuneResult], None], *, jobs: int | None = None,
              should_stop: Callable[[], bool] | None = None, start: str | None = None,
              executor: Executor | None = None, alive: Callable[[], str | None] | None = None) -> None:
    """Train every task, calling ``on_result`` with each result as it finishes (in this thread, in the order they
    finish): on ``executor`` when one is given (a Dask cluster's, ``lab.core.tune_cluster``), else on a pool of up to
    ``jobs`` local processes (default ``usable_cpus()``; with one, the tasks train here, in this process). Either way
    through ``lab.core.sweep_jobs.results_as_done``: one path for a local search and a cluster's.

    Raises:
        Stopped: when ``should_stop()`` turned true (polled every ``POLL`` seconds); the results so far were given.
        KeyboardInterrupt: passed on after the work is cancelled and the local workers have ended.
        LabError: the first failure of a task, or ``alive()``'s reason the executor cannot finish, in one line.
    """
    jobs = usable_cpus() if jobs is None else jobs
    # The largest first, so the tail is short; tasks that differ only in their learning rate train as one sweep.
    order = sorted(batches(tasks), key=lambda b: -b.seconds)
    if executor is not None:
        _gather(executor, order, on_result, should_stop, alive)
        return
    jobs = min(jobs, len(order))
    if jobs <= 1:
        with blas_threads():
            for batch in order:
                if should_stop is not None and should_stop():
                    raise Stopped
                results = train_batch(batch, should_stop)
                if results is None:
                    raise Stopped
                for result in results:
                    on_result(result)
        return
    with local_executor(jobs, start) as (pool, _):
        _gather(pool, order, on_result, should_stop, alive)


def _gather(executor: Executor, order: Sequence[Batch], on_result: Callable[[TuneResult], None],
            should_stop: Callable[[], bool] | None, alive: Callable[[], str | None] | None) -> None:
    """Every batch of ``order`` on ``executor``, each result to ``on_result`` as its batch comes."""
    try:
        for _, results in results_as_done(executor, train_batch, order, should_stop=should_stop, alive=alive):
            if results is None:  # a worker told to stop: only when this search is ending anyway
                raise Stopped
            for result in results:
                on_result(result)
    except WorkerFailed as e:
        task = order[e.index].tasks[0]
        raise LabError(f"tune: configuration {task.index + 1} ({configuration_label(task.experiment)}) {e.how}"
                       ) from None


@dataclass(frozen=True)
class Plan:
    """A search: the space, the strategy and its settings.

    Attributes:
        space: the axes over the base experiment.
        strategy: ``grid``, ``random`` or ``halving``.
        seeds: K, seeds per configuration (the last round's, for halving).
        samples: configurations to draw (``random``; optional for ``halving``).
        seed: the random draw's seed (the base's training seed by default).
        objective: a name in ``OBJECTIVES``.
    """

    space: SearchSpace
    strategy: str = "grid"
    seeds: int = 100
    samples: int | None = None
    seed: int | None = None
    objective: str = "reliable"

    def __post_init__(self) -> None:
        if self.objective not in OBJECTIVES:
            raise LabError(f"--objective: unknown '{self.objective}', choose from {', '.join(OBJECTIVES)}")
        if self.seeds < 1:
            raise LabError(f"--seeds: expected at least 1, got {self.seeds}")

    @property
    def candidates(self) -> list[Config]:
        """The configurations the search starts from."""
        seed = self.space.base.training.seed if self.seed is None else self.seed
        return candidates(self.space, self.strategy, self.samples, seed)

    def first_tasks(self, configs: Sequence[Config]) -> list[Task]:
        """The sweeps of the first round (the only one but for halving)."""
        base = self.space.base
        indexed = list(enumerate(configs))
        if self.strategy != "halving":
            return tasks_for(base, indexed, self.seeds, base.training.epochs, 0)
        _, seeds, epochs = rounds(len(configs), self.seeds, base.training.epochs)[0]
        return tasks_for(base, indexed, seeds, epochs, 0)

    def all_tasks(self, configs: Sequence[Config]) -> list[Task]:
        """Every sweep the search could train (for the up-front check): for halving, each round's survivors
        stood in for by the largest configurations."""
        if self.strategy != "halving":
            return self.first_tasks(configs)
        base = self.space.base
        by_size = sorted(enumerate(configs), key=lambda ic: -ic[1].experiment(base).shape.n_params)
        out: list[Task] = []
        for rung, (n, seeds, epochs) in enumerate(rounds(len(configs), self.seeds, base.training.epochs)):
            out += tasks_for(base, by_size[:n], seeds, epochs, rung)
        return out


def search(plan: Plan, on_result: Callable[[TuneResult, int, int], None] | None = None, *,
           jobs: int | None = None, should_stop: Callable[[], bool] | None = None,
           start: str | None = None, executor: Executor | None = None,
           alive: Callable[[], str | None] | None = None) -> list[TuneResult]:
    """Run a search to the end and return every configuration's latest result, ranked.

    The sweeps train on ``executor`` when one is given (then ``jobs`` is how many tasks it runs at once, for the
    up-front checks), else on ``jobs`` local processes; ``alive`` is the executor's health check (see
    ``run_tasks``).

    ``on_result(result, done, total)`` hears each result as it finishes, with the sweeps done and to do in all.
    A stop (``should_stop``, Ctrl-C) raises ``Stopped`` or ``KeyboardInterrupt`` with the results so far in its
    ``results`` attribute (ranked); so does a ``LabError`` raised once training began (a failed configuration, a
    cluster gone).

    Raises:
        LabError: bad settings, a search refused up front (with its figure), or a failed configuration.
    """
    configs = plan.candidates
    jobs = usable_cpus() if jobs is None else jobs
    if jobs < 1:
        raise LabError(f"--jobs: expected at least 1, got {jobs}")
    check_budget(plan.all_tasks(configs), jobs)
    latest: dict[int, TuneResult] = {}
    schedule = rounds(len(configs), plan.seeds, plan.space.base.training.epochs) \
        if plan.strategy == "halving" else [(len(configs), plan.seeds, plan.space.base.training.epochs)]
    total = sum(n for n, _, _ in schedule)
    done = 0

    def heard(result: TuneResult) -> None:
        nonlocal done
        latest[result.index] = result
        done += 1
        if on_result is not None:
            on_result(result, done, total)

    tasks = plan.first_tasks(configs)
    try:
        for rung in range(len(schedule)):
            if rung:
                n, seeds, epochs = schedule[rung]
                survivors = ranked([latest[t.index] for t in tasks], plan.objective)[:n]
                keep = sorted(r.index for r in survivors)
                tasks = tasks_for(plan.space.base, [(i, configs[i]) for i in keep], seeds, epochs, rung)
            run_tasks(tasks, heard, jobs=jobs, should_stop=should_stop, start=start, executor=executor,
                      alive=alive)
    except (Stopped, KeyboardInterrupt, LabError) as e:
        # The caller (``nnlab tune``, the tune view) reads what was ranked so far off the exception (a failure too:
        # the configurations done before it are kept).
        e.results = ranked(list(latest.values()), plan.objective)  # type: ignore[union-attr]
        raise
    return ranked(list(latest.values()), plan.objective)


__all__ = ["MAX_CONFIGS", "OBJECTIVES", "Plan", "STRATEGIES", "Stopped", "Task", "TuneResult", "candidates",
           "check_budget", "estimate_seconds", "ranked", "rounds", "run_tasks", "search", "start_resource_tracker",
           "train_batch", "train_task", "batches", "Batch"]
