"""The glossary covers every registry name; the network picture's layout; the surface's points; the run hints."""

from __future__ import annotations

import numpy as np
import pytest

from lab.core import inspect as ins
from lab.core.activations import ACTIVATIONS
from lab.core.experiment import Architecture, Experiment, Layer, StopRule, Training
from lab.core.gates import preset
from lab.core.glossary import TERMS, entries, explain
from lab.core.hints import linearly_separable, run_hints
from lab.core.init import INITIALISERS
from lab.core.inspect.diagram import draw, shown_units
from lab.core.inspect.picture import node_levels
from lab.core.losses import LOSSES
from lab.core.nn import Network
from lab.core.optim import OPTIMIZERS
from lab.core.recipes import recipe
from lab.core.train import Trainer, right
from lab.ui.tooltips import FIELD_HINTS, field_hint
from lab.ui.widgets.setting_edits import STOP_CHOICES, settings


def test_every_registry_name_has_a_glossary_line():
    """Activations, losses, optimizers, initialisers and stop rules: each name the lab shows has a plain line."""
    names = [*ACTIVATIONS, *LOSSES, *OPTIMIZERS, *INITIALISERS, *STOP_CHOICES]
    missing = [n for n in names if not explain(n)]
    assert missing == []
    assert explain(str(StopRule.parse("loss<0.5"))) == TERMS["loss<X"]


def test_every_setting_has_a_hint_and_the_views_words_are_there():
    assert {s.key for s in settings()} <= set(FIELD_HINTS)
    for term in ("batch", "seed", "p10", "p90", "net-ep/s", "‖∂L/∂W‖", "centred differences", "glorot_uniform",
                 "he_normal", "leaky_relu", "sse", "bce"):
        assert term in TERMS
    assert field_hint("lr", "0.001") == "step size of each update; ] doubles, [ halves"
    assert field_hint("loss", "bce").startswith("bce: binary cross-entropy")


@pytest.mark.parametrize("shown", ["spread", "tick", ".50+"])
def test_what_the_lab_shows_is_explained(shown):
    """The chart's spread, the speed's tick and an answer's .50+ each have a line in the glossary (help finds it)."""
    assert any(shown in entry.term for entry in entries(shown))


def test_glossary_search():
    found = entries("percentile")
    assert {e.term for e in found} == {"p10", "p90"}
    assert entries("") and not entries("no such word anywhere")


FOUR_TANH = (Layer(4, "tanh"),)


def small(layers: tuple[Layer, ...] = FOUR_TANH, table: str = "xor", seed: int = 0) -> Network:
    e = Experiment(preset(table), Architecture(layers, "sigmoid"), Training(seed=seed))
    return Trainer(e).net


def test_node_levels_follow_each_activation_range():
    assert node_levels(np.array([0.0, 0.5, 1.0]), "sigmoid").tolist() == [0, 2, 4]
    assert node_levels(np.array([-1.0, 0.0, 1.0]), "tanh").tolist() == [0, 2, 4]
    assert node_levels(np.array([0.0, 2.0, 4.0]), "relu").tolist() == [0, 2, 4]


def test_relu_units_near_zero_read_empty_as_their_printed_values():
    """Activations too small to print (+0.0) fill no node, however they compare with one another: they would
    otherwise spread from empty to full and change at every redraw while training."""
    assert node_levels(np.array([0.0, 0.004, 0.008, 0.012]), "relu").tolist() == [0, 0, 0, 0]
    assert node_levels(np.array([0.0, 0.5, 1.0]), "relu").tolist() == [0, 2, 4]
    assert node_levels(np.array([-0.01, 0.0, 0.01]), "linear").tolist() == [2, 2, 2]


def test_picture_columns_and_lines():
    """2-4-1: three columns of nodes; one line per weight, its sign the weight's; a = 1 full, b = 0 empty."""
    net = small()
    diagram = draw(net, preset("xor"), 2)
    assert [sum(1 for n in diagram.nodes if n.column == c) for c in range(3)] == [2, 4, 1]
    assert len(diagram.edges) == 2 * 4 + 4
    for edge in diagram.edges:
        assert edge.sign == (-1 if net.W[edge.layer][edge.source, edge.target] < 0 else 1)
    assert diagram.row_label == "10" and [n.level for n in diagram.nodes[:2]] == [4, 0]


def test_a_wide_layer_folds_to_its_strongest_units():
    """The units whose absolute weights in and out add up to most, on the picture's fixed scale."""
    net = small(layers=(Layer(16, "relu"),))
    shown = shown_units(net, 6)
    assert len(shown[1]) == 6 and len(shown[0]) == 2 and len(shown[2]) == 1
    score = np.abs(net.W[0]).sum(axis=0) + np.abs(net.W[1]).sum(axis=1)
    assert set(shown[1].tolist()) == set(np.argsort(-score, kind="stable")[:6].tolist())
    assert draw(net, preset("xor"), 0, max_units=6).folded == (0, 10, 0)


def test_surface_points_mark_target_heldout_and_right():
    trainer = Trainer(Experiment(preset("xor").with_heldout({3}), Architecture((Layer(4, "tanh"),)),
                                 Training(lr=0.05, seed=1)))
    surface = ins.decision_surface(trainer.net, trainer.experiment.table, rows=8, cols=16)
    points = {p.row: p for p in ins.surface_points(surface)}
    assert {r: p.glyph for r, p in points.items()} == {0: "○", 1: "●", 2: "●", 3: "◇"}
    assert (points[0].line, points[0].col) == (3, 0)  # 00 bottom-left
    assert (points[3].line, points[3].col) == (0, 15)  # 11 top-right
    assert points[0].mark_col == 1 and points[3].mark_col == 14
    for r, p in points.items():
        c = surface.corners[r]
        assert p.right == bool(right(c.output[0], c.target[0]))  # exactly 0.5 is never right


def test_linear_separability():
    assert linearly_separable(preset("and")) and linearly_separable(preset("or"))
    assert linearly_separable(preset("xor")) is False and linearly_separable(preset("parity3")) is False
    assert linearly_separable(preset("majority3")) is True
    assert linearly_separable(preset("parity4").with_inputs(5)) is None


def keys(trainer: Trainer) -> set[str]:
    return {k for k, _, _ in run_hints(trainer)}


def test_hints_speak_when_something_happens():
    one = Trainer(Experiment(preset("xor"), Architecture((), "sigmoid"), Training(loss="sse", optimizer="sgd",
                                                                                   lr=1.0)))
    assert "one-neuron" not in keys(one)
    one.run(150)
    assert "one-neuron" in keys(one)
    bce = Trainer(recipe("keras-xor").with_architecture(output_activation="linear").with_training(loss="bce"))
    assert "bce-linear" in keys(bce)
    calm = Trainer(recipe("keras-xor"))
    calm.run(50)
    assert keys(calm) == set()


def test_dead_relu_hint_on_a_stalled_loss():
    """Relu units pushed below zero on every row stall the loss: the hint names how many are dead."""
    e = Experiment(preset("xor"), Architecture((Layer(4, "relu"),), "sigmoid"), Training(optimizer="sgd", lr=0.1))
    trainer = Trainer(e)
    trainer.net.b[0][:] = -50.0  # every unit's sum is below 0 on every row: dead from the start
    trainer.run(300)
    hints = run_hints(trainer)
    assert [k for k, _, _ in hints] == ["dead-relu"]
    assert "4 of 4 relu units in layer 1" in hints[0][2]
    # the core names no key (the lab shows N beside the seed); the hint once said "(n)", which answers no in a dialog
    assert "another seed" in hints[0][2] and "(n)" not in hints[0][2]


@pytest.mark.parametrize("name", ["mse", "sgd", "relu", "glorot_uniform", "budget"])
def test_glossary_lines_are_one_plain_line(name):
    line = explain(name)
    assert line and "\n" not in line and len(line) < 120
