"""The body of the training worker: steps the session's trainer and reports, with no widget in sight.

It checks ``cancelled()`` before every epoch, runs ``session.epochs_per_tick`` epochs per 0.1 s tick (or as many as
fit when unthrottled), and calls ``post`` with a snapshot at most every ``interval`` seconds and once at the end.
"""

from __future__ import annotations

import time
from typing import Callable

from lab.core.errors import LabError
from lab.ui.messages import Snapshot, TrainingFailed, TrainingProgress
from lab.ui.session import Session

TICK = 0.1


def train_loop(session: Session, cancelled: Callable[[], bool], post: Callable[[object], object],
               interval: float = TICK) -> None:
    """Train until the run is done or ``cancelled()``; post ``TrainingProgress`` messages on the way."""
    run_id = session.run_id
    last_post = time.perf_counter()
    epochs_at_post = session.trainer.epoch
    tick_start, tick_epochs = last_post, 0
    while True:
        if cancelled() or session.run_id != run_id:
            break
        with session.lock:
            trainer = session.trainer
            if trainer.done:
                break
            try:
                trainer.step()
            except LabError as e:
                post(TrainingFailed(run_id, str(e)))
                return
            if trainer.done:
                break
        tick_epochs += 1
        now = time.perf_counter()
        if now - last_post >= interval:
            with session.lock:
                rate = (session.trainer.epoch - epochs_at_post) / (now - last_post)
                post(TrainingProgress(session.snapshot(True, rate)))
                epochs_at_post = session.trainer.epoch
            last_post = now
        per_tick = session.epochs_per_tick
        if per_tick and tick_epochs >= per_tick:
            # Throttled: wait out the rest of the tick in small slices so a cancel is seen quickly.
            while not cancelled() and time.perf_counter() - tick_start < TICK:
                time.sleep(0.005)
            tick_start, tick_epochs = time.perf_counter(), 0
    now = time.perf_counter()
    with session.lock:
        if session.run_id == run_id:
            rate = (session.trainer.epoch - epochs_at_post) / max(now - last_post, 1e-9)
            post(TrainingProgress(session.snapshot(False, rate)))


__all__ = ["train_loop", "Snapshot"]
