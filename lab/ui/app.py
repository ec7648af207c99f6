"""The lab: composes the panes and routes every message; each feature is an object or widget that owns itself.

The panes never talk to each other. Each posts what the person did (a table edit, a new setting, a prediction
query); the app turns that into a command of the ``Run`` (``lab.ui.run``: the one owner of the trainer, its worker and
the rule that a sweep and training never run at once), live when the network can continue, after a confirmation when
it must be rebuilt, and tells the panes what to show. The file commands are a ``FileCommands``, the lessons a
``LessonRouting``, the seeds sweep runs in the ``SeedsView``'s own worker (started through the run), the views on
screen and the layout are a ``ViewRouting`` (their order a ``ViewChoice``), and the holds on the training worker for
keys and paints an ``InputHold``; the app forwards their events to them. What only a process has (signals, the forced
exit, the crash log) is ``lab.ui.process``'s. This file is still over 400 lines: it is the one place every pane's
messages and every key's action arrive.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from textual import events, on
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.driver import Driver
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from lab.core.advice import Advice, settings_advice
from lab.core.errors import LabError
from lab.core.experiment import Experiment
from lab.core.gates import TruthTable, preset
from lab.core.glossary import TOOLTIPS
from lab.core.recipes import RECIPES, recipe
from lab.tuning import Tuning
from lab.ui.commands import binding_sections, lab_commands
from lab.ui.file_actions import FILE_BINDINGS, FileCommands
from lab.ui.lesson_routing import LessonRouting
from lab.ui.lesson_state import Shown
from lab.ui.messages import Snapshot, TrainingFailed, TrainingProgress
from lab.ui.pacing import KeyPacing
from lab.ui.picture_actions import PictureActions
from lab.ui.process import start_tracker
from lab.ui.run import Run, Trained
from lab.ui.run_control import Note, speed_label, training_rows_note
from lab.ui.scheduling import InputHold, Scheduler
from lab.ui.screens.confirm import ConfirmScreen
from lab.ui.screens.count_prompt import CountScreen
from lab.ui.screens.help import HelpScreen
from lab.ui.screens.palette import LabCommandPalette
from lab.ui.screens.presets import PresetScreen
from lab.ui.screens.tune import TuneScreen
from lab.ui.settings import ANSI_THEMES, FEW_COLOURS, Settings
from lab.ui.settings import save as save_settings
from lab.ui.sweep_loop import DEFAULT_SEEDS, MAX_SEEDS, sweep_seeds
from lab.ui.textual_adapter import terminal_driver, watch_paints
from lab.ui.themes import lab_variables, starting_theme
from lab.ui.view_choice import ViewChoice
from lab.ui.view_routing import ViewRouting
from lab.ui.widgets.architecture import ArchitecturePane, SettingsList
from lab.ui.widgets.chart import LossChart
from lab.ui.widgets.inspect_view import VIEWS, InspectView
from lab.ui.widgets.lesson_pane import LessonPane
from lab.ui.widgets.prediction import PredictionPane
from lab.ui.widgets.seeds_view import TITLE as SEEDS_TITLE
from lab.ui.widgets.seeds_view import SeedsView
from lab.ui.widgets.status import StatusLine
from lab.ui.widgets.table_pane import TablePane
from lab.ui.widgets.truth_table import TruthTableView
from lab.ui.widgets.tune_view import DEFAULT_SEEDS as TUNE_SEEDS
from lab.ui.widgets.tune_view import TuneView

DEFAULT_FPS = Tuning.default_fps
T = TypeVar("T")


def priority_actions(*bindings: Iterable[Binding | Any]) -> frozenset[str]:
    """The app's actions bound with ``priority=True`` among ``bindings`` (the app's, and a widget's bound to
    ``app.``): the keys that open a dialog as they arrive."""
    return frozenset(b.action.removeprefix("app.") for group in bindings for b in group
                     if isinstance(b, Binding) and b.priority and (group is bindings[0] or b.action.startswith("app.")))


class LabApp(App[None]):
    """nnlab: define a gate, shape a network, watch it learn."""

    CSS_PATH = "styles/app.tcss"
    TITLE = "nnlab"
    ENABLE_COMMAND_PALETTE = True

    # The footer shows the focused pane's keys, then these in this order, and is cut where the screen ends (after
    # six keys at 80 columns): only the two keys a newcomer needs first are shown; every key is on ? and, by name,
    # in the command palette.
    BINDINGS = [
        Binding("space", "toggle_training", "Train/Pause", id="run.toggle"),
        Binding("question_mark,f1", "help", "Help", id="app.help"),
        Binding("v", "next_view", "View", id="view.next", show=False),  # named in the chart's and views' titles
        Binding("s", "step", "Step", id="run.step", show=False),
        Binding("r", "reset", "Reset", id="run.reset", show=False),
        Binding("N", "new_seed", "New seed", id="run.reseed", show=False),
        # n answers "no" in every dialog; out of one it changes nothing (a reflexive n after a dialog that did not
        # appear must not discard a run), and says where the new seed went.
        Binding("n", "n_is_no", "", show=False, id="run.n_hint"),
        Binding("left_square_bracket", "lr(-1)", "lr÷2", id="run.lr_down", show=False),
        Binding("right_square_bracket", "lr(1)", "lr×2", id="run.lr_up", show=False),
        Binding("comma", "speed(-1)", "Slower", id="run.slower", show=False),
        Binding("full_stop", "speed(1)", "Faster", id="run.faster", show=False),
        Binding("l", "toggle_log", "Log scale", id="chart.log", show=False),
        Binding("g", "gradient_check", "Grad check", id="view.gradcheck", show=False),
        Binding("t", "tune", "Tune", id="view.tune", show=False),
        Binding("L", "lesson", "Lesson", id="lesson.toggle", show=False),
        Binding("greater_than_sign", "lesson_step(1)", "Next step", id="lesson.next"),
        Binding("less_than_sign", "lesson_step(-1)", "Step back", id="lesson.back"),
        Binding("q,ctrl+c", "quit", "Quit", id="app.quit", show=False),
        Binding("ctrl+z", "suspend_process", "Suspend", id="app.suspend", show=False),  # fg brings it back
        *(replace(b, show=False) for b in FILE_BINDINGS),
        Binding("k", "sweep", "Seeds", id="seeds.run", show=False),
        Binding("A", "pin_seeds", "Pin as A", id="seeds.pin", show=False),
        # opens its dialog as it arrives
        Binding("K", "seed_count", "Seed count", id="seeds.count", priority=True, show=False),
    ]

    def __init__(self, experiment: Experiment | None = None, trainer: Trained | None = None,
                 path: str | Path | None = None, autosave_path: Path | None = None, fps: float | None = None,
                 lesson: str | None = None, progress_path: Path | None = None, theme: str | None = None,
                 settings_path: Path | None = None, tuning: Tuning | None = None) -> None:
        """Open on ``experiment`` (default keras-xor), or on a saved ``trainer``; ``path`` is the file it came
        from; ``autosave_path`` turns the autosave on (the command line passes the user's state directory);
        ``fps`` caps how often training updates reach the screen (lower it on slow links); ``lesson`` (a number
        or id, or ``""`` for the menu) opens the lesson pane on it; ``progress_path`` is where lesson progress
        is kept (None: not kept). ``theme`` names the Textual theme to use (``--theme``); without it the lab uses
        the one remembered in ``settings_path`` (which also turns remembering on), or an ANSI theme when the
        terminal has 16 colours (``_pick_theme``). ``tuning`` sets how the interface and the trainer share the
        machine (``Tuning``: the holds, the pacing of redraws, the frame-rate bounds)."""
        super().__init__()
        self.tuning = tuning if tuning is not None else Tuning()
        self.lesson_request = lesson
        self.progress_path = progress_path
        self.lesson = LessonRouting(self, lambda: next(iter(self.query(LessonPane)), None))
        self.settings_path = settings_path
        self._settings_error: str | None = None  # a settings file that could not be read, told once mounted
        self._remember_theme = False  # on once the theme the lab starts with is set: later changes are the person's
        self._pick_theme(theme)
        self.fps = self.tuning.clamp_fps(fps)
        scheduler = Scheduler(self.tuning)
        self.lab_run = Run(experiment if experiment is not None else recipe("keras-xor"), trainer, saved=bool(path),
                           tuning=self.tuning, interval=1.0 / self.fps, wait_for_interface=scheduler.wait_for_interface,
                           release_holds=lambda: scheduler.release(None), sweepers=lambda: self.query(SeedsView),
                           on_running=self._running_changed, id="run")
        """The training run: the one owner of the trainer, its worker, and the rule that one job trains at a time."""
        self.picture = PictureActions(self, self.lab_run)
        self.files = FileCommands(self, self.lab_run, Path(path) if path else None, autosave_path,
                                  self.tuning.autosave_interval)
        self._seed_count = DEFAULT_SEEDS
        self._chart: LossChart | None = None
        self.pacing = KeyPacing(self.tuning)  # the person's keys while training, for the paced redraws
        self.input_hold = InputHold(scheduler, self.pacing, lambda: self.lab_run.busy,
                                    lambda: self._chart is not None and self._chart.redrawing_as_asked)
        """The person's keys and clicks, and big changes, as holds on the training worker until they are painted."""
        self.epochs_per_second = 0.0
        self.views = ViewChoice(VIEWS)
        """The view the person chose (``chart``, a network view, the seeds, the lesson) and the one beside it."""
        self.view_routing = ViewRouting(self, self.lab_run, self.views, self.lesson, self.input_hold, self.tuning,
                                         self.fps)
        """The views on screen and the layout for the terminal's size."""
        self._advice: Advice | None = None  # the warning about the current settings, told once
        self._leaving = threading.Lock()  # held once leave_now has begun
        self.on_leave: Callable[[], object] = lambda: None
        """Called first by ``leave_now``, from its thread (``lab.ui.process.run_app`` starts the forced exit)."""

    @property
    def scheduler(self) -> Scheduler:
        """The interface's holds on the training threads while it has something to show (ended on unmount)."""
        return self.input_hold.scheduler

    @property
    def experiment(self) -> Experiment:
        """The experiment as the person set it."""
        return self.lab_run.experiment

    @property
    def view(self) -> str:
        """The view chosen: ``chart``, ``lesson``, ``seeds`` or one of the network views (``VIEWS``)."""
        return self.views.view

    @property
    def side_view(self) -> str:
        """The view beside the chart on a wide screen."""
        return self.views.side

    # --- layout ----------------------------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        e = self.experiment
        yield self.lab_run
        with Horizontal(id="main"):
            with Vertical(id="left"):
                yield TablePane(e.table, id="table-pane")
                yield PredictionPane(e.table.n_inputs, e.table.output_names, id="prediction-pane")
            with Vertical(id="right"):
                with Horizontal(id="views"):
                    yield LossChart(id="chart")
                    yield InspectView(id="inspect")
                    yield SeedsView(id="seeds", wait_for_interface=self.scheduler.wait_for_interface,
                                    interval=max(1.0 / self.fps, self.tuning.seeds_update_interval))
                yield self.lesson.new_pane(self.progress_path)
                yield ArchitecturePane(e.architecture, e.training, id="architecture-pane")
        yield StatusLine(id="status")
        yield Static("", id="too-small", markup=False)
        yield Footer()

    # --- themes ----------------------------------------------------------------------------------------------------
    def _pick_theme(self, flag: str | None) -> None:
        """Start with ``flag`` (``--theme``), else with the remembered theme (``lab.ui.themes.starting_theme``; a
        terminal of 16 colours changes that once mounted: ``_few_colours``)."""
        self._theme_flag = flag
        theme, self._settings_error = starting_theme(flag, self.settings_path, lambda n: self.get_theme(n) is not None)
        if theme is not None:
            self.theme = theme

    def _few_colours(self) -> None:
        """In a real terminal of 16 colours (or 8; ``TERM=xterm``, ``screen``, ``linux``), without ``--theme``,
        use the ANSI theme (light or dark as the remembered one): its colours are the terminal's own, so the focus,
        the cursor and ✗ stay apart, where another theme's colours, quantised, collapse into a few."""
        if self._theme_flag is None and not self.is_headless and self.console.color_system in FEW_COLOURS:
            self.theme = ANSI_THEMES[self.current_theme.dark]

    def get_theme_variable_defaults(self) -> dict[str, str]:
        """The lab's own colour variables (``$nnlab-*`` in the stylesheet): ``lab.ui.themes.lab_variables``."""
        return lab_variables(self.current_theme)

    def watch_theme(self, theme: str) -> None:
        """Remember the theme the person chose (the command palette's "Change theme")."""
        if not self._remember_theme or self.settings_path is None:
            return
        try:
            save_settings(self.settings_path, Settings(theme=theme))
        except LabError as e:
            self.notify(f"The theme is not remembered: {e}", severity="warning", markup=False)

    def on_mount(self) -> None:
        self._few_colours()
        self._remember_theme = True
        if self._settings_error is not None:
            self.notify(self._settings_error, title="Settings", severity="warning", markup=False)
        self.query_one("#table-pane").border_title = "Truth table"
        self.query_one("#prediction-pane").border_title = "Prediction"
        self.query_one(LossChart).border_title = "Loss · accuracy · v views"
        self.query_one(SeedsView).border_title = SEEDS_TITLE
        self.query_one(SeedsView).seed_count = self._seed_count
        self.query_one("#architecture-pane").border_title = "Architecture"
        for selector, tip in TOOLTIPS.items():
            self.query_one(selector).tooltip = tip
        chart = self._chart = self.query_one(LossChart)
        chart.min_interval = self.picture_interval
        chart.wait_for_interface = self.scheduler.wait_for_interface
        chart.pacing = self.pacing
        chart.cost_factor = self.tuning.cost_factor
        chart.monochrome = self.no_color  # Textual reads (and removes) NO_COLOR from the environment
        self.query_one(InspectView).monochrome = chart.monochrome
        for hidden in ("#expression", "#expression-error", "#settings-input", "#settings-error"):
            self.query_one(hidden).display = False
        self._show_experiment()
        self.view_routing.place()
        self._show_snapshot(self.lab_run.snapshot(), replace_history=True)
        speed = self.lab_run.epochs_per_tick
        pace = self.lab_run.pace_budget()
        self.show_status()
        if self.lab_run.epochs_per_tick != speed:
            self.notify(f"{pace}.", timeout=5)
        self.query_one(TruthTableView).focus()
        self.files.start_autosave(offer=self.lesson_request is None)
        if self.lesson_request is not None:
            self.lesson.open_lesson(self.lesson_request)
        watch_paints(self, self.input_hold.painted)
        self.call_after_refresh(self._freeze_startup_objects)

    def _freeze_startup_objects(self) -> None:
        """Once the first screen is up, leave the objects made so far out of the collector's full passes while the
        app runs (``Scheduler.freeze_startup_objects``; ``on_unmount`` hands them back)."""
        self.scheduler.freeze_startup_objects()

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Textual's ``notify`` with ``markup`` off by default: a notification here names paths, experiment names
        and error lines that echo what was typed, all of it data (``[/]`` in a file name is shown, not parsed)."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def on_load(self) -> None:
        """Before Textual takes ``sys.stderr``: the tune search's worker processes need multiprocessing's resource
        tracker, handed a real stderr (``lab.ui.process.start_tracker``)."""
        start_tracker()

    def tell(self, note: Note | None) -> None:
        """Show ``note`` (a ``RunControl`` result) as a notification; nothing for None."""
        if note is not None:
            self.notify(note.text, title=note.title, severity=note.severity,  # type: ignore[arg-type]
                        timeout=note.timeout)

    def ask(self, screen: Screen[T], then: Callable[[T | None], None]) -> None:
        """Show the dialog ``screen``; ``then`` gets its answer (the file commands' ``FileHost``)."""
        self.push_screen(screen, then)

    def on_unmount(self) -> None:
        """The app has ended (an exit, a crash, a test's end): nothing it changed process-wide outlives it: the
        holds end, the switch interval and the collector are as they were (``Scheduler.close``)."""
        self.scheduler.close()

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver for this terminal, guarded against bad input bytes and a dead terminal
        (``textual_adapter``) where it is Textual's own ``LinuxDriver``."""
        return terminal_driver(super().get_driver_class())

    def leave_now(self) -> None:
        """Autosave and exit, from any thread, once: a signal asked, or the terminal has gone. ``on_leave`` comes
        first (under ``lab.ui.process.run_app`` the process then ends ``Tuning.grace`` seconds later whatever it is
        doing: a terminal that takes no output can hang Textual's orderly exit); the autosave is written before
        anything else."""
        if not self._leaving.acquire(blocking=False):
            return
        self.on_leave()
        self.files.write_autosave()
        self.call_later(self._leave)  # thread-safe: it posts a message to the app

    def _leave(self) -> None:
        self.lab_run.stop()
        self.exit(return_code=0)

    @on(Driver.SignalResume)
    def _resumed(self) -> None:
        """Back from ctrl+z or SIGTSTP (``fg``, SIGCONT): the terminal was given back blank, so every cell is drawn
        again (Textual repaints only what changed)."""
        self.screen.refresh(layout=True)
        self.refresh(repaint=True, layout=True)

    async def on_event(self, event: events.Event) -> None:
        """Every event, a key press or click held for while the worker trains (``InputHold.route``)."""
        await self.input_hold.route(event, super().on_event, lambda: self.focused)

    @property
    def running(self) -> bool:
        """Whether the training worker is (meant to be) running (``Run.running``)."""
        return self.lab_run.running

    def _running_changed(self, running: bool) -> None:
        """The run started or stopped training: the chart redraws at its own pace only while it does; the picture
        takes weights by hand only while it does not."""
        for chart in self.query(LossChart):
            chart.live = running
        for view in self.query(InspectView):
            view.paused = not running

    # Priority bindings (they run as the key arrives, so the dialog or line they open takes the keys after them):
    # off while a dialog is open (Textual checks priority bindings on every screen) and, for ctrl keys a text line
    # uses itself (ctrl+e: end of line), while one has the focus.
    PRIORITY_ACTIONS = priority_actions(BINDINGS, TablePane.BINDINGS)
    # What changes the run behind the tune screen would be unseen there (and its search has paused training).
    RUN_ACTIONS = frozenset({"toggle_training", "step", "reset", "new_seed", "lr", "speed", "next_view", "toggle_log",
                             "gradient_check", "sweep", "pin_seeds", "lesson", "lesson_step"})

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The keys that open a dialog do nothing while one is open (``ctrl+e`` in a text line is its end-of-line),
        and the lesson's step keys exist only while a lesson is open."""
        if action in self.RUN_ACTIONS and isinstance(self.screen, TuneScreen):
            return False
        if action == "lesson_step":
            return self.lesson.stepping
        if action in self.PRIORITY_ACTIONS:
            if self.screen is not self.screen_stack[0]:
                return False
            if action == "export" and isinstance(self.focused, Input):
                return False
        return super().check_action(action, parameters)

    # --- helpers ---------------------------------------------------------------------------------------------------
    @property
    def table_view(self) -> TruthTableView:
        return self.query_one(TruthTableView)

    @property
    def settings_list(self) -> SettingsList:
        return self.query_one(SettingsList)

    @property
    def seeds_view(self) -> SeedsView:
        return self.query_one(SeedsView)

    def _show_experiment(self) -> None:
        """Make every pane show ``self.experiment`` (its table, settings and sizes)."""
        e = self.experiment
        if self.table_view.table != e.table:
            self.table_view.table = e.table
        self.settings_list.set_values(e.architecture, e.training)
        self.settings_list.set_io(e.table.n_inputs, e.table.n_outputs)
        self.query_one(ArchitecturePane).show_hint()
        self.query_one(PredictionPane).set_table_shape(e.table.n_inputs, e.table.output_names)
        self.query_one("#table-pane").border_title = Content(f"Truth table · {e.table.name}")
        self.sub_title = e.name
        self._advise()

    def _advise(self) -> None:
        """Say once, when the settings come to it, that they may train nothing (the status line keeps a hint)."""
        advice = settings_advice(self.experiment.architecture, self.experiment.training)
        if advice is not None and advice != self._advice:
            self.notify(advice.message, title="This may not learn", severity="warning", timeout=10)
        self._advice = advice

    def state(self) -> str:
        """idle, training, paused, solved or diverged."""
        return self.lab_run.state()

    def show_status(self) -> None:
        """Redraw the status line from the run's status."""
        s = self.lab_run.status()
        self.query_one(StatusLine).show(
            state=s.state, epoch=s.epoch, budget=s.budget, loss=s.loss, accuracy=s.accuracy,
            heldout_accuracy=s.heldout_accuracy, solved_epoch=s.solved_epoch, diverged_epoch=s.diverged_epoch,
            epochs_per_second=self.epochs_per_second, lr=s.lr, speed=speed_label(s.epochs_per_tick),
            hint=self._advice.hint if self._advice is not None else None)

    def _show_snapshot(self, snapshot: Snapshot, replace_history: bool = False) -> None:
        chart = self.query_one(LossChart)
        if replace_history:
            chart.clear_history()
        chart.extend(snapshot.history, snapshot.solved_epoch)
        self.table_view.show_outputs(snapshot.outputs)
        self._answer_query()
        self.show_status()
        if not (snapshot.running and self.query_one(LossChart).display):
            self.view_routing.refresh(throttled=snapshot.running)  # beside a live chart it follows the chart instead
        self._lesson_tick(snapshot.outputs)

    def _answer_query(self) -> None:
        pane = self.query_one(PredictionPane)
        if pane.x is not None and pane.x.shape[1] == self.lab_run.n_inputs():
            pane.show_outputs(self.lab_run.predict(pane.x)[0])

    # --- the run's messages ----------------------------------------------------------------------------------------
    @property
    def panes_gone(self) -> bool:
        """Whether the lab's panes are already taken down (the app is ending): a worker's last messages, still on
        their way, then have nothing to show."""
        return not self.query(StatusLine)

    @on(TrainingProgress)
    def show_progress(self, message: TrainingProgress) -> None:
        snapshot = message.snapshot
        if not self.lab_run.heard(snapshot) or self.panes_gone:
            return  # from a trainer that has since been replaced, or after the panes were taken down
        self.epochs_per_second = snapshot.epochs_per_second or self.epochs_per_second
        self._show_snapshot(snapshot)
        self.tell(self.lab_run.finished_note(snapshot))

    @on(TrainingFailed)
    def show_failure(self, message: TrainingFailed) -> None:
        self.lab_run.failed()
        if self.panes_gone:
            return
        self.notify(message.error, title=message.title, severity="error")
        self.show_status()

    # --- run actions -----------------------------------------------------------------------------------------------
    def action_toggle_training(self) -> None:
        """Start training, or pause it (a seeds sweep stops: one worker at a time)."""
        if self.running:
            self.lab_run.stop()
        else:
            refusal = self.lab_run.start()
            if refusal is not None:
                self.tell(refusal)
                return
        self.show_status()

    def has_training_rows(self, table: TruthTable) -> bool:
        """Whether ``table`` leaves a row to train on; when it does not, the person is told why and how to fix it."""
        note = training_rows_note(table)
        self.tell(note)
        return note is None

    @on(InspectView.Edited)
    def _weight_edited(self, event: InspectView.Edited) -> None:
        self._show_answer(self.picture.set_weight(event.edit))

    @on(InspectView.StepAsked)
    def _step_asked(self, event: InspectView.StepAsked) -> None:
        self.picture.step_asked(event.row, self._show_answer)

    def _show_answer(self, answer: Snapshot | Note | None) -> None:
        """Show what a command of the run answered: its snapshot, or the note saying why not."""
        if isinstance(answer, Note):
            self.tell(answer)
        elif answer is not None:
            self._show_snapshot(answer)

    def action_step(self) -> None:
        """Train exactly one epoch (pauses a running worker first)."""
        step = self.lab_run.step()
        if step.snapshot is not None:
            self._show_snapshot(step.snapshot)
        self.tell(step.note)

    def load_experiment(self, experiment: Experiment, trainer: Trained | None) -> None:
        """Replace the experiment (and, when given, the trained network) with a loaded one."""
        if trainer is None:
            self.reset(experiment)
            return
        snapshot = self.lab_run.load(trainer)
        self.query_one(InspectView).clear_history()
        self._show_experiment()
        self._show_snapshot(snapshot, replace_history=True)

    def reset(self, experiment: Experiment) -> None:
        """Adopt ``experiment`` with new weights from its seed (asks nothing: see ``discard_then``)."""
        snapshot = self.lab_run.reset(experiment)
        self.query_one(InspectView).clear_history()
        self._show_experiment()
        self._show_snapshot(snapshot, replace_history=True)

    def discard_then(self, reason: str, then: Callable[[], None], on_no: Callable[[], None] | None = None) -> None:
        """Run ``then``, which replaces the trained network, at once when no trained work would be lost; else ask
        first (``RunControl.discard_question``), the same question for every such action, and run ``on_no`` on a
        no."""
        question = self.lab_run.discard_question(reason)
        if question is None:
            then()
            return

        def answer(yes: bool | None) -> None:
            if yes:
                then()
            elif on_no is not None:
                on_no()

        self.push_screen(ConfirmScreen(question), answer)

    def action_reset(self) -> None:
        """New weights from the same seed; the history starts again (asking first when that discards a run)."""
        def reset() -> None:
            self.reset(self.experiment)
            self.notify(f"Reset: new weights from seed {self.experiment.training.seed}.", timeout=2)

        self.discard_then("Reset", reset)

    def action_new_seed(self) -> None:
        """Reset with the next seed (asking first when that discards a run)."""
        seed = (self.experiment.training.seed + 1) % 2**32

        def reseed() -> None:
            self.reset(self.experiment.with_training(seed=seed))
            self.notify(f"Reset with seed {seed}.", timeout=2)

        self.discard_then(f"New seed {seed}", reseed)

    def action_n_is_no(self) -> None:
        """``n`` outside a dialog: nothing changes; say so, and where the new seed is."""
        self.notify("n answers no in a dialog and does nothing here; the next seed is N (shift+n).", timeout=3)

    def action_lr(self, direction: int) -> None:
        """Halve (-1) or double (+1) the learning rate, live."""
        changed = self.lab_run.lr_changed(direction)
        if isinstance(changed, Note):
            self.tell(changed)
        else:
            self.apply(changed)

    def action_speed(self, direction: int) -> None:
        """Train fewer or more epochs per tick (the last step is unthrottled)."""
        self.lab_run.change_speed(direction)
        self.show_status()

    def apply(self, experiment: Experiment) -> None:
        """Adopt ``experiment``: live when the network can continue, else reset (asking first if it has trained)."""
        snapshot = self.lab_run.apply(experiment)
        if snapshot is not None:
            self._show_experiment()
            self._show_snapshot(snapshot)
            return
        self.discard_then("This change needs a new network", lambda: self.reset(experiment), self._show_experiment)

    @on(TruthTableView.Edited)
    def _table_edited(self, event: TruthTableView.Edited) -> None:
        if self.panes_gone:
            return  # an edit queued behind the key that quit
        self.apply(replace(self.experiment, table=event.table))

    @on(SettingsList.Changed)
    def _settings_changed(self, event: SettingsList.Changed) -> None:
        if self.panes_gone:
            return
        try:
            experiment = replace(self.experiment, architecture=event.architecture, training=event.training)
        except LabError as e:
            self.notify(str(e), severity="error")
            return
        self.apply(experiment)

    @on(PredictionPane.Query)
    def _query(self, event: PredictionPane.Query) -> None:
        self._answer_query()

    def action_presets(self) -> None:
        """Show the presets and recipes (the table pane's ``p``, a priority binding: the list opens before the next
        key is dispatched)."""
        def picked(choice: tuple[str, str] | None) -> None:
            if choice is None:
                return
            kind, name = choice
            if kind == "recipe":
                self.open_recipe(name)
            else:
                self.apply(replace(self.experiment, table=preset(name), name=name))

        self.push_screen(PresetScreen(), picked)

    def open_recipe(self, name: str) -> None:
        """Open recipe ``name`` at a pace that trains its budget within seconds (asking first when that discards a
        run)."""
        r = RECIPES[name]

        def open_recipe() -> None:
            self.reset(r.experiment())
            pace = self.lab_run.pace_budget()
            self.show_status()
            self.notify(f"{r.description}. Watch: {r.watch}. {pace}.", title=f"Recipe {name}", timeout=8)

        self.discard_then(f"Recipe {name} replaces the experiment", open_recipe)

    # --- files -----------------------------------------------------------------------------------------------------
    def action_save(self) -> None:
        """Save to the file this experiment came from or was last saved to; else ask for one."""
        self.files.save()

    def action_save_as(self) -> None:
        """Ask for a path and save there."""
        self.files.save_as()

    def action_open(self) -> None:
        """Ask for an experiment file and open it."""
        self.files.open()

    def action_export(self) -> None:
        """Export the loss history, the weights or a standalone script."""
        self.files.export()

    async def action_quit(self) -> None:
        """Stop training, autosave and leave (asking first when the autosave cannot be written)."""
        self.lab_run.stop()
        self.files.quit_after_autosave()

    # --- seeds -----------------------------------------------------------------------------------------------------
    @property
    def seed_count(self) -> int:
        """How many seeds a sweep runs."""
        return self._seed_count

    @seed_count.setter
    def seed_count(self, count: int) -> None:
        self._seed_count = count
        for view in self.query(SeedsView) if self.is_running else ():
            view.seed_count = count

    def action_sweep(self) -> None:
        """Train the experiment from ``seed_count`` seeds at once and show it in the seeds view; stop a running
        sweep."""
        if self.seeds_view.sweeping:
            self.seeds_view.stop()
        else:
            self._start_sweep()

    def _start_sweep(self, pin: bool = False) -> None:
        """Sweep the experiment as it is (``pin``: pin it as A when it finishes), pausing training; or say why not."""
        experiment = self.experiment
        if not self.has_training_rows(experiment.table):
            return
        try:
            seeds = sweep_seeds(experiment, self.seed_count)
        except LabError as e:
            self.notify(str(e), severity="error")
            return
        self.lab_run.sweep(self.seeds_view, experiment, seeds, pin=pin)  # pauses training: one job at a time
        self.show_view("seeds")

    def action_pin_seeds(self) -> None:
        """Pin this configuration's sweep as A (running it first when there is none); unpin A if it is this one."""
        self.show_view("seeds")
        answer = self.seeds_view.request_pin(self.experiment)
        if answer == "pending":
            self.notify("A is pinned when this sweep finishes.", timeout=3)
        elif answer == "unpinned":
            self.notify("A unpinned.", timeout=2)
        elif answer == "sweep":
            self._start_sweep(pin=True)
        self._lesson_tick()

    def action_seed_count(self) -> None:
        """Ask how many seeds a sweep runs."""
        def chosen(count: int | None) -> None:
            if count is not None:
                self.seed_count = count
                self.notify(f"Sweeps run {count:,} seeds (k).", timeout=2)

        self.push_screen(CountScreen(f"Seeds per sweep (1 to {MAX_SEEDS:,})", self.seed_count, 1, MAX_SEEDS), chosen)

    @on(SeedsView.Updated)
    def _sweep_updated(self, message: SeedsView.Updated) -> None:
        """A sweep's new numbers: repaint them (holding the worker for a big view), and let a lesson see them."""
        if self.panes_gone:
            return
        seeds = self.seeds_view
        if seeds.display:
            self.input_hold.hold_for_paint(seeds.size.area)
        if self.lesson_open:
            self.call_after_refresh(self._lesson_tick)

    @on(SeedsView.Finished)
    def _sweep_finished(self, message: SeedsView.Finished) -> None:
        if not self.panes_gone and not self.seeds_view.display:
            s = message.run.stats
            solved = f"{s.solved}/{s.seeds}" if s is not None else "no"
            self.notify(f"{message.run.label}: {solved} seeds solved the gate (v cycles to the seeds view).",
                        title="Sweep done", timeout=5)

    @on(SeedsView.Pinned)
    def _sweep_pinned(self, message: SeedsView.Pinned) -> None:
        self.notify(f"A is {message.run.label}. Change the network, then k runs B beside it.", title="Pinned A",
                    timeout=5)

    @on(SeedsView.Failed)
    def _sweep_failed(self, message: SeedsView.Failed) -> None:
        self.notify(message.error, title="Cannot sweep", severity="error")

    # --- tune ------------------------------------------------------------------------------------------------------
    tune_seeds = TUNE_SEEDS
    """Seeds per configuration in the tune view's search."""
    tune_jobs: int | None = None
    """Processes the tune view's search trains on (None: every CPU)."""

    def action_tune(self) -> None:
        """Pause training and search around the experiment (the tune screen); enter there applies a configuration."""
        self.lab_run.pause_for_search()
        self.show_status()
        self.push_screen(TuneScreen(self.experiment, seeds=self.tune_seeds, jobs=self.tune_jobs))

    @on(TuneView.Apply)
    def _tuned(self, message: TuneView.Apply) -> None:
        """Leave the tune screen and adopt the chosen configuration (asking first if that discards trained work)."""
        if isinstance(self.screen, TuneScreen):
            self.pop_screen()
        self.apply(message.experiment)

    # --- views (``ViewRouting``) -----------------------------------------------------------------------------------
    @property
    def picture_interval(self) -> float:
        """Seconds between redraws of the chart and the views while training (``ViewRouting.picture_interval``)."""
        return self.view_routing.picture_interval

    @property
    def wide(self) -> bool:
        """Whether the screen is big enough to show a network view beside the chart."""
        return self.view_routing.wide

    def action_next_view(self) -> None:
        """Show the next view: the loss chart, each view of what the network learned, the seeds (on a wide screen
        the chart stays and the others take turns beside it)."""
        self.view_routing.next_view()

    def show_view(self, name: str) -> None:
        """Show view ``name`` (``chart``, ``lesson``, ``seeds`` or one of ``VIEWS``)."""
        self.view_routing.show(name)

    @on(InspectView.Resized)
    def _view_resized(self, event: InspectView.Resized) -> None:
        self.view_routing.view_resized(event.control)

    def action_gradient_check(self) -> None:
        """Check backpropagation against centred differences on the current weights."""
        check = self.lab_run.gradient_check()
        if isinstance(check, Note):
            self.tell(check)
            return
        self.query_one(InspectView).show_gradcheck(check)
        self.show_view("gradcheck")

    @on(LossChart.Built)
    def _chart_built(self, message: LossChart.Built) -> None:
        """Show the chart's new lines. While training beside the chart, the open view redraws when the chart does:
        one repaint for both (not for a redraw the person asked for, a new scale: its repaint is the key's, and
        should be quick)."""
        if message.control.show_built(message):
            self.input_hold.hold_for_paint(message.size[0] * len(message.lines))
        if self.running and not message.asked:
            self.view_routing.refresh()

    @on(TruthTableView.CursorMoved)
    def _cursor_moved(self) -> None:
        if self.lesson_open:
            self._lesson_tick()
        self.view_routing.cursor_moved()

    def action_toggle_log(self) -> None:
        """Switch the chart's loss axis between linear and log10."""
        chart = self.query_one(LossChart)
        chart.log_scale = not chart.log_scale
        self._lesson_tick()

    def on_resize(self, event: events.Resize) -> None:
        """Lay the panes out for the new size (``ViewRouting.resized``)."""
        self.view_routing.resized(*event.size)

    # --- palette and help ------------------------------------------------------------------------------------------
    def action_command_palette(self) -> None:
        """Open the command palette (``LabCommandPalette``: Textual's, safe to page at once)."""
        if self.use_command_palette and not isinstance(self.screen, CommandPalette):
            self.push_screen(LabCommandPalette(id="--command-palette"))

    def action_help(self) -> None:
        """Show every key."""
        self.push_screen(HelpScreen(binding_sections(self.BINDINGS)))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)

        def run_action(action: str, selector: str | None) -> None:
            target = self.query_one(selector) if selector else self
            self.call_later(self.run_action, action, target)

        yield from lab_commands(self.BINDINGS, run_action, self.lesson.lessons, self.lesson.open_lesson,
                                self.lesson.restart, self.files.save_as, self.open_recipe)

    # --- lessons (``LessonRouting``) -------------------------------------------------------------------------------
    @property
    def lesson_open(self) -> bool:
        """Whether the lesson pane is open."""
        return self.lesson.open

    def action_lesson(self) -> None:
        """Open the lesson pane (on the lesson last followed), bring it back into view, or close it."""
        self.lesson.toggle()

    def action_lesson_step(self, direction: int) -> None:
        """Go on to the next step once this one is done (> ), or back a step (<)."""
        self.lesson.step(direction)

    def action_restart_lesson(self) -> None:
        """Start the current lesson again from its first step."""
        self.lesson.restart()

    @on(LessonPane.SetupRequested)
    def _lesson_setup(self, message: LessonPane.SetupRequested) -> None:
        self.lesson.set_up(message)

    @on(LessonPane.Started)
    def _lesson_started(self) -> None:
        """A lesson picked from the menu: the table takes the keys (its arrows and f, h are the usual tasks)."""
        self.focus_table()

    @on(LessonPane.StepPassed)
    def _lesson_step_passed(self, message: LessonPane.StepPassed) -> None:
        self.lesson.step_passed(message)

    def _lesson_tick(self, outputs: tuple[tuple[float, ...], ...] | None = None) -> None:
        self.lesson.tick(outputs)

    def shown(self) -> Shown:
        """What the panes show, as a lesson's checks see it (the ``LessonHost``'s)."""
        seeds = self.seeds_view
        return Shown(running=self.running, cursor=self.table_view.cursor_row, view=self.views.last,
                     log_scale=self.query_one(LossChart).log_scale, latest=seeds.latest, pinned=seeds.pinned)

    def focus_table(self) -> None:
        """Give the truth table the keys."""
        self.table_view.focus()

    def relayout(self) -> None:
        """Place the views as ``views`` says and redraw the shown one."""
        self.view_routing.place()
        self.view_routing.refresh()
