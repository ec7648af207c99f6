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
result (killed, out of memory) is noticed through its process sentinel. Ctrl-C: workers ignore SIGINT (it is blocked
from before they start until they ignore it), so only this process sees ``KeyboardInterrupt``; it terminates them on
the way out. A worker whose parent has gone (killed) stops at its next epoch.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from multiprocessing.connection import Connection, wait
from typing import cast

import numpy as np

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
        progress: called now and then (at most every ``PROGRESS_EVERY`` seconds per share) with the epochs the
            slowest share has run and the members solved so far, in this process.

    Raises:
        LabError: bad seeds or ``jobs``, the sweep's own errors (every row held out), or a worker that failed.
    """
    seeds = member_seeds(experiment, seeds)
    workers = worker_count(experiment, len(seeds), jobs)
    if workers == 1:
        sweep = Sweep(experiment, seeds, keep_history=keep_history)
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
    """Train each share in a worker process; their results in order. The workers are gone when this returns.
    A worker sends ``("progress", epoch, solved)`` now and then (when ``progress`` is wanted), then its result."""
    context = multiprocessing.get_context(method)
    # Every concrete context (fork, spawn, forkserver) has Process; typeshed's BaseContext does not declare it.
    process = context.Process  # type: ignore[attr-defined]
    workers: list[multiprocessing.process.BaseProcess] = []
    pending: dict[Connection, int] = {}
    try:
        with _sigint_blocked():
            for i, share in enumerate(parts):
                receiver, sender = context.Pipe(duplex=False)
                pending[receiver] = i
                worker = process(target=_worker,
                                 args=(experiment, share, keep_history, sender, os.getpid(), progress is not None),
                                 name=f"nnlab sweep {i + 1}/{len(parts)}", daemon=True)
                try:
                    worker.start()
                except OSError as e:
                    raise LabError(f"sweep: could not start worker {i + 1} of {len(parts)}: {e}") from None
                finally:
                    sender.close()  # the worker holds the sending end: reading sees EOF once it has gone
                workers.append(worker)
        results: list[SweepArrays | None] = [None] * len(parts)
        epochs, solved = [0] * len(parts), [0] * len(parts)
        while pending:
            sentinels = {workers[i].sentinel: conn for conn, i in pending.items()}
            for ready in wait([*pending, *sentinels]):
                conn = sentinels[ready] if isinstance(ready, int) else cast(Connection, ready)
                if conn not in pending:  # both its pipe and its sentinel were ready: already read
                    continue
                i = pending[conn]
                message = _next(conn)
                if message is not None and message[0] == "progress":
                    epochs[i], solved[i] = message[1], message[2]
                    if progress is not None:
                        progress(min(epochs), sum(solved))
                    continue
                del pending[conn]
                conn.close()
                results[i] = _result(message, workers[i], i, len(parts))
        return results  # type: ignore[return-value]
    finally:
        for conn in pending:
            conn.close()
        for worker in workers:
            if worker.is_alive():
                worker.terminate()
            worker.join()


def _next(conn: Connection) -> tuple | None:
    """The next message a worker sent on ``conn``, or None when there is none (the worker has gone)."""
    try:
        return conn.recv() if conn.poll() else None
    except (EOFError, OSError):
        return None


def _result(message: tuple | None, worker: multiprocessing.process.BaseProcess, i: int, n: int) -> SweepArrays:
    """Worker ``i``'s results from its last ``message``, or a one-line ``LabError``: its own, or saying how it
    failed."""
    kind, payload = message if message is not None else (None, None)
    if kind == "done":
        return payload
    if kind == "lab":
        raise LabError(payload)
    if kind == "failed":
        raise LabError(f"sweep worker {i + 1} of {n} failed: {payload}")
    worker.join()
    code = worker.exitcode
    how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit status {code}"
    raise LabError(f"sweep worker {i + 1} of {n} ended without a result ({how})")


def _worker(experiment: Experiment, seeds: list[int], keep_history: bool, conn: Connection, parent: int,
            report: bool = False) -> None:
    """A worker process: train one share to the end and send ``("done", SweepArrays)``, or ``("lab", message)`` for
    a ``LabError``, or ``("failed", "Type: message")`` for anything else; never a traceback. With ``report``,
    ``("progress", epoch, solved)`` every ``PROGRESS_EVERY`` seconds before that."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent alone answers Ctrl-C, and ends the workers
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    try:
        sweep = Sweep(experiment, seeds, keep_history=keep_history)
        tell = _every(PROGRESS_EVERY, lambda epoch, solved: conn.send(("progress", epoch, solved))) if report else None
        sweep.run(should_stop=lambda: os.getppid() != parent, on_epoch=tell)  # parent gone: nobody wants the result
        message: tuple[str, object] = ("done", sweep.arrays())
    except LabError as e:
        message = ("lab", str(e))
    except BaseException as e:  # noqa: BLE001 (a worker reports every failure as one line, never a traceback)
        message = ("failed", _failure(e))
    try:
        conn.send(message)
    except (OSError, ValueError):  # the parent has gone or stopped listening
        pass
    except Exception as e:  # the results would not pickle (out of memory): say so instead  # noqa: BLE001
        with suppress(OSError, ValueError):
            conn.send(("failed", _failure(e)))
    finally:
        conn.close()


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


__all__ = ["MIN_PARALLEL_WORK", "MIN_SHARE", "run_sweep", "shares", "start_method", "usable_cpus",
           "worker_count"]
