"""Gradient checks: backpropagation against centred differences in float64, as cs231n teaches.

Every hidden activation x output activation x loss x depth (0, 1, 2 hidden layers) x bias is checked on a small
network (3 inputs, hidden layers of 3 units, 2 outputs, 4 rows), every parameter, with the relative error
``|a - n| / max(|a| + |n|, tiny)`` below 1e-6. Inputs and weights are drawn from the first seed for which no ReLU-like
unit sits within 1e-3 of its kink, for binary cross-entropy after a tanh or linear output every output stays inside
(0, 1), away from the clip, and no gradient is nonzero but below 1e-4: float64 round-off in the loss alone (about
``|L| eps / h``, 1e-11) would reach a relative error of 1e-6 on a gradient of 1e-5.
"""

from __future__ import annotations

import numpy as np
import pytest

from lab.core.activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from lab.core.losses import BCE_EPSILON, LOSSES
from lab.core.nn import Network, Shape

H = 1e-5  # centred-difference step
TOL = 1e-6  # largest relative error accepted
TINY = 1e-12  # floor of the denominator, for gradients that are exactly zero (a dead ReLU's weights)
SMALLEST = 1e-4  # nonzero gradients below this sit too close to the round-off floor to check relatively
KINKED = ("relu", "leaky_relu")


def rel_error(a: np.ndarray, n: np.ndarray) -> np.ndarray:
    """cs231n's relative error, elementwise."""
    return np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), TINY)


def loss_of(net: Network, x: np.ndarray, t: np.ndarray, loss: str) -> float:
    """The loss of ``net`` on rows ``x`` against targets ``t``."""
    zs, acts = net.forward_trace(x)
    return LOSSES[loss].value(zs[-1], acts[-1], t, net.acts[-1])


def analytic_grad(net: Network, x: np.ndarray, t: np.ndarray, loss: str) -> np.ndarray:
    """dL/dtheta by backpropagation."""
    zs, acts = net.forward_trace(x)
    dz = LOSSES[loss].grad_z(zs[-1], acts[-1], t, net.acts[-1])
    return net.backward(zs, acts, dz).copy()


def numeric_grad(net: Network, x: np.ndarray, t: np.ndarray, loss: str) -> np.ndarray:
    """dL/dtheta by centred differences, one parameter at a time."""
    grad = np.empty_like(net.theta)
    for i in range(net.theta.size):
        old = net.theta[i]
        net.theta[i] = old + H
        up = loss_of(net, x, t, loss)
        net.theta[i] = old - H
        down = loss_of(net, x, t, loss)
        net.theta[i] = old
        grad[i] = (up - down) / (2 * H)
    return grad


def well_placed(net: Network, x: np.ndarray, t: np.ndarray, loss: str) -> bool:
    """No kinked unit within 1e-3 of z = 0, outputs inside (0.05, 0.95) where bce clips a non-sigmoid, and every
    gradient either zero or at least ``SMALLEST``."""
    zs, acts = net.forward_trace(x)
    for z, name in zip(zs, net.shape.activations, strict=True):
        if name in KINKED and np.min(np.abs(z)) < 1e-3:
            return False
    if loss == "bce" and net.shape.activations[-1] != "sigmoid" and not np.all((acts[-1] > 0.05) & (acts[-1] < 0.95)):
        return False
    g = np.abs(analytic_grad(net, x, t, loss))
    return bool(np.all((g == 0) | (g >= SMALLEST)))


def small_problem(hidden: str, depth: int, out: str, loss: str, bias: bool):
    """A seeded small network, inputs and 0/1 targets that satisfy ``well_placed``."""
    shape = Shape((3, *([3] * depth), 2), (*([hidden] * depth), out), bias)
    for seed in range(2000):
        rng = np.random.default_rng(seed)
        x = rng.uniform(0.1, 0.9, (4, 3))
        t = rng.integers(0, 2, (4, 2)).astype(np.float64)
        net = Network(shape, rng.normal(0.0, 0.6, shape.n_params))
        if well_placed(net, x, t, loss):
            return net, x, t
    raise AssertionError("no seed gives a well-placed problem")  # pragma: no cover


CASES = [(h, d, o, l, b) for d in (1, 2) for h in HIDDEN_ACTIVATIONS for o in OUTPUT_ACTIVATIONS
         for l in LOSSES for b in (True, False)]
CASES += [("-", 0, o, l, b) for o in OUTPUT_ACTIVATIONS for l in LOSSES for b in (True, False)]


@pytest.mark.parametrize("hidden,depth,out,loss,bias", CASES,
                         ids=[f"{d}x{h}-{o}-{l}-{'bias' if b else 'nobias'}" for h, d, o, l, b in CASES])
def test_backward_matches_centred_differences(hidden, depth, out, loss, bias):
    """Every parameter's backpropagated gradient agrees with centred differences to a relative error below 1e-6."""
    net, x, t = small_problem(hidden, depth, out, loss, bias)
    a = analytic_grad(net, x, t, loss)
    n = numeric_grad(net, x, t, loss)
    err = rel_error(a, n)
    worst = int(np.argmax(err))
    assert err[worst] < TOL, f"param {worst}: analytic {a[worst]!r}, numeric {n[worst]!r}, rel error {err[worst]:.2e}"


@pytest.mark.parametrize("loss", list(LOSSES))
def test_mixed_hidden_activations(loss):
    """Three hidden layers of different activations and widths (3 -> 4 tanh -> 3 leaky_relu -> 3 relu -> 2) pass."""
    shape = Shape((3, 4, 3, 3, 2), ("tanh", "leaky_relu", "relu", "sigmoid"))
    for seed in range(2000):
        rng = np.random.default_rng(seed)
        net = Network(shape, rng.normal(0.0, 1.0, shape.n_params))
        x = rng.uniform(0.1, 0.9, (5, 3))
        t = rng.integers(0, 2, (5, 2)).astype(np.float64)
        if well_placed(net, x, t, loss):
            break
    else:  # pragma: no cover
        raise AssertionError("no seed gives a well-placed problem")
    assert np.max(rel_error(analytic_grad(net, x, t, loss), numeric_grad(net, x, t, loss))) < TOL


def test_bce_gradient_is_zero_where_the_clip_is_active():
    """bce after a linear output clips y to [eps, 1 - eps]: outside, the loss is flat and its gradient is zero."""
    shape = Shape((2, 1), ("linear",))
    net = Network(shape, np.array([2.0, 0.0, 0.5]))  # W (2, 1), b (1,)
    x = np.array([[1.0, 0.0], [0.0, 1.0]])  # y = 2.5 (clipped) and 0.5 (inside)
    t = np.array([[1.0], [0.0]])
    zs, acts = net.forward_trace(x)
    dz = LOSSES["bce"].grad_z(zs[-1], acts[-1], t, net.acts[-1])
    assert dz[0, 0] == 0.0
    assert dz[1, 0] == pytest.approx((0.5 - 0.0) / (0.5 * 0.5 * 2))
    value = LOSSES["bce"].value(zs[-1], acts[-1], t, net.acts[-1])
    expected = -(np.log(1.0 - BCE_EPSILON) + np.log(0.5)) / 2
    assert value == pytest.approx(expected)


def test_bce_of_sigmoid_is_finite_for_huge_logits():
    """bce from a sigmoid's logits stays finite and exact where log(y) would overflow."""
    sig = Network(Shape((1, 1), ("sigmoid",)), np.array([1.0, 0.0])).acts[-1]
    z = np.array([[800.0], [-800.0]])
    y = sig.fn(z)
    t = np.array([[0.0], [1.0]])
    assert LOSSES["bce"].value(z, y, t, sig) == pytest.approx(800.0)
    assert np.allclose(LOSSES["bce"].grad_z(z, y, t, sig), [[0.5], [-0.5]])
