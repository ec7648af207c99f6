"""The bodies of the training and sweep workers: one paced, cancellable loop (``paced_loop``) that steps the core
and reports, with no widget in sight, and the training worker's use of it (``train_loop``; the sweep worker's is
``lab/ui/sweep_loop.py``).

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

from textual.message import Message

from lab.core.errors import LabError
from lab.tuning import Tuning
from lab.ui.messages import TrainingFailed, TrainingProgress
from lab.ui.session import Session


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


def train_loop(session: Session, cancelled: Callable[[], bool], post: Callable[[Message], object],
               interval: float = Tuning.tick, wait: Callable[[], None] = lambda: None,
               tuning: Tuning | None = None) -> None:
    """Train the session's trainer until the run is done, a new run replaces it, or ``cancelled()``; post
    ``TrainingProgress`` messages on the way (``TrainingFailed`` when the core refuses to train). ``wait()`` comes
    before every chunk (the app scheduler's ``wait_for_interface``); ``tuning`` paces the loop."""
    run_id = session.run_id
    last_post = time.perf_counter()
    epochs_at_post = session.trainer.epoch

    def stop() -> bool:
        return cancelled() or session.run_id != run_id

    def advance(epochs: int) -> tuple[int, bool]:
        with session.lock:
            trainer = session.trainer
            before = trainer.epoch
            trainer.run(epochs=epochs, should_stop=stop)
            session.record_health(force=trainer.done)
            return trainer.epoch - before, trainer.done

    def report(running: bool) -> None:
        nonlocal last_post, epochs_at_post
        now = time.perf_counter()
        with session.lock:
            if session.run_id != run_id:
                return
            if not running:
                session.record_health(force=True)  # the weights as the run leaves them
            rate = (session.trainer.epoch - epochs_at_post) / max(now - last_post, 1e-9)
            post(TrainingProgress(session.snapshot(running, rate)))
            epochs_at_post = session.trainer.epoch
        last_post = now

    paced_loop(advance, stop, report, lambda message: post(TrainingFailed(run_id, message)), interval=interval,
               wait=wait, per_tick=lambda: session.epochs_per_tick, tuning=tuning)
