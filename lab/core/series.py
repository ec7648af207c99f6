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


def reduce_series(values: np.ndarray | list[float], max_points: int, first_epoch: int = 1,
                  span: int | None = None) -> Reduced:
    """Reduce ``values`` (epoch ``first_epoch + i`` at index i) to at most ``max_points`` buckets of equal size.

    With ``span`` (the epochs the chart's axis holds, at least ``len(values)``) the buckets are ``span /
    max_points`` epochs wide and fixed in epoch space: bucket k holds indices ``[floor(k w), floor((k + 1) w))``,
    so as the series grows its finished buckets keep their values (and a chart its drawn columns); only the last,
    partly filled bucket changes. Without it, ``len(values)`` is split into ``max_points`` buckets.

    Non-finite values are ignored within a bucket (a bucket of only non-finite values is nan).
    """
    y = np.asarray(values, dtype=np.float64)
    n = y.size
    epochs = np.arange(first_epoch, first_epoch + n, dtype=np.float64)
    if max_points < 1 or (n <= max_points if span is None else span <= max_points) or n == 0:
        return Reduced(epochs, y, y, y)
    if span is None:
        edges = np.linspace(0, n, max_points + 1).astype(np.intp)
    else:
        # Bucket k starts at floor(k * span / max_points) (> 1 epoch wide, so the edges strictly increase), in
        # integers: a float width's rounding could add an empty bucket past the end.
        count = -(-n * max_points // span)
        edges = np.minimum(np.arange(count + 1, dtype=np.int64) * span // max_points, n).astype(np.intp)
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


NICE_STEPS = (1.0, 2.0, 5.0)
FINE_STEPS = (1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0)
"""Round ends for an axis that should end near its data (15,000 for a 15,000-epoch run, not 20,000)."""


def axis_end(n: int, minimum: int = 10, steps: tuple[float, ...] = NICE_STEPS) -> int:
    """The end of an epoch axis that holds ``n`` epochs: the next of 10, 20, 50, 100, 200, 500, ... at or above
    ``n`` (with ``steps``, the next of their multiples of a power of ten). A live chart's frame stays put while the
    run grows into it (its drawn columns do not move) and rescales a few times per decade, not at every redraw."""
    end = max(minimum, 1)
    while end < n:
        for step in steps:
            candidate = int(step * 10 ** np.floor(np.log10(end)))
            if candidate >= n:
                return max(candidate, end)
        end = int(10 ** (np.floor(np.log10(end)) + 1))
    return end


def snapped_limits(low: float, high: float, steps: int = 8) -> tuple[float, float]:
    """``[low, high]`` widened outwards to multiples of a round step (1, 2 or 5 times a power of ten) of about
    ``(high - low) / steps``: the limits move only when the data crosses a step, so a slowly falling loss does
    not rescale its chart at every redraw. A zero-width range is widened by one step of its magnitude."""
    span = high - low
    if not (np.isfinite(low) and np.isfinite(high)):
        return low, high
    if span <= 0:
        span = abs(high) or 1.0
    raw = span / steps
    power = 10.0 ** np.floor(np.log10(raw))
    step = next((s * power for s in NICE_STEPS if s * power >= raw), 10 * power)
    lo, hi = np.floor(low / step) * step, np.ceil(high / step) * step
    if hi <= lo:
        hi = lo + step
    return float(lo), float(hi)


def held_limits(low: float, high: float, held: tuple[float, float] | None, room: float = 1.0,
                fill: float = 0.25) -> tuple[float, float]:
    """Loss-axis limits for data in ``[low, high]`` that a live chart keeps from redraw to redraw: ``held`` while it
    still contains the data and the data spans at least ``fill`` of it; else new limits with ``room`` times the
    data's span of space below (where a falling loss goes), never below 0 for data that is not negative, rounded
    outwards by ``snapped_limits``. A falling loss then rescales its chart a few times a run (each rescale at
    least doubles the room), not whenever its minimum moves."""
    if not (np.isfinite(low) and np.isfinite(high)):
        return low, high
    if held is not None and held[0] <= low and high <= held[1] and high - low >= fill * (held[1] - held[0]):
        return held
    span = high - low
    bottom = low - room * span
    if low >= 0:
        bottom = max(bottom, 0.0)
    return snapped_limits(bottom, high)
