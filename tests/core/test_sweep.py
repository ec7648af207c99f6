"""The batched sweep against its oracle, the single ``Trainer``: member k of a sweep must be the run of seed k, to
1e-9 in float64, for every activation, loss, optimizer and initialiser, with and without bias, at depth 0, 1 and 2,
full batch and mini-batch, with held-out rows; diverging members are frozen, counted and leave the others alone."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lab.core import sweep as sweep_module
from lab.core import sweep_block
from lab.core.activations import ACTIVATIONS, OUTPUT_ACTIVATIONS
from lab.core.errors import LabError
from lab.core.experiment import Experiment, Layer
from lab.core.gates import preset, table_from_expression
from lab.core.init import INITIALISERS
from lab.core.losses import LOSSES
from lab.core.nn import WIDE
from lab.core.optim import OPTIMIZERS
from lab.core.recipes import recipe
from lab.core.sweep import Sweep
from lab.core.train import Trainer

TOL = dict(rtol=1e-9, atol=1e-9)


def xor(epochs: int = 120, **training) -> Experiment:
    """The keras-xor recipe with fewer epochs and some training settings changed."""
    return recipe("keras-xor").with_training(epochs=epochs, **training)


def net(experiment: Experiment, layers: tuple[Layer, ...], output: str = "sigmoid", bias: bool = True) -> Experiment:
    return experiment.with_architecture(layers=layers, output_activation=output, bias=bias)


ADDER = table_from_expression("a ^ b ^ c; a&b | c&(a^b)", name="adder")

CASES = {
    "keras-xor: relu, sigmoid, mse, adam, glorot, full batch": xor(),
    "tanh, tanh out, sse, sgd, normal, a held-out row": net(
        xor(loss="sse", optimizer="sgd", lr=0.3, init="normal").with_table(preset("xor").with_heldout({2})),
        (Layer(3, "tanh"),), "tanh"),
    "depth 2: leaky_relu, sigmoid; bce from logits, momentum, he_normal": net(
        xor(loss="bce", optimizer="momentum", lr=0.1, init="he_normal"), (Layer(5, "leaky_relu"), Layer(3, "sigmoid"))),
    "linear hidden, linear out, mse, sgd, uniform, no bias": net(
        xor(optimizer="sgd", lr=0.05, init="uniform"), (Layer(3, "linear"),), "linear", bias=False),
    "depth 0, no bias, held out (single-neuron recipe)": recipe("single-neuron").with_training(epochs=150),
    "bce through tanh (clipped), momentum, two outputs, mini-batch 3 of 8": net(
        xor(loss="bce", optimizer="momentum", lr=0.2, batch_size=3).with_table(ADDER), (Layer(6, "relu"),), "tanh"),
    "bce through linear (clipped), sgd, mini-batch, held out": net(
        xor(loss="bce", optimizer="sgd", lr=0.1, batch_size=2, init="normal").with_table(
            preset("xor").with_heldout({0})), (Layer(4, "tanh"),), "linear"),
    "adam mini-batch 2 with a held-out row, depth 2, no bias": net(
        xor(batch_size=2, lr=0.01, init="he_normal").with_table(ADDER.with_heldout({5})),
        (Layer(4, "relu"), Layer(4, "tanh")), bias=False),
    "two-layer recipe, mini-batch 3 (a short last batch)": recipe("two-layer").with_training(epochs=100, batch_size=3),
    "wide layers (batched matmul): 16 relu, 16 relu, mini-batch 4 of 8": recipe("keras-xor-deeper").with_training(
        epochs=60, batch_size=4).with_table(ADDER),
    "wide layers, full batch, sgd": recipe("keras-xor-deeper").with_training(epochs=80, optimizer="sgd", lr=0.2),
    "stop solved": xor(epochs=400, stop="solved", lr=0.02),
    "stop loss<X": xor(epochs=400, stop="loss<0.15", lr=0.02),
}


def assert_member_is_trainer(sweep: Sweep, k: int, experiment: Experiment) -> Trainer:
    """Member ``k`` of ``sweep`` matches ``Trainer`` on ``experiment`` with member k's seed."""
    trainer = Trainer(experiment.with_training(seed=int(sweep.seeds[k])))
    trainer.run()
    mine, theirs = sweep.member_history(k), trainer.history
    assert len(mine) == len(theirs) == sweep.epochs_run[k]
    np.testing.assert_allclose(mine.loss, theirs.loss, **TOL)
    assert mine.accuracy == theirs.accuracy
    np.testing.assert_allclose(mine.heldout_loss, theirs.heldout_loss, **TOL)
    np.testing.assert_allclose(mine.heldout_accuracy, theirs.heldout_accuracy, **TOL)
    np.testing.assert_allclose(sweep.weights()[k], trainer.net.theta, **TOL)
    assert sweep.solved_epoch[k] == (trainer.solved_epoch or 0)
    assert sweep.diverged_epoch[k] == (trainer.diverged_epoch or 0)
    assert sweep.status(k) == trainer.status
    return trainer


@pytest.mark.parametrize("experiment", CASES.values(), ids=CASES.keys())
def test_every_member_is_the_single_trainer_with_its_seed(experiment):
    """Losses, accuracies, held-out metrics, final weights, solved epoch and status match Trainer to 1e-9."""
    sweep = Sweep(experiment, 3)
    sweep.run()
    assert list(sweep.seeds) == [0, 1, 2]
    for k in range(3):
        assert_member_is_trainer(sweep, k, experiment)


def test_the_cases_cover_every_registered_name():
    """Between them the cases use every activation, output activation, loss, optimizer and initialiser."""
    used = {kind: set() for kind in ("hidden", "output", "loss", "optimizer", "init")}
    for e in CASES.values():
        used["hidden"] |= {layer.activation for layer in e.architecture.layers}
        used["output"].add(e.architecture.output_activation)
        used["loss"].add(e.training.loss)
        used["optimizer"].add(e.training.optimizer)
        used["init"].add(e.training.init)
    assert used == {"hidden": set(ACTIVATIONS), "output": set(OUTPUT_ACTIVATIONS), "loss": set(LOSSES),
                    "optimizer": set(OPTIMIZERS), "init": set(INITIALISERS)}


def test_the_cases_take_both_paths_of_each_layer_product():
    """Some case has a layer of at least WIDE weights (batched matmul) past the first, and one whose first layer is
    that wide with per-member inputs (mini-batches); others use einsum."""
    wide_later = wide_first_mini = False
    for e in CASES.values():
        sizes = e.shape.sizes
        wide_later |= any(sizes[l] * sizes[l + 1] >= WIDE for l in range(1, len(sizes) - 1))
        wide_first_mini |= e.training.batch_size > 0 and (sizes[0] + 1) * sizes[1] >= WIDE
    assert wide_later and wide_first_mini


def test_explicit_seeds_and_base_seed():
    """A count starts at the experiment's seed; a list is taken as given, in its order."""
    assert list(Sweep(xor(seed=40), 3).seeds) == [40, 41, 42]
    experiment = xor(epochs=30)
    sweep = Sweep(experiment, [9, 4])
    sweep.run()
    assert list(sweep.seeds) == [9, 4]
    assert_member_is_trainer(sweep, 0, experiment)
    assert_member_is_trainer(sweep, 1, experiment)


def test_block_size_changes_no_number(monkeypatch):
    """Split into blocks of MIN_BLOCK members, each with its optimizer split into groups of rows, with members
    stopping (so blocks compact), every number is the one a single block gives; members still match the Trainer."""
    experiment = xor(epochs=100, stop="solved")
    whole = Sweep(experiment, 40)
    whole.run()
    monkeypatch.setattr(sweep_module, "BLOCK_BYTES", 1)  # MIN_BLOCK members per block
    monkeypatch.setattr(sweep_block, "OPTIMIZER_GROUP", 200)
    split = Sweep(experiment, 40)
    assert len(split.blocks) == 3 and len(split.blocks[0].optimizers) == 6
    split.run()
    np.testing.assert_allclose(split.weights(), whole.weights(), **TOL)
    assert np.array_equal(split.solved_epoch, whole.solved_epoch)
    np.testing.assert_allclose(split.history.matrix("loss"), whole.history.matrix("loss"), **TOL)
    assert 0 < split.solved < 40  # some stopped early, some ran to the budget
    for k in (0, 17, 39):
        assert_member_is_trainer(split, k, experiment)


DIVERGING = {
    "full batch, leaky_relu, sgd lr 0.5": net(xor(epochs=60, loss="sse", optimizer="sgd", lr=0.5, init="normal"),
                                              (Layer(4, "leaky_relu"),), "linear"),
    "full batch with a held-out row, leaky_relu, sgd lr 0.5": net(
        xor(epochs=60, loss="sse", optimizer="sgd", lr=0.5, init="normal").with_table(
            preset("xor").with_heldout({3})), (Layer(4, "leaky_relu"),), "linear"),
    "mini-batch 1, linear, sgd lr 0.3": net(
        xor(epochs=60, loss="sse", optimizer="sgd", lr=0.3, init="normal", batch_size=1), (Layer(4, "linear"),),
        "linear"),
}


@pytest.mark.parametrize("experiment", DIVERGING.values(), ids=DIVERGING.keys())
def test_diverging_members_are_frozen_counted_and_harmless(experiment):
    """Some seeds diverge at a large learning rate (a loss that is not finite, an update that is not, weights that
    overflow a forward pass): they stop at the Trainer's epoch with the weights it keeps, are counted, and the
    members that did not diverge are exactly what they are when trained alone."""
    sweep = Sweep(experiment, 8)
    sweep.run()
    diverged = np.flatnonzero(sweep.diverged_epoch)
    assert 0 < len(diverged) < 8 and sweep.diverged == len(diverged)
    assert np.isfinite(sweep.weights()).all()
    for k in range(8):
        assert_member_is_trainer(sweep, k, experiment)
    calm = [int(s) for s in sweep.seeds if not sweep.diverged_epoch[s]]
    alone = Sweep(experiment, calm)
    alone.run()
    assert np.array_equal(alone.weights(), sweep.weights()[calm])
    assert np.array_equal(alone.history.matrix("loss"), sweep.history.matrix("loss")[:, calm], equal_nan=True)


def test_run_polls_should_stop_every_epoch_and_reports_each_one():
    """``should_stop`` is polled before every epoch and ``on_epoch`` follows every epoch; a run resumes where it
    stopped; ``success_curve`` is the fraction solved by each epoch."""
    sweep = Sweep(xor(epochs=200), 6)
    polls: list[int] = []
    seen: list[int] = []
    ran = sweep.run(should_stop=lambda: polls.append(sweep.epoch) or len(polls) > 5,
                    on_epoch=lambda s: seen.append(s.epoch))
    assert ran == 5 and sweep.epoch == 5 and polls == [0, 1, 2, 3, 4, 5] and seen == [1, 2, 3, 4, 5]
    assert sweep.run(epochs=10) == 10 and sweep.epoch == 15
    sweep.run()
    assert sweep.done and sweep.epoch == 200 and sweep.run() == 0
    curve = sweep.success_curve()
    assert curve.shape == (200,)
    expected = [np.mean((sweep.solved_epoch > 0) & (sweep.solved_epoch <= e)) for e in range(1, 201)]
    assert np.array_equal(curve, expected)
    assert np.array_equal(sweep.success_curve(150), curve[150:])
    assert curve[-1] == sweep.solved / 6


def test_without_history_the_latest_metrics_remain():
    """``keep_history=False`` keeps no per-epoch rows but the same latest metrics and results."""
    experiment = xor(epochs=150).with_table(preset("xor").with_heldout({1}))
    full, lean = Sweep(experiment, 4), Sweep(experiment, 4, keep_history=False)
    full.run()
    lean.run()
    assert len(lean.history) == 0 and len(full.history) == 150
    for name in ("last_loss", "last_accuracy", "last_heldout_loss", "last_heldout_accuracy", "solved_epoch"):
        assert np.array_equal(getattr(full, name), getattr(lean, name))
    assert np.array_equal(full.last_loss, full.history.loss[-1])
    assert np.array_equal(full.weights(), lean.weights())


def test_network_is_a_copy_of_one_member():
    """``network(k)`` is member k's network, predicting as the Trainer's does."""
    experiment = xor(epochs=80)
    sweep = Sweep(experiment, 2)
    sweep.run()
    trainer = Trainer(experiment.with_training(seed=1))
    trainer.run()
    np.testing.assert_allclose(sweep.network(1).forward(experiment.table.inputs), trainer.predict(), **TOL)


@pytest.mark.parametrize("seeds,message", [
    (0, "seeds: expected at least 1, got 0"),
    ([], "seeds: expected at least one seed"),
    ([3, -1], "seeds: expected 0 to 4294967295, got -1"),
])
def test_bad_seeds(seeds, message):
    """No seeds or a seed out of range is a LabError naming the problem."""
    with pytest.raises(LabError, match=message):
        Sweep(xor(), seeds)


def test_seeds_past_the_largest():
    """A count that would run past seed 2**32 - 1 says so."""
    with pytest.raises(LabError, match="3 seeds from 4294967294 would pass the largest seed"):
        Sweep(xor(seed=2**32 - 2), 3)


def test_every_row_held_out_is_an_error_on_step():
    """As with the Trainer, a table with nothing to train on fails when stepped, in one line."""
    sweep = Sweep(xor().with_table(preset("xor").with_heldout({0, 1, 2, 3})), 2)
    with pytest.raises(LabError, match="every row is held out"):
        sweep.step()
    assert math.isnan(sweep.last_loss[0])


@pytest.mark.parametrize("precision", ["float64", "float32"])
@pytest.mark.parametrize("stop", ["budget", "solved"])
def test_a_member_is_the_same_bits_alone_as_among_others(precision, stop):
    """A member's weights and solved epoch are bit for bit the same in a sweep of one as in a sweep of twelve, and
    when the others stop first and leave it alone in its block (``with_twin``): NumPy contracts a stack of one as a
    plain 2-D product, which sums in another order (every member differed, in both precisions, without the twin)."""
    experiment = recipe("keras-xor").with_table(preset("parity4")).with_training(
        epochs=600 if stop == "budget" else 3000, precision=precision, stop=stop, lr=0.01)
    many = Sweep(experiment, 12)
    many.run()
    for seed in range(12):
        alone = Sweep(experiment, [seed])
        alone.run()
        assert np.array_equal(alone.weights()[0], many.weights()[seed]), seed
        assert alone.solved_epoch[0] == many.solved_epoch[seed] and alone.epochs_run[0] == many.epochs_run[seed]
