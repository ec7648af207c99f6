"""The frozen training state: a copy that shares nothing with the trainer, a resume that continues bit for bit, and
one place that refuses a state that does not fit its experiment."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pytest

from lab.core.errors import LabError
from lab.core.experiment import Architecture, Experiment, Layer, Training
from lab.core.gates import preset
from lab.core.recipes import recipe
from lab.core.state import FrozenHistory, FrozenSeries, TrainingState
from lab.core.train import Trainer

LAB = Path(__file__).resolve().parents[2] / "lab"


def experiment(optimizer: str = "adam", batch_size: int = 0):
    """A full adder with a held-out row on a two-hidden-layer network: every part of the state matters."""
    return recipe("keras-xor-deeper").with_table(preset("full-adder").with_heldout({5})).with_training(
        optimizer=optimizer, batch_size=batch_size, lr=0.01, epochs=500, seed=3)


def same_run(a: Trainer, b: Trainer) -> None:
    """Two trainers hold exactly the same run: weights, optimizer, shuffler, epoch, history, solved and diverged."""
    sa, sb = a.state(), b.state()
    assert np.array_equal(sa.theta, sb.theta)
    assert sa.optimizer.keys() == sb.optimizer.keys()
    for key in sa.optimizer:
        assert np.array_equal(sa.optimizer[key], sb.optimizer[key])
    assert sa.shuffle == sb.shuffle
    assert (sa.epoch, sa.lr, sa.solved_epoch, sa.diverged_epoch) == (sb.epoch, sb.lr, sb.solved_epoch,
                                                                       sb.diverged_epoch)
    np.testing.assert_array_equal(np.array(sa.history.loss), np.array(sb.history.loss))
    assert sa.history == sb.history or all(
        np.array_equal(np.array(getattr(sa.history, k)), np.array(getattr(sb.history, k)), equal_nan=True)
        for k in ("loss", "accuracy", "heldout_loss", "heldout_accuracy"))


@pytest.mark.parametrize("optimizer", ["adam", "momentum", "sgd"])
@pytest.mark.parametrize("batch_size", [0, 3])
def test_resume_from_a_state_continues_bit_for_bit(optimizer, batch_size):
    """Train N epochs, freeze, rebuild, train M: exactly the run of N + M epochs in one go (Adam's moments and step
    count, momentum's velocity and the mini-batch shuffle included)."""
    whole = Trainer(experiment(optimizer, batch_size))
    whole.run(epochs=70)
    first = Trainer(experiment(optimizer, batch_size))
    first.run(epochs=30)
    resumed = Trainer.from_state(first.experiment, first.state())
    resumed.run(epochs=40)
    same_run(whole, resumed)
    assert resumed.epoch == 70 and len(resumed.history.heldout_loss) == 70


def test_a_state_shares_nothing_with_the_trainer():
    """Training on after ``state()`` leaves the state as it was; its arrays cannot be written."""
    trainer = Trainer(experiment(batch_size=3))
    trainer.run(epochs=5)
    state = trainer.state()
    theta, m, loss = state.theta.copy(), state.optimizer["m"].copy(), state.history.loss
    trainer.run(epochs=5)
    assert np.array_equal(state.theta, theta) and np.array_equal(state.optimizer["m"], m)
    assert state.epoch == 5 and state.history.loss == loss and len(state.history) == 5
    for array in (state.theta, state.optimizer["m"], state.optimizer["t"], state.params()["W1"]):
        with pytest.raises(ValueError):
            array[...] = 0.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        state.epoch = 3  # type: ignore[misc]  # the point: a frozen dataclass refuses it
    with pytest.raises(TypeError):
        state.optimizer["m"] = m  # type: ignore[index]  # a read-only mapping
    rebuilt = Trainer.from_state(trainer.experiment, state)
    rebuilt.run(epochs=1)
    assert np.array_equal(state.theta, theta)  # the rebuilt trainer trains on its own copy


def test_a_diverged_state_stays_diverged():
    """A run that diverged keeps its status through a state: the rebuilt trainer is done and says why."""
    trainer = Trainer(Experiment(preset("xor"), Architecture((Layer(16, "relu"), Layer(16, "relu")), "linear"),
                                 Training(optimizer="sgd", lr=1000.0, epochs=500)))
    assert trainer.run() == "diverged"
    rebuilt = Trainer.from_state(trainer.experiment, trainer.state())
    assert rebuilt.status == "diverged" and rebuilt.done and rebuilt.diverged_epoch == trainer.epoch + 1


def trained_state() -> tuple[Trainer, TrainingState]:
    trainer = Trainer(experiment())
    trainer.run(epochs=5)
    return trainer, trainer.state()


def changed(state: TrainingState, **fields) -> TrainingState:
    return dataclasses.replace(state, **fields)


def with_optimizer(state: TrainingState, **arrays) -> TrainingState:
    return changed(state, optimizer=MappingProxyType({**state.optimizer, **arrays}))


def with_theta(state: TrainingState, index: int, value: float) -> TrainingState:
    theta = state.theta.copy()
    theta[index] = value
    return changed(state, theta=theta)


def overflowing(state: TrainingState) -> TrainingState:
    """Finite weights whose outputs are not: every weight 1e200 but half the output layer's rows -1e200, so the
    output's pre-activation is inf - inf."""
    theta = np.full_like(state.theta, 1e200)
    params = state.shape.param_shapes()
    last = [name for name, _ in params].index(f"W{state.shape.n_layers}")
    start = sum(int(np.prod(dims)) for _, dims in params[:last])
    theta[start : start + int(np.prod(params[last][1])) // 2] = -1e200
    return changed(state, theta=theta)


BAD_STATES = [
    (lambda s: changed(s, theta=s.theta[:-1]), "weights: expected {P} parameters for a network of sizes"),
    (lambda s: with_theta(s, 0, np.nan), "weights.W1: holds a value that is not a finite number"),
    (lambda s: with_theta(s, -1, np.inf), "weights.b3: holds a value that is not a finite number"),
    (overflowing,
     "weights: the network's output for row 0 is not a finite number (the weights are too large)"),
    (lambda s: changed(s, lr=-1.0), "lr: "),
    (lambda s: changed(s, epoch=-1, history=FrozenHistory()), "epoch: expected 0 or more, got -1"),
    (lambda s: changed(s, epoch=4), "epoch: 4 does not match the 5 epochs of history"),
    (lambda s: changed(s, history=dataclasses.replace(s.history, accuracy=s.history.accuracy[:4])),
     "history.accuracy: expected 5 values (one per epoch), got 4"),
    (lambda s: changed(s, history=dataclasses.replace(s.history, heldout_accuracy=())),
     "history.heldout_accuracy: expected 5 values (one per epoch), got 0"),
    (lambda s: changed(s, solved_epoch=6), "solved_epoch: expected 1 to 5 or null, got 6"),
    (lambda s: changed(s, diverged_epoch=2), "diverged_epoch: expected 6 (the epoch after the last) or null, got 2"),
    (lambda s: with_optimizer(s, m=np.zeros(3)), "optimizer.m: expected shape ({P},), got (3,)"),
    (lambda s: with_optimizer(s, v=np.full(s.theta.size, np.nan)),
     "optimizer.v: holds a value that is not a finite number"),
    (lambda s: with_optimizer(s, t=np.array(2.5)), "optimizer.t: expected a whole number of steps from 0 to 2**53"),
    (lambda s: with_optimizer(s, velocity=np.zeros(s.theta.size)), "optimizer.velocity: not part of adam's state"),
    (lambda s: changed(s, optimizer=MappingProxyType({})), "optimizer: missing 'm' for adam"),
    (lambda s: changed(s, shuffle=MappingProxyType({"state": 1})), "shuffle: not a saved random generator state"),
    (lambda s: changed(s, shuffle=MappingProxyType({**s.shuffle, "inc": -1})),
     "shuffle: not a saved random generator state"),
]


@pytest.mark.parametrize(("spoil", "message"), BAD_STATES)
def test_from_state_refuses_a_state_that_does_not_fit(spoil, message):
    """Each way a state can disagree with its experiment is one LabError line naming the field."""
    trainer, state = trained_state()
    with pytest.raises(LabError) as caught:
        Trainer.from_state(trainer.experiment, spoil(state))
    assert str(caught.value).startswith(message.format(P=state.theta.size))


def test_a_state_for_another_network_is_refused():
    """A state of another shape names both shapes."""
    _, state = trained_state()
    with pytest.raises(LabError, match=r"weights: the saved network has layer sizes \(3, 16, 16, 2\)"):
        Trainer.from_state(recipe("keras-xor"), state)


def test_only_the_trainer_sets_its_run_fields():
    """Nothing outside lab/core/train.py assigns a trainer's epoch, history, solved or diverged epoch, optimizer or
    shuffler: files and views go through ``state()`` and ``from_state``."""
    pattern = re.compile(r"\b(?!self\b)\w+\.(epoch|history|solved_epoch|diverged_epoch|optimizer|_shuffle)\s*=[^=]")
    sources = [path for path in LAB.rglob("*.py")  # a sweep's own run fields are its driver's (lab/core/sweep*.py)
               if path.name != "train.py" and not path.name.startswith("sweep")]
    offenders = [f"{path.relative_to(LAB)}:{n}" for path in sources
                 for n, line in enumerate(path.read_text().splitlines(), 1) if pattern.search(line)]
    assert offenders == []


def test_a_frozen_series_reads_like_the_list_it_froze():
    """Extended chunk by chunk, a series indexes, slices (with steps, across chunks) and compares like its list, and
    keeps few chunks however often it is extended."""
    live: list[float] = []
    series = FrozenSeries()
    for n in range(1, 300):
        live += [float(n * 10 + k) for k in range(n % 7)]
        series = series.extended(live)
        assert len(series) == len(live)
    assert series == live and list(series) == live
    assert series.chunk_count <= len(live).bit_length() + 1
    for index in (0, 1, 5, len(live) - 1, -1, -len(live)):
        assert series[index] == live[index]
    for start, stop, step in ((None, None, 1), (3, 500, 7), (9, None, 64), (None, -5, 3), (400, 100, 1),
                              (None, None, -3)):
        assert series[start:stop:step] == tuple(live[start:stop:step])
    with pytest.raises(IndexError):
        series[len(live)]


def test_state_copies_only_the_new_epochs():
    """Two states of one run share their earlier values: the trainer's series only grow (an epoch once recorded
    cannot be changed), so a state reads them in place and stays as it was."""
    trainer = Trainer(experiment())
    trainer.run(epochs=40)
    first = trainer.state()
    trainer.run(epochs=3)
    second = trainer.state()
    assert second.history.loss[:40] == first.history.loss[:]
    assert len(first.history) == 40 and len(second.history) == 43
    assert second.history.loss == trainer.history.loss
    with pytest.raises(TypeError, match="only grows"):
        trainer.history.loss[0] = -1.0
    with pytest.raises(TypeError, match="only grows"):
        trainer.history.loss.pop()
    assert len(first.history) == 40 and first.history.loss[:] == second.history.loss[:40]
