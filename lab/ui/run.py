"""The run: the one owner of the trainer, its worker thread, its pacing, and the rule that one job trains at a time.

Who may start the trainer? Only ``Run.start`` (the training worker) and ``Run.step`` (one epoch by hand). A seeds
sweep starts only through ``Run.sweep``, and the tune view's search asks ``Run.stop`` first (``Run.pause_for_search``):
so a sweep and training never run at once, by this file's rule and not by a worker group shared with another widget.
Nothing else in ``lab/ui`` imports the trainer (``tests/ui/test_run_owner.py`` scans for it).

Three layers, each testable alone:

- ``Session``: the one trainer, its lock and run id, and the weight-norm samples (no Textual);
- ``RunControl``: what each run command does to the session, returning a ``Note``, a ``Snapshot`` or a question
  (no Textual; ``tests/ui/test_run_control.py`` tests it without Pilot);
- ``Run``: the invisible widget that owns the worker and takes the commands; its worker posts ``TrainingProgress``
  (a frozen ``Snapshot``, at most every ``interval`` seconds and once at the end) and ``TrainingFailed`` to the app.
  Everything a view or a file needs of the trainer it asks ``Run`` for, as a frozen copy.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Protocol, TypeAlias

import numpy as np
from textual import work
from textual.message import Message
from textual.widget import Widget
from textual.worker import Worker, WorkerState, get_current_worker

from lab.core import inspect as ins
from lab.core.errors import LabError
from lab.core.experiment import Experiment, stepped_lr
from lab.core.hints import Hint, run_hints
from lab.core.inspect import GradCheck, trainer_gradient_check
from lab.core.inspect.health import HealthHistory, WeightHealth
from lab.core.lessons import LabState
from lab.core.train import Trainer, TrainingState
from lab.timings import Timings
from lab.ui.lesson_state import Shown
from lab.ui.messages import (
    DIVERGED,
    IDLE,
    PAUSED,
    SOLVED,
    TRAINING,
    HistorySlice,
    Snapshot,
    TrainingFailed,
    TrainingProgress,
)
from lab.ui.run_rules import SPEEDS, Note, Step, pace_text, speed_for, training_rows_note
from lab.ui.training_loop import paced_loop

Trained: TypeAlias = Trainer
"""A trained network as a file or an autosave yields it: only handed on to ``Run.load`` (``LabApp(trainer=...)``)."""

WORKER_GROUP = "training"
"""The training worker's group (the seeds view's sweep has its own: the exclusion is ``Run``'s rule)."""

GRADCHECK_ALL_PARAMS = 2000  # a gradient check samples 200 parameters of a bigger network


class Session:
    """Owns the trainer, its lock and its run id.

    The worker holds the lock for one chunk of epochs at a time; the interface holds it to change the table or the
    learning rate, to read predictions or a frozen state, or to step by hand. Neither waits longer than a chunk.

    Attributes:
        trainer: the current trainer (replaced by ``start_afresh``).
        run_id: increases with every new trainer.
        lock: guards ``trainer``.
        epochs_per_tick: epochs the worker runs per 0.1 s tick; 0 means unthrottled.
        health: the weight and gradient norms over the run (the weights-over-time view), recorded whatever is on
            screen; guarded by ``lock``.
        health_interval: seconds between weight-norm samples while training, at the least.
    """

    def __init__(self, experiment: Experiment, trainer: Trainer | None = None,
                 health_interval: float = Timings.health_interval) -> None:
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

    def start_afresh(self, experiment: Experiment) -> None:
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


class RunControl:
    """The run's commands and state around one ``Session``, without the interface.

    Each command returns what the interface must do next: a ``Note`` to show, a ``Snapshot`` to draw, or a question
    to ask first (``discard_question``).

    Attributes:
        session: the trainer, its lock and run id.
        experiment: the experiment as the person set it (a change that needs a new network is adopted by
            ``start_afresh``).
        dirty: changed since the autosave last took it.
        saved_at: (run id, epoch) of the trained state last saved or opened: replacing it loses nothing.
        rescored: (run id, epoch) whose recorded scores predate an edit of the table, else None.
    """

    def __init__(self, experiment: Experiment, trainer: Trainer | None = None, saved: bool = False,
                 timings: Timings | None = None) -> None:
        """Start on ``experiment``, or on a loaded ``trainer`` (``saved``: it is as its file has it); ``timings``
        gives the length of a tick (the speeds' unit) and how often weight norms are sampled."""
        self.timings = timings = timings if timings is not None else Timings()
        self.session = Session(experiment, trainer, health_interval=timings.health_interval)
        self.experiment = trainer.experiment if trainer is not None else experiment
        self.dirty = False
        self.saved_at: tuple[int, int] | None = (0, trainer.epoch) if saved and trainer is not None else None
        self.rescored: tuple[int, int] | None = None

    @property
    def trainer(self) -> Trainer:
        """The session's current trainer."""
        return self.session.trainer

    def state(self, running: bool) -> str:
        """idle, training, paused, solved or diverged (``running``: the worker trains)."""
        t = self.trainer
        if running:
            return TRAINING
        if t.diverged_epoch is not None:
            return DIVERGED
        if t.solved_epoch is not None and t.done:
            return SOLVED  # finished, and solved: a run that can go on is paused (the status adds "solved at")
        return IDLE if t.epoch == 0 else PAUSED

    def start_refusal(self) -> Note | None:
        """Why training cannot start (the budget is spent, the stop rule fired, no row to train on), or None."""
        t = self.trainer
        status = t.status
        if status == "budget":
            return Note(f"The budget of {t.experiment.training.epochs:,} epochs is spent: space offers to train on "
                        "(or raise Epochs in the architecture pane), r resets.", "warning")
        if status in ("solved", "loss-reached"):
            return Note(f"The stop rule '{t.experiment.training.stop}' has fired: set Stop to budget to train on, "
                        "or press r to reset.", "warning")
        return training_rows_note(t.experiment.table)

    def step(self) -> Step:
        """Train exactly one epoch (the worker must be stopped first)."""
        with self.session.lock:
            t = self.trainer
            if t.done and t.status != DIVERGED:
                return Step(None, Note("The run is over (budget or stop rule): press r to reset.", "warning"))
            try:
                t.step()
            except LabError as e:
                return Step(None, Note(str(e), "error"))
            self.session.record_health(force=True)
            snapshot = self.session.snapshot(False)
        self.dirty = True
        note = None
        if snapshot.diverged_epoch is not None:
            note = Note(f"Diverged at epoch {snapshot.diverged_epoch}.", "error")
        return Step(snapshot, note)

    def finished_note(self, snapshot: Snapshot) -> Note | None:
        """What to say when the worker's last ``snapshot`` ends a run: it diverged, or spent its budget unsolved."""
        if snapshot.running:
            return None
        if snapshot.diverged_epoch is not None:
            return Note(f"Diverged at epoch {snapshot.diverged_epoch}: the loss or a weight became NaN or infinite. "
                        f"Training is paused with the last finite weights; lower the learning rate ([) and "
                        f"press space to go on, or r to reset.", "error", "Diverged", 10)
        if snapshot.status == "budget" and snapshot.solved_epoch is None:
            return Note(f"The budget of {self.trainer.experiment.training.epochs:,} epochs is spent "
                        "without solving the gate: space offers to train on.", "warning")
        return None

    def discard_question(self, reason: str) -> str | None:
        """The question to ask before replacing the trained network for ``reason``; None when nothing would be
        lost (it has not trained, or it is as it was last saved or opened)."""
        trainer = self.trainer
        if trainer.epoch == 0 or self.saved_at == (self.session.run_id, trainer.epoch):
            return None
        return f"{reason}: discard the trained weights ({trainer.epoch:,} epochs, not saved)?"

    def mark_saved(self, marker: tuple[int, int] | None = None) -> None:
        """The trained state as it is now (or as it was at ``marker``, from ``saved_marker``) was saved or opened:
        replacing it asks nothing."""
        self.saved_at = marker if marker is not None else self.saved_marker()

    def saved_marker(self) -> tuple[int, int]:
        """(run id, epoch) of the trained state now (read before a save: a running trainer only moves on)."""
        return self.session.run_id, self.trainer.epoch

    def start_afresh(self, experiment: Experiment) -> Snapshot:
        """Adopt ``experiment`` with new weights from its seed (the worker must be stopped first)."""
        self.experiment = experiment
        self.session.start_afresh(experiment)
        return self._fresh()

    def load(self, trainer: Trainer) -> Snapshot:
        """Continue from a loaded ``trainer`` (the worker must be stopped first)."""
        self.session.load(trainer)
        self.experiment = trainer.experiment
        return self._fresh()

    def _fresh(self) -> Snapshot:
        self.dirty = True
        with self.session.lock:
            return self.session.snapshot(False)

    def continue_with(self, experiment: Experiment, running: bool) -> Snapshot | None:
        """Adopt ``experiment`` live when the network can continue (the snapshot to show); None when it needs a
        new network (``start_afresh``, after ``discard_question``)."""
        trainer = self.trainer
        if not trainer.can_continue(experiment):
            return None
        with self.session.lock:
            if experiment.table != trainer.experiment.table:
                self.rescored = (self.session.run_id, trainer.epoch)  # the last epoch scored another table
            trainer.set_experiment(experiment)
            snapshot = self.session.snapshot(running)
        self.experiment = experiment
        self.dirty = True
        return snapshot

    def set_parameter(self, layer: int, i: int, j: int | None, value: float, running: bool) -> Snapshot | Note:
        """Set weight ``W[layer][i, j]`` (``j`` None: bias ``b[layer][i]``) to ``value`` by hand: the snapshot to
        show (its outputs are the network's with the new value), or why it cannot be. The trained state is then
        not the saved one (replacing it asks first)."""
        with self.session.lock:
            net = self.trainer.net
            try:
                if not np.isfinite(value):
                    raise LabError(f"a weight must be a finite number, got {value!r}")
                if not 0 <= layer < net.shape.n_layers:
                    raise LabError(f"layer {layer} is not between 0 and {net.shape.n_layers - 1}")
                index: tuple[int, ...]
                if j is None:
                    bias = net.b[layer]
                    if bias is None:
                        raise LabError("this network has no biases")
                    target, index = bias, (i,)
                else:
                    target, index = net.W[layer], (i, j)
                if not all(0 <= k < n for k, n in zip(index, target.shape, strict=True)):
                    raise LabError(f"{'b' if j is None else 'W'}{layer + 1}{list(index)} is outside "
                                   f"{'x'.join(map(str, target.shape))}")
            except LabError as e:
                return Note(str(e), "error")
            target[index] = value
            self.session.record_health(force=True)
            snapshot = self.session.snapshot(running)
        self.dirty = True
        if self.saved_at == (self.session.run_id, snapshot.epoch):
            self.saved_at = None
        return snapshot

    def lr_changed(self, direction: int) -> Experiment | Note:
        """The experiment with its learning rate halved (-1) or doubled (+1), or why it cannot be."""
        try:
            return self.experiment.with_training(lr=stepped_lr(self.experiment.training.lr, direction))
        except LabError as e:
            return Note(str(e), "warning")

    def change_speed(self, direction: int) -> None:
        """Train fewer (-1) or more (+1) epochs per tick (the last step is unthrottled)."""
        i = SPEEDS.index(self.session.epochs_per_tick) if self.session.epochs_per_tick in SPEEDS else 2
        self.session.epochs_per_tick = SPEEDS[max(0, min(len(SPEEDS) - 1, i + direction))]

    def pace_budget(self) -> str:
        """Raise the speed so that the epochs left in the budget train within ``RUN_WITHIN`` seconds; the pace in
        words (``15,000 epochs at 100/tick: about 15 s``)."""
        t = self.trainer
        left = max(t.experiment.training.epochs - t.epoch, 0)  # until stopped: no budget to pace, the speed stays
        self.session.epochs_per_tick = speed_for(left, self.session.epochs_per_tick, self.timings.tick)
        return pace_text(left, self.session.epochs_per_tick, self.timings.tick)

    def scores(self) -> tuple[float | None, float | None, float | None]:
        """The loss and the accuracy on the trained rows and the accuracy on the held-out rows to show: the last
        epoch's, or after an edit of the table (until the next epoch scores it) the network's as it stands on the
        table as it stands (``Trainer.scores_now``), so every figure belongs to one table and one set of weights."""
        h = self.trainer.history
        loss = h.loss[-1] if h.loss else None
        accuracy = h.accuracy[-1] if h.accuracy else None
        heldout = h.heldout_accuracy[-1] if h.heldout_accuracy else None
        if not h.accuracy or self.rescored != (self.session.run_id, self.trainer.epoch):
            return loss, accuracy, heldout
        with self.session.lock:
            now = self.trainer.scores_now()
        return now.loss, now.accuracy, now.heldout_accuracy

    def spent_budget(self) -> SpentBudget | None:
        """The run's budget when it is spent (space then offers to go on), else None."""
        t = self.trainer
        if t.status != "budget":
            return None
        return SpentBudget(t.experiment.training.budget, t.epoch, t.solved_epoch)


def train_loop(session: Session, cancelled: Callable[[], bool], post: Callable[[Message], object],
               interval: float = Timings.tick, wait: Callable[[], None] = lambda: None,
               timings: Timings | None = None) -> None:
    """Train the session's trainer until the run is done, a new run replaces it, or ``cancelled()``; post
    ``TrainingProgress`` messages on the way (``TrainingFailed`` when the core refuses to train). ``wait()`` comes
    before every chunk (the interface's hold); ``timings`` paces the loop (``lab.ui.training_loop.paced_loop``)."""
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
               wait=wait, per_tick=lambda: session.epochs_per_tick, timings=timings)


def lab_state(t: Trainer, shown: Shown, outputs: tuple[tuple[float, ...], ...] | None = None,
              run_id: int = 0) -> LabState:
    """The lab's state now: trainer ``t`` (run ``run_id``) and what is ``shown``; ``outputs`` are the latest
    snapshot's (else predicted here). A sweep counts only when it is of the experiment in the lab now. Call with the
    session lock held."""
    h = t.history
    if outputs is None:
        outputs = tuple(tuple(float(v) for v in row) for row in t.predict())
    gates: tuple[str, ...] = ()
    if t.experiment.architecture.layers:
        gates = tuple(g.name for g in ins.hidden_gates(t.net, t.experiment.table) if g.name)
    pinned, done = shown.pinned, shown.latest
    if done is not None and not (done.finished and done.stats is not None and done.experiment == t.experiment):
        done = None  # only a finished sweep of what is in the lab counts
    return LabState(
        experiment=t.experiment, epoch=t.epoch, loss=h.loss[-1] if h.loss else None,
        accuracy=h.accuracy[-1] if h.accuracy else None,
        heldout_accuracy=h.heldout_accuracy[-1] if h.heldout_accuracy else None, lr=t.lr,
        solved_epoch=t.solved_epoch, diverged=t.diverged_epoch is not None, running=shown.running, outputs=outputs,
        cursor=shown.cursor, view=shown.view, log_scale=shown.log_scale,
        hidden_gates=gates, sweep_seeds=done.seeds if done is not None else 0,
        sweep_solved=done.stats.solved if done is not None and done.stats is not None else 0,
        pinned=pinned is not None, compared=done is not None and pinned is not None and pinned is not done
        and pinned.experiment != done.experiment, run=run_id, asked=shown.asked)


@dataclass(frozen=True)
class RunState:
    """A frozen copy of the run for a view or a file, taken under the lock and drawn or written outside it.

    Attributes:
        run_id: which trainer it comes from.
        experiment: the experiment being trained (the trainer's: with a live change, the person's).
        state: the weights, the optimiser state and the history (``Trainer.state()``).
        health: the weight and gradient norms over the run.
    """

    run_id: int
    experiment: Experiment
    state: TrainingState
    health: tuple[WeightHealth, ...]


@dataclass(frozen=True)
class SpentBudget:
    """A run that has spent its budget (``RunControl.spent_budget``): the budget, the epochs run and the epoch it
    solved the gate at, if it did."""

    budget: int
    epochs_run: int
    solved_epoch: int | None


@dataclass(frozen=True)
class RunStatus:
    """What the status line shows of the run, read at once.

    Attributes:
        state: idle, training, paused, solved or diverged.
        epoch: epochs trained.
        budget: the experiment's epoch budget.
        loss: the loss to show (``RunControl.scores``; None before the first epoch).
        accuracy: the accuracy on the trained rows to show (``RunControl.scores``).
        heldout_accuracy: the same on the held-out rows (None: none held out).
        solved_epoch: the epoch it first solved the gate, if it has.
        diverged_epoch: the epoch it diverged at, if it has.
        lr: the learning rate.
        epochs_per_tick: the speed (0: unthrottled).
    """

    state: str
    epoch: int
    budget: int
    loss: float | None
    accuracy: float | None
    heldout_accuracy: float | None
    solved_epoch: int | None
    diverged_epoch: int | None
    lr: float
    epochs_per_tick: int


class Sweeper(Protocol):
    """A view that sweeps seeds in its own worker (the ``SeedsView``): ``Run`` starts and stops it."""

    @property
    def sweeping(self) -> bool:
        """Whether its sweep is still training."""
        ...

    def sweep(self, experiment: Experiment, seeds: range, pin: bool = False) -> int:
        """Sweep ``experiment`` over ``seeds``."""
        ...

    def stop(self) -> None:
        """Cancel its sweep."""
        ...


class Run(Widget):
    """The training run: the one owner of the trainer, its worker and the rule that one job trains at a time.

    An invisible widget (``display: none`` in ``app.tcss``) so that its worker is its own. Commands are methods called
    on the interface thread; each returns what to show (a ``Snapshot``, a ``Note``, a ``Step``) and never touches
    another widget. While training, the worker posts ``TrainingProgress`` (at most every ``interval`` seconds, and
    once when it stops) and ``TrainingFailed`` to the app.

    Attributes:
        control: the run's state and Textual-free rules (the session, the experiment as set, saved or not).
        timings: the pacing of the worker.
        interval: seconds between two progress messages at the least.
        wait_for_interface: called by the worker before every chunk (the interface's hold).
        release_holds: called when the worker stops, so a worker waiting in a hold sees its cancellation at once.
    """

    def __init__(self, experiment: Experiment, trainer: Trainer | None = None, *, saved: bool = False,
                 timings: Timings | None = None, interval: float = Timings.tick,
                 wait_for_interface: Callable[[], None] = lambda: None,
                 release_holds: Callable[[], None] = lambda: None, sweepers: Callable[[], Iterable[Sweeper]] = tuple,
                 on_running: Callable[[bool], None] = lambda _: None,
                 id: str | None = None) -> None:
        """Start on ``experiment`` or a loaded ``trainer`` (``saved``: as its file has it). ``sweepers`` gives the
        views whose sweeps must stop when training starts; ``on_running`` hears every change of ``running``."""
        super().__init__(id=id)
        self.timings = timings if timings is not None else Timings()
        self.control = RunControl(experiment, trainer, saved=saved, timings=self.timings)
        self.interval = interval
        self.wait_for_interface = wait_for_interface
        self.release_holds = release_holds
        self._sweepers = sweepers
        self._sweepers_found: tuple[Sweeper, ...] = ()  # once composed: ``busy`` asks on every key, a query each costs
        self._on_running = on_running
        self._training = False
        self.hand_edits = 0
        """Weights or biases set by hand so far (a lesson's ``edited`` counts the ones in its step)."""
        self.steps_shown = 0
        """Step-throughs of one update opened so far (a lesson's ``stepped``)."""

    # --- what the run is ---------------------------------------------------------------------------------------------
    @property
    def session(self) -> Session:
        """The trainer behind its lock (for the tests and benchmarks; the interface asks the methods below)."""
        return self.control.session

    @property
    def experiment(self) -> Experiment:
        """The experiment as the person set it."""
        return self.control.experiment

    @property
    def running(self) -> bool:
        """Whether the training worker is (meant to be) running."""
        return self._training

    def _set_running(self, value: bool) -> None:
        self._training = value
        self._on_running(value)

    @property
    def busy(self) -> bool:
        """Whether a training thread is at work: training, or a seeds sweep (only then does the interface hold it)."""
        if not self._sweepers_found:
            self._sweepers_found = tuple(self._sweepers())
        return (self._training or any(w.group == WORKER_GROUP and w.is_running for w in self.workers)
                or any(s.sweeping for s in self._sweepers_found))

    @property
    def run_id(self) -> int:
        """Which trainer is current (a new one with every reset or load)."""
        return self.control.session.run_id

    @property
    def epochs_per_tick(self) -> int:
        """The speed: epochs per tick (0: unthrottled)."""
        return self.control.session.epochs_per_tick

    @epochs_per_tick.setter
    def epochs_per_tick(self, value: int) -> None:
        self.control.session.epochs_per_tick = value

    @property
    def dirty(self) -> bool:
        """Changed since the autosave last took it."""
        return self.control.dirty

    @dirty.setter
    def dirty(self, value: bool) -> None:
        self.control.dirty = value

    def state(self) -> str:
        """idle, training, paused, solved or diverged."""
        return self.control.state(self._training)

    def status(self) -> RunStatus:
        """What the status line shows."""
        loss, accuracy, heldout = self.control.scores()
        t = self.control.trainer
        return RunStatus(self.state(), t.epoch, t.experiment.training.epochs, loss, accuracy, heldout,
                         t.solved_epoch, t.diverged_epoch, t.lr, self.epochs_per_tick)

    def snapshot(self) -> Snapshot:
        """A snapshot of the run now, with the history not yet sent."""
        with self.control.session.lock:
            return self.control.session.snapshot(self._training)

    def frozen(self) -> RunState:
        """A frozen copy for a view or a file (taken under the lock, used outside it)."""
        session = self.control.session
        with session.lock:
            t = session.trainer
            return RunState(session.run_id, t.experiment, t.state(), tuple(session.health))

    def file_state(self) -> tuple[Experiment, TrainingState | None]:
        """What a file holds of the run: the experiment and, once it has trained, the state (the trainer's
        experiment then; the person's before)."""
        with self.control.session.lock:
            t = self.control.trainer
            state = t.state() if t.epoch else None
            return (t.experiment if state else self.control.experiment), state

    def n_layers(self) -> int:
        """Layers of weights in the network."""
        with self.control.session.lock:
            return self.control.trainer.net.shape.n_layers

    def n_inputs(self) -> int:
        """Inputs the network takes."""
        return self.control.trainer.net.shape.sizes[0]

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The network's outputs for ``x`` (n, n_inputs) -> (n, n_outputs)."""
        return self.control.session.predict(x)

    def lesson_view(self, shown: Shown | None,
                    outputs: tuple[tuple[float, ...], ...] | None = None) -> tuple[LabState | None, tuple[Hint, ...]]:
        """The lab's state for a lesson's checks (None when ``shown`` is None: no lesson open) and the event hints
        that hold now; ``outputs`` are the latest snapshot's."""
        with self.control.session.lock:
            t = self.control.trainer
            state = lab_state(t, shown, outputs, self.control.session.run_id) if shown is not None else None
            if state is not None:
                state = replace(state, edits=self.hand_edits, steps=self.steps_shown)
            return state, run_hints(t)

    def gradient_check(self) -> GradCheck | Note:
        """Backpropagation checked against centred differences on the weights now (a sample of 200 parameters on a
        big network), or why not."""
        with self.control.session.lock:
            trainer = self.control.trainer
            note = training_rows_note(trainer.experiment.table)
            if note is not None:
                return note
            samples = None if trainer.net.shape.n_params <= GRADCHECK_ALL_PARAMS else 200
            return trainer_gradient_check(trainer, samples=samples)

    # --- commands ----------------------------------------------------------------------------------------------------
    def start(self) -> Note | None:
        """Start the training worker (stopping any sweep: one job at a time), or say why it cannot start."""
        refusal = self.control.start_refusal()
        if refusal is not None:
            return refusal
        self._stop_sweeps()
        self._set_running(True)
        self._train()
        return None

    def stop(self) -> None:
        """Stop the training worker and any sweep; a worker waiting in a hold sees it at once."""
        self.workers.cancel_group(self, WORKER_GROUP)
        self._stop_sweeps()
        self._set_running(False)
        self.release_holds()

    def pause_for_search(self) -> None:
        """The tune view's search is about to use the machine: nothing else trains meanwhile."""
        self.stop()

    def sweep(self, view: Sweeper, experiment: Experiment, seeds: range, pin: bool = False) -> None:
        """Sweep ``experiment`` over ``seeds`` in ``view``'s worker, once training has stopped."""
        self.stop()
        view.sweep(experiment, seeds, pin=pin)

    def _stop_sweeps(self) -> None:
        for view in self._sweepers():
            view.stop()

    def step(self) -> Step:
        """Train exactly one epoch (pausing the worker first)."""
        if self._training:
            self.stop()
        return self.control.step()

    def start_afresh(self, experiment: Experiment) -> Snapshot:
        """Adopt ``experiment`` with new weights from its seed (asks nothing: ``discard_question`` first)."""
        self.stop()
        return self.control.start_afresh(experiment)

    def load(self, trainer: Trainer) -> Snapshot:
        """Continue from a loaded ``trainer``."""
        self.stop()
        return self.control.load(trainer)

    def continue_with(self, experiment: Experiment) -> Snapshot | None:
        """Adopt ``experiment`` live when the network can continue (the snapshot to show, training or not); None
        when it needs a new network (``start_afresh`` after ``discard_question``)."""
        return self.control.continue_with(experiment, self._training)

    def set_parameter(self, layer: int, i: int, j: int | None, value: float) -> Snapshot | Note:
        """Set weight ``W[layer][i, j]`` (layer from 0; ``j`` None: the bias ``b[layer][i]``) by hand, live; the
        snapshot to show (the table's outputs and the loss follow at once), or a ``Note`` saying why not."""
        answer = self.control.set_parameter(layer, i, j, value, self._training)
        if not isinstance(answer, Note):
            self.hand_edits += 1
        return answer

    def discard_question(self, reason: str) -> str | None:
        """The question to ask before replacing a trained, unsaved network for ``reason`` (None: ask nothing); read
        under the lock, so after ``stop`` its epoch count is the last (a worker ends its epoch first)."""
        with self.control.session.lock:
            return self.control.discard_question(reason)

    def spent_budget(self) -> SpentBudget | None:
        """The budget when the run has spent it (space offers to go on), else None."""
        return self.control.spent_budget()

    def mark_saved(self, marker: tuple[int, int] | None = None) -> None:
        """The state now (or at ``marker``, from ``saved_marker``) was saved or opened."""
        self.control.mark_saved(marker)

    def saved_marker(self) -> tuple[int, int]:
        """(run id, epoch) now, read before a save."""
        return self.control.saved_marker()

    def lr_changed(self, direction: int) -> Experiment | Note:
        """The experiment with its learning rate halved (-1) or doubled (+1), or why it cannot be."""
        return self.control.lr_changed(direction)

    def change_speed(self, direction: int) -> None:
        """Train fewer (-1) or more (+1) epochs per tick."""
        self.control.change_speed(direction)

    def pace_budget(self) -> str:
        """Raise the speed so the budget left trains within seconds; the pace in words."""
        return self.control.pace_budget()

    def finished_note(self, snapshot: Snapshot) -> Note | None:
        """What to say when the worker's last ``snapshot`` ends a run."""
        return self.control.finished_note(snapshot)

    # --- the worker --------------------------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, exit_on_error=False, group=WORKER_GROUP, name="training")
    def _train(self) -> None:
        """Train in a thread: calls the core, posts messages to the app (straight: each is seen once), never touches
        a widget."""
        worker = get_current_worker()
        train_loop(self.control.session, lambda: worker.is_cancelled, self.app.post_message, interval=self.interval,
                   wait=self.wait_for_interface, timings=self.timings)

    def heard(self, snapshot: Snapshot) -> bool:
        """Take in the worker's ``snapshot`` (the app calls this first on a ``TrainingProgress``): False when it comes
        from a trainer since replaced (show nothing)."""
        if snapshot.run_id != self.run_id:
            return False
        self.control.dirty = True
        if not snapshot.running:
            self._set_running(False)
        return True

    def failed(self) -> None:
        """The worker has failed (``TrainingFailed``): the run is paused."""
        self._set_running(False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker that raised: the run pauses and the app hears it as a ``TrainingFailed``."""
        if event.worker.group == WORKER_GROUP and event.state == WorkerState.ERROR:
            event.stop()
            self._set_running(False)
            self.app.post_message(TrainingFailed(self.run_id, f"Training stopped: {event.worker.error}", title="Error"))
