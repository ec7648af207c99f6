"""Attract mode (``nnlab demo``): it plays every scene in order through the lab's own actions, loops, and a key or a
click hands the lab to the person without doing anything else."""

from __future__ import annotations

import time
from collections.abc import Callable

from textual import events
from textual.pilot import Pilot

from lab.core.inspect import hidden_gates
from lab.core.train import Trainer
from lab.ui.demo import CAPTION_WIDTH, SCENES, STOPPED, DemoApp, DemoStep
from lab.ui.widgets.chart import LossChart
from lab.ui.widgets.demo_caption import DemoCaption
from lab.ui.widgets.inspect_view import InspectView

from tests.ui.helpers import status_text

TIMEOUT = 60.0  # generous: the whole cycle takes about 2 s here
PHASES = ("intro", "train", "hold")


async def wait_until(pilot: Pilot, condition: Callable[[], bool], what: str) -> None:
    """Let the app run (its timers and worker) until ``condition()`` holds."""
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await pilot.pause(0.02)


def alive_training_workers(app: DemoApp) -> list:
    """Training workers still running and not cancelled."""
    return [w for w in app.workers if w.group == "training" and w.is_running and not w.is_cancelled]


class Recorder:
    """A message hook: every demo step, with what the pane and status line showed when the step was taken."""

    def __init__(self) -> None:
        self.app: DemoApp | None = None
        self.steps: list[DemoStep] = []
        self.held: dict[int, tuple[str, str]] = {}  # scene -> (view text, status) when its result was first held

    def __call__(self, message) -> None:
        if isinstance(message, DemoApp.Stepped):
            step = message.step
            self.steps.append(step)
            if step.phase == "hold" and step.scene not in self.held:
                self.held[step.scene] = (self.app.query_one(InspectView).text, status_text(self.app))


def test_captions_fit_at_80_columns():
    """Every caption and result fits beside its number and the take-over hint on an 80-column line."""
    for scene in SCENES:
        assert len(scene.caption) <= CAPTION_WIDTH and len(scene.result) <= CAPTION_WIDTH, scene.name
    assert len(STOPPED) <= 78


def test_each_scene_does_what_its_captions_say_in_the_core():
    """Trained by the core alone, each scene ends as its result caption says (the figures the README quotes)."""
    outcomes = {}
    for scene in SCENES:
        trainer = Trainer(scene.experiment)
        trainer.run()
        outcomes[scene.name] = (trainer.solved_epoch, trainer.epoch, trainer.status)
    assert outcomes == {"xor": (128, 260, "loss-reached"), "full-adder": (221, 296, "loss-reached"),
                        "single-neuron": (None, 300, "budget"), "hidden-layer": (275, 450, "loss-reached")}
    xor = Trainer(SCENES[0].experiment)
    xor.run()
    assert [g.name for g in hidden_gates(xor.net, xor.experiment.table)] == ["a OR b", "a NAND b"]


async def test_demo_plays_every_scene_in_order_loops_and_a_key_stops_it():
    """With short holds the demo goes intro → train → hold through every scene, XOR reaches solved with both hidden
    units named, the single neuron does not solve XOR and the hidden layer does; then it starts over. A key stops it,
    is not acted on (l would switch the chart to a log scale), and nothing moves on afterwards."""
    record = Recorder()
    app = DemoApp(hold=0.05, speed=0)
    record.app = app
    n = len(SCENES)
    async with app.run_test(size=(100, 30), message_hook=record) as pilot:
        await wait_until(pilot, lambda: len(record.steps) > 3 * n, "the demo to loop back to the first scene")
        expected = [(k % n, phase) for k in range(n + 1) for phase in PHASES][: 3 * n + 1]
        assert [(s.scene, s.phase) for s in record.steps[: 3 * n + 1]] == expected
        for step in record.steps[: 3 * n + 1]:
            scene = SCENES[step.scene]
            text = scene.result if step.phase == "hold" else scene.caption
            assert step.caption == f"{step.scene + 1}/{n} · {text}"

        units, status = record.held[0]
        assert "solved" in status and "acc 1.00" in status
        assert "h1  0111  ~ a OR b" in units and "h2  1110  ~ a NAND b" in units
        assert "Karnaugh map" in record.held[1][0] and "acc 1.00" in record.held[1][1]
        assert "solved" not in record.held[2][1]
        assert "epoch 300/300" in record.held[2][1]
        assert "solved" in record.held[3][1] and "acc 1.00" in record.held[3][1]

        await pilot.press("l")
        assert not app.playing and app.phase == "stopped"
        assert app.query_one(DemoCaption).text == STOPPED
        assert not app.query_one(LossChart).log_scale
        assert len(alive_training_workers(app)) <= 1
        await app.workers.wait_for_complete()
        seen, scene = len(record.steps), app.scene_index
        await pilot.pause(5 * 0.1)  # five driver ticks, each longer than a hold: a running demo would move on
        assert len(record.steps) == seen and app.scene_index == scene
        assert record.steps[-1].phase == "stopped"
        assert not alive_training_workers(app) and not app.running


async def test_a_click_mid_training_hands_over_and_training_carries_on():
    """At the scenes' own speed, a mouse click while XOR trains stops the demo; the network keeps training, and the
    next key is the person's (space pauses)."""
    app = DemoApp(hold=0.05)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.phase == "train" and app.lab_run.session.trainer.epoch > 0, "XOR to train")
        app.post_message(events.MouseDown(None, 40, 10, 0, 0, 1, False, False, False))  # as the terminal sends it
        await pilot.pause()
        assert not app.playing
        assert app.running and len(alive_training_workers(app)) == 1
        assert app.lab_run.session.trainer.experiment == SCENES[0].experiment
        await pilot.press("space")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not app.running and "paused" in status_text(app)
        assert not alive_training_workers(app)


async def test_ctrl_c_still_quits_during_the_demo():
    """ctrl+c stops the demo and quits, as it always does."""
    app = DemoApp(hold=0.05, speed=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.playing, "the demo to start")
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert not app.playing and not app.is_running


def test_demo_help_and_bad_flags(cli):
    """``nnlab demo --help`` describes it; a bad flag or value is one line on stderr and status 2."""
    status, out, err = cli("demo", "--help")
    assert status == 0 and err == ""
    assert out.startswith("usage: nnlab demo [-h] [--fps N] [--hold SECONDS]") and "any key" in out.lower()
    for argv, message in [
        (["--hold", "0"], "nnlab demo: error: argument --hold: expected 0.5 to 600 seconds, got '0'"),
        (["--hold", "nan"], "nnlab demo: error: argument --hold: expected 0.5 to 600 seconds, got 'nan'"),
        (["--fps", "fast"], "nnlab demo: error: argument --fps: expected 0.5 to 30 updates a second, got 'fast'"),
        (["--fps", "100"], "nnlab demo: error: argument --fps: expected 0.5 to 30 updates a second, got '100'"),
        (["--speed", "3"], "nnlab demo: error: unrecognized arguments: --speed 3"),
    ]:
        status, out, err = cli("demo", *argv)
        assert status == 2 and out == ""
        assert err.startswith(message) and err.count("\n") == 1, err
