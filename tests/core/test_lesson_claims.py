"""Every claim a lesson makes that depends on training, checked over the seeds it names with the lesson's own
settings (``Lesson.experiment_at``, plus the change the step asks the learner to make): if a change in the engine
breaks a claim, this fails and the lesson's words must change with it. Solved and diverged epochs come from the
batched ``Sweep`` (many seeds at once); answers on particular rows from single trainers."""

from __future__ import annotations

import numpy as np
import pytest

from lab.core import inspect as ins
from lab.core.experiment import Experiment, parse_hidden
from lab.core.gates import preset
from lab.core.lessons import shipped_lessons
from lab.core.sweep import Sweep
from lab.core.train import Trainer

LESSONS = {i + 1: lesson for i, lesson in enumerate(shipped_lessons())}


def at(lesson: int, step: int = 1) -> Experiment:
    """Lesson ``lesson``'s experiment as step ``step`` (from 1) starts it."""
    return LESSONS[lesson].experiment_at(step - 1)


def swept(experiment: Experiment, seeds) -> Sweep:
    """``experiment`` trained from each of ``seeds`` to its end."""
    sweep = Sweep(experiment, list(seeds))
    sweep.run()
    return sweep


def solved(sweep: Sweep) -> list[int | None]:
    """Each seed's solved epoch, None where it did not solve."""
    return [int(e) or None for e in sweep.solved_epoch]


def answers(sweep: Sweep) -> np.ndarray:
    """Every seed's answer on every row at the end, (K, n_rows)."""
    x = sweep.experiment.table.inputs
    return np.array([sweep.network(k).forward(x)[:, 0] for k in range(sweep.size)])


def trained(experiment: Experiment, seed: int) -> Trainer:
    trainer = Trainer(experiment.with_training(seed=seed))
    trainer.run()
    return trainer


# --- lesson 1: one neuron learns to copy --------------------------------------------------------------------------
def test_lesson_1_the_neuron_guesses_100_and_000_stays_at_one_half():
    """Seeds 0 to 5: the held-out 100 above 0.999; 000 exactly 0.5 (no bias: its sum is 0 whatever the weights),
    which the y > 0.5 rule reads as a 0."""
    y = answers(swept(at(1), range(6)))
    assert (y[:, 4] > 0.999).all() and (y[:, 0] == 0.5).all()


def test_lesson_1_a_bias_takes_000_below_one_half():
    """With the bias on, seeds 0 to 9 end with 000 between 0.03 and 0.16."""
    biased = at(1, 4).with_architecture(bias=True)
    outputs = answers(swept(biased, range(10)))[:, 0]
    assert ((0.03 < outputs) & (outputs < 0.16)).all(), outputs


# --- lesson 2: one neuron and XOR ---------------------------------------------------------------------------------
def test_lesson_2_one_neuron_settles_at_one_half_on_xor_and_solves_or():
    """Seeds 0 to 7: XOR never solved in 2,000 epochs, every answer 0.5 to three decimals, accuracy 0.5; OR (row
    11 flipped) solved within 27 epochs by each."""
    assert solved(swept(at(2), range(8))) == [None] * 8
    for seed in (0, 7):
        t = trained(at(2), seed)
        assert np.allclose(t.predict(), 0.5, atol=5e-4) and t.history.accuracy[-1] == 0.5
    flipped = at(2, 3).with_table(preset("or"))
    epochs = solved(swept(flipped, range(8)))
    assert all(e is not None and e <= 27 for e in epochs), epochs


# --- lesson 3: a hidden layer -------------------------------------------------------------------------------------
def test_lesson_3_seeds_solve_at_their_own_epochs():
    """keras-xor: seed 0 at epoch 70, seed 1 at 75; seeds 0 to 9 between 13 and 226."""
    epochs = solved(swept(at(3).with_training(stop="solved"), range(10)))
    assert epochs[0] == 70 and epochs[1] == 75
    assert all(e is not None for e in epochs) and min(epochs) == 13 and max(epochs) == 226  # type: ignore[type-var]


def test_lesson_3_two_tanh_units_find_a_pair_or_get_stuck():
    """2 -> 2 tanh -> 1: seed 4 learns a OR b and a NAND b; seeds 0, 2 and 7 learn a AND NOT b with NOT a AND b;
    seeds 1, 3, 9 and 11 do not solve in 2,000 epochs."""
    e = at(3, 3)
    assert e.architecture.describe() == "2:tanh" and e.training.seed == 4
    epochs = solved(swept(e, range(12)))
    assert [s for s in range(12) if epochs[s] is None] == [1, 3, 9, 11]
    for seed, pair in ((4, {"a OR b", "a NAND b"}), (0, {"a AND NOT b", "NOT a AND b"}),
                       (2, {"a AND NOT b", "NOT a AND b"}), (7, {"a AND NOT b", "NOT a AND b"})):
        t = trained(e, seed)
        assert {g.name for g in ins.hidden_gates(t.net, t.experiment.table)} == pair, seed


# --- lesson 4: the two-layer tutorial -----------------------------------------------------------------------------
def test_lesson_4_seed_0_and_the_loss_curves_shape():
    """Seed 0 after 1,000 epochs: every row right, 000 at 0.90, 111 at 0.92, 001 at 0.053, the others at 0.06 or
    less. Its loss (the tutorial's mean of squared errors) drops fast for ten epochs, stays within 3% of 0.19 until
    epoch 100 and above 0.17 until 150, falls to a fifth of that by 500 and tails off below 0.004 by 1,000."""
    t = trained(at(4), 0)
    y = t.predict()[:, 0]
    assert t.history.accuracy[-1] == 1.0
    assert round(y[0], 2) == 0.90 and round(y[7], 2) == 0.92 and round(y[1], 3) == 0.053
    assert round(max(y[1:7]), 2) <= 0.06
    mse = np.array(t.history.loss) * 2 / 8
    assert mse[0] > 0.3 and abs(mse[10] - 0.19) < 0.006 and abs(mse[100] - 0.19) < 0.006
    assert mse[150] > 0.17 and mse[500] < mse[150] / 5 and mse[-1] < 0.004


def test_lesson_4_most_seeds_get_every_row_right():
    """17 of seeds 0 to 19 have every row right after 1,000 epochs; the other three stay at 7 of 8."""
    sweep = swept(at(4), range(20))
    assert sum(e is not None for e in solved(sweep)) == 17
    assert sorted(set(np.round(sweep.last_accuracy, 3))) == [0.875, 1.0]


# --- lesson 5: the learning rate ----------------------------------------------------------------------------------
def test_lesson_5_too_small_about_right_too_large():
    """lr 0.001: seeds 0 to 7 but 5 unsolved in 2,000 epochs (5 at 1,648); lr 0.128 (seven doublings): each solves
    within 109 epochs, seed 0 at 26; lr 1.024: each diverges between epochs 160 and 170."""
    e = at(5)
    assert e.training.lr == 0.001
    small = solved(swept(e, range(8)))
    assert small == [None] * 5 + [1648] + [None] * 2
    right = solved(swept(e.with_training(lr=0.128), range(8)))
    assert right[0] == 26 and all(r is not None and r <= 109 for r in right)
    large = swept(e.with_training(lr=1.024), range(8))
    assert all(160 <= d <= 170 for d in large.diverged_epoch)


# --- lesson 6: mse against bce ------------------------------------------------------------------------------------
def test_lesson_6_bce_solves_in_about_half_the_epochs():
    """Seed 0: mse at 41, bce at 22; on each of seeds 0 to 9 bce solves sooner, in 0.4 to 0.65 of mse's epochs."""
    mse = solved(swept(at(6), range(10)))
    bce = solved(swept(at(6).with_training(loss="bce"), range(10)))
    assert mse[0] == 41 and bce[0] == 22
    ratios = [b / m for b, m in zip(bce, mse, strict=True)]  # type: ignore[operator]
    assert all(0.4 <= r <= 0.65 for r in ratios), ratios


def test_lesson_6_bce_with_a_linear_output_learns_nothing():
    """Step 3's start (bce, 500 epochs) with a linear output: none of seeds 0 to 9 solves; the loss sits at about
    8 for most (the clipped log)."""
    e = at(6, 3).with_architecture(output_activation="linear")
    assert e.training.loss == "bce" and e.training.epochs == 500
    sweep = swept(e, range(10))
    assert solved(sweep) == [None] * 10
    assert np.count_nonzero(np.abs(sweep.last_loss - 8.06) < 0.01) >= 8


# --- lesson 7: generalisation -------------------------------------------------------------------------------------
@pytest.mark.parametrize("step, row, above, bound", [(1, 7, True, 0.79), (2, 7, False, 0.14), (3, 3, False, 0.36)])
def test_lesson_7_what_a_held_out_row_is_guessed(step, row, above, bound):
    """a OR b OR c without 111: guessed 1 (above 0.79); parity3 without 111: guessed 0 (below 0.14), wrongly; AND
    without 11: guessed 0 (below 0.36); each solved by each of seeds 0 to 9."""
    e = at(7, step)
    sweep = swept(e.with_table(e.table.with_heldout({row})), range(10))
    y = answers(sweep)[:, row]
    assert sweep.solved == 10 and ((y > bound) if above else (y < bound)).all(), y


# --- lesson 8: deeper against wider -------------------------------------------------------------------------------
def test_lesson_8_both_changes_halve_the_median_and_the_order_is_close():
    """Seeds 0 to 99: every seed solves each network; medians 96.5 (one layer of 16), 44 (a second layer), 49 (32
    wide); one layer's p10-p90 about 31 to 210."""
    base = at(8).with_training(stop="solved")
    medians = {}
    for name, layers in (("base", "16:relu"), ("deeper", "16:relu,16:relu"), ("wider", "32:relu")):
        sweep = swept(base.with_architecture(layers=parse_hidden(layers)), range(100))
        epochs = sweep.solved_epoch
        assert np.count_nonzero(epochs) == 100
        medians[name] = float(np.median(epochs))
        if name == "base":
            assert 30 <= np.percentile(epochs, 10) <= 32 and 209 <= np.percentile(epochs, 90) <= 211
    assert medians == {"base": 96.5, "deeper": 44.0, "wider": 49.0}
