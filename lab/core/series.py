"""Reducing a long per-epoch series to what a chart of a given width can show.

A terminal chart ``w`` columns wide cannot show more than about ``2w`` points, and plotext's drawing time grows with
how jagged the series is, so a long noisy loss is reduced to one bucket per column: the bucket's mean (a smooth line
to draw) and its minimum and maximum (the envelope of the raw values).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Reduced:
    """A series reduced to ``n`` buckets: ``x`` the bucket's mid epoch, and the mean, min and max of its values.
    All arrays have shape ``(n,)``."""

    x: np.ndarray
    mean: np.ndarray
    low: np.ndarray
    high: np.ndarray

    @property
    def exact(self) -> bool:
        """True when every bucket holds one value (nothing was reduced)."""
        return bool(np.array_equal(self.low, self.high))


def reduce_series(values: np.ndarray | list[float], max_points: int, first_epoch: int = 1) -> Reduced:
    """Reduce ``values`` (epoch ``first_epoch + i`` at index i) to at most ``max_points`` buckets of equal size.

    Non-finite values are ignored within a bucket (a bucket of only non-finite values is nan).
    """
    y = np.asarray(values, dtype=np.float64)
    n = y.size
    epochs = np.arange(first_epoch, first_epoch + n, dtype=np.float64)
    if n <= max_points or max_points < 1:
        return Reduced(epochs, y, y, y)
    edges = np.linspace(0, n, max_points + 1).astype(np.intp)
    finite = np.where(np.isfinite(y), y, np.nan)
    starts, ends = edges[:-1], edges[1:]
    # Buckets are contiguous and non-empty (n > max_points), so reduceat gives their sums, mins and maxes.
    filled = np.nan_to_num(finite, nan=0.0)
    counts = np.add.reduceat(np.isfinite(finite).astype(np.float64), starts)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.add.reduceat(filled, starts) / counts
    low = np.fmin.reduceat(finite, starts)
    high = np.fmax.reduceat(finite, starts)
    x = (epochs[starts] + epochs[ends - 1]) / 2.0
    return Reduced(x, mean, low, high)
