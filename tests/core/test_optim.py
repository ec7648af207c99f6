"""Optimizer steps against their formulas, on cases small enough to work out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lab.core.optim import OPTIMIZERS, SGD, Adam, Momentum


def test_registry_names():
    """The registry maps each optimizer's name to its class."""
    assert OPTIMIZERS == {"sgd": SGD, "momentum": Momentum, "adam": Adam}


def test_sgd_step():
    """SGD: theta - lr g; (1, -2) with g (0.5, -1) and lr 0.1 becomes (0.95, -1.9)."""
    theta = np.array([1.0, -2.0])
    SGD(2).step(theta, np.array([0.5, -1.0]), 0.1)
    assert theta == pytest.approx([0.95, -1.9], abs=1e-15)


def test_momentum_two_steps():
    """Momentum 0.9: v1 = -0.1 g = (-0.05, 0.1); v2 = 0.9 v1 - 0.1 g = (-0.095, 0.19)."""
    theta = np.array([1.0, -2.0])
    g = np.array([0.5, -1.0])
    opt = Momentum(2)
    opt.step(theta, g, 0.1)
    assert opt.velocity == pytest.approx([-0.05, 0.1], abs=1e-15)
    assert theta == pytest.approx([0.95, -1.9], abs=1e-15)
    opt.step(theta, g, 0.1)
    assert opt.velocity == pytest.approx([-0.095, 0.19], abs=1e-15)
    assert theta == pytest.approx([0.855, -1.71], abs=1e-15)


def test_adam_first_step_moves_by_lr_times_sign():
    """Adam's first step is lr * sign(g), shrunk only by epsilon: lr / (1 + 1e-7 / (sqrt(0.001) |g|))."""
    # m1 = 0.1 g, v1 = 0.001 g^2, alpha = lr sqrt(0.001) / 0.1, so the step is lr |g| sqrt(0.001) / (|g| sqrt(0.001)
    # + 1e-7). For g = 0.5 and lr = 0.01: 0.01 / (1 + 1e-7 / 0.0158113883) = 0.01 / 1.0000063245553 = 0.00999993675484.
    theta = np.array([1.0, -2.0, 3.0])
    opt = Adam(3)
    opt.step(theta, np.array([0.5, -4.0, 0.0]), 0.01)
    assert opt.t == 1
    assert opt.m == pytest.approx([0.05, -0.4, 0.0])
    assert opt.v == pytest.approx([0.00025, 0.016, 0.0])
    assert theta[0] == pytest.approx(1.0 - 0.00999993675484, abs=1e-13)
    assert theta[1] == pytest.approx(-2.0 + 0.01 / (1 + 1e-7 / (0.0316227766017 * 4.0)), abs=1e-13)
    assert theta[2] == 3.0  # no gradient, no move


def test_adam_constant_gradient_keeps_moving_by_lr():
    """With a constant gradient the bias correction keeps every step at lr * sign(g) (to about 1e-5)."""
    theta = np.array([0.0])
    opt = Adam(1)
    for _ in range(5):
        opt.step(theta, np.array([2.0]), 0.001)
    assert theta[0] == pytest.approx(-0.005, rel=1e-5)


def test_adam_second_step_after_a_sign_change():
    """After g = 1, a gradient of -1 moves theta back by only lr * 0.01 / 0.19 = 0.0526 lr."""
    # m2 = 0.9 * 0.1 - 0.1 = -0.01, v2 = 0.999 * 0.001 + 0.001 = 0.001999, and
    # alpha2 = lr sqrt(1 - 0.999^2) / (1 - 0.9^2) = lr sqrt(0.001999) / 0.19, so the second step is
    # -alpha2 * m2 / (sqrt(v2) + eps) = +lr * 0.01 / 0.19 = +0.0526316 lr (up to epsilon).
    theta = np.array([0.0])
    opt = Adam(1)
    lr = 0.1
    opt.step(theta, np.array([1.0]), lr)
    after_first = theta[0]
    assert after_first == pytest.approx(-lr, rel=1e-5)
    opt.step(theta, np.array([-1.0]), lr)
    assert opt.m[0] == pytest.approx(-0.01)
    assert opt.v[0] == pytest.approx(0.001999)
    step = lr * math.sqrt(0.001999) / 0.19 * 0.01 / (math.sqrt(0.001999) + 1e-7)
    assert step == pytest.approx(lr * 0.0526316, rel=1e-5)
    assert theta[0] - after_first == pytest.approx(step, rel=1e-12)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_state_round_trip_continues_identically(name):
    """Saving an optimizer's state and loading it into a fresh one continues with the very same numbers."""
    rng = np.random.default_rng(3)
    grads = rng.normal(size=(6, 4))
    a, theta_a = OPTIMIZERS[name](4), np.ones(4)
    for g in grads[:3]:
        a.step(theta_a, g, 0.05)
    b, theta_b = OPTIMIZERS[name](4), theta_a.copy()
    b.load_state(a.state())
    for g in grads[3:]:
        a.step(theta_a, g, 0.05)
        b.step(theta_b, g, 0.05)
    assert np.array_equal(theta_a, theta_b)


def test_state_is_a_copy():
    """``state()`` returns copies: stepping afterwards does not change what was saved."""
    opt = Adam(2)
    saved = opt.state()
    opt.step(np.zeros(2), np.ones(2), 0.1)
    assert not saved["m"].any() and int(saved["t"]) == 0


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_a_step_into_out_is_the_step_in_place_and_leaves_theta(name):
    """``step(..., out=)`` (a sweep's update, which keeps the weights before it without copying them) writes the very
    numbers the step in place writes, on a stack with a learning rate per member, and leaves ``theta`` as it was."""
    rng = np.random.default_rng(5)
    lr = np.array([0.001, 0.01, 0.1])
    in_place, into = OPTIMIZERS[name]((7, 3)), OPTIMIZERS[name]((7, 3))
    theta = rng.normal(size=(7, 3))
    for g in rng.normal(size=(4, 7, 3)):
        before, out = theta.copy(), np.empty_like(theta)
        into.step(theta, g, lr, out=out)
        assert np.array_equal(theta, before)
        in_place.step(theta, g, lr)
        assert np.array_equal(out.view(np.uint64), theta.view(np.uint64))
