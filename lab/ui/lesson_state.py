"""What the lab looks like to a lesson's checks and to the event hints: built from the app under the session lock.

``lab_state`` freezes the app's state into a ``LabState`` (``lab.core.lessons``), so the checks themselves never
touch the interface; ``event_hints`` asks the core which hints hold for the trainer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lab.core import inspect as ins
from lab.core.hints import Hint, run_hints
from lab.core.lessons import LabState
from lab.core.train import Trainer
from lab.ui.widgets.chart import LossChart
from lab.ui.widgets.seeds_view import SeedsView

if TYPE_CHECKING:
    from lab.ui.app import LabApp


def lab_state(app: LabApp, outputs: tuple[tuple[float, ...], ...] | None = None) -> LabState:
    """The app's state now; ``outputs`` are the latest snapshot's (else predicted here). Call with the session lock
    held."""
    t = app.session.trainer
    h = t.history
    if outputs is None:
        outputs = tuple(tuple(float(v) for v in row) for row in t.predict())
    gates = ()
    if app.lesson_open and t.experiment.architecture.layers:
        gates = tuple(g.name for g in ins.hidden_gates(t.net, t.experiment.table) if g.name)
    seeds = app.query_one(SeedsView)
    latest, pinned = seeds.latest, seeds.pinned
    finished = latest is not None and latest.finished and latest.stats is not None
    return LabState(
        experiment=t.experiment, epoch=t.epoch, loss=h.loss[-1] if h.loss else None,
        accuracy=h.accuracy[-1] if h.accuracy else None,
        heldout_accuracy=h.heldout_accuracy[-1] if h.heldout_accuracy else None, lr=t.lr,
        solved_epoch=t.solved_epoch, diverged=t.diverged_epoch is not None, running=app.running, outputs=outputs,
        cursor=app.table_view.cursor_row, view=app._last_view, log_scale=app.query_one(LossChart).log_scale,
        hidden_gates=gates, sweep_seeds=latest.seeds if finished else 0,
        sweep_solved=latest.stats.solved if finished else 0, pinned=pinned is not None,
        compared=finished and pinned is not None and pinned is not latest and pinned.experiment != latest.experiment)


def event_hints(trainer: Trainer) -> tuple[Hint, ...]:
    """The hints that hold for ``trainer`` now. Call with the session lock held."""
    return run_hints(trainer)
