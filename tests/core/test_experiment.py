"""Experiment settings: validation with one-line errors naming the field, stop rules, hidden-layer specs, and the
initialisers and summary the settings lead to."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from lab.core.errors import ConfigError
from lab.core.experiment import Architecture, Experiment, Layer, StopRule, Training, parse_hidden
from lab.core.gates import preset, table_from_expression
from lab.core.init import INITIALISERS
from lab.core.nn import Network, Shape
from lab.core.recipes import recipe
from lab.core.summary import summary_text


@pytest.mark.parametrize("changes,message", [
    ({"lr": -1.0}, "lr: the learning rate must be above 0 and at most 1e+06, got -1"),
    ({"lr": float("nan")}, "lr: the learning rate must be above 0 and at most 1e+06, got nan"),
    ({"lr": "0.1"}, "lr: expected a number, got '0.1'"),
    ({"epochs": -1}, "epochs: expected 0 to 10000000 (0 trains until stopped), got -1"),
    ({"batch_size": 2.5}, "batch_size: expected a whole number, got 2.5"),
    ({"seed": True}, "seed: expected a whole number, got True"),
    ({"loss": "hinge"}, "loss: unknown 'hinge', choose one of mse, sse, bce"),
    ({"optimizer": "rmsprop"}, "optimizer: unknown 'rmsprop', choose one of sgd, momentum, adam"),
    ({"stop": "soon"}, "stop: expected budget, solved or loss<X (e.g. loss<0.01), got 'soon'"),
    ({"stop": "loss<-1"}, "stop: 'loss<X' needs a positive number X, got '-1'"),
])
def test_training_errors_name_the_field(changes, message):
    """Each bad training setting is a ConfigError whose one line starts with the field's name."""
    with pytest.raises(ConfigError) as info:
        Training(**changes)
    assert str(info.value) == message


def test_architecture_errors_name_the_layer():
    """A bad layer names its index; the output activation must be sigmoid, tanh or linear."""
    with pytest.raises(ConfigError, match=r"^layers\[1\]\.units: a layer has 1 to 64 neurons, got 0$"):
        Architecture((Layer(4), Layer(0)))
    with pytest.raises(ConfigError, match=r"^layers\[0\]\.activation: unknown 'gelu'"):
        Architecture((Layer(4, "gelu"),))
    with pytest.raises(ConfigError, match="^output_activation: unknown 'relu', choose one of sigmoid, tanh, linear$"):
        Architecture((), "relu")
    with pytest.raises(ConfigError, match="at most 8 hidden layers, got 9"):
        Architecture((Layer(1),) * 9)


def test_stop_rule_parsing():
    """Stop rules are budget, solved or loss<X, spaces allowed, printed back the same way."""
    assert StopRule.parse("budget") == StopRule("budget")
    assert StopRule.parse(" loss < 0.01 ") == StopRule("loss", 0.01)
    assert str(StopRule("loss", 0.01)) == "loss<0.01"
    assert Training(stop="loss < 1e-3").stop == "loss<0.001"


def test_parse_hidden():
    """``16:relu,8:tanh`` gives two layers; a missing activation is relu; none or empty is no hidden layer."""
    assert parse_hidden("16:relu, 8:tanh") == (Layer(16, "relu"), Layer(8, "tanh"))
    assert parse_hidden("4") == (Layer(4, "relu"),)
    assert parse_hidden("none") == () == parse_hidden(" ")
    with pytest.raises(ConfigError, match="^hidden layer 2: expected a neuron count such as 16 or 16:relu, got 'x'$"):
        parse_hidden("4,x")
    with pytest.raises(ConfigError, match=r"^hidden layer 1\.units: a layer has 1 to 64 neurons, got 0$"):
        parse_hidden("0")


def test_shape_follows_table_and_architecture():
    """The network's sizes are the table's inputs, the hidden units and the table's outputs."""
    experiment = recipe("keras-xor").with_table(recipe("two-layer").table)
    assert experiment.shape == Shape((3, 16, 1), ("relu", "sigmoid"))
    assert Experiment().shape.sizes == (2, 16, 1)
    assert Architecture().describe() == "16:relu" and Architecture(()).describe() == "none"


def test_initialisers_are_seeded_and_scaled():
    """Each initialiser draws the same numbers from the same seed; glorot and he keep to their bounds."""
    for name, init in INITIALISERS.items():
        w1, b1 = init.draw(np.random.default_rng(5), 16, 8)
        w2, b2 = init.draw(np.random.default_rng(5), 16, 8)
        assert np.array_equal(w1, w2) and np.array_equal(b1, b2), name
        assert w1.shape == (16, 8) and b1.shape == (8,)
    w, b = INITIALISERS["glorot_uniform"].draw(np.random.default_rng(0), 2, 16)
    assert np.abs(w).max() <= np.sqrt(6 / 18) and not b.any()
    w, _ = INITIALISERS["he_normal"].draw(np.random.default_rng(0), 50, 50)
    assert np.abs(w).max() <= 2 * np.sqrt(2 / 50)
    w, b = INITIALISERS["uniform"].draw(np.random.default_rng(0), 3, 1)
    assert np.abs(w).max() < 1 and np.abs(b).max() < 1


def test_network_parameters_are_views_of_theta():
    """W and b are views of the flat theta, in the order W1, b1, W2, b2; without bias there is no b."""
    shape = Shape((2, 3, 1), ("relu", "sigmoid"))
    net = Network(shape, np.arange(shape.n_params, dtype=float))
    assert [n for n, _ in shape.param_shapes()] == ["W1", "b1", "W2", "b2"]
    assert net.W[0].tolist() == [[0, 1, 2], [3, 4, 5]] and net.b[0].tolist() == [6, 7, 8]
    net.theta[:] = 0
    assert not net.W[1].any()
    assert Shape((2, 3, 1), ("relu", "sigmoid"), bias=False).n_params == 9
    with pytest.raises(ValueError, match="expected 13 parameters, got 2"):
        Network(shape, np.zeros(2))


def test_a_gate_typed_as_an_expression_names_the_experiment():
    """``parity4`` given ``a & b`` is named ``a & b`` (its table too); a flipped bit makes it ``custom``; an
    expression too long for a title is ``custom``; a name someone chose stays through every change of gate."""
    parity4 = replace(recipe("keras-xor").with_table(preset("parity4")), name="parity4")
    typed = parity4.with_table(table_from_expression("a  &   b"))
    assert (typed.name, typed.table.name) == ("a & b", "a & b")
    flipped = typed.with_table(typed.table.flip(0, 0))
    assert (flipped.name, flipped.table.name) == ("custom", "custom")
    long = " | ".join(["a & b"] * 8)
    assert parity4.with_table(table_from_expression(long)).name == "custom"
    assert recipe("keras-xor").with_table(table_from_expression("a | b")).name == "a | b"
    mine = replace(parity4, name="my gate")
    assert mine.with_table(table_from_expression("a & b")).name == "my gate"
    held = parity4.with_table(parity4.table.toggle_heldout(3))
    assert held.name == "parity4"


def test_summary_counts_keras_params():
    """The Keras-style summary of the XOR net counts 48 + 17 = 65 parameters."""
    text = summary_text(recipe("keras-xor").shape, "keras-xor")
    lines = text.splitlines()
    assert lines[0] == 'Model: "keras-xor"'
    assert any(l.startswith(" dense (Dense, relu)") and l.rstrip().endswith("48") for l in lines)
    assert any(l.startswith(" dense_1 (Dense, sigmoid)") and l.rstrip().endswith("17") for l in lines)
    assert "Total params: 65" in lines


@pytest.mark.parametrize("width", [24, 40, 52, 65, 80])
def test_summary_writes_counts_one_way_at_every_width(width):
    """A layer of 1,056 parameters reads ``1,056`` however wide the summary is (the totals' way), never ``1056``."""
    text = summary_text(Shape((64, 16, 1), ("relu", "sigmoid"), True), "wide", width=width)
    assert "1,040" in text and "1040" not in text


def test_a_name_that_cannot_be_written_is_refused_at_once():
    """A lone surrogate in the name is a one-line ConfigError when the experiment is made, not at the first save."""
    with pytest.raises(ConfigError, match=r"name: not valid text \(character 2 is a lone surrogate\)"):
        replace(recipe("keras-xor"), name="x\ud800y")
