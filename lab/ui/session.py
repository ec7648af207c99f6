"""The training session: the one trainer the app and its worker share, behind a lock.

The worker holds the lock for one epoch at a time; the app holds it to change the table or learning rate, to read
predictions, or to step by hand. Neither ever waits longer than one epoch.

Both threads also share one interpreter lock, and a thread that wants it back waits up to the switch interval (5 ms)
each time, several times per key press and per paint: a 12 ms repaint took 30 ms while the worker ran. So the app
``hold``s the session while the interface has work to show: a key press from its arrival until its effect is
painted, and a big change (a new chart, a redrawn view) from the moment it is marked until it is painted. The
worker waits between chunks until every hold is ``release``d (at most ``MAX_HOLD`` seconds after the last hold),
and meanwhile any other busy thread (the chart builder) hands the interpreter over within ``HELD_SWITCH_INTERVAL``.
"""

from __future__ import annotations

import sys
import threading
import time

import numpy as np

from lab.core.experiment import Experiment
from lab.core.inspect.health import HealthHistory
from lab.core.train import Trainer
from lab.ui.messages import HistorySlice, Snapshot

HEALTH_INTERVAL = 0.02  # seconds between weight-norm samples while training, at the least (about 1% of the time)
MAX_HOLD = 0.05  # the longest a key press pauses training, in seconds
HELD_SWITCH_INTERVAL = 0.0005  # seconds a thread may keep the interpreter from the interface thread during a hold
SWITCH_INTERVAL = sys.getswitchinterval()  # the interpreter's own, put back when a hold ends


class Session:
    """Owns the trainer, its lock and its run id.

    Attributes:
        trainer: the current trainer (replaced by ``reset``).
        run_id: increases with every new trainer.
        lock: guards ``trainer``.
        epochs_per_tick: epochs the worker runs per 0.1 s tick; 0 means unthrottled.
        health: the weight and gradient norms over the run (the weights-over-time view), recorded whatever is on
            screen; guarded by ``lock``.
    """

    def __init__(self, experiment: Experiment, trainer: Trainer | None = None) -> None:
        self.lock = threading.Lock()
        self.trainer = trainer if trainer is not None else Trainer(experiment)
        self.run_id = 0
        self.sent = 0  # epochs of history already posted: a loaded trainer's history is still to be shown
        self.epochs_per_tick = 20
        self.health = HealthHistory()
        self._health_due = 0.0
        self.record_health(force=True)
        self._interface_idle = threading.Event()
        self._interface_idle.set()
        self._hold_until = 0.0
        self._holders: set[str] = set()  # why the interface holds the worker ("input", "paint")
        self._hold_lock = threading.Lock()  # hold, release and a deadline's expiry, one at a time
        self.held_seconds = 0.0
        """Time the worker has spent waiting for the interface, in seconds (for the benchmark)."""

    def hold(self, reason: str = "input") -> None:
        """Ask the worker to wait before its next chunk until ``release(reason)``, and for at most ``MAX_HOLD``
        seconds from now (the interface has ``reason`` to handle: "input", a key or click; "paint", a big change
        to show). Holds for different reasons end separately."""
        with self._hold_lock:
            self._hold_until = time.monotonic() + MAX_HOLD
            self._holders.add(reason)
            if self._interface_idle.is_set():
                sys.setswitchinterval(HELD_SWITCH_INTERVAL)
                self._interface_idle.clear()

    def release(self, reason: str | None = "input") -> None:
        """End the hold for ``reason`` (``None``: every hold); the worker goes on once no hold is left."""
        with self._hold_lock:
            self._holders.discard(reason)
            if reason is None or not self._holders:
                self._release()  # clears every reason

    def held_for(self, reason: str) -> bool:
        """Whether the worker is held for ``reason``."""
        return reason in self._holders

    def _release(self) -> None:
        self._holders.clear()
        if not self._interface_idle.is_set():
            self._interface_idle.set()
            sys.setswitchinterval(SWITCH_INTERVAL)

    def wait_for_interface(self) -> None:
        """Called by the worker between chunks: wait while held, until released or the hold's deadline (so a lost
        release costs one ``MAX_HOLD`` at most; a key pressed meanwhile moves the deadline on)."""
        if self._interface_idle.is_set():
            return
        start = time.monotonic()
        while True:
            with self._hold_lock:
                remaining = self._hold_until - time.monotonic()
                if remaining <= 0:
                    self._release()  # the deadline passed: end the hold for every waiter
                    break
            if self._interface_idle.wait(remaining):
                break
        self.held_seconds += time.monotonic() - start

    @property
    def experiment(self) -> Experiment:
        """The experiment being trained."""
        return self.trainer.experiment

    def reset(self, experiment: Experiment) -> None:
        """Start afresh: a new trainer with new weights drawn from ``experiment``'s seed."""
        trainer = Trainer(experiment)
        with self.lock:
            self.trainer = trainer
            self.run_id += 1
            self.sent = 0
            self.health = HealthHistory()
            self.record_health(force=True)

    def load(self, trainer: Trainer) -> None:
        """Continue from a loaded trainer (a new run id: snapshots of the old trainer are ignored)."""
        with self.lock:
            self.trainer = trainer
            self.run_id += 1
            self.sent = 0
            self.health = HealthHistory()
            self.record_health(force=True)

    def record_health(self, force: bool = False) -> None:
        """Sample the weight norms for ``health`` when one is due and ``HEALTH_INTERVAL`` has passed since the
        last (``force``: whenever the epoch is new: the end of a run, a step by hand). Call with the lock held."""
        now = time.monotonic()
        if (force or now >= self._health_due) and self.health.offer(self.trainer, force):
            self._health_due = now + HEALTH_INTERVAL

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
