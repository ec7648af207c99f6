"""The network picture widget (number cursor, hand edits) and the step-through, driven by Pilot in a small host app
that owns a trainer as the run would: it applies what the widgets post and draws them again."""

from __future__ import annotations

import numpy as np
from textual import on
from textual.app import App, ComposeResult
from textual.message import Message

from lab.core.experiment import Layer
from lab.core.inspect.step import BackpropStep, backprop_step, changed_parameters
from lab.core.recipes import recipe
from lab.core.train import Trainer
from lab.ui.screens.step_through import StepThroughScreen
from lab.ui.widgets.network_picture import STEP, NetworkPicture
from lab.ui.widgets.step_through import StepThrough


class Host(App):
    """Owns a trainer on xor 2-2-1; applies edits and steps as the run would."""

    def __init__(self, trainer: Trainer, row: int = 2) -> None:
        super().__init__()
        self.trainer = trainer
        self.row = row

    def compose(self) -> ComposeResult:
        yield NetworkPicture(id="picture")
        yield StepThrough(id="step")

    def on_mount(self) -> None:
        self.redraw()
        self.query_one(NetworkPicture).focus()

    def redraw(self) -> None:
        self.query_one(NetworkPicture).show(self.trainer.experiment, self.trainer.net, self.row, 80, 20)

    @on(NetworkPicture.Edited)
    def edited(self, event: NetworkPicture.Edited) -> None:
        self.trainer.net.params[event.parameter][event.index] = event.value
        self.redraw()

    @on(NetworkPicture.StepAsked)
    def step_asked(self, event: NetworkPicture.StepAsked) -> None:
        step = backprop_step(self.trainer, event.row)
        view = self.query_one(StepThrough)
        view.show_step(step, (self.trainer.experiment.table.row_label(event.row),), event.row)
        view.focus()

    @on(StepThrough.ScopeAsked)
    def scope(self, event: StepThrough.ScopeAsked) -> None:
        step = backprop_step(self.trainer, None if event.whole_batch else event.row)
        self.query_one(StepThrough).show_step(step, (), event.row)

    @on(StepThrough.Applied)
    def applied(self, event: StepThrough.Applied) -> None:
        np.copyto(self.trainer.net.theta, event.step.theta_after)
        self.redraw()


def xor_221(epochs: int = 0) -> Trainer:
    trainer = Trainer(recipe("keras-xor").with_architecture(layers=(Layer(2, "sigmoid"),)).with_training(
        optimizer="sgd", loss="sse", lr=1.0))
    trainer.run(epochs)
    return trainer


def recorder() -> tuple[list[Message], object]:
    """A message hook and what it saw, each message once (the hook sees a message at every node it bubbles to)."""
    seen: list[Message] = []

    def hook(message: Message) -> None:
        if all(message is not m for m in seen):
            seen.append(message)

    return seen, hook


async def test_the_cursor_names_nodes_and_lines_by_keys_and_by_mouse():
    seen, hook = recorder()
    app = Host(xor_221(50))
    async with app.run_test(size=(80, 30), message_hook=hook) as pilot:
        picture = app.query_one(NetworkPicture)
        assert picture.words() == "input a = 1"
        await pilot.press("down")
        assert picture.words() == "input b = 0"
        selected = [m for m in seen if isinstance(m, NetworkPicture.Selected)]
        assert selected[-1].words == "input b = 0"
        await pilot.press("down")
        assert picture.words().startswith("h1: bias = ") and " · sum z = " in picture.words()
        diagram = picture.diagram
        assert diagram is not None
        edge = diagram.edges[0]
        y, x = edge.start
        await pilot.click(NetworkPicture, offset=(x, y))
        assert picture.words() == f"{edge.name} = {edge.weight:+.4f}"
        assert picture.words().startswith("w(a→h1) = ")


async def test_a_weight_set_by_hand_moves_the_output_at_once_and_training_goes_on_from_it():
    seen, hook = recorder()
    trainer = xor_221(50)
    app = Host(trainer)
    async with app.run_test(size=(80, 30), message_hook=hook) as pilot:
        picture = app.query_one(NetworkPicture)
        index = picture.items.index(("edge", 0))
        picture.select(index)
        before = float(trainer.net.W[0][0, 0])
        output = float(picture.diagram.outputs[0])
        await pilot.press("right", "right")
        edits = [m for m in seen if isinstance(m, NetworkPicture.Edited)]
        assert [(e.parameter, e.index, e.name) for e in edits] == [("W1", (0, 0), "w(a→h1)")] * 2
        assert trainer.net.W[0][0, 0] == round(before + 2 * STEP, 10)
        assert picture.words() == f"w(a→h1) = {before + 2 * STEP:+.4f}"
        assert float(picture.diagram.outputs[0]) != output  # the row's output followed
        assert np.isclose(picture.diagram.outputs[0], trainer.predict()[2, 0], atol=1e-15)
        edited = trainer.net.theta.copy()
        trainer.run(1)
        assert not np.array_equal(trainer.net.theta, edited)  # it trains on from the edited weights
        step_from_edit = backprop_step(Trainer.from_state(trainer.experiment, trainer.state()))
        assert step_from_edit.layers[0].weights.shape == (2, 2)


async def test_typing_a_value_and_refusals():
    seen, hook = recorder()
    trainer = xor_221()
    app = Host(trainer)
    async with app.run_test(size=(80, 30), message_hook=hook) as pilot:
        picture = app.query_one(NetworkPicture)
        picture.select(picture.items.index(("node", 2)))  # h1: its bias
        await pilot.press("equals_sign", *"2.5", "enter")
        assert trainer.net.b[0][0] == 2.5
        await pilot.press("equals_sign", "x", "enter")
        assert "expected a number" in str(app.query_one("#picture-numbers").render())
        await pilot.press("escape")
        picture.select(0)  # input a has nothing to edit
        await pilot.press("right")
        assert "an input has no weight" in str(app.query_one("#picture-numbers").render())
        picture.paused = False
        picture.select(picture.items.index(("edge", 1)))
        await pilot.press("right")
        assert "pause the run" in str(app.query_one("#picture-numbers").render())
        assert len([m for m in seen if isinstance(m, NetworkPicture.Edited)]) == 1


async def test_the_step_through_shows_every_part_then_applies_or_not():
    seen, hook = recorder()
    trainer = xor_221(20)
    app = Host(trainer)
    async with app.run_test(size=(100, 50), message_hook=hook) as pilot:
        await pilot.press("s")
        view = app.query_one(StepThrough)
        assert "1 forward pass" in view.text and "2 error" not in view.text
        await pilot.press("right", "right", "right", "right")
        text = view.text
        for title in ("2 error", "3 slope", "4 delta", "5 gradient and update"):
            assert title in text
        assert "y: slope o(1 - o) = " in text and "w(a→h1): gradient = " in text
        step = view.step
        assert step is not None and step.rows == (2,)
        await pilot.press("d")
        assert any(isinstance(m, StepThrough.Dismissed) for m in seen)
        before = trainer.net.theta.copy()
        await pilot.press("w")
        assert view.step is not None and view.step.whole_batch
        whole = view.step
        await pilot.press("a")
        assert np.array_equal(trainer.net.theta, whole.theta_after)
        follower = Trainer.from_state(trainer.experiment, trainer.state())
        np.copyto(follower.net.theta, before)
        follower.step()
        assert np.abs(follower.net.theta - trainer.net.theta).max() <= 1e-12  # the step is the trainer's epoch


class ScreenHost(App):
    """Pushes the step-through screen on a frozen state, as the app would on ``NetworkPicture.StepAsked``."""

    def __init__(self, trainer: Trainer, row: int) -> None:
        super().__init__()
        self.trainer = trainer
        self.row = row
        self.answers: list[object] = []

    def on_mount(self) -> None:
        self.push_screen(StepThroughScreen(self.trainer.experiment, self.trainer.state(), self.row),
                         self.answers.append)


async def test_the_step_through_screen_answers_with_the_step_or_none():
    trainer = xor_221(20)
    app = ScreenHost(trainer, 1)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await pilot.press("right", "w", "a")
        await pilot.pause()
        (step,) = app.answers
        assert isinstance(step, BackpropStep) and step.whole_batch
        follower = Trainer.from_state(trainer.experiment, trainer.state())
        follower.step()
        assert np.abs(follower.net.theta - step.theta_after).max() <= 1e-12
        changes = changed_parameters(step)
        assert {(layer, i, j) for layer, i, j, _ in changes} <= {
            (0, 0, 0), (0, 0, 1), (0, 1, 0), (0, 1, 1), (0, 0, None), (0, 1, None), (1, 0, 0), (1, 1, 0), (1, 0, None)}
        net = trainer.net.copy()
        for layer, i, j, value in changes:  # what Run.set_parameter would do, one by one
            if j is None:
                net.b[layer][i] = value
            else:
                net.W[layer][i, j] = value
        assert np.array_equal(net.theta, step.theta_after)
    app = ScreenHost(trainer, 1)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        assert app.answers == [None]


async def test_an_edit_names_what_the_runs_set_parameter_takes():
    seen, hook = recorder()
    app = Host(xor_221())
    async with app.run_test(size=(80, 30), message_hook=hook) as pilot:
        picture = app.query_one(NetworkPicture)
        diagram = picture.diagram
        assert diagram is not None
        last = len(diagram.edges) - 1  # w(h2→y)
        picture.select(picture.items.index(("edge", last)))
        await pilot.press("right")
        picture.select(picture.items.index(("node", len(diagram.nodes) - 1)))  # y: its bias
        await pilot.press("left")
        weight, bias = [m for m in seen if isinstance(m, NetworkPicture.Edited)]
        assert (weight.layer, weight.i, weight.j, weight.name) == (1, 1, 0, "w(h2→y)")
        assert (bias.layer, bias.i, bias.j, bias.name) == (1, 0, None, "bias(y)")
