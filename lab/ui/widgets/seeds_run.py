"""One seeds sweep as the seeds view knows it: its configuration, its solve counts per epoch and its numbers."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lab.core.experiment import Experiment
from lab.core.sweep_summary import SweepStats
from lab.ui.messages import SweepUpdate
from lab.ui.widgets.chart import SeriesBuffer


@dataclass
class SeedsRun:
    """One sweep as the view knows it.

    Attributes:
        run_id: the worker's run id (updates of other runs are ignored).
        label: the configuration's short name (``2-16-1 relu adam lr 0.01``).
        experiment: the configuration as the person set it.
        seeds: K, the number of seeds.
        counts: how many seeds first solved at each epoch so far (index i is epoch i + 1).
        stats: the latest numbers, None before the first update.
        running: the worker is still training it.
        finished: every seed stopped (budget, stop rule, divergence); False for a sweep stopped part way.
    """

    run_id: int
    label: str
    experiment: Experiment
    seeds: int
    counts: SeriesBuffer = field(default_factory=SeriesBuffer)
    stats: SweepStats | None = None
    running: bool = True
    finished: bool = False

    @property
    def epoch(self) -> int:
        """Epochs run so far."""
        return len(self.counts)

    def take_update(self, update: SweepUpdate) -> None:
        """Take in an update from the worker."""
        self.counts.truncate(update.start)
        self.counts.extend(update.solved_counts)
        self.stats = update.stats
        self.running = update.running
        self.finished = update.finished

    def fraction(self, until: int) -> np.ndarray:
        """The fraction solved by each epoch, (epochs,): to the last epoch run, or for a finished sweep held level
        to ``until`` (never past its budget), since nothing more is solved."""
        curve = np.cumsum(self.counts.values) / self.seeds
        pad = min(until, self.experiment.training.budget) - curve.size
        if self.finished and pad > 0 and curve.size:
            curve = np.concatenate([curve, np.full(pad, curve[-1])])
        return curve

    def solve_epochs(self) -> np.ndarray:
        """Each seed's solve epoch, 0 for one not solved (yet), (K,) int; in increasing order, not by seed."""
        counts = self.counts.values.astype(np.int64)
        solved = np.repeat(np.arange(1, counts.size + 1), counts)
        return np.concatenate([solved, np.zeros(self.seeds - solved.size, dtype=np.int64)])

    @property
    def heading(self) -> str:
        """The label, with the seeds when they do not start at 0: ``2-16-1 relu adam lr 0.01 · seeds 5-104``."""
        first = self.experiment.training.seed
        return self.label + (f" · seeds {first:,}-{first + self.seeds - 1:,}" if first else "")

    def state(self) -> str:
        """``▶ epoch 340 · `` while running, ``stopped at epoch 340 · `` when stopped part way, else nothing (shown
        before the heading, so a narrow view crops the heading rather than the state)."""
        if self.running:
            return f"▶ epoch {self.epoch:,} · "
        return "" if self.finished else f"stopped at epoch {self.epoch:,} · "
