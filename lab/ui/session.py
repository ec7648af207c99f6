"""The training session: the one trainer the app and its worker share, behind a lock.

The worker holds the lock for one epoch at a time; the app holds it to change the table or learning rate, to read
predictions, or to step by hand. Neither ever waits longer than one epoch.

The interface's claim on the interpreter while the worker trains (its holds) is ``lab.ui.scheduling``'s.
"""

from __future__ import annotations

import threading
import time

import numpy as np

from lab.core.experiment import Experiment
from lab.core.inspect.health import HealthHistory
from lab.core.train import Trainer
from lab.tuning import Tuning
from lab.ui.messages import HistorySlice, Snapshot


class Session:
    """Owns the trainer, its lock and its run id.

    Attributes:
        trainer: the current trainer (replaced by ``reset``).
        run_id: increases with every new trainer.
        lock: guards ``trainer``.
        epochs_per_tick: epochs the worker runs per 0.1 s tick; 0 means unthrottled.
        health: the weight and gradient norms over the run (the weights-over-time view), recorded whatever is on
            screen; guarded by ``lock``.
        health_interval: seconds between weight-norm samples while training, at the least.
    """

    def __init__(self, experiment: Experiment, trainer: Trainer | None = None,
                 health_interval: float = Tuning.health_interval) -> None:
        self.lock = threading.Lock()
        self.trainer = trainer if trainer is not None else Trainer(experiment)
        self.run_id = 0
        self.sent = 0  # epochs of history already posted: a loaded trainer's history is still to be shown
        self.epochs_per_tick = 20
        self.health = HealthHistory()
        self.health_interval = health_interval
        self._health_due = 0.0
        self.record_health(force=True)

    @property
    def experiment(self) -> Experiment:
        """The experiment being trained."""
        return self.trainer.experiment

    def reset(self, experiment: Experiment) -> None:
        """Start afresh: a new trainer with new weights drawn from ``experiment``'s seed."""
        self.load(Trainer(experiment))

    def load(self, trainer: Trainer) -> None:
        """Continue from ``trainer`` (a new run id: snapshots of the old trainer are ignored)."""
        with self.lock:
            self.trainer = trainer
            self.run_id += 1
            self.sent = 0
            self.health = HealthHistory()
            self.record_health(force=True)

    def record_health(self, force: bool = False) -> None:
        """Sample the weight norms for ``health`` when one is due and ``health_interval`` has passed since the
        last (``force``: whenever the epoch is new: the end of a run, a step by hand). Call with the lock held."""
        now = time.monotonic()
        if (force or now >= self._health_due) and self.health.offer(self.trainer, force):
            self._health_due = now + self.health_interval

    def snapshot(self, running: bool, epochs_per_second: float = 0.0) -> Snapshot:
        """Build a snapshot of the trainer, with the history not yet sent. Call with the lock held."""
        t = self.trainer
        h = t.history
        start = self.sent
        history = HistorySlice(start, tuple(h.loss[start:]), tuple(h.accuracy[start:]),
                               tuple(h.heldout_loss[start:]), tuple(h.heldout_accuracy[start:]))
        self.sent = len(h)
        outputs = tuple(tuple(float(v) for v in row) for row in t.predict())
        return Snapshot(self.run_id, t.epoch, t.status, running, history, outputs, t.solved_epoch,
                        t.diverged_epoch, epochs_per_second)

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The network's outputs for ``x`` (n, n_inputs) -> (n, n_outputs)."""
        with self.lock:
            return self.trainer.predict(x)
