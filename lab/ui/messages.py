"""App-wide messages: what the training and sweep workers tell the app.

Textual messages cannot themselves be frozen dataclasses (Textual sets bookkeeping attributes on them after
construction), so each message is a thin ``Message`` carrying one frozen dataclass payload that the worker builds and
never touches again.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from lab.core.sweep_summary import SweepStats

# What the run is doing, as the status line says it.
IDLE, TRAINING, PAUSED, SOLVED, DIVERGED, DONE = "idle", "training", "paused", "solved", "diverged", "done"


@dataclass(frozen=True)
class HistorySlice:
    """Per-epoch metrics of the epochs ``start + 1 .. start + len(loss)`` (held-out tuples empty without held-out
    rows)."""

    start: int
    loss: tuple[float, ...]
    accuracy: tuple[float, ...]
    heldout_loss: tuple[float, ...] = ()
    heldout_accuracy: tuple[float, ...] = ()


@dataclass(frozen=True)
class Snapshot:
    """The trainer's state at one moment, small enough to post ~10 times a second.

    Attributes:
        run_id: which trainer this comes from (a reset starts a new one; the app ignores stale snapshots).
        epoch: epochs completed.
        status: the trainer's status (``ready``, ``solved``, ``budget``, ``loss-reached``, ``diverged``).
        running: whether the worker is still training after this snapshot.
        history: the epochs since the previous snapshot.
        outputs: the network's output for every row of the table, ``[row][output]``.
        solved_epoch: first epoch with every training row right, or None.
        diverged_epoch: the epoch that produced a NaN or infinity, or None.
        epochs_per_second: measured over the last interval.
    """

    run_id: int
    epoch: int
    status: str
    running: bool
    history: HistorySlice
    outputs: tuple[tuple[float, ...], ...]
    solved_epoch: int | None
    diverged_epoch: int | None
    epochs_per_second: float = 0.0


class TrainingProgress(Message):
    """Posted by the training worker at most ~10 times a second, and once when it stops."""

    def __init__(self, snapshot: Snapshot) -> None:
        super().__init__()
        self.snapshot = snapshot


class TrainingFailed(Message):
    """Posted by the training worker when the core refused to train (e.g. every row is held out), or by the run when
    its worker raised (``title`` "Error")."""

    def __init__(self, run_id: int, error: str, title: str = "Cannot train") -> None:
        super().__init__()
        self.run_id = run_id
        self.error = error
        self.title = title


@dataclass(frozen=True)
class SweepUpdate:
    """A sweep's progress (the seeds view), small enough to post ~10 times a second.

    Attributes:
        run_id: which sweep this comes from (the view ignores any but the one it shows).
        start: the epochs ``solved_counts`` starts after (the epochs already posted).
        solved_counts: how many members first solved at each epoch ``start + 1`` to ``stats.epoch``.
        stats: the sweep's numbers so far.
        running: whether the worker goes on after this update.
        finished: every member has stopped (its stop rule, the budget or divergence): the sweep is complete.
    """

    run_id: int
    start: int
    solved_counts: tuple[int, ...]
    stats: SweepStats
    running: bool
    finished: bool


class SweepProgress(Message):
    """Posted by the sweep worker at most ~10 times a second, and once when it stops."""

    def __init__(self, update: SweepUpdate) -> None:
        super().__init__()
        self.update = update


class SweepFailed(Message):
    """Posted by the sweep worker when the core refused the sweep (e.g. every row is held out)."""

    def __init__(self, run_id: int, error: str) -> None:
        super().__init__()
        self.run_id = run_id
        self.error = error
