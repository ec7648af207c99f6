"""The app's tuning (``lab.tuning.Tuning``): one frozen settings object, checked when built, that reaches every
part of the app it paces."""

from __future__ import annotations

import dataclasses

import pytest

from lab.core.recipes import recipe
from lab.tuning import Tuning
from lab.ui.app import LabApp
from lab.ui.run_control import pace_text, speed_for
from lab.ui.widgets.chart import LossChart


def test_a_setting_that_is_not_positive_is_one_clear_error():
    with pytest.raises(ValueError, match=r"^tuning: max_hold must be above 0, got -1\.0$"):
        Tuning(max_hold=-1.0)
    with pytest.raises(ValueError, match="tuning: tick must be above 0, got 0"):
        Tuning(tick=0)


def test_tuning_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Tuning().max_hold = 1.0  # type: ignore[misc]


def test_the_frame_rate_is_kept_within_the_bounds():
    tuning = Tuning(min_fps=2.0, max_fps=20.0, default_fps=5.0)
    assert (tuning.clamp_fps(None), tuning.clamp_fps(0.1), tuning.clamp_fps(100.0), tuning.clamp_fps(7.0)) == \
        (5.0, 2.0, 20.0, 7.0)


def test_the_pace_in_words_follows_the_tick():
    assert pace_text(1_000, 10, tick=0.5) == "1,000 epochs at 10/tick: about 50 s"
    assert speed_for(1_000, 1, tick=0.1) == 20  # 100 s at 1/tick, 20 s at 5/tick: too slow for 15 s
    assert speed_for(1_000, 1, tick=0.01) == 1  # 10 s at 1/tick


async def test_the_app_hands_its_tuning_to_what_it_paces():
    """``LabApp(tuning=...)``: the frame-rate bounds, the pictures' pace, the chart's cost factor, the keys' pacing,
    the weight-norm samples and the holds all follow it."""
    tuning = Tuning(default_fps=4.0, picture_frames=3, cost_factor=2.5, input_quiet=0.3, max_defer=0.9,
                    health_interval=0.5, max_hold=0.2)
    app = LabApp(recipe("keras-xor"), tuning=tuning)
    async with app.run_test(size=(100, 30)):
        assert app.fps == 4.0 and app.picture_interval == pytest.approx(0.75)
        assert app.query_one(LossChart).cost_factor == 2.5
        assert (app.pacing.quiet, app.pacing.max_defer) == (0.3, 0.9)
        assert app.lab_run.session.health_interval == 0.5
        assert app.scheduler.tuning is tuning
