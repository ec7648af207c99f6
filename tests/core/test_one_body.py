"""One formula, one place: every activation, loss, pass and run rule is written once and serves one network (arrays
(n, u)) and a stack of K (arrays (n, u, K), member last) alike. Each test holds the stacked form to the single one,
member by member, and the ``out=`` form to the allocating one."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lab.core.activations import ACTIVATIONS, OUTPUT_ACTIVATIONS
from lab.core.errors import LabError
from lab.core.experiment import StopRule
from lab.core.gates import preset
from lab.core.losses import LOSSES
from lab.core.nn import (
    BATCHED,
    NARROW,
    ONE,
    SHARED,
    Network,
    Pass,
    Shape,
    backward,
    dense_layers,
    forward,
)
from lab.core.rules import (
    BUDGET,
    DIVERGED,
    LOSS_REACHED,
    READY,
    SOLVED,
    Targets,
    ended,
    endings,
    finite_fallback,
    require_training_rows,
    right,
    row_accuracy,
    run_epochs,
    status,
)
from lab.core.train import widen

RNG = np.random.default_rng(7)
SPECIAL = np.array([0.0, -0.0, 1e-300, -1e-300, np.inf, -np.inf, np.nan, 40.0, -40.0])


def stack(n: int = 5, units: int = 3, K: int = 4) -> np.ndarray:
    """A stack (n, units, K) of values with the special ones in member 0."""
    z = RNG.normal(0, 3, (n, units, K))
    z.reshape(-1, K)[: len(SPECIAL), 0] = SPECIAL
    return z


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_into_a_buffer_equals_allocating_and_a_stack_equals_its_members(name):
    """``fn(z, out)`` writes exactly ``fn(z)`` into ``out`` (infinities and nan included), and so does ``grad``; a
    stack's values are each member's."""
    act = ACTIVATIONS[name]
    z = stack()
    with np.errstate(all="ignore"):
        a = act.fn(z)
        out = np.full_like(z, 7.0)
        assert act.fn(z, out) is out
        np.testing.assert_array_equal(out, a)
        g = act.grad(z, a)
        out = np.full_like(z, 7.0)
        assert act.grad(z, a, out) is out
        np.testing.assert_array_equal(out, g)
        for k in range(z.shape[2]):
            np.testing.assert_array_equal(act.fn(z[:, :, k].copy()), a[:, :, k])
            np.testing.assert_array_equal(act.grad(z[:, :, k].copy(), a[:, :, k].copy()), g[:, :, k])


LOSS_CASES = [(loss, out) for loss in LOSSES for out in OUTPUT_ACTIVATIONS]


@pytest.mark.parametrize("loss,output", LOSS_CASES, ids=[f"{l}-{o}" for l, o in LOSS_CASES])
def test_loss_reduces_rows_and_outputs_keeping_the_member_axis(loss, output):
    """A loss of a stack (n, o, K) is (K,), each member's loss as one network; its gradient into a buffer equals
    the allocating one and each member's; targets (n, o, 1) are shared by every member."""
    L, f = LOSSES[loss], ACTIVATIONS[output]
    z = RNG.normal(0, 2, (6, 2, 5))
    y = f.fn(z)
    t = RNG.integers(0, 2, (6, 2, 1)).astype(float)
    values = L.value(z, y, t, f)
    assert values.shape == (5,)
    grad = L.grad_z(z, y, t, f)
    out = np.full_like(z, 7.0)
    assert L.grad_z(z, y, t, f, out) is out
    np.testing.assert_array_equal(out, grad)
    for k in range(5):
        one = L.value(z[:, :, k].copy(), y[:, :, k].copy(), t[:, :, 0], f)
        assert isinstance(float(one), float)
        assert math.isclose(values[k], one, rel_tol=1e-13, abs_tol=1e-15)
        np.testing.assert_allclose(grad[:, :, k], L.grad_z(z[:, :, k].copy(), y[:, :, k].copy(), t[:, :, 0], f),
                                   rtol=1e-13, atol=1e-16)


def test_an_output_of_exactly_one_half_is_class_0():
    """Keras' rule (y > 0.5 is a 1): exactly 0.5 is right for a 0 and wrong for a 1; the least float above 0.5 is a 1;
    nan is wrong for either, in one network and a stack."""
    above = np.nextafter(0.5, 1.0)
    t = np.array([[0.0], [1.0], [0.0], [1.0], [0.0], [1.0], [0.0], [1.0]])
    y = np.array([[0.5], [0.5], [0.49], [0.51], [np.nan], [np.nan], [above], [above]])
    assert right(y, t)[:, 0].tolist() == [True, False, True, True, False, False, False, True]
    assert row_accuracy(y, t) == pytest.approx(4 / 8)
    targets = Targets.of(t[:, :, None])
    counts = targets.right(np.stack([y, 1.0 - np.nan_to_num(y, nan=0.5)], axis=2))
    # member 1 answers 0.5 0.5 0.51 0.49 0.5 0.5 (1 - above) (1 - above): right on rows 0, 4 and 6 (all 0s, at or
    # below 0.5), wrong elsewhere
    assert counts.tolist() == [4.0, 3.0]
    assert Targets.of(t).right(y) == 4.0
    assert right(0.5, 0) and not right(0.5, 1) and right(float("inf"), 1) and right(float("-inf"), 0)


def test_a_row_is_right_only_when_every_output_is():
    """Right rows of a stack with two outputs are each member's count; a row counts only with both outputs right."""
    t = RNG.integers(0, 2, (8, 2)).astype(float)
    y = RNG.uniform(0, 1, (8, 2, 6))
    counts = Targets.of(t[:, :, None]).right(y)
    for k in range(6):
        assert counts[k] == Targets.of(t).right(y[:, :, k].copy())
        assert counts[k] == np.sum(np.all((y[:, :, k] > 0.5) == (t > 0.5), axis=1))


@pytest.mark.parametrize("products", [NARROW, BATCHED], ids=["einsum", "batched matmul"])
@pytest.mark.parametrize("bias", [True, False])
def test_one_forward_and_backward_serve_a_network_and_a_stack(products, bias):
    """``forward`` and ``backward`` over stacked views of theta (P, K) give each member's outputs and gradient as
    ``Network`` does alone, with the first layer's shared input multiplied once for all (``SHARED``)."""
    shape = Shape((3, 5, 4, 2), ("tanh", "relu", "sigmoid"), bias)
    K = 3
    nets = [Network.initialise(shape, "normal", np.random.default_rng(k)) for k in range(K)]
    theta = np.stack([net.theta for net in nets], axis=1)
    grad = np.zeros_like(theta)
    layers = dense_layers(shape, theta, grad, True, [SHARED, products, products])
    x = RNG.uniform(0, 1, (6, 3))
    t = RNG.integers(0, 2, (6, 2)).astype(float)
    buffers = Pass.new(6, shape.sizes[1:], (K,))
    xw = widen(x, bias)
    y = forward(layers, xw, buffers.zs, buffers.acts)
    loss, out = LOSSES["mse"], ACTIVATIONS["sigmoid"]
    dz = loss.grad_z(buffers.zs[-1], y, t[:, :, None], out, buffers.dz)
    backward(layers, buffers.zs, [xw, *buffers.acts], dz, buffers.dA, buffers.slope)
    for k, net in enumerate(nets):
        zs, acts = net.forward_trace(x)
        np.testing.assert_allclose(y[:, :, k], acts[-1], rtol=1e-13)
        g = net.backward(zs, acts, loss.grad_z(zs[-1], acts[-1], t, out))
        np.testing.assert_allclose(grad[:, k], g, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("hidden", sorted(ACTIVATIONS))
def test_backward_writing_over_the_spent_z_and_a_gives_the_same_gradient(hidden):
    """A sweep's scratch hands ``backward`` each hidden layer's own z and a arrays as the f'(z) and dL/da it writes:
    the gradient is bit for bit the one from separate arrays, for every hidden activation (each reads z or a before
    its derivative is written over them), the special values (0, -0, inf, nan) in the first member included."""
    shape = Shape((3, 5, 4, 2), (hidden, hidden, "sigmoid"))
    K = 3
    theta = np.stack([Network.initialise(shape, "normal", np.random.default_rng(k)).theta for k in range(K)], axis=1)
    theta[:4, 0] = [np.inf, -0.0, 0.0, np.nan]
    x = widen(RNG.uniform(0, 1, (6, 3)), True)
    t = RNG.integers(0, 2, (6, 2, 1)).astype(float)
    grads = []
    for aliased in (False, True):
        grad = np.zeros_like(theta)
        layers = dense_layers(shape, theta, grad, True, [SHARED, NARROW, NARROW])
        buffers = Pass.new(6, shape.sizes[1:], (K,))
        with np.errstate(all="ignore"):
            y = forward(layers, x, buffers.zs, buffers.acts)
            dz = LOSSES["mse"].grad_z(buffers.zs[-1], y, t, ACTIVATIONS["sigmoid"], buffers.dz)
            dA, slope = (buffers.acts, buffers.zs) if aliased else (buffers.dA, buffers.slope)
            backward(layers, buffers.zs, [x, *buffers.acts], dz, dA, slope)
        grads.append(grad)
    assert np.array_equal(grads[0].view(np.uint64), grads[1].view(np.uint64))


def test_one_network_widened_equals_unwidened():
    """The trainer's layers (inputs widened, the first bias riding in the product, ``ONE``) compute what
    ``Network.forward`` computes."""
    shape = Shape((2, 16, 1), ("relu", "sigmoid"))
    net = Network.initialise(shape, "normal", np.random.default_rng(3))
    layers = dense_layers(shape, net.theta, net.grad, True, [ONE, ONE])
    x = preset("xor").inputs
    buffers = Pass.new(4, shape.sizes[1:])
    np.testing.assert_allclose(forward(layers, widen(x, True), buffers.zs, buffers.acts), net.forward(x),
                               rtol=1e-14)


RULES = [StopRule("budget"), StopRule("solved"), StopRule("loss", 0.1)]


@pytest.mark.parametrize("rule", RULES, ids=str)
def test_the_run_rule_for_k_is_the_rule_for_one_member_by_member(rule):
    """``endings``/``status``/``ended`` on (K,) arrays equal the same rule on each member's numbers, and the
    states come in the trainer's order of precedence."""
    K = 200
    epochs_run = RNG.integers(0, 12, K)
    solved = np.where(RNG.random(K) < 0.4, RNG.integers(1, 12, K), 0)
    diverged = np.where(RNG.random(K) < 0.2, RNG.integers(1, 12, K), 0)
    loss = np.where(RNG.random(K) < 0.1, np.nan, RNG.uniform(0, 0.3, K))
    args = (rule, 10, epochs_run, solved, diverged, loss)
    states, over = status(endings(*args)), ended(*args)
    for k in range(K):
        one = (rule, 10, int(epochs_run[k]), int(solved[k]), int(diverged[k]), float(loss[k]))
        assert states[k] == status(endings(*one))
        assert over[k] == ended(*one) == (states[k] != READY)
    assert status(endings(rule, 10, 10, 3, 2, 0.0)) == DIVERGED
    assert status(endings(rule, 10, 10, 3, 0, 0.05)) == {"budget": BUDGET, "solved": SOLVED, "loss": LOSS_REACHED}[
        rule.kind]
    assert status(endings(rule, 10, 4, 0, 0, math.nan)) == READY


def test_every_row_held_out_is_one_rule_with_one_message():
    """A table, or a count of training rows, with nothing to train on is refused in one line."""
    with pytest.raises(LabError, match="^every row is held out: keep at least one row to train on$"):
        require_training_rows(preset("xor").with_heldout({0, 1, 2, 3}))
    with pytest.raises(LabError, match="every row is held out"):
        require_training_rows(0)
    require_training_rows(preset("xor").with_heldout({0}))


def test_the_fallback_keeps_the_first_weights_with_finite_outputs():
    """The first candidate whose outputs are all finite, else the last."""
    shape = Shape((2, 1), ("linear",))
    x = preset("xor").inputs
    huge, fine, start = np.array([1e308, 1e308, 1e308]), np.array([1.0, 2.0, 0.0]), np.array([0.0, 0.0, 0.0])

    def outputs(theta):
        return Network(shape, theta).forward(x)

    assert finite_fallback(outputs, (huge, fine, start)) == 1
    assert finite_fallback(outputs, (huge, huge, huge)) == 2


def test_the_run_loop_polls_before_every_epoch_and_stops_on_an_epoch_that_did_not_count():
    """``run_epochs`` stops at ``epochs``, at ``done()``, at ``should_stop()`` (polled before each epoch) and at a
    step that returns False (which is not counted and not reported)."""
    seen: list[int] = []
    state = {"n": 0}

    def step() -> bool:
        state["n"] += 1
        return state["n"] != 4

    assert run_epochs(step, lambda: False, 10, on_epoch=lambda: seen.append(state["n"])) == 3
    assert seen == [1, 2, 3]
    assert run_epochs(lambda: True, lambda: False, 5) == 5
    assert run_epochs(lambda: True, lambda: True, 5) == 0
    polls: list[int] = []
    assert run_epochs(lambda: True, lambda: False, 9, should_stop=lambda: polls.append(1) or len(polls) > 2) == 2
