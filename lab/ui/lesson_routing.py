"""The lessons' routing: open, close and step the lesson pane, set the lab up as a step asks, and hand the pane the
lab's state after every change; one object the app builds with what it needs (a ``LessonHost``).

The event hints (``lab.core.hints``) are spoken here too: each once per occurrence, whether a lesson is open or not.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from textual.notifications import SeverityLevel

from lab.core.errors import LabError
from lab.core.experiment import Experiment
from lab.core.lessons import SPEEDS as LESSON_SPEEDS
from lab.core.lessons import Lesson, LessonError, find_lesson, shipped_lessons
from lab.ui.lesson_state import Shown
from lab.ui.run import Run
from lab.ui.view_choice import LESSON, ViewChoice
from lab.ui.widgets.lesson_pane import LessonPane

Outputs = tuple[tuple[float, ...], ...]


class LessonHost(Protocol):
    """What the lessons need of the app."""

    lab_run: Run
    views: ViewChoice

    @property
    def experiment(self) -> Experiment:
        """The experiment as the person set it."""
        ...

    @property
    def wide(self) -> bool:
        """A network view sits beside the chart."""
        ...

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Tell the person ``message`` (plain text)."""
        ...

    def show_view(self, name: str) -> None:
        """Show view ``name``."""
        ...

    def relayout(self) -> None:
        """Place the views as ``views`` says and redraw the shown one."""
        ...

    def refresh_bindings(self) -> None:
        """The keys that exist changed (the lesson's step keys)."""
        ...

    def reset(self, experiment: Experiment) -> None:
        """Adopt ``experiment`` with new weights."""
        ...

    def show_status(self) -> None:
        """Redraw the status line."""
        ...

    def shown(self) -> Shown:
        """What the panes show, as a lesson's checks see it."""
        ...

    def focus_table(self) -> None:
        """Give the truth table the keys."""
        ...


class LessonRouting:
    """The lesson pane's routing for one app.

    Attributes:
        lessons: the shipped lessons (none when they cannot be read: ``error`` says why).
        error: why the lessons cannot be read, or None.
        open: the lesson pane is open (shown, or in the views' turn on a small screen).
    """

    def __init__(self, host: LessonHost, pane: Callable[[], LessonPane | None]) -> None:
        """``pane`` finds the lesson pane (None before it is composed or once it is gone)."""
        self.host = host
        self._pane = pane
        self.open = False
        self.error: str | None = None
        try:
            self.lessons: tuple[Lesson, ...] = shipped_lessons()
        except LessonError as e:
            self.lessons, self.error = (), str(e)
        self._hints_active: set[str] = set()  # the event hints shown and still true: each speaks once per occurrence

    def new_pane(self, progress_path: Path | None) -> LessonPane:
        """The lesson pane to compose (``progress_path``: where progress is kept, None: not kept)."""
        return LessonPane(self.lessons, progress_path, id="lesson-pane")

    @property
    def stepping(self) -> bool:
        """Whether the step keys (``>``, ``<``) work: a lesson is open at a step."""
        pane = self._pane()
        return self.open and pane is not None and pane.lesson is not None

    def toggle(self) -> None:
        """Open the lesson pane (on the lesson last followed), bring it back into view, or close it."""
        pane = self._pane()
        if pane is None:
            return
        if not self.open:
            self.open_lesson(None)
        elif not pane.display:
            self.host.show_view(LESSON if not self.host.wide else self.host.views.view)
        else:
            self.open = False
            self.host.views.lesson_closed()
            self.host.relayout()
            self.host.refresh_bindings()

    def open_lesson(self, name: str | None) -> None:
        """Open the lesson pane on lesson ``name`` (a number or id), on the lesson last followed when None, or on
        the menu when ``""``."""
        pane = self._pane()
        if self.error:
            self.host.notify(self.error, title="Lessons", severity="error", timeout=10)
            return
        if pane is None:
            return
        self.open = True
        self.host.show_view(LESSON if not self.host.wide else self.host.views.view)
        self.host.refresh_bindings()
        if name is None and pane.lesson is not None:
            return
        if name is None and pane.progress.current:
            name = pane.progress.current
        if name:
            try:
                pane.start(find_lesson(self.lessons, name))
            except LabError as e:
                self.host.notify(str(e), severity="error")
                pane.show_menu()
        else:
            pane.show_menu()
            pane.query_one("#lesson-menu").focus()

    def step(self, direction: int) -> None:
        """Go on to the next step once this one is done (> ), or back a step (<)."""
        pane = self._pane()
        if pane is None:
            return
        if direction < 0:
            pane.previous_step()
        elif not pane.next_step():
            self.host.notify("This step's checks have not all passed yet: do its task first (the ✗ lines say what "
                             "is missing).", timeout=4)
        self.tick()

    def restart(self) -> None:
        """Start the current lesson again from its first step."""
        pane = self._pane()
        if pane is None:
            return
        lesson = pane.lesson or next((l for l in self.lessons if l.id == pane.progress.current), None)
        if lesson is None:
            self.host.notify("No lesson is open: L opens the lessons.", timeout=3)
            return
        if not self.open:
            self.open_lesson("")
        pane.start(lesson, restart=True)

    def set_up(self, message: LessonPane.SetupRequested) -> None:
        """Set the lab up as the lesson's step asks: a new experiment (trained weights are replaced: the learner
        chose to start the step), the speed, the view beside the chart on a wide screen."""
        experiment = self.host.experiment
        changes = False
        try:
            for setup in message.setups:
                experiment = setup.experiment(experiment)
                changes = changes or setup.changes_experiment
        except LabError as e:
            self.host.notify(f"{message.lesson.id}: {e}", title="Lesson setup", severity="error")
            return
        if changes:
            self.host.reset(experiment)
        for setup in message.setups:
            speed, view = setup.get("speed"), setup.get("view")
            if speed is not None:
                self.host.lab_run.epochs_per_tick = LESSON_SPEEDS[speed]
            if view is not None and view != LESSON:
                self.host.views.set_side(view, self.host.wide)
        self.host.relayout()
        self.host.show_status()
        self.tick()

    def step_passed(self, message: LessonPane.StepPassed) -> None:
        """A passed step shows in the pane; when the pane is out of view (another view in its place) a notification
        says so."""
        pane = self._pane()
        if pane is None or pane.display:
            return
        what = "Lesson complete" if message.last else f"Step {message.step + 1} done"
        self.host.notify(f"{what}: L shows the lesson, why it came out so, and > goes on.", title="✓ Lesson",
                         timeout=6)

    def tick(self, outputs: Outputs | None = None) -> None:
        """Hand the lesson pane the lab's state (while a lesson is open), and speak up once about anything worth
        understanding that has just happened (see ``event_hints``); ``outputs`` are the latest snapshot's."""
        pane = self._pane()
        if pane is None:
            return  # not composed yet, or closing
        shown = self.host.shown() if self.open else None
        state, hints = self.host.lab_run.lesson_view(shown, outputs)
        for key, title, line in hints:
            if key not in self._hints_active:
                self.host.notify(line, title=title, severity="information", timeout=10)
        self._hints_active = {key for key, _, _ in hints}
        if state is not None:
            pane.show_state(state)
