"""The body of the training worker: steps the session's trainer and reports, with no widget in sight.

Epochs run in chunks under the session lock (a chunk lasts about ``CHUNK`` seconds, so the interface never waits
longer than that for the lock), and ``cancelled()`` is checked before every epoch inside a chunk. Throttled, it runs
``session.epochs_per_tick`` epochs per 0.1 s tick; unthrottled, it rests ``REST`` seconds after every ``BURST`` so
the interface thread has the interpreter to itself now and then, and it waits while the interface is handling a key
(``Session.hold``). It posts a snapshot at most every ``interval``
seconds and once at the end.
"""

from __future__ import annotations

import time
from typing import Callable

from lab.core.errors import LabError
from lab.ui.messages import TrainingFailed, TrainingProgress
from lab.ui.session import Session

TICK = 0.1
CHUNK = 0.002
BURST = 0.02
REST = 0.001


def train_loop(session: Session, cancelled: Callable[[], bool], post: Callable[[object], object],
               interval: float = TICK) -> None:
    """Train until the run is done or ``cancelled()``; post ``TrainingProgress`` messages on the way."""
    run_id = session.run_id
    last_post = time.perf_counter()
    epochs_at_post = session.trainer.epoch
    tick_start, tick_epochs = last_post, 0
    chunk = 1  # epochs per lock hold, adapted to last about CHUNK seconds
    while not cancelled() and session.run_id == run_id:
        per_tick = session.epochs_per_tick
        want = min(chunk, per_tick - tick_epochs) if per_tick else chunk
        session.wait_for_interface()
        started = time.perf_counter()
        with session.lock:
            trainer = session.trainer
            before = trainer.epoch
            try:
                trainer.run(epochs=want, should_stop=cancelled)
            except LabError as e:
                post(TrainingFailed(run_id, str(e)))
                return
            ran = trainer.epoch - before
            finished = trainer.done
            session.record_health(force=finished)
        now = time.perf_counter()
        if ran and now > started:
            chunk = max(1, min(10_000, int(ran * CHUNK / (now - started)) or 1))
        tick_epochs += ran
        if finished or ran < want:
            break
        if now - last_post >= interval:
            with session.lock:
                rate = (session.trainer.epoch - epochs_at_post) / (now - last_post)
                post(TrainingProgress(session.snapshot(True, rate)))
                epochs_at_post = session.trainer.epoch
            last_post = now
        if not per_tick:
            if now - tick_start >= BURST:
                time.sleep(REST)
                tick_start = time.perf_counter()
        elif tick_epochs >= per_tick:
            # Throttled: wait out the rest of the tick in small slices so a cancel is seen quickly.
            while not cancelled() and time.perf_counter() - tick_start < TICK:
                time.sleep(0.005)
            tick_start, tick_epochs = time.perf_counter(), 0
    now = time.perf_counter()
    with session.lock:
        if session.run_id == run_id:
            session.record_health(force=True)
            rate = (session.trainer.epoch - epochs_at_post) / max(now - last_post, 1e-9)
            post(TrainingProgress(session.snapshot(False, rate)))
