"""Run control: what the run keys do to the session, without the interface.

``RunControl`` is built around the ``Session`` (the one trainer, its lock) and holds the experiment the person has
set, whether it changed since the last autosave, and which trained state was last saved or opened. Each command
returns what the interface must do next: a ``Note`` to show, a ``Snapshot`` to draw, or a question to ask first
(``discard_question``). It never imports Textual, so every rule here is tested without Pilot; the app shows the
results and owns the worker.
"""

from __future__ import annotations

from dataclasses import dataclass

from lab.core.errors import LabError
from lab.core.experiment import Experiment
from lab.core.gates import TruthTable
from lab.core.rules import require_training_rows
from lab.core.train import Trainer, row_accuracy
from lab.tuning import Tuning
from lab.ui.messages import DIVERGED, IDLE, PAUSED, SOLVED, TRAINING, Snapshot
from lab.ui.session import Session

SPEEDS = (1, 5, 20, 100, 500, 0)  # epochs per 0.1 s tick; 0 = unthrottled
LR_FACTOR = 2.0
RUN_WITHIN = 15.0  # seconds a recipe's budget takes at the speed it starts at, at the most


@dataclass(frozen=True)
class Note:
    """One line to tell the person (a notification).

    Attributes:
        text: the line.
        severity: ``information``, ``warning`` or ``error``.
        title: the notification's title (empty: none).
        timeout: seconds it stays (None: the default).
    """

    text: str
    severity: str = "information"
    title: str = ""
    timeout: float | None = None


@dataclass(frozen=True)
class Step:
    """What a step by hand did: the snapshot to show (None: nothing trained) and a note (None: nothing to say)."""

    snapshot: Snapshot | None
    note: Note | None


def speed_label(per_tick: int) -> str:
    """``20/tick`` or ``max``."""
    return "max" if per_tick == 0 else f"{per_tick}/tick"


def speed_for(epochs: int, current: int, tick: float = Tuning.tick) -> int:
    """Epochs per tick to train ``epochs`` within ``RUN_WITHIN`` seconds: ``current`` when it does, else the
    slowest of ``SPEEDS`` that does (unthrottled when none does)."""
    def seconds(per_tick: int) -> float:
        return 0.0 if per_tick == 0 else epochs / per_tick * tick

    if seconds(current) <= RUN_WITHIN:
        return current
    return next((s for s in SPEEDS if s and seconds(s) <= RUN_WITHIN), 0)


def pace_text(epochs: int, per_tick: int, tick: float = Tuning.tick) -> str:
    """``15,000 epochs at 100/tick: about 15 s`` (unthrottled: as fast as the machine goes)."""
    if per_tick == 0:
        return f"{epochs:,} epochs at full speed"
    return f"{epochs:,} epochs at {per_tick}/tick: about {max(1, round(epochs / per_tick * tick)):,} s"


def training_rows_note(table: TruthTable) -> Note | None:
    """Why ``table`` cannot be trained (every row held out: the core's one rule, ``require_training_rows``) and how
    to fix it; None when it can."""
    try:
        require_training_rows(table)
    except LabError as e:
        text = str(e)
        return Note(f"{text[0].upper()}{text[1:]} (h toggles a row's hold).", "error")
    return None


class RunControl:
    """The run's commands and state around one ``Session``.

    Attributes:
        session: the trainer, its lock and run id.
        experiment: the experiment as the person set it (a change that needs a new network is adopted by ``reset``).
        dirty: changed since the autosave last took it.
        saved_at: (run id, epoch) of the trained state last saved or opened: replacing it loses nothing.
        rescored: (run id, epoch) whose recorded scores predate an edit of the table, else None.
    """

    def __init__(self, experiment: Experiment, trainer: Trainer | None = None, saved: bool = False,
                 tuning: Tuning | None = None) -> None:
        """Start on ``experiment``, or on a loaded ``trainer`` (``saved``: it is as its file has it); ``tuning``
        gives the length of a tick (the speeds' unit) and how often weight norms are sampled."""
        self.tuning = tuning = tuning if tuning is not None else Tuning()
        self.session = Session(experiment, trainer, health_interval=tuning.health_interval)
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
            return Note(f"The budget of {t.experiment.training.epochs:,} epochs is spent: raise Epochs in the "
                        "architecture pane, or press r to reset.", "warning")
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
                        "without solving the gate.", "warning")
        return None

    def discard_question(self, reason: str) -> str | None:
        """The question to ask before replacing the trained network for ``reason``; None when nothing would be
        lost (it has not trained, or it is as it was last saved or opened)."""
        trainer = self.trainer
        if trainer.epoch == 0 or self.saved_at == (self.session.run_id, trainer.epoch):
            return None
        return f"{reason}: discard the trained weights ({trainer.epoch:,} epochs, not saved)?"

    def mark_saved(self) -> None:
        """The trained state as it is now was saved or opened: replacing it asks nothing."""
        self.saved_at = (self.session.run_id, self.trainer.epoch)

    def reset(self, experiment: Experiment) -> Snapshot:
        """Adopt ``experiment`` with new weights from its seed (the worker must be stopped first)."""
        self.experiment = experiment
        self.session.reset(experiment)
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

    def apply(self, experiment: Experiment, running: bool) -> Snapshot | None:
        """Adopt ``experiment`` live when the network can continue (the snapshot to show); None when it needs a
        new network (``reset``, after ``discard_question``)."""
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

    def lr_changed(self, direction: int) -> Experiment | Note:
        """The experiment with its learning rate halved (-1) or doubled (+1), or why it cannot be."""
        lr = self.experiment.training.lr * (LR_FACTOR if direction > 0 else 1 / LR_FACTOR)
        try:
            return self.experiment.with_training(lr=float(f"{lr:.6g}"))
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
        left = max(t.experiment.training.epochs - t.epoch, 0)
        self.session.epochs_per_tick = speed_for(left, self.session.epochs_per_tick, self.tuning.tick)
        return pace_text(left, self.session.epochs_per_tick, self.tuning.tick)

    def scores(self) -> tuple[float | None, float | None]:
        """The accuracy on the trained and the held-out rows to show: the last epoch's, or after an edit of the
        table (until the next epoch scores it) the network's as it stands on the table as it stands."""
        h = self.trainer.history
        accuracy = h.accuracy[-1] if h.accuracy else None
        heldout = h.heldout_accuracy[-1] if h.heldout_accuracy else None
        if not h.accuracy or self.rescored != (self.session.run_id, self.trainer.epoch):
            return accuracy, heldout
        with self.session.lock:
            t = self.trainer
            table = t.experiment.table
            y = t.predict()
        train, held = table.train_rows, table.heldout_rows
        return row_accuracy(y[train], table.targets[train]), (
            row_accuracy(y[held], table.targets[held]) if len(held) else None)
