"""Trainer semantics: what an epoch records, the solved epoch, stop rules, divergence, changes mid-run,
determinism, mini-batches and held-out rows."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lab.core.errors import LabError
from lab.core.experiment import Architecture, Experiment, Layer, Training
from lab.core.gates import preset
from lab.core.losses import LOSSES
from lab.core.nn import Network
from lab.core.recipes import recipe
from lab.core.train import Trainer, row_accuracy


def xor(**training) -> Experiment:
    """The keras-xor recipe with some training settings changed."""
    return recipe("keras-xor").with_training(**training)


def loss_now(trainer: Trainer, rows: np.ndarray) -> float:
    """The loss of the trainer's current network on the table's ``rows``."""
    table = trainer.experiment.table
    zs, acts = trainer.net.forward_trace(table.inputs[rows])
    return trainer.loss.value(zs[-1], acts[-1], table.targets[rows], trainer.net.acts[-1])


def test_epoch_records_the_weights_it_started_with():
    """Full batch: epoch e's loss and accuracy are those of the network at the start of epoch e, as Keras reports."""
    trainer = Trainer(xor())
    for _ in range(5):
        before = loss_now(trainer, trainer.experiment.table.train_rows)
        accuracy = row_accuracy(trainer.predict(), trainer.experiment.table.targets)
        trainer.step()
        assert trainer.history.loss[-1] == before
        assert trainer.history.accuracy[-1] == accuracy


def test_first_epoch_uses_the_seeded_initial_network():
    """The network is drawn by the initialiser from the seed, so epoch 1's loss is that of Network.initialise."""
    experiment = xor()
    net = Network.initialise(experiment.shape, "glorot_uniform", np.random.default_rng(experiment.training.seed))
    trainer = Trainer(experiment)
    assert np.array_equal(trainer.net.theta, net.theta)
    expected = LOSSES["mse"].value(*(lambda zs, acts: (zs[-1], acts[-1]))(*net.forward_trace(
        experiment.table.inputs)), experiment.table.targets, net.acts[-1])
    trainer.step()
    assert trainer.history.loss[0] == expected


def test_solved_epoch_is_the_first_with_every_training_row_right():
    """solved_epoch is the first epoch whose recorded accuracy is 1.0, and it is never moved later."""
    trainer = Trainer(xor(epochs=300))
    assert trainer.run() == "budget"
    accuracy = trainer.history.accuracy
    first = accuracy.index(1.0) + 1
    assert trainer.solved_epoch == first == 70
    assert all(a < 1.0 for a in accuracy[: first - 1])


def test_row_accuracy_needs_every_output_right():
    """A row counts only when every output is on the right side of 0.5; no rows gives nan."""
    y = np.array([[0.6, 0.4], [0.6, 0.6], [0.2, 0.9]])
    t = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    assert row_accuracy(y, t) == pytest.approx(2 / 3)
    assert math.isnan(row_accuracy(y[:0], t[:0]))


# --- stop rules ------------------------------------------------------------------------------------------------------
def test_budget_runs_every_epoch():
    """The budget rule runs every epoch, solved or not."""
    trainer = Trainer(xor(epochs=120))
    assert trainer.run() == "budget"
    assert trainer.epoch == len(trainer.history) == 120 and trainer.done


def test_solved_rule_stops_at_the_solved_epoch():
    """The solved rule ends the run at the solved epoch."""
    trainer = Trainer(xor(stop="solved"))
    assert trainer.run() == "solved"
    assert trainer.epoch == trainer.solved_epoch == 70


def test_loss_rule_stops_at_the_first_epoch_below():
    """loss<X ends the run at the first epoch whose loss is below X."""
    trainer = Trainer(xor(stop="loss<0.2"))
    assert trainer.run() == "loss-reached"
    losses = trainer.history.loss
    assert losses[-1] < 0.2 and all(l >= 0.2 for l in losses[:-1])


def test_run_limits_and_callbacks():
    """run(epochs=k) runs at most k more; should_stop is polled before each epoch; on_epoch after each."""
    trainer = Trainer(xor())
    seen = []
    assert trainer.run(epochs=3, on_epoch=lambda t: seen.append(t.epoch)) == "ready"
    assert seen == [1, 2, 3]
    polls = iter([False, False, True])
    trainer.run(should_stop=lambda: next(polls))
    assert trainer.epoch == 5 and not trainer.done


# --- divergence ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("batch_size", [0, 1])
def test_divergence_ends_the_run_with_finite_weights(batch_size):
    """lr 1000, sgd, relu deep, linear output: status diverged, its epoch set, weights finite, nothing raised."""
    experiment = Experiment(preset("xor"), Architecture((Layer(16, "relu"), Layer(16, "relu")), "linear"),
                            Training(optimizer="sgd", lr=1000.0, epochs=500, batch_size=batch_size))
    trainer = Trainer(experiment)
    assert trainer.run() == "diverged"
    assert trainer.diverged_epoch == trainer.epoch + 1 < 500
    assert len(trainer.history) == trainer.epoch
    assert np.isfinite(trainer.net.theta).all()
    assert all(math.isfinite(l) for l in trainer.history.loss)
    assert all(np.isfinite(v).all() for v in trainer.optimizer.state().values())
    assert trainer.done and trainer.run() == "diverged"


def test_a_diverged_run_restarts_a_poisoned_optimizer_and_can_be_saved():
    """An update that fills the optimizer state with inf restarts the optimizer, so the run still saves and reads."""
    from lab.files.experiment_file import dumps, loads

    experiment = Experiment(preset("xor"), Architecture((Layer(4, "linear"),), "linear"),
                            Training(optimizer="momentum", lr=1.0, epochs=400, batch_size=1))
    trainer = Trainer(experiment)
    assert trainer.run() == "diverged"
    assert not trainer.optimizer.state()["velocity"].any()
    _, restored = loads(dumps(experiment, trainer.state()))
    assert np.array_equal(restored.net.theta, trainer.net.theta)


# --- changes mid-run -------------------------------------------------------------------------------------------------
def test_set_lr_applies_from_the_next_update_without_reset():
    """set_lr changes only the learning rate: the next sgd update is theta - new_lr * g, history and epoch stay."""
    trainer = Trainer(xor(optimizer="sgd", lr=0.5))
    trainer.run(epochs=3)
    history = list(trainer.history.loss)
    theta = trainer.net.theta.copy()
    probe = trainer.net.copy()
    x, t = trainer.x_train, trainer.t_train
    zs, acts = probe.forward_trace(x)
    g = probe.backward(zs, acts, trainer.loss.grad_z(zs[-1], acts[-1], t, probe.acts[-1])).copy()
    trainer.set_lr(0.05)
    assert trainer.lr == 0.05 and trainer.epoch == 3 and trainer.history.loss == history
    trainer.step()
    assert np.allclose(trainer.net.theta, theta - 0.05 * g, rtol=0, atol=1e-15)
    with pytest.raises(LabError, match="^lr:"):
        trainer.set_lr(-1)


def test_set_table_continues_on_new_data():
    """set_table keeps weights, optimizer state, epoch and history, trains on the new rows and resets solved_epoch."""
    trainer = Trainer(xor(stop="solved"))
    trainer.run()
    epoch, solved = trainer.epoch, trainer.solved_epoch
    theta = trainer.net.theta.copy()
    trainer.set_table(preset("xnor"))
    assert trainer.solved_epoch is None and trainer.epoch == epoch == solved
    assert np.array_equal(trainer.net.theta, theta) and not trainer.done
    assert trainer.t_train.ravel().tolist() == [1.0, 0.0, 0.0, 1.0]
    assert trainer.run(epochs=2000) == "solved"
    assert trainer.solved_epoch > epoch and len(trainer.history) == trainer.epoch
    assert trainer.history.loss[epoch] == pytest.approx(loss_now(Trainer(xor().with_table(preset("xnor")),
                                                                         Network(trainer.net.shape, theta)),
                                                                 np.arange(4)))
    with pytest.raises(LabError, match="reset to rebuild it"):
        trainer.set_table(preset("parity3"))


def test_set_experiment_refuses_what_needs_new_weights():
    """A new seed, initialiser or batch size needs a reset (they made the weights and order the rows)."""
    trainer = Trainer(xor())
    for change in ({"seed": 1}, {"init": "normal"}, {"batch_size": 2}):
        assert not trainer.can_continue(xor(**change))
        with pytest.raises(LabError, match="needs a reset"):
            trainer.set_experiment(xor(**change))
    trainer.set_experiment(xor(lr=0.01, epochs=5, stop="solved"))
    assert trainer.lr == 0.01 and trainer.run() == "budget" and trainer.epoch == 5


def test_a_new_loss_or_optimizer_goes_on_with_the_same_weights():
    """A new loss or optimizer takes over the run as it stands: the weights and history stay, the next epochs
    train with them as a fresh trainer of the new settings would from these weights (the optimizer from its first
    step), bit for bit."""
    trainer = Trainer(xor(lr=0.05))
    trainer.run(epochs=50)
    theta = trainer.net.theta.copy()
    changed = xor(lr=0.05, loss="bce", optimizer="momentum")
    assert trainer.can_continue(changed)
    trainer.set_experiment(changed)
    assert np.array_equal(trainer.net.theta, theta) and len(trainer.history) == 50
    fresh = Trainer(changed, Network(trainer.net.shape, theta.copy()))
    trainer.run(epochs=20)
    fresh.run(epochs=20)
    assert np.array_equal(trainer.net.theta, fresh.net.theta)
    assert trainer.history.loss[50:] == fresh.history.loss


# --- determinism -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("batch_size", [0, 1, 3])
@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_same_seed_same_numbers(optimizer, batch_size):
    """Two runs of the same experiment give bit-identical weights and history."""
    experiment = xor(optimizer=optimizer, batch_size=batch_size, lr=0.05, epochs=60, seed=11)
    a, b = Trainer(experiment), Trainer(experiment)
    a.run()
    b.run()
    assert np.array_equal(a.net.theta, b.net.theta)
    assert a.history == b.history


def test_seed_and_batch_size_change_the_numbers():
    """Another seed or mini-batches change the run; a batch as large as the training set is the full batch."""
    base = Trainer(xor(epochs=30))
    base.run()
    for other in (xor(epochs=30, seed=1), xor(epochs=30, batch_size=2)):
        t = Trainer(other)
        t.run()
        assert not np.array_equal(t.net.theta, base.net.theta)
    whole = Trainer(xor(epochs=30, batch_size=4))
    whole.run()
    assert np.array_equal(whole.net.theta, base.net.theta)


def test_mini_batch_epoch_scores_every_row_once():
    """A mini-batch epoch records the loss over every training row, each predicted once before its update."""
    trainer = Trainer(xor(batch_size=1, optimizer="sgd", lr=1e-12))  # so small a step that nothing moves
    before = loss_now(trainer, np.arange(4))
    trainer.step()
    assert trainer.history.loss[0] == pytest.approx(before, rel=1e-9)


# --- held-out rows ---------------------------------------------------------------------------------------------------
def test_heldout_rows_are_scored_separately():
    """Held-out rows are never trained on and have their own loss and accuracy, from the epoch's starting weights."""
    trainer = Trainer(recipe("single-neuron"))
    table = trainer.experiment.table
    assert table.train_rows.tolist() == [1, 3, 5, 7] and table.heldout_rows.tolist() == [0, 2, 4, 6]
    held_before = loss_now(trainer, table.heldout_rows)
    train_before = loss_now(trainer, table.train_rows)
    trainer.run(epochs=10)
    h = trainer.history
    assert (h.heldout_loss[0], h.loss[0]) == (held_before, train_before)
    assert len(h.heldout_loss) == len(h.heldout_accuracy) == len(h) == 10


def test_no_heldout_rows_leave_the_heldout_history_empty():
    """Without held-out rows the held-out lists stay empty."""
    trainer = Trainer(xor(epochs=5))
    trainer.run()
    assert trainer.history.heldout_loss == [] == trainer.history.heldout_accuracy


def test_heldout_history_stays_aligned_when_rows_change_mid_run():
    """Holding a row out mid-run (and back) keeps every history list one entry per epoch, nan where none was out."""
    trainer = Trainer(xor())
    trainer.run(epochs=3)
    trainer.set_table(trainer.experiment.table.toggle_heldout(0))
    trainer.run(epochs=2)
    trainer.set_table(trainer.experiment.table.toggle_heldout(0))
    trainer.run(epochs=1)
    h = trainer.history
    assert len(h.heldout_loss) == len(h.heldout_accuracy) == len(h) == 6
    assert [math.isnan(v) for v in h.heldout_loss] == [True, True, True, False, False, True]
    assert len(h.since(4).heldout_loss) == len(h.since(4).loss) == 2


def test_every_row_held_out_raises():
    """Holding out every row leaves nothing to train on: step raises LabError."""
    trainer = Trainer(xor().with_table(preset("xor").with_heldout({0, 1, 2, 3})))
    with pytest.raises(LabError, match="^every row is held out: keep at least one row to train on$"):
        trainer.step()
    with pytest.raises(LabError):
        trainer.run()
    assert trainer.epoch == 0


def test_scores_now_belong_to_the_table_as_it_stands():
    """After a bit of the table is flipped, ``scores_now`` gives the loss and accuracy of the same weights on the
    edited table, as a hand NumPy calculation does (mean squared error over the training rows), not the recorded
    epoch's; a held-out row is scored apart."""
    trainer = Trainer(recipe("keras-xor").with_training(lr=0.05))
    trainer.run(epochs=300)
    edited = trainer.experiment.table.flip(3, 0).with_heldout({1})
    trainer.set_table(edited)
    scores = trainer.scores_now()
    y = trainer.net.forward(edited.inputs)
    train, held = [0, 2, 3], [1]
    t = edited.targets
    assert scores.loss == pytest.approx(float(np.mean((y[train] - t[train]) ** 2)), rel=1e-12)
    assert scores.accuracy == row_accuracy(y[train], t[train]) and scores.accuracy < 1.0
    assert scores.heldout_loss == pytest.approx(float(np.mean((y[held] - t[held]) ** 2)), rel=1e-12)
    assert scores.loss != pytest.approx(trainer.history.loss[-1], rel=1e-3)
