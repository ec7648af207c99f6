"""Training in float32 (``training.precision``): the sweep and the trainer run every array in it, a member is
``Trainer``'s run of its seed bit for bit, float64 stays the default and bit for bit what it was, the precision is
kept in files, and on keras-xor (where the agreement holds) float32's solved epochs are float64's."""

from __future__ import annotations

import numpy as np
import pytest

from lab.core.errors import LabError
from lab.core.nn import Network
from lab.core.recipes import recipe
from lab.core.sweep import Sweep
from lab.core.train import Trainer
from lab.files.experiment_file import dumps, loads

from tests.core.test_sweep import CASES

XOR32 = recipe("keras-xor").with_training(epochs=300, precision="float32")


def test_float64_is_the_default_and_an_unknown_precision_is_one_line():
    assert recipe("keras-xor").training.precision == "float64" and recipe("keras-xor").dtype is np.float64
    with pytest.raises(LabError, match="precision: unknown 'float16', choose one of float64, float32"):
        XOR32.with_training(precision="float16")


def test_float32_runs_in_float32_from_the_float64_draw_rounded():
    trainer = Trainer(XOR32)
    drawn = Network.initialise(XOR32.shape, "glorot_uniform", np.random.default_rng(0))
    assert trainer.net.theta.dtype == np.float32
    assert np.array_equal(trainer.net.theta, drawn.theta.astype(np.float32))
    sweep = Sweep(XOR32, 3)
    assert np.array_equal(sweep.weights()[0], trainer.net.theta)
    trainer.run()
    sweep.run()
    assert trainer.net.theta.dtype == sweep.weights().dtype == np.float32
    assert np.isfinite(trainer.history.loss).all()


@pytest.mark.parametrize("experiment", [e.with_training(precision="float32") for e in CASES.values()], ids=CASES.keys())
def test_a_float32_member_is_nnlab_train_of_its_seed_bit_for_bit(experiment):
    """Member k of a float32 sweep is ``Trainer`` (``nnlab train --precision float32 --seed k``) bit for bit, over
    every activation, loss, optimizer, initialiser, held-out rows, mini-batches and stop rule: the weights, the
    solved epoch, the status and every epoch of the history. The trainer multiplies as a stack does (``nn.twinned``)
    and the sweep never holds a stack of one (``with_twin``); with np.dot instead, no member's weights were the
    same bits, and 1 solved epoch in 20 moved on parity4."""
    sweep = Sweep(experiment, 5)
    sweep.run()
    for k in range(sweep.size):
        trainer = Trainer(experiment.with_training(seed=int(sweep.seeds[k])))
        trainer.run()
        assert np.array_equal(trainer.net.theta, sweep.weights()[k]), k
        assert (trainer.solved_epoch or 0) == sweep.solved_epoch[k] and trainer.status == sweep.status(k)
        mine = sweep.member_history(k)
        for series in ("loss", "accuracy", "heldout_loss", "heldout_accuracy"):
            assert np.array_equal(np.array(getattr(trainer.history, series)), np.array(getattr(mine, series)),
                                  equal_nan=True), (k, series)


def test_on_keras_xor_float32_solves_when_float64_does():
    """The agreement the float32 path is measured by (benchmarks/bench_precision.py) on keras-xor: the success rates
    within 1 in 100, and each seed's solved epoch the same as float64's for at least 99% of seeds (99.3% over these
    300). The harder gates miss that bar (docs/performance.md), so float32 is not the default."""
    f64 = Sweep(XOR32.with_training(precision="float64", epochs=1000), 300, keep_history=False)
    f32 = Sweep(XOR32.with_training(epochs=1000), 300, keep_history=False)
    f64.run()
    f32.run()
    assert np.mean(f64.solved_epoch == f32.solved_epoch) >= 0.99
    assert abs(f64.solved - f32.solved) <= 3


def test_the_precision_is_kept_in_the_file_and_left_out_when_float64():
    assert b"precision" not in dumps(recipe("keras-xor"))
    trainer = Trainer(XOR32)
    trainer.run(epochs=20)
    experiment, restored = loads(dumps(XOR32, trainer.state()))
    assert experiment.training.precision == "float32" and restored is not None
    assert restored.net.theta.dtype == np.float32 and np.array_equal(restored.net.theta, trainer.net.theta)
