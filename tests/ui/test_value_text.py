"""The truth table's answer column: any output in at most four characters, never misleading."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lab.ui.widgets.truth_table import value_text


@pytest.mark.parametrize("value,text", [
    (0.07, ".07"), (1.0, "1.00"), (-0.5, "-.50"), (12.345, "12.3"), (-12.345, "-12"), (123.4, "123"),
    (-123.4, "-123"), (999.6, "1e3"), (1234.0, "1e3"), (-45678.0, "-5e4"), (1e12, "1e12"), (1e200, "huge"),
    (-1e200, "-big"), (float("nan"), "nan"), (float("inf"), "inf"), (float("-inf"), "-inf"),
    (0.503, ".50+"), (0.4971, ".50-"), (0.5, ".50-"), (0.5049, ".50+"), (0.4951, ".50-"), (0.506, ".51"),
])
def test_examples(value, text):
    """Two decimals where they fit; an order of magnitude for a linear output's large values."""
    assert value_text(value) == text


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_always_four_characters_at_most_and_the_right_size(value):
    """Every float fits the column, and a shown number is within a factor of ten of the value (no '1.23' for 1234)."""
    text = value_text(value)
    assert 1 <= len(text) <= 4
    if math.isfinite(value) and text not in ("huge", "-big"):
        shown = float(text.rstrip("+-") if text.startswith(".50") else text)  # ".07", "-.50", "1e3", ".50+"
        if shown == 0:
            assert abs(value) < 0.005
        else:
            assert 0.1 <= value / shown <= 10


@given(st.floats(min_value=0.49, max_value=0.51))
def test_a_shown_value_near_the_threshold_agrees_with_its_verdict(value):
    """Two outputs shown alike are on the same side of 0.5: the text decides the verdict (y > 0.5 is a 1)."""
    text = value_text(value)
    above = text.endswith("+") or (not text.endswith("-") and float(text) > 0.5)
    assert above == (value > 0.5)
