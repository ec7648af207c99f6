"""Numerical faults: learning rates from 1e-9 to 1e6 with every activation, output, loss and optimizer, on a small
network and on 8 inputs with 64-64 hidden layers, and on degenerate tables (all zeros, all ones, the two-row
minimum, a single training row, none). Every run trains, stalls, or stops as ``diverged`` with its epoch, and never
raises; its weights and predictions stay finite, and it saves and reads back. Holding every row out is the one
accepted error: a ``LabError`` saying so."""

from __future__ import annotations

import itertools
import math
import random

import numpy as np
import pytest

from lab.core.activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from lab.core.errors import LabError
from lab.core.experiment import Architecture, Experiment, Layer, Training
from lab.core.gates import TruthTable, preset
from lab.core.losses import LOSSES
from lab.core.optim import OPTIMIZERS
from lab.core.train import BUDGET, DIVERGED, Trainer
from lab.files.experiment_file import dumps, loads

from tests.fuzz.support import ran, same_trainer

LRS = [float(lr) for lr in np.logspace(-9, 6, 16)]  # 1e-9, 1e-8, ..., 1e6
EPOCHS = 30


def check_run(experiment: Experiment) -> Trainer:
    """Train ``experiment`` for its budget and check the outcome: budget spent or diverged (with the epoch that
    failed, the one after the last completed), finite weights, losses and predictions; a diverged run saves and reads
    back to the same state."""
    ran()
    trainer = Trainer(experiment)
    status = trainer.run()
    assert status in (BUDGET, DIVERGED), status
    assert len(trainer.history) == trainer.epoch
    if status == DIVERGED:  # the epoch that failed; one past the budget when the last update overflowed the outputs
        assert trainer.diverged_epoch == trainer.epoch + 1 <= experiment.training.epochs + 1
    else:
        assert trainer.diverged_epoch is None and trainer.epoch == experiment.training.epochs
    assert np.isfinite(trainer.net.theta).all()
    assert all(math.isfinite(v) for v in trainer.history.loss)
    assert all(math.isfinite(v) or math.isnan(v) for v in trainer.history.heldout_loss)  # nan: no held-out row
    assert np.isfinite(trainer.predict()).all(), (status, trainer.predict())
    assert all(np.isfinite(v).all() for v in trainer.optimizer.state().values())
    if status == DIVERGED:
        again, restored = loads(dumps(trainer.experiment, trainer.state()))
        assert again == trainer.experiment
        same_trainer(trainer, restored)
    return trainer


def experiment(table: TruthTable, hidden: tuple[Layer, ...], output: str, loss: str, optimizer: str, lr: float,
               batch_size: int = 0, epochs: int = EPOCHS, init: str = "normal") -> Experiment:
    """An experiment from its parts (``normal`` initialisation, the widest of the four, by default)."""
    return Experiment(table, Architecture(hidden, output), Training(loss, optimizer, lr, batch_size, init, 0, epochs))


@pytest.mark.parametrize("hidden,output", itertools.product(HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS))
def test_every_learning_rate_loss_and_optimizer(hidden, output):
    """parity3 on 3 -> 8 -> 8 -> 1: every learning rate from 1e-9 to 1e6 with every loss and optimizer, full batch
    and mini-batches of 3, trains or diverges cleanly."""
    table = preset("parity3").with_heldout({5})
    for i, (lr, loss, optimizer) in enumerate(itertools.product(LRS, LOSSES, OPTIMIZERS)):
        check_run(experiment(table, (Layer(8, hidden), Layer(8, hidden)), output, loss, optimizer, lr,
                             batch_size=(0, 3)[i % 2]))


def eight_inputs() -> TruthTable:
    """A random 8-input table with a few rows held out."""
    rng = random.Random(8)
    return TruthTable(8, ("".join(rng.choice("01") for _ in range(256)),), frozenset(rng.sample(range(256), 16)))


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_eight_inputs_and_two_layers_of_64(optimizer):
    """8 inputs -> 64 -> 64 -> 1: every hidden activation, output and loss at 1e-9, 1e6 and one learning rate in
    between trains or diverges cleanly in 5 epochs."""
    table = eight_inputs()
    combos = list(itertools.product(HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS, LOSSES))
    for i, (hidden, output, loss) in enumerate(combos):
        for lr in (1e-9, LRS[1 + i % (len(LRS) - 2)], 1e6):
            check_run(experiment(table, (Layer(64, hidden), Layer(64, hidden)), output, loss, optimizer, lr,
                                 epochs=5, init="glorot_uniform"))


def constant(n_inputs: int, bit: str) -> TruthTable:
    """A table whose every output bit is ``bit``."""
    return TruthTable(n_inputs, (bit * 2**n_inputs,))


DEGENERATE = {
    "all zeros, 2 inputs": constant(2, "0"),
    "all ones, 2 inputs": constant(2, "1"),
    "all zeros, 8 inputs": constant(8, "0"),
    "all ones, 8 inputs": constant(8, "1"),
    "the minimum: 1 input, 2 rows": TruthTable(1, ("01",)),
    "one training row of 2": TruthTable(1, ("10",), frozenset({1})),
    "one training row of 8": preset("parity3").with_heldout(set(range(8)) - {4}),
    "one training row of 256, all ones": constant(8, "1").with_heldout(set(range(255))),
}


@pytest.mark.parametrize("table", DEGENERATE.values(), ids=DEGENERATE.keys())
def test_degenerate_tables(table):
    """Constant tables, the two-row minimum and a single training row: every optimizer, output and loss at 1e-9, 1,
    and 1e6, full batch and mini-batches (of one row, or 32 of 256), trains or diverges cleanly."""
    mini = 1 if table.n_rows <= 8 else 32
    for output, loss, optimizer, lr, batch in itertools.product(OUTPUT_ACTIVATIONS, LOSSES, OPTIMIZERS,
                                                                (1e-9, 1.0, 1e6), (0, mini)):
        check_run(experiment(table, (Layer(4, "relu"),), output, loss, optimizer, lr, batch_size=batch))


@pytest.mark.parametrize("n_inputs", [1, 2, 8])
def test_every_row_held_out_is_one_clear_error(n_inputs):
    """With every row held out there is nothing to train on: a LabError saying so, and the trainer unchanged."""
    ran()
    table = constant(n_inputs, "1").with_heldout(set(range(2**n_inputs)))
    trainer = Trainer(experiment(table, (Layer(4, "relu"),), "sigmoid", "mse", "adam", 1e6))
    before = trainer.net.theta.copy()
    for attempt in (trainer.step, trainer.run):
        with pytest.raises(LabError, match="^every row is held out: keep at least one row to train on$"):
            attempt()
    assert trainer.epoch == 0 and np.array_equal(trainer.net.theta, before)
    assert np.isfinite(trainer.predict()).all()
