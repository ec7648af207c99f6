"""The pacing of the redraws: at their turn, or after a pause in the person's keys, never more than ``max_defer``
late (both from the app's ``Timings``)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lab.timings import Timings
from lab.ui.pacing import KeyPacing

INPUT_QUIET, MAX_DEFER = Timings().input_quiet, Timings().max_defer


def test_without_keys_a_redraw_runs_at_its_turn():
    assert KeyPacing().due(10.0) == 10.0


def test_keys_defer_a_redraw_until_they_pause():
    pacing = KeyPacing()
    pacing.key_pressed(now=10.0)
    assert pacing.due(10.0) == pytest.approx(10.0 + INPUT_QUIET)
    assert pacing.due(11.0) == 11.0  # a turn after the pause is not moved


def test_a_key_held_down_defers_a_redraw_by_max_defer_at_most():
    pacing = KeyPacing()
    for i in range(100):  # a key every 30 ms for three seconds
        pacing.key_pressed(now=10.0 + 0.03 * i)
    assert pacing.due(10.0) == pytest.approx(10.0 + MAX_DEFER)


def test_keys_in_a_run_are_told_from_a_single_key():
    pacing = KeyPacing()
    pacing.key_pressed(now=10.0)
    assert not pacing.in_a_run
    pacing.key_pressed(now=10.0 + INPUT_QUIET / 2)
    assert pacing.in_a_run
    pacing.key_pressed(now=20.0)
    assert not pacing.in_a_run


@given(st.lists(st.floats(0, 100), max_size=20), st.floats(0, 200))
def test_due_is_never_before_the_turn_nor_more_than_max_defer_after(keys, turn):
    pacing = KeyPacing()
    for now in sorted(keys):
        pacing.key_pressed(now=now)
    assert turn <= pacing.due(turn) <= turn + MAX_DEFER


def test_the_pacing_follows_the_timings_it_is_given():
    """A slow link's settings: keys must pause 0.4 s, and a redraw waits up to 2 s."""
    pacing = KeyPacing(Timings(input_quiet=0.4, max_defer=2.0))
    pacing.key_pressed(now=10.0)
    assert pacing.due(10.0) == pytest.approx(10.4)
    for i in range(100):
        pacing.key_pressed(now=10.0 + 0.03 * i)
    assert pacing.due(10.0) == pytest.approx(12.0)
