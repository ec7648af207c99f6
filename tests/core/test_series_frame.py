"""The live chart's stable frame: fixed buckets, a round epoch axis, held loss limits."""

from __future__ import annotations

import numpy as np
import pytest

from lab.core.series import axis_end, held_limits, reduce_series, snapped_limits


def test_fixed_buckets_keep_finished_columns_as_the_series_grows():
    """With a span, every bucket but the last keeps its mean, min and max as epochs are added."""
    rng = np.random.default_rng(0)
    y = rng.random(5000)
    before, after = reduce_series(y[:3001], 100, span=5000), reduce_series(y[:3333], 100, span=5000)
    k = len(before.mean) - 1
    for a, b in ((before.mean, after.mean), (before.low, after.low), (before.high, after.high), (before.x, after.x)):
        assert np.array_equal(a[:k], b[:k])
    # Bucket k holds epochs [floor(50 k), floor(50 (k + 1))): its mean is the plain mean of those values.
    assert after.mean[7] == pytest.approx(y[350:400].mean())
    assert len(reduce_series(y, 100, span=5000).x) == 100


def test_fixed_buckets_without_reduction_and_empty():
    """A span the width can show point for point keeps every epoch; an empty series stays empty."""
    r = reduce_series([3.0, 2.0, 1.0], 10, span=8)
    assert r.exact and list(r.mean) == [3.0, 2.0, 1.0]
    assert reduce_series([], 10, span=100).x.size == 0


@pytest.mark.parametrize("n, end", [(0, 10), (10, 10), (11, 20), (21, 50), (51, 100), (101, 200), (999, 1000),
                                    (1001, 2000), (2001, 5000), (123_456, 200_000)])
def test_axis_end_is_the_next_round_number(n, end):
    assert axis_end(n) == end


def test_snapped_limits_contain_the_data_on_round_steps():
    assert snapped_limits(0.2125, 0.2427) == pytest.approx((0.21, 0.245))
    lo, hi = snapped_limits(-3.2, -0.6)
    assert lo <= -3.2 and hi >= -0.6
    assert snapped_limits(1.0, 1.0)[1] > 1.0


def test_held_limits_rescale_a_falling_loss_a_few_times_only():
    """A loss falling from 0.25 towards 0 over 10,000 redraws changes its limits about ten times, each time
    containing the data, and ends at [0, ...] (not negative)."""
    loss = 0.25 * np.exp(-np.linspace(0, 8, 10_000))
    held, changes = None, 0
    for n in range(2, loss.size):
        low, high = float(loss[:n].min()), float(loss[:n].max())
        new = held_limits(low, high, held)
        changes += new != held
        held = new
        assert held[0] <= low and high <= held[1]
    assert changes <= 10  # each rescale at least doubles the room: about log2 of the range's growth
    assert held[0] == 0.0


def test_held_limits_let_go_when_the_data_shrinks_or_leaves():
    """A new run far smaller than the held frame, or data outside it, gets new limits."""
    held = (0.0, 0.3)
    assert held_limits(0.1, 0.25, held) == held
    assert held_limits(0.001, 0.002, held) != held
    assert held_limits(0.1, 0.5, held)[1] >= 0.5


def test_fixed_buckets_have_no_empty_bucket_past_the_end():
    """A series as long as its span never ends in an empty bucket (a rounding of the bucket count put one at index n:
    400 epochs in 92 columns raised IndexError in the chart's build)."""
    for n in (400, 1500, 3000, 15_000):
        for points in range(8, 400, 7):
            r = reduce_series(np.linspace(1, 0, n), points, span=n)
            assert r.x.size <= points and np.isfinite(r.mean).all(), (n, points)
