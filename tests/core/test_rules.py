"""The core's rules behind what the lab shows: right and wrong (Keras' y > 0.5: exactly 0.5 is a 0), percentages
that never round to all or none, the model summary at any width, the weight history in bounded memory, and settings
that cannot learn."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from lab.core.advice import settings_advice
from lab.core.experiment import Architecture, Experiment, Training
from lab.core.gates import preset
from lab.core.inspect import HealthHistory, WeightHealth
from lab.core.numbers import percent
from lab.core.recipes import recipe
from lab.core.rules import Targets
from lab.core.summary import summary_text
from lab.core.train import Trainer, right, row_accuracy


def test_exactly_one_half_is_class_0():
    """Keras' rule: 0.5 is a 0, right for a target 0 and wrong for a target 1; nan is wrong for either."""
    y = np.array([[0.5], [0.5], [0.49], [0.51], [np.nan]])
    t = np.array([[0.0], [1.0], [0.0], [1.0], [0.0]])
    assert right(y, t).ravel().tolist() == [True, False, True, True, False]
    assert row_accuracy(y, t) == pytest.approx(0.6)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_sweep_scores_rows_by_the_same_rule(dtype):
    """The batched sweep counts right rows as the trainer does, 0.5 included, in either precision (the cut for a 0
    is the least float above 0.5 of the outputs' own type: float64's rounds to 0.5 in float32)."""
    y = np.array([[[0.5, 0.2]], [[0.5, 0.7]]], dtype=dtype)  # (n=2 rows, o=1, K=2 members)
    targets = Targets.of(np.array([[[0.0]], [[1.0]]]), dtype)  # (n, o, 1): shared by every member
    assert np.asarray(targets.right(y)).tolist() == [1.0, 2.0]  # member 0 answers 0.5 on both: right for the 0 only
    above = np.nextafter(dtype(0.5), dtype(1.0))
    assert np.asarray(targets.right(np.full((2, 1, 1), above, dtype))).tolist() == [1.0]  # just above: a 1


def test_a_float32_run_scores_an_output_of_exactly_one_half_as_float64_does():
    """keras-xor's seed 25 starts with every row right, 00 at exactly 0.5 (no bias yet, relu of 0): solved at epoch
    1 in both precisions."""
    experiment = recipe("keras-xor").with_training(seed=25, epochs=3)
    solved = [Trainer(experiment.with_training(precision=p)) for p in ("float64", "float32")]
    for trainer in solved:
        trainer.run()
    assert [t.solved_epoch for t in solved] == [1, 1]


def test_a_held_out_row_at_exactly_one_half_is_scored_class_0():
    """One sigmoid neuron with zero weights and no bias answers exactly 0.5 on every row: the held-out row 000
    (target 0) is right, as Keras' binary accuracy counts it; the training rows with target 1 are wrong."""
    table = preset("majority3").toggle_heldout(0)
    experiment = Experiment(table, Architecture((), "sigmoid", bias=False), Training(loss="sse", optimizer="sgd",
                                                                                  lr=1.0, epochs=10), name="t")
    trainer = Trainer(experiment)
    trainer.net.theta[:] = 0.0
    trainer.step()
    assert trainer.history.heldout_accuracy[-1] == 1.0
    assert trainer.history.accuracy[0] == 3 / 7  # majority3 without 000: three 0s (001 010 100), four 1s


@pytest.mark.parametrize("count,total,decimals,text", [
    (9_992, 10_000, 0, "99.9%"), (99_999, 100_000, 0, ">99.9%"), (10_000, 10_000, 0, "100%"), (0, 7, 0, "0%"),
    (1, 10_000, 0, "<0.1%"), (50, 100, 0, "50%"), (9_999, 10_000, 1, ">99.9%"), (1, 3, 1, "33.3%"), (0, 0, 0, "-"),
    (20, 20, 1, "100.0%"), (0, 20, 1, "0.0%"),
])
def test_percent_never_claims_all_or_none(count, total, decimals, text):
    """100% only when all, 0% only when none."""
    assert percent(count, total, decimals) == text


@pytest.mark.parametrize("width", [28, 30, 41, 44, 50, 64, 65, 80])
def test_summary_fits_its_width_and_keeps_every_count(width):
    """At any width from 28 the summary of a 3-layer network fits (Keras' own layout from 65) with every count."""
    experiment = recipe("keras-xor-deeper")
    text = summary_text(experiment.shape, "deeper", width)
    assert all(len(line) <= max(width, 65 if width >= 65 else width) for line in text.splitlines())
    for count in (f"{p:,}" if width < 65 else str(p) for p in experiment.shape.layer_params()):
        assert count in text.split() or f"{count}" in text
    assert f"Total params: {experiment.shape.n_params:,}" in text
    if width >= 65:
        assert text == summary_text(experiment.shape, "deeper")


def test_health_history_spans_the_whole_run_in_bounded_memory():
    """Thousands of offers keep at most cap + 1 samples, from the first epoch to the latest."""
    trainer = Trainer(recipe("keras-xor"))
    history = HealthHistory(cap=8)
    history.offer(trainer, force=True)
    for _ in range(300):
        trainer.step()
        history.offer(trainer)
    history.offer(trainer, force=True)  # the end of the run
    assert len(history) <= 9 and history[0].epoch == 0 and history[-1].epoch == 300
    assert all(isinstance(h, WeightHealth) for h in history)
    assert [h.epoch for h in history] == sorted({h.epoch for h in history})


def test_bce_without_a_sigmoid_output_is_advised_against():
    """bce after a linear or tanh output may train nothing; after a sigmoid it is fine."""
    e = recipe("keras-xor")
    for output in ("linear", "tanh"):
        advice = settings_advice(replace(e.architecture, output_activation=output), replace(e.training, loss="bce"))
        assert advice is not None and output in advice.message and "sigmoid" in advice.hint
    assert settings_advice(e.architecture, replace(e.training, loss="bce")) is None
    assert settings_advice(replace(e.architecture, output_activation="linear"), e.training) is None
