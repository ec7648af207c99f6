"""The pacing of the training and sweep workers: one paced, cancellable loop (``paced_loop``) that steps the core
and reports, with no widget in sight (the training worker's use of it is ``lab.ui.run.train_loop``; the sweep
worker's ``lab/ui/sweep_loop.py``).

The loop runs the work in chunks (a chunk lasts about ``Tuning.chunk`` seconds, so the interface never waits longer
than that for a lock the chunk holds), and the work checks ``cancelled()`` before every epoch inside a chunk. Before
every chunk it waits while the interface is handling a key (``wait``, the app scheduler's ``wait_for_interface``).
Throttled (``per_tick() > 0``), it runs that many epochs per ``Tuning.tick``; unthrottled, it rests ``Tuning.rest``
seconds after every ``Tuning.burst`` so the interface thread has the interpreter to itself now and then. It reports
at most every ``interval`` seconds while running and once at the end.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from lab.core.errors import LabError
from lab.tuning import Tuning


def paced_loop(advance: Callable[[int], tuple[int, bool]], cancelled: Callable[[], bool],
               report: Callable[[bool], None], failed: Callable[[str], object], *, interval: float = Tuning.tick,
               wait: Callable[[], None] = lambda: None, per_tick: Callable[[], int] = lambda: 0,
               max_chunk: int | None = None, tuning: Tuning | None = None,
               clock: Callable[[], float] = time.perf_counter) -> None:
    """Run ``advance`` in paced chunks until the work is finished, falls short, or ``cancelled()``.

    Args:
        advance: ``advance(n)`` runs at most n epochs and returns (epochs run, finished); it polls ``cancelled``
            before every epoch itself.
        cancelled: the worker's cancellation check.
        report: ``report(running)``, called at most every ``interval`` seconds while running and once at the end
            with ``running`` False.
        failed: called with the core's one-line message when ``advance`` raises a ``LabError``; nothing more is
            reported then.
        wait: called before every chunk (the interface's key-press hold).
        per_tick: epochs per ``tuning.tick`` seconds, 0 for as fast as it goes; read before every chunk.
        max_chunk: epochs per chunk at the most (1: ``wait`` before every epoch; default ``tuning.max_chunk``).
        tuning: the pacing (``tick``, ``chunk``, ``burst``, ``rest``; default ``Tuning()``).
        clock: seconds on a steady clock (tests give their own).
    """
    tuning = tuning if tuning is not None else Tuning()
    max_chunk = tuning.max_chunk if max_chunk is None else max_chunk
    last_post = tick_start = clock()
    tick_epochs = 0
    chunk = 1  # epochs per chunk, adapted to last about tuning.chunk seconds
    while not cancelled():
        throttle = per_tick()
        want = min(chunk, throttle - tick_epochs) if throttle else chunk
        wait()
        started = clock()
        try:
            ran, finished = advance(want)
        except LabError as e:
            failed(str(e))
            return
        now = clock()
        if ran and now > started:
            chunk = max(1, min(max_chunk, int(ran * tuning.chunk / (now - started)) or 1))
        tick_epochs += ran
        if finished or ran < want:
            break
        if now - last_post >= interval:
            report(True)
            last_post = now
        if not throttle:
            if now - tick_start >= tuning.burst:
                time.sleep(tuning.rest)
                tick_start = clock()
        elif tick_epochs >= throttle:
            # Throttled: wait out the rest of the tick in small slices so a cancel is seen quickly.
            while not cancelled() and clock() - tick_start < tuning.tick:
                time.sleep(0.005)
            tick_start, tick_epochs = clock(), 0
    report(False)
