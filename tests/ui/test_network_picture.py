"""The network picture in the inspect view (number cursor, hand edits, the step-through asked for) and the
step-through screen, driven by Pilot in a small host app that owns a trainer as the run would: it applies what the
view posts and draws it again."""

from __future__ import annotations

import numpy as np
from textual import on
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.message import Message

from lab.core.experiment import Layer
from lab.core.inspect.step import BackpropStep, changed_parameters
from lab.core.recipes import recipe
from lab.core.train import Trainer
from lab.drawings.views import wrap_step_line
from lab.ui.screens.step_through import StepThroughScreen
from lab.ui.widgets.inspect_view import InspectView
from lab.ui.widgets.network_picture import STEP
from lab.ui.widgets.step_through import StepThrough


class Host(App):
    """Owns a trainer on xor 2-2-1; shows the picture for ``row``; applies edits and steps as the run would."""

    def __init__(self, trainer: Trainer, row: int = 2) -> None:
        super().__init__()
        self.trainer = trainer
        self.row = row
        self.steps: list[BackpropStep | None] = []

    def compose(self) -> ComposeResult:
        yield InspectView(id="inspect")

    def on_mount(self) -> None:
        view = self.query_one(InspectView)
        view.mode = "picture"
        view.focus()
        self.call_after_refresh(self.redraw)

    def redraw(self) -> None:
        self.query_one(InspectView).update_from(self.trainer.experiment, self.trainer.state(), self.row)

    @on(InspectView.Edited)
    def edited(self, event: InspectView.Edited) -> None:
        edit = event.edit
        self.trainer.net.params[edit.parameter][edit.index] = edit.value
        self.redraw()

    @on(InspectView.StepAsked)
    def step_asked(self, event: InspectView.StepAsked) -> None:
        self.push_screen(StepThroughScreen(self.trainer.experiment, self.trainer.state(), event.row), self.applied)

    def applied(self, step: BackpropStep | None) -> None:
        self.steps.append(step)
        if step is not None:
            for layer, i, j, value in changed_parameters(step):  # as Run.set_parameter, one by one
                if j is None:
                    self.trainer.net.b[layer][i] = value
                else:
                    self.trainer.net.W[layer][i, j] = value
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


async def drawn(pilot, app: Host) -> None:
    """Wait for the host's first frame, then draw the picture for the pane's size (known by then)."""
    await pilot.pause()
    app.redraw()
    await pilot.pause()


def last_line(view: InspectView) -> str:
    """The cursor's numbers (the line above the keys' line)."""
    return view.text.splitlines()[-2]


async def test_the_cursor_names_nodes_and_lines_by_keys_and_by_mouse():
    app = Host(xor_221(50))
    async with app.run_test(size=(80, 30)) as pilot:
        await drawn(pilot, app)
        view = app.query_one(InspectView)
        assert last_line(view) == "input a = 1"
        assert view.text.splitlines()[-1] == "↑↓ node/line · ←→ ±0.1 · = type · b one step"  # focused: the keys
        await pilot.press("down")
        assert last_line(view) == "input b = 0"
        await pilot.press("down")
        assert last_line(view).startswith("h1: bias = ") and " · sum z = " in last_line(view)
        diagram = view.cursor.diagram
        assert diagram is not None
        edge = diagram.edges[0]
        y, x = edge.start
        await pilot.click(InspectView, offset=(x + view.gutter.left, y + view.gutter.top))
        await pilot.pause()
        assert last_line(view) == f"{edge.name} = {edge.weight:+.4f}"
        assert last_line(view).startswith("w(a→h1) = ")


async def test_a_weight_set_by_hand_moves_the_output_at_once_and_training_goes_on_from_it():
    seen, hook = recorder()
    trainer = xor_221(50)
    app = Host(trainer)
    async with app.run_test(size=(80, 30), message_hook=hook) as pilot:
        await drawn(pilot, app)
        view = app.query_one(InspectView)
        view.cursor.select(("edge", 0))
        before = float(trainer.net.W[0][0, 0])
        assert view.cursor.diagram is not None
        output = float(view.cursor.diagram.outputs[0])
        await pilot.press("right", "right")
        await pilot.pause()
        edits = [m.edit for m in seen if isinstance(m, InspectView.Edited)]
        assert [(e.parameter, e.index, e.name, e.layer, e.i, e.j) for e in edits] == \
            [("W1", (0, 0), "w(a→h1)", 0, 0, 0)] * 2
        assert trainer.net.W[0][0, 0] == round(before + 2 * STEP, 10)
        assert last_line(view) == f"w(a→h1) = {before + 2 * STEP:+.4f}"
        diagram = view.cursor.diagram
        assert float(diagram.outputs[0]) != output  # the row's output followed at once
        assert np.isclose(diagram.outputs[0], trainer.predict()[2, 0], atol=1e-15)
        edited = trainer.net.theta.copy()
        trainer.run(1)
        assert not np.array_equal(trainer.net.theta, edited)  # it trains on from the edited weights


async def test_typing_a_value_and_refusals():
    seen, hook = recorder()
    trainer = xor_221()
    app = Host(trainer)
    async with app.run_test(size=(80, 30), message_hook=hook) as pilot:
        await drawn(pilot, app)
        view = app.query_one(InspectView)
        view.cursor.select(("node", 2))  # h1: its bias
        await pilot.press("equals_sign")
        await pilot.pause()
        await pilot.press(*"2.5", "enter")
        await pilot.pause()
        assert trainer.net.b[0][0] == 2.5
        assert last_line(view).startswith("h1: bias = +2.5000")
        await pilot.press("equals_sign")
        await pilot.pause()
        await pilot.press("x", "enter")
        await pilot.pause()
        assert "expected a number" in str(app.screen.query_one("#value-error").render())
        await pilot.press("escape")
        await pilot.pause()
        view.cursor.select(("node", 0))  # input a has nothing to edit
        await pilot.press("right")
        assert last_line(view) == "an input has no weight of its own: choose a line or a unit"
        view.paused = False
        view.cursor.select(("edge", 1))
        await pilot.press("right")
        assert last_line(view) == "pause the run (space) to set a weight by hand"
        assert len([m for m in seen if isinstance(m, InspectView.Edited)]) == 1


async def test_the_step_through_shows_every_part_then_applies_or_not():
    trainer = xor_221(20)
    app = Host(trainer)
    async with app.run_test(size=(100, 50)) as pilot:
        await drawn(pilot, app)
        await pilot.press("b")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StepThroughScreen)
        view = screen.query_one("StepThrough")
        assert "1 forward pass" in view.text and "2 error" not in view.text
        await pilot.press("right", "right", "right", "right")
        text = view.text
        for title in ("2 error", "3 slope", "4 delta", "5 gradient and update"):
            assert title in text
        assert "y: slope o(1 - o) = " in text and "w(a→h1): gradient = " in text
        assert view.step.rows == (2,)
        await pilot.press("d")
        await pilot.pause()
        assert app.steps == [None]
        before = trainer.net.theta.copy()
        await pilot.press("b")
        await pilot.pause()
        await pilot.press("w", "a")  # the whole batch, applied
        await pilot.pause()
        (_, whole) = app.steps
        assert whole is not None and whole.whole_batch
        assert np.array_equal(trainer.net.theta, whole.theta_after)
        follower = Trainer.from_state(trainer.experiment, trainer.state())
        np.copyto(follower.net.theta, before)
        follower.step()
        assert np.abs(follower.net.theta - trainer.net.theta).max() <= 1e-12  # the step is the trainer's epoch


async def test_other_views_scroll_with_the_arrows():
    app = Host(xor_221())
    async with app.run_test(size=(60, 12)) as pilot:
        await pilot.pause()
        view = app.query_one(InspectView)
        view.mode = "network"
        app.redraw()
        await pilot.pause()
        await pilot.press("down", "down")
        await pilot.pause()
        assert view.scroll_offset.y == 2


class SlowHost(Host):
    """A run that has not redrawn the view yet when the next key comes: it records edits and draws nothing."""

    @on(InspectView.Edited)
    def edited(self, event: InspectView.Edited) -> None:
        event.stop()
        self.trainer.net.params[event.edit.parameter][event.edit.index] = event.edit.value


async def test_nudges_faster_than_the_redraws_still_add_up():
    seen, hook = recorder()
    trainer = xor_221()
    app = SlowHost(trainer)
    async with app.run_test(size=(80, 30), message_hook=hook) as pilot:
        await drawn(pilot, app)
        view = app.query_one(InspectView)
        view.cursor.select(("edge", 0))
        before = float(trainer.net.W[0][0, 0])
        await pilot.press("right", "right", "right")
        await pilot.pause()
        values = [m.edit.value for m in seen if isinstance(m, InspectView.Edited)]
        assert values == [round(before + k * STEP, 10) for k in (1, 2, 3)]


async def test_the_cursor_keeps_its_item_in_view():
    trainer = Trainer(recipe("two-layer"))
    app = Host(trainer)
    async with app.run_test(size=(60, 10)) as pilot:
        await drawn(pilot, app)
        view = app.query_one(InspectView)
        diagram = view.cursor.diagram
        assert diagram is not None and view.virtual_size.height > view.size.height  # taller than the pane

        def row(item: tuple[str, int]) -> int:
            return diagram.nodes[item[1]].top if item[0] == "node" else diagram.edges[item[1]].start[0]

        items = view.cursor.items
        below = next(k for k, item in enumerate(items) if row(item) >= view.scrollable_content_region.height)
        view.cursor.select(items[below - 1])
        await pilot.press("down")
        await pilot.pause()
        assert view.cursor.selected == items[below]
        assert view.scroll_offset.y <= row(items[below]) < view.scroll_offset.y + view.scrollable_content_region.height


def test_a_step_line_breaks_only_before_an_operator_with_a_hanging_indent():
    line = "  y: sum z = h1 +0.2884 × -1.1007 + h2 +0.3322 × -0.8457 + h3 +0.6731 × -0.4800 = -0.8504"
    assert wrap_step_line(line, None) == [line] and wrap_step_line(line, len(line)) == [line]
    parts = wrap_step_line(line, 40)
    assert parts == ["  y: sum z = h1 +0.2884 × -1.1007", "      + h2 +0.3322 × -0.8457",
                     "      + h3 +0.6731 × -0.4800 = -0.8504"]
    assert " ".join(p.strip() for p in parts) == line.strip()  # nothing lost or added but the breaks
    note = "  (the tutorial writes target - output and adds its update; the lab subtracts the gradient: the same step)"
    assert [len(part) <= 60 and part.startswith("      ") for part in wrap_step_line(note, 60)[1:]] == [True] * 2
    assert " ".join(" ".join(wrap_step_line(note, 60)).split()) == note.strip()  # a sentence: broken at spaces
    # a piece wider than the whole width stays whole where too little room is left: the terminal wraps it
    assert wrap_step_line("  w: gradient = +1.0000", 5) == ["  w: gradient", "      = +1.0000"]


async def test_the_step_through_at_80_columns_keeps_each_sum_whole_on_its_own_lines():
    """At 80x24 the widest sums (the output's, over every hidden unit) break before a + and go on indented, every
    line within the step's width, and the words are the step's own."""
    trainer = Trainer(recipe("keras-xor"))
    trainer.run(30)
    app = Host(trainer)
    async with app.run_test(size=(80, 24)) as pilot:
        await drawn(pilot, app)
        await pilot.press("b", "right", "right", "right", "right")
        await pilot.pause()
        view = app.screen.query_one(StepThrough)
        text = view.query_one("#step-text")
        shown = [strip.text.rstrip() for strip in text.render_lines(Region(0, 0, text.size.width, text.size.height))]
        assert all(len(line) <= text.content_size.width for line in shown)
        sum_of_y = next(i for i, line in enumerate(shown) if line.startswith("  y: sum z = "))
        assert shown[sum_of_y + 1].startswith("      + h")  # the sum goes on, indented, at a term
        assert " ".join(" ".join(shown).split()) == " ".join(view.text.split())
