"""Reducing a long per-epoch series to what a chart of a given width can show.

A terminal chart ``w`` columns wide cannot show more than about ``2w`` points, and plotext's drawing time grows with
how jagged the series is, so a long noisy loss is reduced to one bucket per column: the bucket's mean (a smooth line
to draw) and its minimum and maximum (the envelope of the raw values).
"""

from __future__ import annotations

import math
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


EXACT_TAIL = 32_768
"""Epochs a ``DisplaySeries`` keeps exactly (the newest ones; every epoch while a run has fewer than about twice
this many)."""
MAX_BLOCKS = 8_192
"""Blocks a ``DisplaySeries`` keeps of its older epochs at the most: when there would be more, neighbours merge."""


def log_losses(values: np.ndarray) -> np.ndarray:
    """``log10`` of losses as the chart draws them (losses under 1e-12 as 1e-12), shape as ``values``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log10(np.maximum(values, 1e-12))


def _stats(values: np.ndarray) -> np.ndarray:
    """Per row of ``values`` (shape ``(k, b)``): the sum and count of its finite values and their min and max (nan
    when none), for the values and for their ``log_losses``; shape ``(k, 8)``."""
    out = np.empty((values.shape[0], 8))
    for j, v in enumerate((values, log_losses(values))):
        finite = np.where(np.isfinite(v), v, np.nan)
        ok = np.isfinite(finite)
        with np.errstate(invalid="ignore"):
            out[:, 4 * j] = np.where(ok, finite, 0.0).sum(axis=1)
            out[:, 4 * j + 1] = ok.sum(axis=1)
            out[:, 4 * j + 2] = np.min(np.where(ok, finite, np.inf), axis=1)
            out[:, 4 * j + 3] = np.max(np.where(ok, finite, -np.inf), axis=1)
    none = out[:, 1] == 0
    out[none, 2:4] = np.nan
    none = out[:, 5] == 0
    out[none, 6:8] = np.nan
    return out


@dataclass(frozen=True)
class SeriesView:
    """A ``DisplaySeries`` as it was when captured (its arrays are never written after): ``blocks`` (shape ``(k,
    9)``: the ``_stats`` of consecutive epochs from the first, then how many epochs) then the exact values ``tail``
    (shape ``(m,)``), the epochs after them."""

    blocks: np.ndarray
    tail: np.ndarray

    @property
    def blocked(self) -> int:
        """The epochs in blocks."""
        return int(self.blocks[:, 8].sum())

    @property
    def size(self) -> int:
        """The epochs it holds."""
        return self.blocked + self.tail.size

    def last(self) -> float:
        """The last epoch's value (nan when it holds none)."""
        if self.tail.size:
            return float(self.tail[-1])
        return math.nan

    def reduce(self, max_points: int, span: int | None = None, log: bool = False) -> Reduced:
        """``reduce_series`` of the values (their ``log_losses`` with ``log``) with ``max_points`` and ``span``.

        While no epoch is in a block this is ``reduce_series`` itself. Else a bucket's min and max are those of the
        blocks that start in it (a block is a power of two epochs, under ``1 / 8,000`` of the run's), and its mean
        takes a block across its edge in proportion to its epochs on each side: where a bucket's edge falls inside
        a block, its mean is off by the block's spread around its mean times the share, and a spike within a block
        of the edge counts in the neighbour's min or max."""
        if not self.blocks.shape[0]:
            return reduce_series(log_losses(self.tail) if log else self.tail, max_points, span=span)
        n = self.size
        span = n if span is None else max(span, n)
        max_points = max(1, min(max_points, span))
        count = -(-n * max_points // span)
        edges = np.minimum(np.arange(count + 1, dtype=np.int64) * span // max_points, n)
        tail_stats = _stats((log_losses(self.tail) if log else self.tail)[:, None])[:, :4]
        units = np.concatenate([self.blocks[:, 4:8] if log else self.blocks[:, :4], tail_stats])
        sizes = np.concatenate([self.blocks[:, 8].astype(np.int64), np.ones(self.tail.size, dtype=np.int64)])
        unit_starts = np.cumsum(sizes) - sizes
        at = np.searchsorted(unit_starts, edges)  # a bucket takes the units that start in it
        starts, ends = at[:-1], at[1:]
        full = ends > starts
        sums, counts = np.zeros(count), np.zeros(count)
        low, high = np.full(count, np.nan), np.full(count, np.nan)
        if full.any():
            first = starts[full]
            sums[full] = np.add.reduceat(units[:, 0], first)
            counts[full] = np.add.reduceat(units[:, 1], first)
            low[full] = np.fmin.reduceat(units[:, 2], first)
            high[full] = np.fmax.reduceat(units[:, 3], first)
        # A block across an edge between two buckets gives the one after it its share of its sum and count.
        inner = np.arange(1, count)
        u = at[inner] - 1
        over = unit_starts[u] + sizes[u] - edges[inner]
        across = (over > 0) & (unit_starts[u] >= edges[inner - 1])
        share = over[across] / sizes[u[across]]
        for column, totals in ((0, sums), (1, counts)):
            moved = share * units[u[across], column]
            totals[inner[across] - 1] -= moved
            totals[inner[across]] += moved
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(counts > 1e-9, sums / np.where(counts > 1e-9, counts, 1.0), np.nan)
        x = (edges[:-1] + edges[1:] - 1) / 2.0 + 1.0
        return Reduced(x, mean, low, high)


class DisplaySeries:
    """A per-epoch series as a chart keeps it: the newest epochs exactly (``EXACT_TAIL`` to twice as many), the
    older ones as blocks of a power of two epochs, aligned on its multiples (their finite values' sum, count, min
    and max, and the same of their ``log_losses``), at most ``MAX_BLOCKS`` of them. It holds under ``8 * (3 *
    EXACT_TAIL + block) + 72 * MAX_BLOCKS`` bytes (about 1.3 MB) however long the run (the exact series stays in
    the trainer's history and the file). Appends are amortised O(1); ``view`` captures it for a drawing on another
    thread."""

    def __init__(self, exact_tail: int = EXACT_TAIL, max_blocks: int = MAX_BLOCKS) -> None:
        self.exact_tail = exact_tail
        self.max_blocks = max(2, max_blocks - max_blocks % 2)
        self._blocks = np.empty((0, 9))  # SeriesView.blocks: replaced by a new array, never written in place
        self._blocked = 0  # epochs in blocks
        # Epochs in a block: a power of two, so that a fold adds at most half of ``max_blocks`` blocks.
        self._block = 1 << max(0, math.ceil(math.log2(4 * exact_tail / self.max_blocks)))
        self._tail = np.empty(1024)
        self._m = 0  # values in the tail

    def __len__(self) -> int:
        return self._blocked + self._m

    def view(self) -> SeriesView:
        """The series as it is now, for a drawing on another thread: no copy (the blocks' array is replaced, never
        written, and a later ``extend`` writes past the tail's view: only a ``truncate`` then writes into it)."""
        return SeriesView(self._blocks, self._tail[: self._m])

    def last(self) -> float:
        """The last value."""
        return float(self._tail[self._m - 1]) if self._m else math.nan

    def truncate(self, n: int) -> None:
        """Keep the first ``n`` values. Within the blocks this keeps the blocks that end by ``n`` and repeats the
        cut block's mean for its kept epochs (the exact values are the trainer's)."""
        if n >= self._blocked:
            self._m = min(self._m, n - self._blocked)
            return
        ends = np.cumsum(self._blocks[:, 8].astype(np.int64))
        keep = int(np.searchsorted(ends, n, side="right"))
        cut = self._blocks[keep] if keep < self._blocks.shape[0] else None
        self._blocks = self._blocks[:keep]
        self._blocked = int(ends[keep - 1]) if keep else 0
        self._m = 0
        if cut is not None and n > self._blocked:
            self.extend([cut[0] / cut[1] if cut[1] else math.nan] * (n - self._blocked))

    @property
    def nbytes(self) -> int:
        """The bytes its arrays hold."""
        return self._blocks.nbytes + self._tail.nbytes

    def extend(self, values: tuple[float, ...] | list[float]) -> None:
        """Append ``values``."""
        if len(values) > self.exact_tail:  # a long history at once (a file's): in slices, each folded in turn
            for i in range(0, len(values), self.exact_tail):
                self.extend(values[i : i + self.exact_tail])
            return
        need = self._m + len(values)
        if need > self._tail.size:
            grown = np.empty(max(need, min(2 * self._tail.size, 2 * self.exact_tail + self._block)))
            grown[: self._m] = self._tail[: self._m]
            self._tail = grown  # a view handed out earlier keeps the old array, still valid for its length
        self._tail[self._m : need] = values
        self._m = need
        if self._m >= 2 * self.exact_tail + self._block:
            self._fold()

    def _fold(self) -> None:
        """Move the tail's oldest values, past the newest ``exact_tail``, into blocks (merging pairs of blocks while
        there are more than ``max_blocks``)."""
        count = (self._m - self.exact_tail) // self._block
        count -= (self._blocks.shape[0] + count) % 2  # an even number of blocks, to merge in pairs
        moved = count * self._block
        blocks = _stats(self._tail[:moved].reshape(-1, self._block))
        self._blocks = np.concatenate([self._blocks, np.column_stack([blocks, np.full(len(blocks), self._block)])])
        self._blocked += moved
        rest = self._tail[moved : self._m]
        self._tail = np.empty(max(1024, 2 * rest.size))  # a new array: views handed out keep the old one
        self._tail[: rest.size] = rest
        self._m = rest.size
        if self._blocks.shape[0] > self.max_blocks:  # at most 1.5 times as many: one merge suffices
            self._merge_pairs()

    def _merge_pairs(self) -> None:
        """Merge neighbouring blocks in pairs (an even number of them): blocks twice as long, still aligned on
        multiples of their length from the first epoch."""
        k = self._blocks.shape[0]
        pairs = self._blocks[:k].reshape(-1, 2, 9)
        merged = np.empty((k // 2, 9))
        merged[:, 8] = pairs[:, :, 8].sum(axis=1)
        for j in (0, 4):
            merged[:, j] = pairs[:, :, j].sum(axis=1)
            merged[:, j + 1] = pairs[:, :, j + 1].sum(axis=1)
            merged[:, j + 2] = np.fmin(pairs[:, 0, j + 2], pairs[:, 1, j + 2])
            merged[:, j + 3] = np.fmax(pairs[:, 0, j + 3], pairs[:, 1, j + 3])
        self._blocks = merged
        self._block *= 2
