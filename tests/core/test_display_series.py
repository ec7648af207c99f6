"""The chart's own copy of a run's series (``DisplaySeries``): bounded memory however long the run, and the same
buckets as ``reduce_series`` draws."""

import tracemalloc

import numpy as np
import pytest

from lab.core.series import EXACT_TAIL, DisplaySeries, reduce_series
from lab.ui.messages import HistorySlice
from lab.ui.widgets.chart import LossChart


def noisy_loss(n: int, seed: int = 0) -> np.ndarray:
    """A falling, noisy loss with a few non-finite epochs, shape ``(n,)``."""
    rng = np.random.default_rng(seed)
    loss = np.exp(-np.arange(n) / (n / 4)) * (1 + 0.3 * rng.random(n))
    loss[[n // 3, n // 2]] = [np.nan, np.inf]
    return loss


def fed(values: np.ndarray, slice_size: int = 997, **kwargs) -> DisplaySeries:
    series = DisplaySeries(**kwargs)
    for i in range(0, values.size, slice_size):
        series.extend(tuple(values[i:i + slice_size].tolist()))
    return series


@pytest.mark.parametrize("log", [False, True])
@pytest.mark.parametrize("points,span", [(136, 50_000), (8, 60_000), (376, None)])
def test_while_every_epoch_is_exact_it_reduces_as_reduce_series(points, span, log):
    values = noisy_loss(2 * EXACT_TAIL)
    view = fed(values).view()
    assert view.blocks.shape[0] == 0 and view.size == values.size
    y = np.log10(np.maximum(values, 1e-12)) if log else values
    expected, got = reduce_series(y, points, span=span), view.reduce(points, span, log)
    for a, b in zip((expected.x, expected.mean, expected.low, expected.high), (got.x, got.mean, got.low, got.high),
                    strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("log", [False, True])
def test_older_epochs_in_blocks_give_the_same_buckets_where_their_edges_meet(log):
    """A run 64 times the exact tail: buckets whose edges fall on the blocks' edges are reduce_series' own (min,
    max and, to rounding, mean); the others differ from it by the few epochs of a block at their edges."""
    n = 64 * 4_096
    values = noisy_loss(n, seed=1)
    series = fed(values, exact_tail=4_096, max_blocks=2_048)
    view = series.view()
    assert view.blocks.shape[0] <= 2_048 and view.size == n and series.last() == values[-1]
    block = int(view.blocks[0, 8])
    y = np.log10(np.maximum(values, 1e-12)) if log else values
    points = n // (4 * block)  # buckets of four blocks
    expected, got = reduce_series(y, points, span=n), view.reduce(points, n, log)
    np.testing.assert_array_equal(expected.x, got.x)
    np.testing.assert_array_equal(expected.low, got.low)
    np.testing.assert_array_equal(expected.high, got.high)
    np.testing.assert_allclose(expected.mean, got.mean, rtol=1e-12)
    uneven = reduce_series(y, 136, span=300_000)
    near = view.reduce(136, 300_000, log)
    np.testing.assert_array_equal(uneven.x, near.x)
    axis = np.nanmax(uneven.high) - np.nanmin(uneven.low)
    np.testing.assert_allclose(uneven.mean, near.mean, atol=axis / 1_000)  # a braille dot of a 50-row chart: 1/184


def test_truncating_keeps_the_first_epochs():
    values = noisy_loss(40_000)
    series = fed(values, exact_tail=1_000, max_blocks=16)
    series.truncate(39_990)
    assert len(series) == 39_990 and series.last() == values[39_989]
    series.truncate(10_001)  # inside the blocks
    assert len(series) == 10_001
    series.extend((0.5,))
    assert len(series) == 10_002 and series.last() == 0.5
    series.truncate(0)
    assert len(series) == 0 and series.view().size == 0


def test_a_view_is_not_changed_by_later_epochs():
    series = fed(noisy_loss(5_000), exact_tail=1_000, max_blocks=8)
    view = series.view()
    before = (view.blocks.copy(), view.tail.copy())
    series.extend(tuple(range(20_000)))
    np.testing.assert_array_equal(view.blocks, before[0])
    np.testing.assert_array_equal(view.tail, before[1])


def test_the_charts_history_holds_a_bounded_memory_however_long_the_run():
    """Two million epochs fed to the chart in slices, as the app feeds it: the chart holds under 3 MB (its float64
    copy held 16 to 32 bytes an epoch, 32 MB or more here), under 1.5 bytes an epoch, the trainer's history 16."""
    chart = LossChart()
    n, size = 2_000_000, 10_000
    loss = tuple(np.linspace(1.0, 0.01, size).tolist())
    accuracy = tuple([0.75] * size)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for start in range(0, n, size):
            chart.extend(HistorySlice(start, loss, accuracy, (), ()), None)
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(chart.loss) == len(chart.accuracy) == n
    assert held < 3_000_000, f"{held:,} bytes after {n:,} epochs"
    assert chart.loss.nbytes + chart.accuracy.nbytes < 3_000_000
