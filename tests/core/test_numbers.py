"""Numbers as printed by the CLI and the prediction line."""

from __future__ import annotations

import pytest

from lab.core.numbers import four


@pytest.mark.parametrize("x,text", [
    (0.25490001, "0.2549"), (1.0, "1.0000"), (-3.14159, "-3.1416"), (999_999.0, "999999.0000"),
    (1_234_567_890.0, "1.2346e+09"), (-1e300, "-1.0000e+300"),
    (float("nan"), "nan"), (float("inf"), "inf"), (float("-inf"), "-inf"),
])
def test_four_decimals_until_a_million_then_scientific(x, text):
    """Keras' four decimals for metrics, but a runaway value is one short word, not hundreds of digits."""
    assert four(x) == text
