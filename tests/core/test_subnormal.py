"""The optimizers keep no subnormal state (``optim.flush_subnormal`` every ``FLUSH_EVERY`` steps): a moment whose
gradient is zero (a dead unit) decays to exactly zero instead of sticking in the subnormal range, where x86
processors compute slowly, and nothing above the smallest normal number changes."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from lab.core.errors import LabError
from lab.core.optim import FLUSH_EVERY, OPTIMIZERS, Adam, Momentum, flush_subnormal
from lab.core.recipes import recipe
from lab.core.train import Trainer

DTYPES = [np.float32, np.float64]


def subnormal(values: np.ndarray) -> np.ndarray:
    """Where ``values`` are subnormal: nonzero and below the smallest normal of their type."""
    return (values != 0) & (np.abs(values) < np.finfo(values.dtype).tiny)


@pytest.mark.parametrize("dtype", DTYPES)
def test_flush_zeroes_subnormals_keeping_their_sign_and_leaves_the_rest_bit_for_bit(dtype):
    """Subnormals become zeros of their sign; normals, zeros of either sign and infinities keep every bit."""
    info = np.finfo(dtype)
    smallest = np.nextafter(dtype(0), dtype(1))
    values = np.array([info.tiny, -info.tiny, info.tiny / 2, -info.tiny / 2, smallest, -smallest, 0.0, -0.0, 1.0,
                       -3e-30, info.max, np.inf, -np.inf], dtype=dtype)
    before = values.copy()
    flush_subnormal(values, np.empty_like(values))
    flushed = subnormal(before)
    assert flushed.tolist() == [False, False, True, True, True, True] + [False] * 7
    assert not values[flushed].any() and np.array_equal(np.signbit(values), np.signbit(before))
    assert np.array_equal(values[~flushed].view(np.uint8), before[~flushed].view(np.uint8))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["adam", "momentum"])
def test_a_moment_without_gradient_decays_to_zero_not_to_a_stuck_subnormal(dtype, name):
    """One gradient, then none: the moment (m, velocity) decays by 0.9 a step into the subnormal range, where
    rounding alone would hold it for ever (0.1 x 5 x 2^-149 rounds to 0); flushed, it is exactly zero once it is
    there, and no step leaves a subnormal older than ``FLUSH_EVERY`` steps."""
    optimizer = OPTIMIZERS[name](3, dtype)
    theta = np.array([0.5, -0.25, 1.0], dtype=dtype)
    optimizer.step(theta, np.array([1e-3, -1e-3, 0.0], dtype=dtype), 0.01)
    zero = np.zeros(3, dtype)
    steps = 1_000 if dtype is np.float32 else 7_500  # past where 0.9^t x 1e-4 falls below the smallest normal
    age = np.zeros(3, int)
    for _ in range(steps):
        optimizer.step(theta, zero, 0.01)
        moment = optimizer.state()["m" if name == "adam" else "velocity"]
        age = np.where(subnormal(moment), age + 1, 0)
        assert age.max() <= FLUSH_EVERY
    assert not optimizer.state()["m" if name == "adam" else "velocity"].any()


@pytest.mark.parametrize("dtype", DTYPES)
def test_adams_second_moment_goes_to_zero_too(dtype):
    """v decays by 0.999 a step: started just above the smallest normal, it is exactly zero 2,000 steps on."""
    adam = Adam(4, dtype)
    tiny = np.finfo(dtype).tiny
    adam.load_state({"m": np.zeros(4, dtype), "v": np.full(4, 3 * tiny, dtype), "t": np.array(0)})
    theta = np.ones(4, dtype)
    for _ in range(2_000):
        adam.step(theta, np.zeros(4, dtype), 0.001)
    assert not adam.state()["v"].any() and np.array_equal(theta, np.ones(4, dtype))


def test_momentum_counts_its_steps_in_its_state_so_a_resumed_run_flushes_when_the_whole_run_does():
    """Momentum's state carries its step count; loaded, the next flush comes at the same step as in the run saved."""
    whole, first = Momentum(2), Momentum(2)
    theta_whole, theta_first = np.ones(2), np.ones(2)
    for _ in range(FLUSH_EVERY - 3):
        whole.step(theta_whole, np.array([1e-3, 0.0]), 0.1)
        first.step(theta_first, np.array([1e-3, 0.0]), 0.1)
    assert int(first.state()["t"]) == FLUSH_EVERY - 3
    resumed = Momentum(2)
    resumed.load_state(first.state())
    assert resumed.t == whole.t


def test_a_momentum_state_saved_before_the_step_count_loads_and_trains_on():
    """A file from before momentum kept ``t`` (velocity only) is accepted; its count starts at 0. An Adam state
    without its count is still refused, since Adam's bias correction needs it."""
    experiment = recipe("keras-xor").with_training(optimizer="momentum", lr=0.1, epochs=60)
    whole = Trainer(experiment)
    whole.run(epochs=60)
    first = Trainer(experiment)
    first.run(epochs=20)
    state = first.state()
    old = type(state.optimizer)({"velocity": state.optimizer["velocity"]})
    resumed = Trainer.from_state(experiment, dataclasses.replace(state, optimizer=old))
    assert resumed.optimizer.state()["t"] == 0 and resumed.optimizer.state()["velocity"].any()
    resumed.run(epochs=40)
    assert np.array_equal(resumed.net.theta, whole.net.theta)  # no subnormal arose, so the flush changed nothing
    adam = recipe("keras-xor").with_training(epochs=60)
    first = Trainer(adam)
    first.run(epochs=20)
    state = first.state()
    without_t = type(state.optimizer)({k: v for k, v in state.optimizer.items() if k != "t"})
    with pytest.raises(LabError, match="optimizer: missing 't' for adam"):
        Trainer.from_state(adam, dataclasses.replace(state, optimizer=without_t))
