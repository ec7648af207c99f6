"""A sweep on every core: the seeds split into contiguous shares, each share's ``Sweep`` trained to the end in a
process of its own, the results merged into the one ``Sweep`` a single process would have made.

Members of a sweep never interact, so share j's members train as they would in the whole sweep: the same epochs,
solved and diverged epochs and statuses, and weights and losses equal to rounding (a matrix product over fewer
members may take another BLAS kernel, summing in another order: differences of an ulp or two, as between blocks of
different sizes in one sweep; the tests hold them to 1e-9). Threads would not help: an epoch is about a hundred
small NumPy calls, and two threads taking turns at the interpreter lock ran at half the speed of one. A worker
process sends back only plain arrays (``SweepArrays``: the final weights, per-member results and, when kept, the
history), never its blocks and scratch buffers.

How a worker process starts (``start_method``): ``fork`` where it is safe, else ``spawn``.

- ``fork`` starts a worker in about a millisecond, with the experiment already in its memory. Forking a process
  whose other threads hold locks can deadlock the child, which is why Python 3.12 warns (``DeprecationWarning``)
  when it forks a process of several threads, and 3.14 made ``forkserver`` the default on Linux. A command-line
  sweep has no other Python thread, and the only other threads, OpenBLAS's workers, are stopped by OpenBLAS's own
  ``pthread_atfork`` handler before every fork (and started again when next needed): the process forks with one
  thread, and Python 3.12 and 3.13 stay silent (checked). So ``fork`` is used on Linux while no other Python thread
  runs.
- ``spawn`` (a fresh interpreter) is used otherwise: from inside a threaded program (an app's worker, a test
  runner's helper threads), where another thread could hold a lock at the moment of the fork, and on platforms
  without a safe fork (macOS, Windows). It costs about 0.3 s per worker to import NumPy and the lab (``forkserver``
  costs the same once, for no gain in a one-shot command, and its children would not inherit a blocked SIGINT).

Measured on the project's 2-core machine (keras-xor, 1000 seeds, 1000 epochs, start-up included): one process
0.74-0.97 M network-epochs/s; two workers started by fork 1.12-1.75 M; by spawn or forkserver 0.87-0.90 M, the
start-up taking most of the gain.

Failures never hang and never print a traceback: a ``LabError`` inside a worker (every row held out) is raised here
with the same one line; any other exception becomes a one-line ``LabError`` naming it; a worker that dies without a
result (killed, out of memory) breaks the pool, which ``concurrent.futures`` reports to every waiting future, and
that is one line too. Ctrl-C: workers ignore SIGINT (it is blocked from before they start until they ignore it), so
only this process sees ``KeyboardInterrupt``. On the way out, whatever ended the wait (the last result, a failure, a
stop, Ctrl-C), this process raises a flag the workers share and read before every epoch, cancels what has not started
and waits for the pool to shut down: a task in flight ends at its next epoch, so the wait is short and bounded, with
no ``terminate`` racing a worker that is writing a result (``multiprocessing.Pool.terminate`` could deadlock so). A
worker whose parent has gone (killed) stops at its next epoch too.

The one way to run work in other processes (``local_executor``, ``results_as_done``) serves the sweep and the
search alike, on any ``concurrent.futures.Executor``: the local pool, or a Dask cluster's
(``lab.core.tune_cluster``). Each call runs inside ``blas_threads`` (one BLAS thread: ``lab.core.blas``).
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, CancelledError, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any

import numpy as np

from lab.core.blas import blas_threads
from lab.core.errors import LabError
from lab.core.experiment import Experiment
from lab.core.sweep import Sweep, SweepArrays, member_seeds, sweep_bytes

# When worker processes pay (measured on the project's 2-core machine, one process against two, keras-xor's 65
# parameters and keras-xor-deeper's 337). Every process pays an epoch's fixed cost, some hundred NumPy calls of about
# a microsecond each, however few members it trains, so splitting gains only on the part that grows with the
# members: 50 keras-xor members a worker (3,250 member-parameters) ran no faster than 100 in one process, 150 a
# worker (9,750) ran 1.4 times as fast, 500 a worker 1.5 to 1.8 times; keras-xor-deeper gained nothing at 30 members
# a worker (10,110) and 1.4 times at 50 (16,850). And starting a worker by fork, sending its results back and merging
# cost 10-20 ms in all, which a sweep of 5 million member-parameter-epochs (0.1-0.2 s in one process) repays. The
# figures move by 20% or more from run to run on that shared machine; these are the middle of the range.
MIN_SHARE = 8_000  # members x parameters per network, at least, in each worker's share
MIN_PARALLEL_WORK = 5_000_000  # members x parameters x epochs, at least, for any worker at all


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity mask where the platform has one), at least 1."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def start_method() -> str:
    """``fork`` on Linux while this process runs no other Python thread, else ``spawn`` (see the module notes)."""
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return "fork"
    return "spawn"


def worker_count(experiment: Experiment, members: int, jobs: int | None = None) -> int:
    """How many processes ``run_sweep`` trains ``members`` members of ``experiment`` on: at most ``jobs`` (default:
    ``usable_cpus()``), as many as give each a share of ``MIN_SHARE`` member-parameters, and 1 (this process
    alone) for a sweep below ``MIN_PARALLEL_WORK``.

    Raises:
        LabError: for ``jobs`` below 1.
    """
    jobs = usable_cpus() if jobs is None else jobs
    if jobs < 1:
        raise LabError(f"jobs: expected at least 1, got {jobs}")
    width = members * experiment.shape.n_params
    if width * experiment.training.budget < MIN_PARALLEL_WORK:
        return 1
    return max(1, min(jobs, members, width // max(MIN_SHARE, 1)))


def shares(seeds: Sequence[int], jobs: int) -> list[list[int]]:
    """``seeds`` cut into ``min(jobs, K)`` contiguous shares whose sizes differ by at most one, in order."""
    return [list(share) for share in np.array_split(np.asarray(seeds, dtype=np.int64), min(jobs, len(seeds)))]


FALLBACK_MEMORY = 1 << 30  # what a sweep may take where the machine's memory cannot be read (the app's own cap)


def machine_memory() -> int:
    """The machine's physical memory in bytes (``FALLBACK_MEMORY`` where it cannot be read)."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return FALLBACK_MEMORY


def check_memory(experiment: Experiment, seeds: int, limit: int | None = None) -> int:
    """Refuse a sweep that will not fit: ``seeds`` members of the experiment's network need ``sweep_bytes`` (the
    estimate the app's seeds view checks too), which must stay within ``limit`` (default: the machine's memory).

    Returns:
        The estimate, in bytes.

    Raises:
        LabError: one line giving the estimate and the limit.
    """
    limit = machine_memory() if limit is None else limit
    shape = experiment.shape
    need = sweep_bytes(shape, len(experiment.table.train_rows), seeds)
    if need > limit:
        raise LabError(f"{seeds:,} seeds of this {shape.n_params:,}-parameter network need about "
                       f"{need / 2**30:,.1f} GiB, more than the {limit / 2**30:,.1f} GiB of memory here: "
                       "use fewer seeds or a smaller network")
    return need


PROGRESS_EVERY = 0.2  # seconds between a worker's progress reports
POLL = 0.1  # seconds between checks for a stop (and progress) while waiting for the workers


ProgressReport = Callable[[int, int], None]
"""Called with (epochs run so far by the slowest share, members solved so far) while a sweep trains."""


def run_sweep(experiment: Experiment, seeds: int | Sequence[int], *, jobs: int | None = None,
              keep_history: bool = False, start: str | None = None, progress: ProgressReport | None = None) -> Sweep:
    """Train a sweep to the end on up to ``jobs`` processes; the result equals
    ``Sweep(experiment, seeds, keep_history=keep_history)`` after ``run()``.

    Args:
        experiment: what every member trains.
        seeds: a count K (from ``training.seed`` on) or the seeds themselves, as ``Sweep`` takes them.
        jobs: at most this many worker processes (default: ``usable_cpus()``); fewer for a small sweep, and none
            (it trains in this process) for one job or a sweep too small to gain: see ``worker_count``.
        keep_history: keep every epoch's metrics in the result.
        start: the ``multiprocessing`` start method (default: ``start_method()``).
        progress: called now and then (about every ``POLL`` seconds, from reports each share makes at most every
            ``PROGRESS_EVERY`` seconds) with the epochs the slowest share has run and the members solved so far.

    Raises:
        LabError: bad seeds or ``jobs``, the sweep's own errors (every row held out), or a worker that failed.
    """
    seeds = member_seeds(experiment, seeds)
    workers = worker_count(experiment, len(seeds), jobs)
    if workers == 1:
        sweep = Sweep(experiment, seeds, keep_history=keep_history)
        with blas_threads():
            sweep.run(on_epoch=None if progress is None else _every(PROGRESS_EVERY, progress))
        return sweep
    parts = shares(seeds, workers)
    return Sweep.merged(experiment, _run_in_workers(experiment, parts, keep_history, start or start_method(),
                                                    progress))


def _every(seconds: float, report: ProgressReport) -> Callable[[Sweep], None]:
    """An ``on_epoch`` for ``Sweep.run`` that calls ``report(epoch, solved)`` at most every ``seconds``."""
    last = -float("inf")

    def on_epoch(sweep: Sweep) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= seconds:
            last = now
            report(sweep.epoch, sweep.solved)

    return on_epoch


def _run_in_workers(experiment: Experiment, parts: list[list[int]], keep_history: bool,
                    method: str, progress: ProgressReport | None = None) -> list[SweepArrays]:
    """Train each share in a worker process of a local pool; their results in order. The workers are gone when this
    returns. Each share posts its epoch and members solved on the pool's board, read here every ``POLL`` seconds."""
    n = len(parts)
    results: list[SweepArrays | None] = [None] * n
    with local_executor(n, method, board=n) as (executor, board):
        def report() -> bool:
            if progress is not None:
                progress(int(board[:, 0].min()), int(board[:, 1].sum()))
            return False

        shares_ = [(experiment, share, keep_history, i) for i, share in enumerate(parts)]
        try:
            for i, arrays in results_as_done(executor, _train_share, shares_, should_stop=report):
                results[i] = arrays
        except WorkerFailed as e:
            raise LabError(f"sweep worker {e.index + 1} of {n} {e.how}") from None
    return results  # type: ignore[return-value]


def _train_share(job: tuple[Experiment, list[int], bool, int]) -> SweepArrays:
    """A worker's share: train it to the end (or until the parent ends the pool) and return its plain arrays."""
    experiment, seeds, keep_history, slot = job
    sweep = Sweep(experiment, seeds, keep_history=keep_history)
    sweep.run(should_stop=worker_should_stop,
              on_epoch=_every(PROGRESS_EVERY, lambda epoch, solved: post(slot, epoch, solved)))
    return sweep.arrays()


# --- the one way to run work in other processes -----------------------------------------------------------------
class Stopped(Exception):
    """Work stopped by ``should_stop`` before every task finished."""


class WorkerFailed(Exception):
    """Task ``index`` failed in a worker: ``how`` says so in words (``failed: MemoryError: ...``, ``ended without a
    result (...)``); the callers turn it into their own one-line ``LabError``."""

    def __init__(self, index: int, how: str) -> None:
        super().__init__(f"task {index + 1} {how}")
        self.index = index
        self.how = how


# In a worker process of ``local_executor``: the flag the parent raises to end the work, the parent's pid and the
# progress board. None in every other process (this one, a Dask worker), where nothing asks the work to stop early.
_stop: Any = None
_parent = 0
_board: np.ndarray | None = None


def _local_worker_start(stop: Any, parent: int, board: Any) -> None:
    """A local worker's start: ignore Ctrl-C (the parent alone answers it), keep the stop flag and the board, and
    end with the parent (``_end_with_parent``)."""
    global _stop, _parent, _board
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    _stop, _parent = stop, parent
    _board = np.frombuffer(board, dtype=np.int64).reshape(-1, 2)
    threading.Thread(target=_end_with_parent, name="nnlab-parent-watch", daemon=True).start()


def _end_with_parent() -> None:
    """In a local worker's own thread: wait for the parent process to end, then end this worker at once.

    A worker training polls its parent before every epoch (``worker_should_stop``), but one waiting for work blocks
    on the pool's queue, which its siblings keep open: if the parent is killed (SIGKILL, the out-of-memory killer)
    such a worker would wait forever, holding its memory. ``multiprocessing`` gives every child a sentinel that
    becomes ready when the parent ends (with ``fork``, once the later-forked siblings holding a copy have ended too:
    they end the same way, newest first). Nothing is left to save in a worker whose parent has gone."""
    parent = multiprocessing.parent_process()
    if parent is None or parent.sentinel is None:
        return
    multiprocessing.connection.wait([parent.sentinel])
    os._exit(1)


def worker_should_stop() -> bool:
    """True in a local worker whose parent ended the pool or has gone; False anywhere else. Cheap (a shared byte
    and a system call): polled before every epoch."""
    return _stop is not None and bool(_stop.value or os.getppid() != _parent)


def post(slot: int, epoch: int, solved: int) -> None:
    """Post a task's progress on the local pool's board (nothing elsewhere)."""
    if _board is not None and slot < len(_board):
        _board[slot] = epoch, solved


def start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker (which ``spawn`` and ``forkserver`` pools need) if it is not running.

    The tracker is started with this process's ``sys.stderr`` descriptor, so call this while ``sys.stderr`` is a real
    file: an interface that captures ``sys.stderr`` (Textual's print capture has no descriptor) calls it before it
    does, and the pools it starts later reuse the tracker.
    """
    from multiprocessing import resource_tracker

    resource_tracker.ensure_running()


def _tracker_running() -> None:
    """The resource tracker, started now if need be; a ``LabError`` in one line when it cannot be (it is not running
    and ``sys.stderr`` has no descriptor to hand it: ``start_resource_tracker`` was not called in time)."""
    try:
        start_resource_tracker()
    except (OSError, ValueError) as e:
        raise LabError(f"tune: cannot start worker processes ({e}): sys.stderr has no file descriptor; "
                       "call lab.core.tune.start_resource_tracker() before it is captured") from e


@contextmanager
def local_executor(jobs: int, start: str | None = None, board: int = 0) -> Iterator[tuple[Executor, np.ndarray]]:
    """A pool of ``jobs`` worker processes on this machine, and a progress board of ``board`` slots.

    Yields:
        The executor (``concurrent.futures.ProcessPoolExecutor``; its workers start at the first submit, which
        ``results_as_done`` makes with SIGINT blocked) and the board, (board, 2) int64 shared with the workers
        (``post`` writes a slot's epoch and members solved).

    On the way out the workers are asked to stop (the shared flag ``worker_should_stop`` reads), what has not
    started is cancelled, and the pool is shut down and waited for: no process is left behind, nothing terminated.

    Raises:
        LabError: the resource tracker a ``spawn`` pool needs cannot start (see ``start_resource_tracker``).
    """
    method = start or start_method()
    context = multiprocessing.get_context(method)
    if method != "fork":
        _tracker_running()
    stop = context.RawValue("b", 0)
    shared = context.RawArray("q", 2 * board)  # type: ignore[attr-defined]
    # Workers forked (at the first submit) inside the one-thread limit start with it and need not set it again,
    # which in a forked process restarts OpenBLAS's thread pool: its idle thread spun 0.05-0.13 s of a core in each
    # worker, on a 2-core machine taken from the other worker (see lab.core.blas).
    with blas_threads():
        executor = ProcessPoolExecutor(jobs, mp_context=context, initializer=_local_worker_start,
                                       initargs=(stop, os.getpid(), shared))
        try:
            yield executor, np.frombuffer(shared, dtype=np.int64).reshape(-1, 2)
        finally:
            stop.value = 1
            executor.shutdown(wait=True, cancel_futures=True)


def _guarded(fn: Callable[[Any], Any], item: Any) -> tuple[str, Any]:
    """A task as a worker runs it, on one BLAS thread: ``("done", fn(item))``, ``("lab", message)`` for a
    ``LabError`` or ``("failed", "Type: message")`` for anything else; never a traceback."""
    try:
        with blas_threads():
            return "done", fn(item)
    except LabError as e:
        return "lab", str(e)
    except BaseException as e:  # noqa: BLE001 (a worker reports every failure as one line, never a traceback)
        return "failed", _failure(e)


def results_as_done(executor: Executor, fn: Callable[[Any], Any], items: Sequence[Any], *,
                    should_stop: Callable[[], bool] | None = None,
                    alive: Callable[[], str | None] | None = None) -> Iterator[tuple[int, Any]]:
    """``(i, fn(items[i]))`` for every item, as each finishes, the work run on ``executor`` (a local pool, a Dask
    cluster's executor: any ``concurrent.futures.Executor``). Every item is submitted at once, in order, so an
    executor that starts its work in submission order starts the first items first.

    Every ``POLL`` seconds while it waits: ``should_stop()`` (true: ``Stopped``), and ``alive()``, a health check
    that returns why the executor can no longer finish (its scheduler gone, no workers) or None. When the iteration
    ends early (a stop, a failure, the caller's break, Ctrl-C), what has not finished is cancelled.

    Raises:
        Stopped: ``should_stop()`` turned true.
        LabError: a task's own ``LabError``, or ``alive()``'s reason, in one line.
        WorkerFailed: a task raised anything else, or its worker died.
    """
    with _sigint_blocked():  # the local pool's workers start here, and inherit SIGINT blocked
        futures = {executor.submit(_guarded, fn, item): i for i, item in enumerate(items)}
    try:
        pending: set[Future] = set(futures)
        while pending:
            if should_stop is not None and should_stop():
                raise Stopped
            if alive is not None and (why := alive()) is not None:
                raise LabError(why)
            done, pending = wait(pending, timeout=POLL, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=futures.__getitem__):
                i = futures[future]
                kind, payload = _outcome(future, i)
                if kind == "lab":
                    raise LabError(payload)
                if kind == "failed":
                    raise WorkerFailed(i, f"failed: {payload}")
                yield i, payload
    finally:
        for future in futures:
            future.cancel()


def _outcome(future: Future, i: int) -> tuple[str, Any]:
    """What task ``i``'s finished future holds, or ``WorkerFailed`` saying how the executor lost it."""
    try:
        return future.result()
    except BrokenProcessPool:
        raise WorkerFailed(i, "ended without a result (its process died: killed, or out of memory)") from None
    except CancelledError:
        raise WorkerFailed(i, "was cancelled by the executor (its scheduler or workers went away)") from None
    except Exception as e:  # noqa: BLE001 (a cluster's own failure: a worker that cannot unpickle the task, ...)
        raise WorkerFailed(i, f"failed: {_failure(e)}") from None


def _failure(e: BaseException) -> str:
    """``Type: message`` of an unexpected exception, for the parent's one-line error."""
    return f"{type(e).__name__}: {e}" if str(e) else type(e).__name__


@contextmanager
def _sigint_blocked() -> Iterator[None]:
    """SIGINT held back while workers start, so each starts with it blocked and ignores it before it can arrive; a
    Ctrl-C pressed meanwhile is delivered here afterwards, as ``KeyboardInterrupt``."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


__all__ = ["MIN_PARALLEL_WORK", "MIN_SHARE", "Stopped", "WorkerFailed", "local_executor", "post", "results_as_done",
           "run_sweep", "shares", "start_method", "start_resource_tracker", "usable_cpus", "worker_count",
           "worker_should_stop"]
