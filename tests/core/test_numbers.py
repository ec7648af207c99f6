"""Numbers as printed by the CLI and the prediction line."""

from __future__ import annotations

import pytest

from lab.core.numbers import four, loss_text, seconds_text


@pytest.mark.parametrize("x,text", [
    (0.25490001, "0.2549"), (1.0, "1.0000"), (-3.14159, "-3.1416"), (999_999.0, "999999.0000"),
    (1_234_567_890.0, "1.2346e+09"), (-1e300, "-1.0000e+300"),
    (float("nan"), "nan"), (float("inf"), "inf"), (float("-inf"), "-inf"),
])
def test_four_decimals_until_a_million_then_scientific(x, text):
    """Keras' four decimals for metrics, but a runaway value is one short word, not hundreds of digits."""
    assert four(x) == text


@pytest.mark.parametrize("x,text", [
    (0.25490001, "0.2549"), (0.001, "0.0010"), (0.00099, "9.9000e-04"), (1.192e-10, "1.1920e-10"),
    (0.0, "0.0000e+00"), (-2e-5, "-2.0000e-05"), (1_234_567.0, "1.2346e+06"), (float("nan"), "nan"),
])
def test_losses_keep_their_significant_digits_at_any_scale(x, text):
    """Keras' progress bar: four decimals from 0.001 up, scientific below, so a falling loss never reads 0.0000."""
    assert loss_text(x) == text


@pytest.mark.parametrize("seconds,text", [(0.0, "<1 µs"), (4e-7, "<1 µs"), (0.00041, "410 µs"),
                                          (0.0123, "12.3 ms"), (0.9994, "999 ms"), (0.9996, "1.000 s"),
                                          (1.0, "1.000 s"), (12.3456, "12.346 s")])
def test_a_time_taken_never_reads_zero(seconds, text):
    """A run too quick for a millisecond reads in µs (or <1 µs), never 0.000 s."""
    assert seconds_text(seconds) == text
