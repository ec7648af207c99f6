"""Helpers for driving the app in Pilot tests: building it, reading what it shows, waiting for the worker."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from textual import events
from textual.app import App
from textual.errors import NoWidget
from textual.geometry import Region
from textual.message import Message
from textual.notifications import Notification, Notify
from textual.pilot import Pilot
from textual.widget import Widget

from lab.core.experiment import Architecture, Experiment, Layer, Training
from lab.core.gates import preset
from lab.core.recipes import recipe
from lab.ui.app import LabApp
from lab.ui.lesson_player import app_press, key_name
from lab.ui.widgets.status import StatusLine
from lab.ui.widgets.truth_table import TruthTableView


def make_app(recipe_name: str = "keras-xor", gate: str | None = None, **training) -> LabApp:
    """An app on a recipe (default keras-xor), optionally with another preset gate and training settings."""
    experiment = recipe(recipe_name)
    if gate is not None:
        experiment = replace(experiment.with_table(preset(gate)), name=gate)
    if training:
        experiment = experiment.with_training(**training)
    return LabApp(experiment)


def small_xor_app(**training) -> LabApp:
    """XOR on a 2-4-1 tanh network with a quick learning rate: solves in well under a second."""
    settings: dict[str, Any] = dict(loss="mse", optimizer="adam", lr=0.05, epochs=2000, seed=1) | training
    return LabApp(Experiment(preset("xor"), Architecture((Layer(4, "tanh"),), "sigmoid"), Training(**settings),
                             name="xor"))


def status_text(app: LabApp) -> str:
    """The status line as plain text."""
    return str(app.query_one(StatusLine).render())


def on_screen(app: App[Any], widget: Widget) -> bool:
    """Whether every cell of ``widget``'s first column is drawn on the screen: not cut off by its pane nor covered
    (a widget clipped to nothing has no region)."""
    region = widget.region
    if not region:
        return False
    try:
        return all(app.screen.get_widget_at(region.x, y)[0] is widget for y in range(region.y, region.bottom))
    except NoWidget:
        return False


def shown_text(widget: Widget) -> str:
    """What ``widget`` shows in its size, its lines joined by spaces (a wrapped sentence reads whole)."""
    lines = widget.render_lines(Region(0, 0, widget.size.width, widget.size.height))
    return " ".join(" ".join(strip.text.split()) for strip in lines).strip()


def table_lines(app: LabApp) -> list[str]:
    """The truth table's visible lines as plain text (header first)."""
    view = app.query_one(TruthTableView)
    return [view.render_line(y).text.rstrip() for y in range(view.size.height)]


async def send_key(pilot: Pilot, key: str) -> None:
    """Hand a key to the app as the terminal would, without Pilot's wait for an idle process (a training process is
    never idle: ``Pilot.press`` then waits up to a second twice a key): the lab's own ``app_press``, with no pause."""
    await app_press(pilot.app, pause=0)(key)


async def type_text(pilot: Pilot, text: str) -> None:
    """Type ``text`` a key at a time as a terminal sends the keys (each one its own event, so every partial line
    is seen), then wait for the lab to take them all: one wait, where ``Pilot.press`` waits twice a key."""
    for character in text:
        await send_key(pilot, key_name(character))
    await pilot.pause()


async def paste_line(pilot: Pilot, text: object) -> None:
    """Empty the focused text field (ctrl+u), paste ``text`` into it as a terminal pastes, and press enter: a path
    or a long line is given as a person pastes it, in one event, not typed a key at a time."""
    await pilot.press("ctrl+u")
    pilot.app.post_message(events.Paste(str(text)))
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()


async def train_to_end(pilot: Pilot, app: LabApp) -> None:
    """Unthrottle, start, wait for the worker to finish and its messages to be handled."""
    app.lab_run.session.epochs_per_tick = 0
    await pilot.press("space")
    await app.workers.wait_for_complete()
    await pilot.pause()


def painted_table(app: LabApp) -> list[tuple[str, bool]]:
    """The truth table's lines as they are painted (lines not repainted since a change keep their old look): each
    line's text and whether it carries the cursor row's highlight."""
    view = app.query_one(TruthTableView)
    highlight = view.get_component_rich_style("truth-table--cursor-row").bgcolor
    lines = []
    for strip in view.render_lines(Region(0, 0, view.size.width, view.size.height)):
        lit = any(segment.style is not None and segment.style.bgcolor == highlight for segment in strip)
        lines.append((strip.text.rstrip(), lit))
    return lines


def highlighted_rows(app: LabApp) -> list[int]:
    """The row indices of the painted lines that carry the cursor row's highlight."""
    return [int(text.split()[0].lstrip("h")) for text, lit in painted_table(app)[1:] if lit and text.strip()]


class Said:
    """Every notification an app shows, in order (a ``run_test`` message hook: ``message_hook=said``); each has
    ``message``, ``title`` and ``severity``."""

    def __init__(self) -> None:
        self.notes: list[Notification] = []

    def __call__(self, message: Message) -> None:
        if isinstance(message, Notify):
            self.notes.append(message.notification)


async def until(pilot: Pilot, condition: Callable[[], bool], what: str = "the condition",
                timeout: float = 60.0) -> None:
    """Let the app run (its timers and workers) until ``condition()`` holds; fail after ``timeout`` seconds (a
    generous bound on a loaded machine, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await pilot.pause(0.02)
