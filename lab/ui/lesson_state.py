"""What the interface shows beside the trainer, as a lesson's checks see it (``Shown``).

``lab.ui.run.lab_state`` freezes it with the trainer's state into a ``LabState`` (``lab.core.lessons``) under the
run's lock (``Run.lesson_view``), so the checks themselves never touch the interface.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    """

    running: bool
    cursor: int
    view: str
    log_scale: bool
    latest: SeedsRun | None
    pinned: SeedsRun | None
