"""Attract mode (``nnlab demo``): the lab plays a script of scenes on its own until a person presses a key.

A scene is pure data: an experiment, a caption while it trains, a caption for its result, the view to watch it
train in, the view to hold on afterwards, the speed (epochs per 0.1 s tick) and how long to hold. ``DemoApp`` plays
them in a loop through the lab's own actions (load an experiment, set the speed, show a view, start training), so
what the room sees is the real product: the app's one training worker trains, the panes update as they always do.

The driver is one interval timer on the app, a small state machine per scene::

    intro (caption shown, untrained network, ``intro`` seconds)
      -> train (until the worker stops: solved, stop rule or budget)
      -> hold (the result view and caption, ``hold * scene.hold`` seconds) -> the next scene, forever

Any key or mouse click stops the driver and is consumed: it only wakes the lab, as a key wakes a screen saver, so
``q`` or ``r`` pressed to take over neither quits nor resets. ``ctrl+c`` and ``ctrl+q`` still quit at once. The
lab is left exactly as it was (a scene in training keeps training); the caption says it is the person's now and
then disappears. The demo never reads or writes the autosave, so it leaves the presenter's last session alone.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from textual import events, on
from textual.app import ComposeResult
from textual.message import Message
from textual.timer import Timer

from lab.core.experiment import Architecture, Experiment, Layer, Training
from lab.core.gates import preset
from lab.core.recipes import recipe
from lab.ui.app import DEFAULT_FPS, LabApp
from lab.ui.widgets.demo_caption import DemoCaption

HOLD = 4.0
"""Seconds a scene's result stays on screen (times the scene's own ``hold`` factor)."""
INTRO = 1.5
"""Seconds a scene's caption is shown on the untrained network before training starts (at most ``hold``)."""
TICK = 0.1
"""Seconds between two looks of the driver at the app."""
TAKEOVER_NOTE = 4.0
"""Seconds the "it's yours" caption stays before the caption bar goes away."""
QUIT_KEYS = frozenset({"ctrl+c", "ctrl+q"})
"""Keys that stop the demo and still do what they always do (quit)."""
CAPTION_WIDTH = 50
"""The longest caption or result that fits on an 80-column line after ``1/4 · `` and before the hint."""
STOPPED = "demo stopped: it's yours · space train/pause · v next view · ? keys · q quit"

INTRO_PHASE, TRAIN_PHASE, HOLD_PHASE, STOPPED_PHASE = "intro", "train", "hold", "stopped"


@dataclass(frozen=True)
class Scene:
    """One scene of the demo.

    Attributes:
        name: a short label (tests and logs).
        experiment: what to load and train, from scratch.
        caption: shown from the start of the scene until training ends (at most ``CAPTION_WIDTH`` characters,
            so that it fits at 80 columns beside its number and the hint).
        result: shown while the scene holds on its result.
        train_view: where to watch it train: ``chart`` or one of the inspect views (``units``, ``surface``...).
        result_view: what to hold on afterwards.
        speed: epochs per 0.1 s tick while training (one of the lab's speeds: 1, 5, 20, 100, 500; 0 unthrottled).
        hold: how long to hold, as a multiple of the demo's hold time.
    """

    name: str
    experiment: Experiment
    caption: str
    result: str
    train_view: str = "chart"
    result_view: str = "chart"
    speed: int = 5
    hold: float = 1.0


def _xor_2_2_1() -> Experiment:
    # Seed 4 solves at epoch 128 and reaches the loss at 260 (the same seed within ±10% of this learning rate also
    # solves), its two tanh units settling on the textbook pair: h1 ~ a OR b, h2 ~ a NAND b (XOR is their AND).
    return Experiment(preset("xor"), Architecture((Layer(2, "tanh"),), "sigmoid"),
                      Training(loss="mse", optimizer="adam", lr=0.01, seed=4, epochs=1000, stop="loss<0.02"),
                      name="xor-2-2-1")


def _full_adder() -> Experiment:
    # Seed 0: both outputs right on all 8 rows at epoch 221, loss below 0.02 at 296.
    return Experiment(preset("full-adder"), Architecture((Layer(4, "tanh"),), "sigmoid"),
                      Training(loss="mse", optimizer="adam", lr=0.01, seed=0, epochs=2000, stop="loss<0.02"),
                      name="full-adder")


def _single_neuron_on_xor() -> Experiment:
    # The single-neuron recipe's network and training (no hidden layer, no bias, sse, sgd lr 1) on XOR: its best
    # is 0.5 on every row. A short budget: it has nowhere to go.
    base = recipe("single-neuron")
    return replace(base.with_table(preset("xor")), name="single-neuron-xor").with_training(epochs=300)


def _hidden_layer_on_xor() -> Experiment:
    # The same neuron and training with four sigmoid neurons in front of it: seed 4 solves at epoch 275 and reaches
    # the loss at 450.
    return replace(_single_neuron_on_xor().with_architecture(layers=(Layer(4, "sigmoid"),)),
                   name="single-neuron-xor-hidden").with_training(seed=4, epochs=3000, stop="loss<0.05")


SCENES: tuple[Scene, ...] = (
    Scene("xor", _xor_2_2_1(), "XOR, 2-2-1 network: can 2 hidden units learn it?",
          "Solved: XOR = (a OR b) AND (a NAND b)", result_view="units", hold=1.5),
    Scene("full-adder", _full_adder(), "A full adder: 3 inputs, 2 outputs (sum, carry)",
          "Sum and carry right on all 8 rows (Karnaugh maps)", result_view="surface"),
    Scene("single-neuron", _single_neuron_on_xor(), "The single-neuron recipe's network tries XOR",
          "Stuck at 0.5: no straight line splits XOR", train_view="surface", result_view="surface"),
    Scene("hidden-layer", _hidden_layer_on_xor(), "The same neuron with a hidden layer of 4 in front",
          "Fixed: the hidden layer bends the boundary", train_view="surface", result_view="surface"),
)


@dataclass(frozen=True)
class DemoStep:
    """Where the demo is: scene ``scene`` (0-based) of ``count`` in ``phase``, showing ``caption``."""

    scene: int
    count: int
    phase: str
    caption: str


class DemoApp(LabApp):
    """The lab playing ``scenes`` in a loop until a key or a click hands it to the person.

    Attributes:
        playing: whether the driver is running (false once the person has taken over).
        scene_index: the scene being played, 0-based.
        phase: ``intro``, ``train``, ``hold`` or, after a take-over, ``stopped``.
    """

    class Stepped(Message):
        """The demo entered a phase (posted to the app, which shows the caption)."""

        def __init__(self, step: DemoStep) -> None:
            super().__init__()
            self.step = step

    def __init__(self, scenes: Sequence[Scene] = SCENES, *, hold: float = HOLD, intro: float | None = None,
                 speed: int | None = None, fps: float = DEFAULT_FPS) -> None:
        """Play ``scenes`` holding each result ``hold`` seconds (times the scene's factor) after an ``intro`` of
        ``min(INTRO, hold)`` seconds; ``speed`` overrides every scene's epochs per tick (0 unthrottled: for
        tests); ``fps`` as for the lab."""
        if not scenes:
            raise ValueError("a demo needs at least one scene")
        super().__init__(scenes[0].experiment, fps=fps)
        self.scenes = tuple(scenes)
        self.hold = hold
        self.intro = min(INTRO, hold) if intro is None else intro
        self.speed = speed
        self.playing = False
        self.scene_index = 0
        self.phase = INTRO_PHASE
        self._deadline = 0.0
        self._timer: Timer | None = None
        self._hide_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield DemoCaption(id="demo-caption")
        yield from super().compose()

    def on_mount(self) -> None:
        # Runs before LabApp.on_mount (Textual calls the subclass's handler first): start once the lab is set up.
        self.call_later(self.start_demo)

    # --- the driver ------------------------------------------------------------------------------------------------
    def start_demo(self) -> None:
        """Play from the first scene (again, after a stop)."""
        if self.playing:
            return
        if self._hide_timer is not None:
            self._hide_timer.stop()
        self.query_one(DemoCaption).display = True
        self.playing = True
        self._enter_scene(0)
        self._timer = self.set_interval(TICK, self._tick, name="demo")

    def stop_demo(self) -> None:
        """Stop the driver and leave the lab as it is; the caption says so, then goes away."""
        if not self.playing:
            return
        self.playing = False
        if self._timer is not None:
            self._timer.stop()
        self._step(STOPPED_PHASE, STOPPED)
        self._hide_timer = self.set_timer(TAKEOVER_NOTE, self._hide_caption)

    def _hide_caption(self) -> None:
        self.query_one(DemoCaption).display = False

    @property
    def scene(self) -> Scene:
        """The scene being played."""
        return self.scenes[self.scene_index]

    def _step(self, phase: str, caption: str) -> None:
        self.phase = phase
        self.post_message(self.Stepped(DemoStep(self.scene_index, len(self.scenes), phase, caption)))

    def _caption(self, text: str) -> str:
        return f"{self.scene_index + 1}/{len(self.scenes)} · {text}"

    def _enter_scene(self, index: int) -> None:
        """Load scene ``index`` on a fresh network, show its training view and caption."""
        self.scene_index = index
        scene = self.scene
        self.load_experiment(scene.experiment, None)
        self.lab_run.epochs_per_tick = scene.speed if self.speed is None else self.speed
        self.show_view(scene.train_view)
        self.show_status()
        self._deadline = time.monotonic() + self.intro
        self._step(INTRO_PHASE, self._caption(scene.caption))

    def _tick(self) -> None:
        """Move the scene on when its phase is over."""
        if not self.playing:
            return
        now = time.monotonic()
        if self.phase == INTRO_PHASE and now >= self._deadline:
            self.phase = TRAIN_PHASE
            self.action_toggle_training()
            self._step(TRAIN_PHASE, self._caption(self.scene.caption))
        elif self.phase == TRAIN_PHASE and not self.running:
            self.show_view(self.scene.result_view)
            self._deadline = now + self.hold * self.scene.hold
            self._step(HOLD_PHASE, self._caption(self.scene.result))
        elif self.phase == HOLD_PHASE and now >= self._deadline:
            self._enter_scene((self.scene_index + 1) % len(self.scenes))

    @on(Stepped)
    def _show_step(self, message: Stepped) -> None:
        self.query_one(DemoCaption).show(message.step.caption, message.step.phase != STOPPED_PHASE)

    # --- taking over -----------------------------------------------------------------------------------------------
    async def on_event(self, event: events.Event) -> None:
        """While playing, a key press or a mouse button stops the demo and is consumed (quit keys still quit)."""
        if (self.playing and isinstance(event, (events.Key, events.MouseDown)) and not event.is_forwarded):
            self.stop_demo()
            if not (isinstance(event, events.Key) and event.key in QUIT_KEYS):
                return
        await super().on_event(event)
