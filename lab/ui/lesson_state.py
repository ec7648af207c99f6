"""What the lab looks like to a lesson's checks and to the event hints, built under the session lock.

``lab_state`` freezes what the interface shows into a ``LabState`` (``lab.core.lessons``), so the checks themselves
never touch the interface; ``event_hints`` asks the core which hints hold for the trainer.
"""

from __future__ import annotations

from dataclasses import dataclass

from lab.core import inspect as ins
from lab.core.hints import Hint, run_hints
from lab.core.lessons import LabState
from lab.core.train import Trainer
from lab.ui.widgets.seeds_run import SeedsRun


@dataclass(frozen=True)
class Shown:
    """What the interface shows beside the trainer, as a lesson's checks see it.

    Attributes:
        running: the worker trains.
        cursor: the truth table's cursor row.
        view: the last view chosen other than the lesson.
        log_scale: the chart's loss axis is log10.
        latest: the seeds view's latest sweep, if any.
        pinned: the sweep pinned as A, if any.
        asked: the row typed into the prediction line, or None.
    """

    running: bool
    cursor: int
    view: str
    log_scale: bool
    latest: SeedsRun | None
    pinned: SeedsRun | None
    asked: int | None = None


def lab_state(t: Trainer, shown: Shown, outputs: tuple[tuple[float, ...], ...] | None = None,
              run: int = 0) -> LabState:
    """The lab's state now: trainer ``t`` (run number ``run``) and what is ``shown``; ``outputs`` are the latest
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
        and pinned.experiment != done.experiment, run=run, asked=shown.asked)


def event_hints(trainer: Trainer) -> tuple[Hint, ...]:
    """The hints that hold for ``trainer`` now. Call with the session lock held."""
    return run_hints(trainer)
