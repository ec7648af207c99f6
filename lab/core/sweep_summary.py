"""What a sweep found, in numbers: how many seeds solved the gate and when, the spread of the final loss, the speed,
and the histogram of solve epochs. ``nnlab sweep`` prints these; the app's seeds view draws them.

A member's solve epoch is its first epoch with every training row right (0 while it has none). The percentiles are
NumPy's (linear interpolation) over the members that solved; a histogram's bins share one width of 1, 2 or 5 times
a power of ten, so two configurations binned to the same top epoch compare bin for bin.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lab.core.experiment import Experiment, Training, budget_text
from lab.core.sweep import Sweep

BINS = 10
_DEFAULTS = Training()


@dataclass(frozen=True)
class SweepStats:
    """A sweep's results so far.

    Attributes:
        seeds: K, the number of members.
        epoch: epochs stepped (the longest any member has run).
        solved: members that solved the table.
        diverged: members whose loss or weights stopped being finite.
        p10_solved_epoch, median_solved_epoch, p90_solved_epoch: percentiles of the solve epochs of the members that
            solved; None when none has.
        final_loss: (min, median, max) of each member's latest finite training loss; None before the first epoch.
        network_epochs: epochs run summed over the members.
        seconds: the time spent drawing the networks and training them.
    """

    seeds: int
    epoch: int
    solved: int
    diverged: int
    p10_solved_epoch: float | None
    median_solved_epoch: float | None
    p90_solved_epoch: float | None
    final_loss: tuple[float, float, float] | None
    network_epochs: int
    seconds: float

    @property
    def success_rate(self) -> float:
        """The fraction of members that solved, 0 to 1."""
        return self.solved / self.seeds

    @property
    def network_epochs_per_s(self) -> float | None:
        """Network-epochs per second, None when no time was measured."""
        return self.network_epochs / self.seconds if self.seconds > 0 else None


def rate_text(per_s: float | None) -> str:
    """A speed in three figures: ``850``, ``25.5k``, ``1.04M``; ``-`` for none."""
    if per_s is None:
        return "-"
    for unit, scale in (("M", 1e6), ("k", 1e3)):
        if per_s >= scale:
            return f"{per_s / scale:.3g}{unit}"
    return f"{per_s:.3g}"


def sweep_stats(sweep: Sweep, seconds: float) -> SweepStats:
    """The numbers of ``sweep`` as it stands, which took ``seconds`` so far."""
    solved = sweep.solved_epoch[sweep.solved_epoch > 0]
    finite = sweep.last_loss[np.isfinite(sweep.last_loss)]
    p10, median, p90 = (float(v) for v in np.percentile(solved, [10, 50, 90])) if solved.size else (None,) * 3
    spread = (float(finite.min()), float(np.median(finite)), float(finite.max())) if finite.size else None
    return SweepStats(sweep.size, sweep.epoch, int(solved.size), sweep.diverged, p10, median, p90, spread,
                      int(sweep.epochs_run.sum()), seconds)


@dataclass(frozen=True)
class SolveHistogram:
    """Solve epochs counted in bins of equal width: bin i holds epochs ``i * width + 1`` to ``(i + 1) * width``.

    Attributes:
        width: epochs per bin.
        counts: members per bin, (bins,).
        unsolved: members that never solved.
    """

    width: int
    counts: tuple[int, ...]
    unsolved: int

    def labels(self) -> list[str]:
        """Each bin's epochs, ``1-100``, ``101-200``..."""
        w = self.width
        return [f"{i * w + 1}-{(i + 1) * w}" for i in range(len(self.counts))]

    @property
    def top(self) -> int:
        """The last epoch the bins cover."""
        return self.width * len(self.counts)


def bin_width(top: int, bins: int = BINS) -> int:
    """The smallest width of 1, 2 or 5 times a power of ten that covers epochs 1 to ``top`` in at most ``bins``
    bins."""
    raw = max(1, math.ceil(max(top, 1) / max(bins, 1)))
    scale = 10 ** (len(str(raw)) - 1)
    return next(m * scale for m in (1, 2, 5, 10) if m * scale >= raw)


def solve_histogram(solve_epochs: Sequence[int] | np.ndarray, top: int, bins: int = BINS) -> SolveHistogram:
    """Bin ``solve_epochs`` (one per member, 0 for a member that never solved) up to epoch ``top``.

    Raises:
        ValueError: when a solve epoch lies past the bins (above ``top`` rounded up to whole bins).
    """
    epochs = np.asarray(solve_epochs, dtype=np.int64)
    solved = epochs[epochs > 0]
    width = bin_width(top, bins)
    n_bins = max(1, math.ceil(max(top, 1) / width))
    counts = np.bincount((solved - 1) // width, minlength=n_bins)
    if counts.size > n_bins:
        raise ValueError(f"a solve epoch of {int(solved.max())} lies past the last bin, which ends at {n_bins * width}")
    return SolveHistogram(width, tuple(int(c) for c in counts), int(epochs.size - solved.size))


def configuration_label(experiment: Experiment) -> str:
    """A short name for a configuration: ``2-16-1 relu adam lr 0.01``, with the settings that differ from the
    defaults after it (``bce``, ``batch 2``, ``he_normal``, ``no bias``, ``5,000 epochs``, ``stop solved``)."""
    shape = experiment.shape
    hidden = shape.activations[:-1]
    acts = "/".join(dict.fromkeys(hidden)) if hidden else shape.activations[-1]
    parts = ["-".join(map(str, shape.sizes)), acts]
    if hidden and shape.activations[-1] != "sigmoid":
        parts.append(f"out {shape.activations[-1]}")
    t = experiment.training
    if t.loss != _DEFAULTS.loss:
        parts.append(t.loss)
    parts += [t.optimizer, f"lr {t.lr:g}"]
    if t.batch_size:
        parts.append(f"batch {t.batch_size}")
    if t.init != _DEFAULTS.init:
        parts.append(t.init)
    if not shape.bias:
        parts.append("no bias")
    if t.epochs != _DEFAULTS.epochs:
        parts.append(budget_text(t.epochs) + ("" if t.until_stopped else " epochs"))
    if t.stop != _DEFAULTS.stop:
        parts.append(f"stop {t.stop}")
    return " ".join(parts)
