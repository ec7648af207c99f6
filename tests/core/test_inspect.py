"""The inspection views: forward trace and weight glyphs, hidden units as gates, decision surface and Karnaugh maps,
weight norms and dead units, the gradient check, and the model summary they reuse."""

from __future__ import annotations

import re

import numpy as np
import pytest

from lab.core import inspect as ins
from lab.core.errors import LabError
from lab.core.experiment import Layer
from lab.core.gates import preset, table_from_expression
from lab.core.losses import LOSSES
from lab.core.nn import Network, Shape
from lab.core.recipes import recipe
from lab.core.summary import summary_rows
from lab.core.train import Trainer


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def xor_net() -> Network:
    """The textbook XOR solution: h1 = s(20a + 20b - 10) ~ OR, h2 = s(-20a - 20b + 30) ~ NAND,
    y = s(20 h1 + 20 h2 - 30)."""
    shape = Shape((2, 2, 1), ("sigmoid", "sigmoid"))
    return Network(shape, np.array([20.0, -20.0, 20.0, -20.0, -10.0, 30.0, 20.0, 20.0, -30.0]))


def linear_net(wa: float, wb: float) -> Network:
    """y = wa a + wb b, linear output: the surface's orientation is readable from its values."""
    return Network(Shape((2, 1), ("linear",)), np.array([wa, wb, 0.0]))


# --- forward trace -------------------------------------------------------------------------------------------------
def test_trace_row_keeps_every_layer_of_the_xor_solution():
    """Row 01 of XOR through the known net: z and a per layer equal the hand computation, the output the forward."""
    net, table = xor_net(), preset("xor")
    trace = ins.trace_row(net, table, 1)
    assert trace.row == 1 and trace.x.tolist() == [0.0, 1.0] and trace.target.tolist() == [1.0]
    assert trace.layers[0].z.tolist() == [10.0, 10.0]
    assert np.allclose(trace.layers[0].a, sigmoid(np.array([10.0, 10.0])))
    h = trace.layers[0].a
    assert np.allclose(trace.layers[1].z, [20 * h[0] + 20 * h[1] - 30])
    assert np.allclose(trace.output, net.forward(table.inputs[1:2])[0])
    assert [layer.weights.name for layer in trace.layers] == ["dense", "dense_1"]


def test_trace_is_a_read_only_copy():
    """A trace does not change when the network trains on, and its arrays cannot be written."""
    net = xor_net()
    trace = ins.trace_input(net, [1, 1])
    net.theta[:] = 0.0
    assert trace.layers[0].weights.weights.tolist() == [[20.0, -20.0], [20.0, -20.0]]
    with pytest.raises(ValueError):
        trace.layers[0].z[0] = 1.0


def test_trace_rejects_bad_rows_and_inputs():
    """Errors name the row range or the input count."""
    with pytest.raises(LabError, match="row 4 does not exist: rows are 0 to 3"):
        ins.trace_row(xor_net(), preset("xor"), 4)
    with pytest.raises(LabError, match="expected 2 input values, got 3"):
        ins.trace_input(xor_net(), [0, 1, 1])


def test_layer_weights_are_copies_with_their_largest_magnitude():
    """One scale per layer (max of |W| and |b|), kept for the views that need it; without biases the bias is zeros
    and ``has_bias`` is false."""
    net = Network(Shape((1, 6), ("linear",)), np.array([1.0, -0.6, 0.3, -0.2, 0.05, -0.09,
                                                        0.0, 0.0, 0.0, 0.0, 0.0, -2.0]))
    (layer,) = ins.layer_weights(net)
    assert layer.scale == 2.0 and layer.has_bias and layer.weights[0].tolist()[:2] == [1.0, -0.6]
    first = ins.layer_weights(Network(Shape((2, 3, 1), ("relu", "sigmoid"), bias=False)))[0]
    assert first.scale == 0.0 and not first.has_bias and first.bias.tolist() == [0.0, 0.0, 0.0]


# --- hidden units as gates -----------------------------------------------------------------------------------------
def test_xor_solution_hidden_units_are_or_and_nand():
    """The known XOR net's hidden units read as a OR b and a NAND b, thresholded at 0.5."""
    h1, h2 = ins.hidden_gates(xor_net(), preset("xor"))
    assert (h1.label, h1.bits, h1.name, h1.threshold) == ("h1", "0111", "a OR b", 0.5)
    assert (h2.label, h2.bits, h2.name) == ("h2", "1110", "a NAND b")
    assert h1.describe() == "h1 ~ a OR b" and h2.describe() == "h2 ~ a NAND b"
    assert not h1.dead and h1.values.shape == (4,)


def _as_expression(name: str) -> str:
    """A gate name in the expression parser's syntax: an oracle independent of how the names were built."""
    name = re.sub(r"(\w) NAND (\w)", r"~(\1 & \2)", name)
    name = re.sub(r"(\w) NOR (\w)", r"~(\1 | \2)", name)
    name = re.sub(r"(\w) XNOR (\w)", r"(\1 == \2)", name)
    for word, symbol in (("NOT ", "~"), ("AND", "&"), ("XOR", "^"), ("OR", "|")):
        name = name.replace(word, symbol)
    return name


@pytest.mark.parametrize("n_inputs", [1, 2, 3, 4])
def test_every_gate_name_evaluates_to_its_column(n_inputs):
    """Each named column is what the expression parser makes of its name; every function of two inputs is named
    (2 constants, 2n single-input ones, 10 per pair)."""
    names = ins.gate_names(n_inputs)
    assert len(names) == 2 + 2 * n_inputs + 10 * n_inputs * (n_inputs - 1) // 2
    for key, name in names.items():
        column = table_from_expression(_as_expression(name), n_inputs).columns[0]
        assert np.packbits(np.array(list(column)) == "1").tobytes() == key, name


def test_simplest_name_wins():
    """A column that one input explains is named by that input, not by a two-input function equal to it."""
    names = ins.gate_names(3)
    key = np.packbits(np.array(list(preset("copy-first3").columns[0])) == "1").tobytes()
    assert names[key] == "a"
    assert set(ins.gate_names(2).values()) >= {"0", "1", "a", "NOT b", "a AND NOT b", "NOT a OR b", "a XNOR b"}


def test_thresholds_are_f_of_zero():
    """0.5 for a sigmoid, 0 for the rest: a unit is on when its pre-activation is positive."""
    assert {name: ins.threshold(name) for name in ("sigmoid", "tanh", "relu", "leaky_relu", "linear")} == {
        "sigmoid": 0.5, "tanh": 0.0, "relu": 0.0, "leaky_relu": 0.0, "linear": 0.0}


def test_gates_over_two_hidden_layers_with_dead_and_unnamed_units():
    """Labels h1.j / h2.j; a relu that never fires is '0' and dead; a tanh on a + b + c - 1.5 is majority (no name);
    one on -c is NOT c."""
    shape = Shape((3, 3, 1, 1), ("tanh", "relu", "sigmoid"))
    net = Network(shape)
    net.W[0][:, 0] = [1, 1, 1]
    net.b[0][0] = -1.5  # majority of three: not a function of two inputs
    net.W[0][2, 1] = -1.0
    net.b[0][1] = 0.5  # on when c is 0
    net.W[0][0, 2] = 1.0
    net.b[0][2] = 2.0  # always on
    net.b[1][0] = -1.0  # relu below zero everywhere: dead
    gates = ins.hidden_gates(net, preset("majority3"))
    assert [g.label for g in gates] == ["h1.1", "h1.2", "h1.3", "h2.1"]
    assert [g.name for g in gates] == [None, "NOT c", "1", "0"]
    assert gates[0].bits == preset("majority3").columns[0]
    assert [g.dead for g in gates] == [False, False, False, True]
    assert gates[0].describe() == "h1.1: no gate of one or two inputs"
    assert gates[3].describe() == "h2.1 ~ 0 (dead)"
    with pytest.raises(LabError, match="the table has 2 inputs, the network 3"):
        ins.hidden_gates(net, preset("xor"))
    assert ins.hidden_gates(Network(Shape((2, 1), ("sigmoid",))), preset("xor")) == ()


def test_gates_of_eight_inputs_are_fast():
    """A 256-row table and 64 relu units: a function of two of eight inputs is still found by name."""
    table = table_from_expression("c & ~h", 8)
    net = Network(Shape((8, 64, 1), ("relu", "sigmoid")))
    net.W[0][2, 0], net.W[0][7, 0], net.b[0][0] = 1.0, -1.0, -0.5
    gates = ins.hidden_gates(net, table)
    assert len(gates) == 64 and gates[0].name == "c AND NOT h" and gates[1].name == "0" and gates[1].dead


# --- decision surface and Karnaugh maps ----------------------------------------------------------------------------
def test_surface_grid_runs_a_right_and_b_up():
    """values[k, i, j] is the output at (a[j], b[i]); row 0 is the top edge b = 1."""
    s = ins.decision_surface(linear_net(1.0, 0.0), preset("xor"), rows=4, cols=5)
    assert s.values.shape == (1, 4, 5)
    assert s.a.tolist() == [0.0, 0.25, 0.5, 0.75, 1.0] and np.allclose(s.b, [1.0, 2 / 3, 1 / 3, 0.0])
    assert np.allclose(s.values[0], np.tile(s.a, (4, 1)))
    up = ins.decision_surface(linear_net(0.0, 1.0), preset("xor"), rows=4, cols=5)
    assert np.allclose(up.values[0][:, 0], [1.0, 2 / 3, 1 / 3, 0.0])


def test_surface_corners_are_the_table_rows():
    """The four corners are rows 00, 01, 10, 11 at their grid cells, with the XOR net's outputs and targets."""
    s = ins.decision_surface(xor_net(), preset("xor").toggle_heldout(3), rows=6, cols=8)
    assert [(c.row, c.a, c.b, c.cell) for c in s.corners] == [
        (0, 0.0, 0.0, (5, 0)), (1, 0.0, 1.0, (0, 0)), (2, 1.0, 0.0, (5, 7)), (3, 1.0, 1.0, (0, 7))]
    for c in s.corners:
        assert c.output[0] == s.values[0][c.cell]
        assert round(c.output[0]) == c.target[0]
    assert [c.heldout for c in s.corners] == [False, False, False, True]
    assert s.output_names == ("y",)


def test_surface_needs_two_inputs_and_a_grid():
    """Three inputs or a 1-point grid are refused with the reason."""
    with pytest.raises(LabError, match="needs 2 inputs; the table has 3"):
        ins.decision_surface(Network(Shape((3, 1), ("sigmoid",))), preset("parity3"))
    with pytest.raises(LabError, match="at least 2 x 2 points, got 1 x 5"):
        ins.decision_surface(xor_net(), preset("xor"), rows=1, cols=5)


def test_half_blocks_pair_rows_top_over_bottom():
    """Grid rows 0, 2 are the tops and 1, 3 the bottoms; values are clipped to [0, 1]; odd rows are refused."""
    grid = np.array([[0.0, 2.0], [1.0, 0.5], [-1.0, np.nan], [0.5, 1.0]])
    hb = ins.half_blocks(grid)
    assert hb.top.tolist() == [[0.0, 1.0], [0.0, 0.5]]
    assert hb.bottom.tolist() == [[1.0, 0.5], [0.5, 1.0]]
    assert hb.lines() == ["▀▀", "▀▀"]
    assert hb.shades() == ["▒▓", "░▓"]
    with pytest.raises(LabError, match="even number of rows, got shape \\(3, 2\\)"):
        ins.half_blocks(np.zeros((3, 2)))


def test_gray_codes():
    """Neighbours differ in one bit, wrapping round."""
    assert ins.gray_codes(1) == ("0", "1")
    assert ins.gray_codes(2) == ("00", "01", "11", "10")
    codes = ins.gray_codes(3)
    assert codes[:4] == ("000", "001", "011", "010")
    assert all(sum(x != y for x, y in zip(codes[i], codes[i - 1], strict=True)) == 1 for i in range(len(codes)))


def test_karnaugh_map_of_parity3():
    """Rows a by columns bc in Gray order: cells are table rows 0 1 3 2 / 4 5 7 6, a checkerboard of targets."""
    net = Network(Shape((3, 1), ("sigmoid",)), np.array([1.0, 2.0, 4.0, -3.0]))
    (k,) = ins.karnaugh_maps(net, preset("parity3").toggle_heldout(7))
    assert (k.row_vars, k.col_vars, k.row_labels, k.col_labels) == ("a", "bc", ("0", "1"), ("00", "01", "11", "10"))
    assert k.rows.tolist() == [[0, 1, 3, 2], [4, 5, 7, 6]]
    assert k.targets.tolist() == [[0, 1, 0, 1], [1, 0, 1, 0]]
    assert np.allclose(k.values, net.forward(preset("parity3").inputs)[k.rows, 0])
    assert k.heldout.tolist() == [[False] * 4, [False, False, True, False]]
    assert k.right.tolist() == np.where(k.targets > 0.5, k.values > 0.5, k.values <= 0.5).tolist()
    assert k.values[1, 3] == 0.5 and k.right[1, 3]  # row 6: z = 1 + 2 - 3 = 0; exactly 0.5 is class 0, its target


def test_karnaugh_map_of_four_inputs_and_several_outputs():
    """Four inputs: rows ab by columns cd, both Gray; a half adder gets one map per output, named."""
    (k,) = ins.karnaugh_maps(Network(Shape((4, 1), ("sigmoid",))), preset("parity4"))
    assert (k.row_vars, k.col_vars, k.row_labels) == ("ab", "cd", ("00", "01", "11", "10"))
    assert k.rows[2, 3] == 0b1110 and k.rows[3, 1] == 0b1001
    assert k.targets.tolist() == [[0, 1, 0, 1], [1, 0, 1, 0], [0, 1, 0, 1], [1, 0, 1, 0]]
    assert (k.values == 0.5).all()
    maps = ins.karnaugh_maps(Network(Shape((2, 2), ("sigmoid",))), preset("half-adder"))
    assert [(m.output, m.output_name, m.row_vars, m.col_vars) for m in maps] == [(0, "sum", "a", "b"),
                                                                              (1, "carry", "a", "b")]
    assert maps[1].targets.tolist() == [[0, 0], [0, 1]]
    with pytest.raises(LabError, match="needs 2 to 4 inputs; the table has 5"):
        ins.karnaugh_maps(Network(Shape((5, 1), ("sigmoid",))), table_from_expression("a ^ e"))


# --- weight norms and dead units -----------------------------------------------------------------------------------
def test_norms_match_the_closed_form_gradient_of_a_linear_model():
    """For y = X W + b with mse, dL/dW = 2/N X.T (y - t) and dL/db = 2/N sum(y - t): the norms match, at the epoch."""
    rng = np.random.default_rng(3)
    net = Network(Shape((3, 2), ("linear",)), rng.normal(size=8))
    x, t = rng.uniform(size=(5, 3)), rng.integers(0, 2, (5, 2)).astype(float)
    health = ins.weight_health(net, "mse", x, t, epoch=7)
    r = x @ net.W[0] + net.b[0] - t
    (layer,) = health.layers
    assert health.epoch == 7 and health.loss == pytest.approx(np.mean(r**2))
    assert layer.name == "dense" and layer.weight_norm == pytest.approx(np.sqrt(np.sum(net.W[0] ** 2)))
    assert layer.grad_norm == pytest.approx(np.linalg.norm(2 / r.size * x.T @ r))
    assert layer.bias_norm == pytest.approx(np.linalg.norm(net.b[0]))
    assert layer.bias_grad_norm == pytest.approx(np.linalg.norm(2 / r.size * r.sum(axis=0)))
    assert layer.dead == ()


def test_trainer_health_flags_dead_units_and_leaves_the_trainer_alone():
    """A relu pushed below zero on every row is dead; the trainer's weights and gradient buffer are untouched."""
    trainer = Trainer(recipe("keras-xor"))
    trainer.run(3)
    trainer.net.W[0][:, 5] = -1.0
    trainer.net.b[0][5] = -0.1
    theta, grad = trainer.net.theta.copy(), trainer.net.grad.copy()
    health = ins.trainer_health(trainer)
    assert health.epoch == 3 and health.loss == pytest.approx(trainer.history.loss[-1], rel=0.1)
    assert 5 in health.layers[0].dead and health.layers[1].dead == ()
    assert health.n_dead == len(health.layers[0].dead)
    gates = ins.hidden_gates(trainer.net, trainer.experiment.table)
    assert set(health.layers[0].dead) == {g.unit for g in gates if g.dead}
    assert np.array_equal(trainer.net.theta, theta) and np.array_equal(trainer.net.grad, grad)


def test_health_with_every_row_held_out_is_nan_not_an_error():
    """No training rows: the loss and gradient norms are nan; dead units still come from the whole table."""
    table = preset("xor").with_heldout({0, 1, 2, 3})
    trainer = Trainer(recipe("keras-xor").with_table(table))
    health = ins.trainer_health(trainer)
    assert np.isnan(health.loss) and np.isnan(health.layers[0].grad_norm)
    assert health.layers[0].weight_norm > 0


# --- gradient check ------------------------------------------------------------------------------------------------
def test_gradient_check_of_a_correct_network_is_ok_and_skips_kinks():
    """keras-xor at initialisation: every compared coordinate agrees; the zero biases put every relu exactly on its
    kink for row 00, so the first layer's biases are skipped, and counted."""
    trainer = Trainer(recipe("keras-xor"))
    theta, grad = trainer.net.theta.copy(), trainer.net.grad.copy()
    check = ins.trainer_gradient_check(trainer)
    assert check.verdict == "ok" and check.worst < 1e-6
    assert [p.name for p in check.params] == ["W1", "b1", "W2", "b2"]
    b1 = check.params[1]
    assert b1.kinks == 16 and b1.checked == 0 and b1.verdict == "unchecked"
    assert check.checked + check.kinks + check.below_noise == trainer.net.shape.n_params
    assert np.array_equal(trainer.net.theta, theta) and np.array_equal(trainer.net.grad, grad)


def test_gradient_check_of_a_broken_gradient_is_wrong_where_it_is_broken():
    """Doubling the second layer's weight gradient is caught there, and only there."""
    def broken(net, loss, x, t):
        g = ins.backprop_grad(net, loss, x, t)
        g[6:8] *= 2.0  # W2 (2, 1) sits after W1 (4) and b1 (2) in theta
        return g

    table = preset("xor")
    net = Network(xor_net().shape, np.random.default_rng(0).normal(0.0, 1.0, 9))  # unsaturated: big gradients
    check = ins.gradient_check(net, "mse", table.inputs, table.targets, grad_fn=broken)
    assert check.verdict == "wrong" and check.worst > 1e-4
    assert {p.name: p.verdict for p in check.params} == {"W1": "ok", "b1": "ok", "W2": "wrong", "b2": "ok"}
    w2 = check.params[2]
    assert w2.analytic == pytest.approx(2 * w2.numeric, rel=1e-6)
    assert ins.gradient_check(net, "mse", table.inputs, table.targets).verdict == "ok"


def test_gradient_check_of_a_trained_network_is_still_ok():
    """Near a minimum gradients are 1e-7 and a two-point difference is off by 1e-3 of that; the five-point stencil
    keeps a correct tanh network trained on parity3 at 'ok'."""
    experiment = (recipe("keras-xor").with_table(preset("parity3"))
                  .with_architecture(layers=(Layer(6, "tanh"), Layer(4, "tanh")), output_activation="tanh")
                  .with_training(lr=0.05, epochs=2000))
    trainer = Trainer(experiment)
    trainer.run()
    check = ins.trainer_gradient_check(trainer)
    assert check.checked > 30 and check.verdict == "ok", check


def test_gradient_check_samples_are_seeded_and_counted():
    """``samples`` per array: every drawn coordinate is compared or counted as skipped; the same seed, the same."""
    trainer = Trainer(recipe("keras-xor-deeper"))
    a = ins.trainer_gradient_check(trainer, samples=5, seed=2)
    b = ins.trainer_gradient_check(trainer, samples=5, seed=2)
    assert [p.checked + p.kinks + p.below_noise for p in a.params] == [5, 5, 5, 5, 5, 1]
    assert repr(a) == repr(b) and a.verdict == "ok"  # repr: unchecked arrays hold nan


def test_gradient_check_calls_a_nan_gradient_wrong_and_needs_rows():
    """A gradient that is not finite is wrong, never ok; no training rows is an error that says so."""
    table = preset("xor")
    nan = ins.gradient_check(xor_net(), LOSSES["bce"], table.inputs, table.targets,
                             grad_fn=lambda net, loss, x, t: np.full(net.theta.size, np.nan))
    assert nan.verdict == "wrong" and np.isnan(nan.worst)
    with pytest.raises(LabError, match="at least one training row"):
        ins.gradient_check(xor_net(), "mse", table.inputs[:0], table.targets[:0])


# --- model summary (lab.core.summary, re-exported) -----------------------------------------------------------------
def test_summary_rows_count_keras_params():
    """keras-xor: dense 48 + dense_1 17 = 65; two-layer 3-4-1 without biases: 12 + 4 = 16; a bias-free single
    neuron: 3."""
    assert ins.summary_rows is summary_rows
    rows = ins.summary_rows(recipe("keras-xor").shape)
    assert [(r.name, r.activation, r.output_shape, r.params) for r in rows] == [
        ("dense", "relu", "(None, 16)", 48), ("dense_1", "sigmoid", "(None, 1)", 17)]
    assert sum(r.params for r in rows) == recipe("keras-xor").shape.n_params == 65
    assert [r.params for r in ins.summary_rows(recipe("two-layer").shape)] == [12, 4]
    assert [r.params for r in ins.summary_rows(recipe("single-neuron").shape)] == [3]
    assert ins.layer_names(recipe("keras-xor-deeper").shape) == ("dense", "dense_1", "dense_2")
