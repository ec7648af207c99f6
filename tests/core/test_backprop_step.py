"""One step of backpropagation with every number: held to the trainer's next weights, to the gradient check and to
the two-layer tutorial's own update written out by hand."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from lab.core.activations import ACTIVATIONS
from lab.core.errors import LabError
from lab.core.inspect.gradcheck import gradient_check
from lab.core.inspect.step import SECTIONS, backprop_step, step_gradient, step_json, step_sections
from lab.core.recipes import recipe
from lab.core.train import Trainer


def trained(name: str, epochs: int, **training) -> Trainer:
    experiment = recipe(name)
    if training:
        experiment = experiment.with_training(**training)
    trainer = Trainer(experiment)
    trainer.run(epochs)
    return trainer


CASES = [("two-layer", {}), ("keras-xor", {}), ("single-neuron", {}), ("keras-xor-deeper", {}),
         ("two-layer", {"optimizer": "momentum", "lr": 0.5}), ("keras-xor", {"loss": "bce"}),
         ("two-layer", {"loss": "mse", "optimizer": "adam", "lr": 0.05})]


@pytest.mark.parametrize(("name", "training"), CASES)
@pytest.mark.parametrize("epochs", [0, 7])
def test_the_whole_batch_step_is_the_trainers_next_update(name, training, epochs):
    trainer = trained(name, epochs, **training)
    step = backprop_step(trainer)
    theta = trainer.net.theta.copy()
    follower = Trainer.from_state(trainer.experiment, trainer.state())
    follower.step()
    assert np.abs(follower.net.theta - step.theta_after).max() <= 1e-12
    assert np.array_equal(trainer.net.theta, theta)  # only read
    after = np.concatenate([np.ravel(x) for layer in step.layers
                            for x in (layer.new_weights, layer.new_bias) if x is not None])
    assert np.array_equal(after, step.theta_after)
    assert step_json(step)["params"]["W1"]["after"] == step.layers[0].new_weights.tolist()


@pytest.mark.parametrize(("name", "training"), CASES)
def test_the_steps_gradient_passes_the_gradient_check(name, training):
    trainer = trained(name, 5, **training)
    step = backprop_step(trainer)
    check = gradient_check(trainer.net, trainer.loss, trainer.x_train, trainer.t_train,
                           grad_fn=lambda net, loss, x, t: step_gradient(step))
    assert check.verdict == "ok", check


@pytest.mark.parametrize("row", range(8))
def test_a_one_row_step_is_the_update_on_that_row_alone(row):
    """An independent route: the trainer on a table holding out every other row takes the same update."""
    trainer = trained("two-layer", 3)
    step = backprop_step(trainer, row)
    table = trainer.experiment.table
    alone = replace(table, heldout=frozenset(set(range(table.n_rows)) - {row}))
    follower = Trainer.from_state(trainer.experiment.with_table(alone), trainer.state())
    follower.step()
    assert np.abs(follower.net.theta - step.theta_after).max() <= 1e-12
    assert step.rows == (row,) and not step.whole_batch


def test_the_numbers_are_the_tutorials_update_by_hand():
    """3-4-1 sigmoids, sse, sgd, lr 1: error, o(1 - o), the deltas and the new weights as the tutorial writes them
    (its error is target - output and it adds; the lab's is the other sign and it subtracts)."""
    trainer = trained("two-layer", 2)
    step = backprop_step(trainer)
    net = trainer.net
    x, t = trainer.x_train, trainer.t_train
    b1, b2 = (0.0, 0.0) if net.b[0] is None else (net.b[0], net.b[1])  # the tutorial has none
    h = 1 / (1 + np.exp(-(x @ net.W[0] + b1)))
    o = 1 / (1 + np.exp(-(h @ net.W[1] + b2)))
    delta = (t - o) * o * (1 - o)
    hidden_delta = delta @ net.W[1].T * h * (1 - h)
    assert np.allclose(step.outputs, o, atol=1e-12)
    assert np.allclose(-step.error, t - o, atol=1e-12)
    assert np.allclose(step.layers[1].slope, o * (1 - o), atol=1e-12)
    assert np.allclose(-step.layers[1].delta, delta, atol=1e-12)
    assert np.allclose(-step.layers[0].delta, hidden_delta, atol=1e-12)
    assert np.allclose(step.layers[0].new_weights, net.W[0] + x.T @ hidden_delta, atol=1e-12)
    assert np.allclose(step.layers[1].new_weights, net.W[1] + h.T @ delta, atol=1e-12)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_each_activations_slope_is_its_own_derivative(activation):
    experiment = recipe("keras-xor").with_architecture(layers=((replace(recipe("keras-xor").architecture.layers[0],
                                                                        activation=activation)),))
    step = backprop_step(Trainer(experiment), 1)
    layer = step.layers[0]
    assert np.array_equal(layer.slope, ACTIVATIONS[activation].grad(layer.z, layer.a))
    text = "\n".join(line for _, lines in step_sections(step) for line in lines)
    assert "h1: slope" in text


@pytest.mark.parametrize("bias", [True, False])
def test_the_sections_come_in_the_tutorials_order_and_name_things_plainly(bias):
    experiment = recipe("two-layer")
    experiment = experiment.with_architecture(bias=bias)
    step = backprop_step(Trainer(experiment), 3)
    sections = step_sections(step)
    assert tuple(title for title, _ in sections) == SECTIONS
    text = "\n".join(line for _, lines in sections for line in lines)
    assert "w(a→h1): gradient = " in text
    assert ("bias(h1): gradient = delta = " in text) == bias and ("+ bias " in text) == bias
    assert "y: slope o(1 - o) = " in text and "a=" not in text


def test_adam_says_what_it_did():
    step = backprop_step(trained("keras-xor", 3))
    assert set(step.optimizer_after) == {"m", "v", "t"} and int(step.optimizer_after["t"]) == 4
    text = "\n".join(step_sections(step)[-1][1])
    assert "adam change = " in text and "not lr × gradient" in text
    m, v = step.optimizer_after["m"], step.optimizer_after["v"]
    line = next(line for line in text.splitlines() if line.startswith("w(a→h1): "))
    assert f"m {m[0]:+.3g} v {v[0]:+.3g}" in line  # W1[0, 0] is theta's first
    bias_line = next(line for line in text.splitlines() if line.startswith("bias(h1): "))
    assert f"m {m[32]:+.3g} v {v[32]:+.3g}" in bias_line  # b1 follows W1's 2 x 16


def test_bad_rows_are_one_line():
    trainer = Trainer(recipe("two-layer"))
    with pytest.raises(LabError, match="row 9 does not exist"):
        backprop_step(trainer, 9)
    held = trainer.experiment.with_table(trainer.experiment.table.toggle_heldout(2))
    with pytest.raises(LabError, match="row 2 is held out"):
        backprop_step(Trainer(held), 2)
