"""The lessons' routing: open, close and step the lesson pane, set the lab up as a step asks (the lesson's complete
start: experiment, speed, view, log scale, cursor, an empty prediction line), keep the task strip, read and write
the learner's progress (``lab.files.lesson_progress``), and hand the pane the lab's state after every change (the
app calls ``tick`` on each: a snapshot, a row typed or cleared, a view, a weight set by hand, a step-through
opened); one object the app builds with what it needs (a ``LessonHost``).

The event hints (``lab.core.hints``) are spoken here too: each once per occurrence, whether a lesson is open or not.

A few widgets are reached through the app itself (the chart's log scale, the table's cursor, the prediction line,
the strip's place above the status line) until the app's run refactor gives the host a method for each: see
``_app``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol, cast

from textual.css.query import NoMatches
from textual.notifications import SeverityLevel
from textual.widgets import Input

from lab.core.errors import LabError
from lab.core.experiment import Experiment
from lab.core.gates import parse_inputs
from lab.core.lessons import SPEEDS as LESSON_SPEEDS
from lab.core.lessons import Lesson, LessonError, Progress, find_lesson, shipped_lessons
from lab.files import lesson_progress
from lab.ui.lesson_player import LessonPlayer, PlayError, app_press
from lab.ui.lesson_state import Shown
from lab.ui.run import Run
from lab.ui.view_choice import LESSON, ViewChoice
from lab.ui.widgets.lesson_pane import LessonPane
from lab.ui.widgets.task_strip import TaskStrip

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

    def clear_notifications(self) -> None:
        """Take down every notification on screen."""
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

    def start_afresh(self, experiment: Experiment) -> None:
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

    def discard_then(self, reason: str, then: Callable[[], None],
                     on_no: Callable[[], None] | None = None) -> None:
        """Run ``then`` at once when no trained work would be lost, else after the person says yes."""
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
        self.progress_path: Path | None = None
        self.showing = False  # a step's solution is being played ("show me")

    @property
    def _app(self) -> Any:
        """The host as the App it is, for the widgets the host has no method for yet (see the module docstring)."""
        return cast(Any, self.host)

    def new_pane(self, progress_path: Path | None) -> LessonPane:
        """The lesson pane to compose, with the progress read from ``progress_path`` (None: not kept)."""
        self.progress_path = progress_path
        progress = Progress()
        if progress_path is not None:
            try:
                progress = lesson_progress.load(progress_path)
            except LabError as e:
                self.host.notify(f"Lesson progress cannot be read and starts afresh: {e}", severity="warning",
                                 timeout=8)
        pane = LessonPane(self.lessons, progress, self.keep, id="lesson-pane")
        pane.show_me = hasattr(self.host, "action_lesson_show_me")  # named only where the key is bound
        return pane

    def keep(self, progress: Progress) -> None:
        """Write the learner's ``progress`` (a warning when it cannot be written; the lesson goes on)."""
        if self.progress_path is None:
            return
        try:
            lesson_progress.save(self.progress_path, progress)
        except LabError as e:
            self.host.notify(f"Lesson progress not saved: {e}", severity="warning", timeout=6)

    # --- the task strip ------------------------------------------------------------------------------------------
    def strip(self) -> TaskStrip | None:
        """The task strip, mounted above the status line while a lesson is open (None before the app is up)."""
        found = next(iter(self._app.query(TaskStrip)), None)
        if found is None and self.open:
            status = next(iter(self._app.query("#status")), None)
            if status is None:
                return None
            found = TaskStrip(id="lesson-strip")
            self._app.screen_stack[0].mount(found, before=status)
        return found

    def show_strip(self) -> None:
        """The strip shows the step while a lesson is open at a step and the pane itself is out of view."""
        pane = self._pane()
        strip = self.strip()
        if strip is None or pane is None:
            return
        strip.display = self.open and pane.lesson is not None and not pane.display
        # while a lesson is open the toasts (hints, notes) go to the top, off the strip and the settings, and to the
        # left while the lesson's text is shown on the right
        base = self._app.screen_stack[0]
        base.set_class(self.open, "lesson-open")
        base.set_class(self.open and pane.display, "lesson-text")
        if strip.display:
            strip.show(pane.strip())

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
        self.show_strip()

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
                pane.start(find_lesson(self.lessons, name), chosen=True)
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

    def show_me(self) -> None:
        """Play the current step's own solution, visibly: each key pressed through the lab's bindings, named in a
        notification as it goes (the "show me" of a stuck learner). Nothing happens without a step open, or while
        a solution is already playing."""
        pane = self._pane()
        if pane is None or pane.lesson is None or not self.open or self.showing:
            return
        step = pane.lesson.steps[pane.step]
        self.showing = True
        app = self._app

        def said(key: str) -> None:
            app.notify(f"show me: {key}", timeout=1.5)

        async def settle() -> None:
            await asyncio.sleep(0.1)
            while app.running or any(w.is_running for w in app.workers if w.name != "lesson-show-me"):
                await asyncio.sleep(0.05)

        async def play() -> None:
            try:
                await LessonPlayer(app, app_press(app), settle, said).play(step)
            except PlayError as e:
                self.host.notify(f"show me stopped: {e}", severity="warning", timeout=6)
            finally:
                self.showing = False
                self.tick()

        app.run_worker(play(), name="lesson-show-me", exit_on_error=False)

    def restart(self) -> None:
        """Start the current lesson again from its first step (asking first when that discards a trained run)."""
        pane = self._pane()
        if pane is None:
            return
        lesson = pane.lesson or next((l for l in self.lessons if l.id == pane.progress.current), None)
        if lesson is None:
            self.host.notify("No lesson is open: L opens the lessons.", timeout=3)
            return

        def restart() -> None:
            if not self.open:
                self.open_lesson("")
            pane.start(lesson, restart=True)

        self.host.discard_then(f"Restart lesson {self.lessons.index(lesson) + 1}", restart)

    def set_up(self, message: LessonPane.SetupRequested) -> None:
        """Set the lab up for a lesson's step (``_set_up``). A lesson opened from outside it (``message.chosen``)
        whose setup replaces the network asks first when that discards trained, unsaved weights; a no leaves the
        lab as it is and the lesson pane on the menu. Within a lesson the learner's ``>`` is the choice."""
        if message.chosen and any(setup.changes_experiment for setup in message.setups):
            pane = self._pane()
            number = self.lessons.index(message.lesson) + 1
            self.host.discard_then(f"Start lesson {number}", lambda: self._set_up(message),
                                   on_no=None if pane is None else pane.show_menu)
            return
        self._set_up(message)

    def _set_up(self, message: LessonPane.SetupRequested) -> None:
        """Set the lab up as the lesson's step asks, from the lesson's own start and never from the lab as it stood
        (trained weights are replaced: the learner chose to start the step): a new experiment when a setup line is
        about it, then the screen: speed, log scale, cursor, an empty prediction line and the view the step names,
        shown in the lesson's place below the widest layout (the task strip keeps the step in view)."""
        lesson, step = message.lesson, message.step
        whole = message.setups[0] is lesson.setup  # the lesson (re)starts here: every screen key takes its start
        try:
            experiment = lesson.experiment_at(step)
        except LabError as e:
            self.host.notify(f"{lesson.id}: {e}", title="Lesson setup", severity="error")
            return
        # a step stepped back to holds its own experiment: a later step's gate or setting does not leak back (the
        # network trained for it stays when nothing differs, as a step that builds on the run before needs it)
        if any(setup.changes_experiment for setup in message.setups) or (
                message.back and self.host.experiment != experiment):
            # what the lab said of the network being replaced (a divergence, a hint) would read as news of this one
            self.host.clear_notifications()
            self.host.start_afresh(experiment)
        screen = lesson.screen_at(step) if whole else {k: v for s in message.setups for k, v in s.screen().items()}
        if "speed" in screen:
            self.host.lab_run.epochs_per_tick = LESSON_SPEEDS[screen["speed"]]
        if "log" in screen:
            self._app.query_one("#chart").log_scale = screen["log"] == "on"
        if "cursor" in screen:
            self._app.table_view.cursor_row = int(screen["cursor"])
        if whole:
            for line in self._app.query("#prediction-input").results(Input):
                line.value = ""
        view = screen.get("view")
        if view is not None and view != LESSON:
            self.host.views.set_side(view, self.host.wide)
            if not self.host.wide:
                self.host.show_view(view)
        self.host.relayout()
        self.host.show_status()
        pane = self._pane()
        if pane is not None:
            pane.setup_applied()
        self.tick()

    def step_passed(self, message: LessonPane.StepPassed) -> None:
        """A passed step shows in the pane, or in the task strip when another view has the pane's place; only when
        neither shows (the strip not mounted yet) does a notification say so."""
        pane = self._pane()
        strip = self.strip()
        if pane is None or pane.display or strip is not None:
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
        try:
            shown = self.host.shown() if self.open else None
        except NoMatches:
            return  # the app is ending: its panes are being taken down while a worker's last messages are handled
        if shown is not None:
            shown = replace(shown, asked=self._asked())
        state, hints = self.host.lab_run.lesson_view(shown, outputs)
        for key, title, line in hints:
            if key not in self._hints_active:
                self.host.notify(line, title=title, severity="information", timeout=10)
        self._hints_active = {key for key, _, _ in hints}
        if state is not None:
            pane.show_state(state)
            self.show_strip()

    def _asked(self) -> int | None:
        """The row typed into the prediction line (``0 0 1`` is row 1), or None."""
        line = next(iter(self._app.query("#prediction-input").results(Input)), None)
        if line is None or not line.value.strip():
            return None
        n_inputs = self.host.experiment.table.n_inputs
        try:
            x = parse_inputs(line.value.replace(",", " ").split(), n_inputs)
        except LabError:
            return None
        bits = [float(v) for v in x[0]]
        if any(b not in (0.0, 1.0) for b in bits):
            return None
        return int("".join(str(int(b)) for b in bits), 2)
