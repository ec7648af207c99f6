"""How many threads BLAS may use for nnlab's training work: one, set around the work, never at import.

The rule, stated once: **the maths of training runs on one BLAS thread.** nnlab's networks are at most 8 inputs, 8
hidden layers of 64 units and 256 rows, so every matrix product is at most (256 x 64) @ (64 x 64), about a million
multiply-adds: a few tens of microseconds on one core, less than it costs OpenBLAS to wake, hand out and join a
second thread. Measured on the project's 2-core machine (``benchmarks/bench_deep.py``, 8 inputs, 256 rows, 8 x 64,
shared with other work): an epoch of that network took 1.3-2.3 ms on one BLAS thread and 11-16 ms on two, and with
every core busy 2.6-7 ms on one against 57-122 ms on two (the second thread spins waiting for a core that another
process, or the interface, holds); the issue that asked for this rule saw 13-14 ms against 276-294 ms. Sweeps and
searches already use the cores through processes (one per core, ``lab.core.sweep_jobs``), where a second BLAS thread
in each would only fight the other process. No benchmark has shown a gain from more threads for any network nnlab
allows, so there is no case for more.

The limit is threadpoolctl's context manager (``blas_threads``) around the work: set when training starts, restored
when it returns, so a program that imports nnlab as a library keeps its own BLAS settings outside nnlab's calls, and
nothing is set at import or by an environment variable. threadpoolctl reads which BLAS libraries are loaded once (a
``ThreadpoolController`` kept after the first call); entering and leaving the limit then costs about 6 microseconds.
The limit is process-wide while it holds (BLAS has one thread count per process), so two threads that train at once
share it: both want one thread, which is what they get.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from threadpoolctl import ThreadpoolController

TRAINING_THREADS = 1  # BLAS threads for training (see the module notes for why one)


@cache
def _controller() -> ThreadpoolController:
    """The BLAS libraries loaded in this process, found once (NumPy's OpenBLAS is loaded by the time training runs)."""
    return ThreadpoolController()


@contextmanager
def blas_threads(threads: int = TRAINING_THREADS) -> Iterator[None]:
    """BLAS limited to ``threads`` while the block runs; the previous limits restored after it. A library already
    at ``threads`` or fewer is left alone: setting OpenBLAS's thread count in a forked process re-creates its thread
    pool, whose idle threads then spin for about 0.1 s of a core (``sweep_jobs`` forks its workers inside this
    limit, so they start at one thread and need not set it)."""
    controller = _controller().select(user_api="blas")
    if all(lib.num_threads <= threads for lib in controller.lib_controllers):
        yield
        return
    with controller.limit(limits=threads):
        yield


__all__ = ["TRAINING_THREADS", "blas_threads"]
