"""The seeds sweep's keys and messages: how many seeds a sweep runs (K), a sweep started or stopped (k), a run pinned
as A, and what the person is told as the ``SeedsView``'s worker goes (updated, finished, pinned, failed).

The sweep itself runs in the ``SeedsView``'s own worker, started through the ``Run`` (``Run.sweep``: it pauses
training, one job at a time). ``SeedsControl`` is given the run and the few interface calls it uses, never the app.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from textual.binding import Binding
from textual.screen import Screen

from lab.core.errors import LabError
from lab.core.gates import TruthTable
from lab.ui.lesson_routing import LessonRouting
from lab.ui.run import Run
from lab.ui.scheduling import InputHold
from lab.ui.screens.count_prompt import CountScreen
from lab.ui.sweep_loop import DEFAULT_SEEDS, MAX_SEEDS, sweep_seeds
from lab.ui.widgets.seeds_view import SeedsView

SEEDS_KEYS = [
    Binding("k", "sweep", "Seeds", id="seeds.run", show=False),
    Binding("A", "pin_seeds", "Pin as A", id="seeds.pin", show=False),
    # opens its dialog as it arrives
    Binding("K", "seed_count", "Seed count", id="seeds.count", priority=True, show=False),
]
"""The seeds sweep's keys (the app's bindings; each action is ``SeedsControl``'s, forwarded by the app)."""


class SeedsControl:
    """The seeds sweep as the person commands it and is told of it."""

    def __init__(self, run: Run, views: Callable[[], Iterable[SeedsView]], notify: Callable[..., None],
                 ask: Callable[[Screen[Any], Callable[[Any], None]], None], show_view: Callable[[str], None],
                 has_training_rows: Callable[[TruthTable], bool], lesson: LessonRouting, input_hold: InputHold,
                 after_refresh: Callable[[Callable[[], None]], object]) -> None:
        """``views()`` gives the seeds view (none before it is composed or once it is gone); ``show_view(name)``
        brings a view on screen; ``has_training_rows(table)`` says why not when a table has nothing to train on;
        ``after_refresh(callback)`` calls back after the next paint."""
        self.run = run
        self._views = views
        self._notify = notify
        self._ask = ask
        self._show_view = show_view
        self._has_training_rows = has_training_rows
        self._lesson = lesson
        self._input_hold = input_hold
        self._after_refresh = after_refresh
        self._count = DEFAULT_SEEDS

    @property
    def view(self) -> SeedsView:
        return next(iter(self._views()))

    @property
    def count(self) -> int:
        """How many seeds a sweep runs."""
        return self._count

    @count.setter
    def count(self, count: int) -> None:
        self._count = count
        for view in self._views():
            view.seed_count = count

    def sweep(self) -> None:
        """Train the experiment from ``count`` seeds at once and show it in the seeds view; stop a running sweep."""
        if self.view.sweeping:
            self.view.stop()
        else:
            self.start()

    def start(self, pin: bool = False) -> None:
        """Sweep the experiment as it is (``pin``: pin it as A when it finishes), pausing training; or say why not."""
        experiment = self.run.experiment
        if not self._has_training_rows(experiment.table):
            return
        try:
            seeds = sweep_seeds(experiment, self.count)
        except LabError as e:
            self._notify(str(e), severity="error")
            return
        self.run.sweep(self.view, experiment, seeds, pin=pin)  # pauses training: one job at a time
        self._show_view("seeds")

    def pin(self) -> None:
        """Pin this configuration's sweep as A (running it first when there is none); unpin A if it is this one."""
        self._show_view("seeds")
        answer = self.view.request_pin(self.run.experiment)
        if answer == "pending":
            self._notify("A is pinned when this sweep finishes.", timeout=3)
        elif answer == "unpinned":
            self._notify("A unpinned.", timeout=2)
        elif answer == "sweep":
            self.start(pin=True)
        self._lesson.tick(None)

    def ask_count(self) -> None:
        """Ask how many seeds a sweep runs."""
        def chosen(count: int | None) -> None:
            if count is not None:
                self.count = count
                self._notify(f"Sweeps run {count:,} seeds (k).", timeout=2)

        self._ask(CountScreen(f"Seeds per sweep (1 to {MAX_SEEDS:,})", self.count, 1, MAX_SEEDS), chosen)

    def updated(self, message: SeedsView.Updated) -> None:
        """A sweep's new numbers: repaint them (holding the worker for a big view), and let a lesson see them."""
        for view in self._views():
            if view.display:
                self._input_hold.hold_for_paint(view.size.area)
            if self._lesson.open:
                self._after_refresh(lambda: self._lesson.tick(None))

    def finished(self, message: SeedsView.Finished) -> None:
        """A sweep finished out of sight: say how it went."""
        for view in self._views():
            if not view.display:
                s = message.run.stats
                solved = f"{s.solved}/{s.seeds}" if s is not None else "no"
                self._notify(f"{message.run.label}: {solved} seeds solved the gate (v cycles to the seeds view).",
                             title="Sweep done", timeout=5)

    def pinned(self, message: SeedsView.Pinned) -> None:
        self._notify(f"A is {message.run.label}. Change the network, then k runs B beside it.", title="Pinned A",
                     timeout=5)

    def failed(self, message: SeedsView.Failed) -> None:
        self._notify(message.error, title="Cannot sweep", severity="error")
