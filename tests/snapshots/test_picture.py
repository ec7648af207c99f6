"""SVG snapshots of the network picture (the inspect view's picture mode, the number cursor on a line) for the
tutorials' three networks at 80x24, 120x40 and 200x50, in 16 colours and without colour; and the step-through of
one update."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult

from lab.core.experiment import Architecture, Experiment, Layer, Training
from lab.core.gates import preset
from lab.core.inspect.step import backprop_step
from lab.core.recipes import recipe
from lab.core.train import Trainer
from lab.ui.widgets.inspect_view import InspectView
from lab.ui.widgets.step_through import StepThrough

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40"),
         pytest.param((200, 50), id="200x50")]


def xor_221() -> Trainer:
    """XOR on 2 -> 2 sigmoid -> 1 sigmoid, sse, sgd lr 1, 1,000 epochs (solved at 395)."""
    return Trainer(recipe("keras-xor").with_architecture(layers=(Layer(2, "sigmoid"),)).with_training(
        optimizer="sgd", loss="sse", lr=1.0))


def tutorial_341() -> Trainer:
    """The two-layer tutorial's network: all-equal3 on 3 -> 4 sigmoid -> 1 sigmoid, no biases, weights from a
    standard normal, sse, sgd lr 1 (built here, so a change to the recipe does not move these pictures)."""
    return Trainer(Experiment(preset("all-equal3"), Architecture((Layer(4, "sigmoid"),), "sigmoid", bias=False),
                              Training(loss="sse", optimizer="sgd", lr=1.0, init="normal", epochs=1000),
                              name="two-layer"))


NETWORKS = {"xor-2-2-1": (xor_221, 1000), "keras-xor-2-16-1": (lambda: Trainer(recipe("keras-xor")), 300),
            "two-layer-3-4-1": (tutorial_341, 1000)}


class PictureHost(App):
    """The picture alone on the screen, for row 2, the cursor on the fifth item (a hidden unit or a line)."""

    def __init__(self, network: str, theme: str | None = None) -> None:
        super().__init__()
        build, epochs = NETWORKS[network]
        self.trainer = build()
        self.trainer.run(epochs)
        if theme is not None:
            self.theme = theme

    def compose(self) -> ComposeResult:
        yield InspectView()

    def on_mount(self) -> None:
        view = self.query_one(InspectView)
        view.mode = "picture"
        self.call_after_refresh(self.draw)

    def draw(self) -> None:
        view = self.query_one(InspectView)
        view.update_from(self.trainer.experiment, self.trainer.state(), 2)
        view.cursor.select(("edge", 0))  # the first line
        view.update_from(self.trainer.experiment, self.trainer.state(), 2)


@pytest.mark.parametrize("network", list(NETWORKS))
@pytest.mark.parametrize("size", SIZES)
def test_picture(snap_compare, network, size):
    """The drawn network with the number cursor on its first line: w(a→h1) = ... under the picture."""
    assert snap_compare(PictureHost(network), terminal_size=size)


@pytest.mark.parametrize("network", list(NETWORKS))
def test_picture_sixteen_colours(snap_compare, network):
    """ansi-dark at 80x24: lines green and red, nodes and surfaces in five ANSI colours."""
    assert snap_compare(PictureHost(network, "ansi-dark"), terminal_size=(80, 24))


def test_picture_no_color(snap_compare, monkeypatch):
    """NO_COLOR: signs by solid and dashed lines, the nodes' pictures in shades."""
    monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(PictureHost("xor-2-2-1"), terminal_size=(80, 24))


class StepHost(App):
    """The step-through of one update of the two-layer network on row 3, every part shown."""

    def compose(self) -> ComposeResult:
        yield StepThrough()

    def on_mount(self) -> None:
        trainer = tutorial_341()
        trainer.run(10)
        view = self.query_one(StepThrough)
        view.show_step(backprop_step(trainer, 3), ("011",), 3)
        view.shown = 5
        view.action_fewer()
        view.action_more()
        view.scroll_home(animate=False)


def test_step_through(snap_compare):
    """3-4-1 on row 3: the forward pass, the error, o(1 - o), the deltas and each weight's update."""
    assert snap_compare(StepHost(), terminal_size=(120, 40))
