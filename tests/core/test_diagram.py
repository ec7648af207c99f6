"""The drawn network picture tells the truth: every line, followed cell by cell on the drawing from its source
node to its target, has the class and the sign of its weight on the fixed scale."""

from __future__ import annotations

import numpy as np
import pytest

from lab.core.experiment import Layer
from lab.core.gates import preset
from lab.core.inspect.diagram import (
    CORNERS,
    HORIZONTAL,
    LEGEND,
    VERTICAL,
    describe_edge,
    describe_node,
    draw,
    fitting,
    footer,
    line_class,
    track_order,
)
from lab.core.recipes import recipe
from lab.core.train import Trainer

CORNER_CLASS = {c: ("thick" if c in CORNERS["thick"] else "thin/faint") for c in "".join(CORNERS.values())}


def trained(name: str, epochs: int, seed: int = 0, **arch) -> Trainer:
    experiment = recipe(name)
    if arch:
        experiment = experiment.with_architecture(**arch)
    trainer = Trainer(experiment.with_training(seed=seed))
    trainer.run(epochs)
    return trainer


def follow(chars: tuple[str, ...], y: int, x: int) -> tuple[list[tuple[str, int]], tuple[int, int]]:
    """Follow a line from its first cell (right of a node) to its last: right along rows, along a corner's turn up
    or down, straight through crossings (a horizontal glyph met going up or down). Returns the (class, sign) read
    from every glyph that is the line's own, and the cell the line ends in (left of its target)."""
    read: list[tuple[str, int]] = []
    dy, dx = 0, 1
    while True:
        char = chars[y][x]
        if dy == 0:
            if char in HORIZONTAL:
                read.append(HORIZONTAL[char])
            elif char in "┐┓":
                dy, dx = 1, 0
                read.append((CORNER_CLASS[char], 0))
            elif char in "┘┛":
                dy, dx = -1, 0
                read.append((CORNER_CLASS[char], 0))
            else:
                return read, (y, x - 1)
        else:
            if char in VERTICAL:
                read.append(VERTICAL[char])
            elif char in "└┌┗┏":
                read.append((CORNER_CLASS[char], 0))
                dy, dx = 0, 1
            elif char not in HORIZONTAL:  # a crossing is passed straight
                raise AssertionError(f"line broken at line {y}, column {x}: {char!r}")
        y, x = y + dy, x + dx


NETWORKS = [("xor 2-2-1", "keras-xor", 0, {"layers": (Layer(2, "sigmoid"),)}, 8),
            ("keras-xor 2-16-1", "keras-xor", 200, {}, 6),
            ("keras-xor 2-16-1 whole", "keras-xor", 200, {}, 16),
            ("two-layer 3-4-1", "two-layer", 1000, {}, 8),
            ("deeper 2-16-16-1", "keras-xor-deeper", 30, {}, 4),
            ("untrained 3-4-1", "two-layer", 0, {}, 8)]


def read_back(diagram, net) -> None:
    """Follow every line from every port right of a node to the node it reaches; its classes and signs must be its
    weight's, and the lines found must be exactly the drawn weights, every weight between drawn units."""
    chars = diagram.chars
    by_block = {}
    for node in diagram.nodes:
        for y in range(node.top, node.top + node.height):
            by_block[y, node.left] = node
    found = set()
    for node in diagram.nodes:
        x = node.left + node.width
        for y in range(node.top, node.top + node.height):
            if x >= len(chars[y]) or chars[y][x] == " ":
                continue
            read, (ey, ex) = follow(chars, y, x)
            target = by_block[ey, ex + 1]
            assert target.column == node.column + 1
            w = float(net.W[node.column][node.unit, target.unit])
            kind = line_class(w)
            classes = {k for k, _ in read}
            assert classes <= {kind, "thick" if kind == "thick" else "thin/faint"}, (node.name, target.name)
            signs = {s for _, s in read if s}
            assert signs == {-1 if w < 0 else 1} or kind == "faint", (node.name, target.name, w, read)
            found.add((node.column, node.unit, target.unit))
    drawn = {(e.layer, e.source, e.target) for e in diagram.edges}
    assert found == drawn  # every drawn weight was found by following the drawing, and no other
    shown = [sorted(n.unit for n in diagram.nodes if n.column == c) for c in range(len(net.shape.sizes))]
    expected = {(l, i, j) for l in range(net.shape.n_layers) for i in shown[l] for j in shown[l + 1]}
    assert drawn == expected


@pytest.mark.parametrize(("label", "name", "epochs", "arch", "units"), NETWORKS)
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize(("gap", "header"), [(1, True), (0, False)])
def test_every_drawn_line_reads_back_as_its_weight(label, name, epochs, arch, units, seed, gap, header):
    trainer = trained(name, epochs, seed, **arch)
    read_back(draw(trainer.net, trainer.experiment.table, 1, units, gap=gap, header=header), trainer.net)


@pytest.mark.parametrize("name", ["keras-xor", "two-layer"])
@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 50), (48, 10)])
def test_the_drawing_fitted_to_a_pane_reads_back_too(name, size):
    """Whatever layout and picture size ``fitting`` picks."""
    trainer = trained(name, 100)
    read_back(fitting(trainer.net, trainer.experiment.table, 2, *size), trainer.net)


def test_faint_lines_carry_their_sign_in_their_role():
    trainer = trained("two-layer", 0)
    diagram = draw(trainer.net, trainer.experiment.table, 0)
    for y, line in enumerate(diagram.roles):
        for x, role in enumerate(line):
            if role is not None and role[0] == "edge":
                edge = diagram.edges[role[1]]
                assert edge.sign == (-1 if edge.weight < 0 else 1)
                assert diagram.chars[y][x] != " "


def test_the_scale_is_fixed_not_the_layers_largest():
    assert [line_class(w) for w in (0.01, -0.2, 0.3, -1.4, 1.5, -40.0)] == \
        ["faint", "faint", "thin", "thin", "thick", "thick"]
    assert "1.5" in LEGEND[0] and "0.25" in LEGEND[0]


def test_a_small_network_of_small_weights_draws_no_thick_line():
    trainer = trained("two-layer", 0)
    trainer.net.theta[:] *= 1e-3
    diagram = draw(trainer.net, trainer.experiment.table, 0)
    assert not set("━┃╍╏") & set(diagram.text)


def test_the_number_cursor_names_things_plainly():
    trainer = trained("keras-xor", 0, layers=(Layer(2, "sigmoid"),))
    diagram = draw(trainer.net, trainer.experiment.table, 2)
    assert describe_edge(diagram, 0).startswith("w(a→h1) = ")
    hidden = next(k for k, n in enumerate(diagram.nodes) if n.name == "h1")
    text = describe_node(diagram, hidden)
    assert text.startswith("h1: bias = ") and "sum z = " in text and "output = " in text
    assert describe_node(diagram, 0) == "input a = 1"
    assert diagram.item_at(diagram.nodes[hidden].top, diagram.nodes[hidden].left) == ("node", hidden)


def test_two_input_nodes_carry_their_own_picture():
    trainer = trained("keras-xor", 0, layers=(Layer(2, "sigmoid"),))
    diagram = draw(trainer.net, trainer.experiment.table, 0)
    assert diagram.surfaces
    a = diagram.nodes[0]
    cells = [diagram.roles[a.top + 1][a.left + x] for x in range(6)]
    assert [round(c[2], 2) for c in cells] == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]  # input a rises to the right
    assert not draw(trained("two-layer", 0).net, recipe("two-layer").table, 0).surfaces


@pytest.mark.parametrize(("name", "arch", "width", "height"), [
    ("keras-xor", {"layers": (Layer(2, "sigmoid"),)}, 80, 16), ("keras-xor", {}, 80, 16), ("two-layer", {}, 80, 20)])
def test_it_fits_the_room_it_is_given(name, arch, width, height):
    trainer = trained(name, 50, **arch)
    diagram = fitting(trainer.net, trainer.experiment.table, 0, width, height)
    assert len(diagram.chars) + len(footer(diagram)) <= height
    assert max(len(line.rstrip()) for line in diagram.chars) <= width


def test_lines_that_wait_on_each_other_in_a_circle_have_no_order():
    assert track_order([0, 5], [5, 0]) is None
    assert track_order([0, 5], [3, 7]) is not None
    order = track_order([1, 4], [4, 8])
    assert order is not None and order.index(0) > order.index(1)


def test_inputs_and_outputs_are_never_folded():
    trainer = trained("two-layer", 10)
    diagram = draw(trainer.net, trainer.experiment.table, 0, max_units=2)
    assert diagram.folded == (0, 2, 0)
    assert [n.name for n in diagram.nodes if n.column == 0] == ["a", "b", "c"]


def test_the_drawing_does_not_write_the_network():
    trainer = trained("two-layer", 10)
    theta = trainer.net.theta.copy()
    draw(trainer.net, trainer.experiment.table, 3)
    assert np.array_equal(theta, trainer.net.theta)


def test_a_short_pane_never_folds_below_four_units():
    """Too short for every line: the tutorial's four hidden units all the same (the pane scrolls), keras-xor's
    sixteen down to four."""
    small = fitting(trained("two-layer", 10).net, recipe("two-layer").table, 0, 48, 9)
    assert small.folded == (0, 0, 0)
    wide = trained("keras-xor", 10)
    assert fitting(wide.net, wide.experiment.table, 0, 48, 9).folded == (0, 12, 0)


def test_a_layout_whose_lines_cannot_be_routed_gives_way_to_the_next_not_to_fewer_units_in_its_place():
    """A full adder on 8 relu, 8 tanh: in 100x40, five units a layer with the header, not three without it (the
    close-together layout of six cannot be routed and once fell back to three)."""
    experiment = recipe("keras-xor").with_table(preset("full-adder")).with_architecture(
        layers=(Layer(8, "relu"), Layer(8, "tanh")))
    trainer = Trainer(experiment)
    trainer.run(300)
    diagram = fitting(trainer.net, experiment.table, 0, 100, 40)
    assert diagram.header and diagram.folded == (0, 3, 3, 0)
    read_back(diagram, trainer.net)
