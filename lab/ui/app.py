"""The lab: composes the panes and routes every key's action and every pane's message to the feature that owns it.

The panes never talk to each other: each posts what the person did, and the app hands it on. The run is the ``Run``
(``lab.ui.run``); the run keys, the panes' edits and what the panes show of the run a ``RunPanes``; the seeds sweep a
``SeedsControl``; the files a ``FileCommands``; the lessons a ``LessonRouting``; the views and the layout a
``ViewRouting``; the holds on the training worker for keys and paints an ``InputHold``; the theme a ``ThemeMemory``;
when a key works ``lab.ui.key_rules``. What only a process has (signals, the forced exit, the crash log) is
``lab.ui.process``'s.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from textual import events, on
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.containers import Horizontal, Vertical
from textual.driver import Driver
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from lab.core.experiment import Experiment
from lab.core.recipes import recipe
from lab.timings import Timings
from lab.ui.file_actions import FILE_BINDINGS, FileCommands
from lab.ui.focus_order import FocusOrder
from lab.ui.key_index import binding_sections, lab_commands
from lab.ui.key_rules import key_allowed, priority_actions
from lab.ui.lesson_routing import LessonRouting
from lab.ui.messages import TrainingFailed, TrainingProgress
from lab.ui.pacing import KeyPacing
from lab.ui.pane_setup import set_up_panes
from lab.ui.picture_actions import PictureActions
from lab.ui.process import LeaveOnce, start_tracker
from lab.ui.run import Run, Trained
from lab.ui.run_panes import RUN_KEYS, RunPanes
from lab.ui.scheduling import InputHold, Scheduler
from lab.ui.screens.help import HelpScreen
from lab.ui.screens.palette import LabCommandPalette
from lab.ui.screens.tune import TuneScreen
from lab.ui.seeds_control import SEEDS_KEYS, SeedsControl
from lab.ui.textual_adapter import terminal_driver, watch_paints
from lab.ui.themes import ThemeMemory, lab_variables
from lab.ui.view_choice import ViewChoice
from lab.ui.view_routing import ViewRouting
from lab.ui.widgets.architecture import ArchitecturePane, SettingsList
from lab.ui.widgets.chart import LossChart
from lab.ui.widgets.inspect_view import VIEWS, InspectView
from lab.ui.widgets.lesson_pane import LessonPane
from lab.ui.widgets.prediction import PredictionPane
from lab.ui.widgets.seeds_view import SeedsView
from lab.ui.widgets.status import StatusLine
from lab.ui.widgets.table_pane import TablePane
from lab.ui.widgets.truth_table import TruthTableView
from lab.ui.widgets.tune_view import DEFAULT_SEEDS as TUNE_SEEDS
from lab.ui.widgets.tune_view import TuneView

DEFAULT_FPS = Timings.default_fps
T = TypeVar("T")


def forward(owner: str, name: str) -> Callable[..., Any]:
    """A method of the app that calls ``self.<owner>.<name>`` with its arguments: how a key's action or a pane's
    message reaches the feature that owns it (Textual looks actions and handlers up on the app)."""
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        return getattr(getattr(self, owner), name)(*args, **kwargs)

    method.__doc__ = f"``{owner}.{name}``."
    return method


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
        *RUN_KEYS,  # s r N n [ ] , .
        Binding("l", "toggle_log", "Log scale", id="chart.log", show=False),
        Binding("g", "gradient_check", "Grad check", id="view.gradcheck", show=False),
        Binding("t", "tune", "Tune", id="view.tune", show=False),
        Binding("L", "lesson", "Lesson", id="lesson.toggle", show=False),
        Binding("greater_than_sign", "lesson_step(1)", "Next step", id="lesson.next"),
        Binding("less_than_sign", "lesson_step(-1)", "Step back", id="lesson.back"),
        Binding("M", "lesson_show_me", "Show me", id="lesson.show_me", show=False),
        Binding("q,ctrl+c", "quit", "Quit", id="app.quit", show=False),
        Binding("ctrl+z", "suspend_process", "Suspend", id="app.suspend", show=False),  # fg brings it back
        *(replace(b, show=False) for b in FILE_BINDINGS), *SEEDS_KEYS,  # the seeds' keys: k A K
    ]

    def __init__(self, experiment: Experiment | None = None, trainer: Trained | None = None,
                 path: str | Path | None = None, autosave_path: Path | None = None, fps: float | None = None,
                 lesson: str | None = None, progress_path: Path | None = None, theme: str | None = None,
                 settings_path: Path | None = None, timings: Timings | None = None) -> None:
        """Open on ``experiment`` (default keras-xor) or a saved ``trainer`` from ``path``. ``autosave_path`` turns the
        autosave on; ``fps`` caps how often training reaches the screen; ``lesson`` (a number, an id, or "" for the
        menu) opens that lesson, its progress kept in ``progress_path``; ``theme`` (``--theme``) or the one
        remembered in ``settings_path`` (``ThemeMemory``); ``timings``: how the interface and trainer share the CPU."""
        super().__init__()
        self.timings = timings if timings is not None else Timings()
        self.lesson_request = lesson
        self.progress_path = progress_path
        self.lesson = LessonRouting(self, lambda: next(iter(self.query(LessonPane)), None))
        self.settings_path = settings_path
        self.themes = ThemeMemory(theme, settings_path, lambda name: self.get_theme(name) is not None)
        """The theme the lab starts in and the one the person picks, remembered."""
        if self.themes.start is not None:
            self.theme = self.themes.start
        self.fps = self.timings.clamp_fps(fps)
        scheduler = Scheduler(self.timings)
        self.lab_run = Run(experiment if experiment is not None else recipe("keras-xor"), trainer, saved=bool(path),
                           timings=self.timings, interval=1.0 / self.fps,
                           wait_for_interface=scheduler.wait_for_interface,
                           release_holds=lambda: scheduler.release(None), sweepers=lambda: self.query(SeedsView),
                           on_running=self._running_changed, id="run")
        """The training run: the one owner of the trainer, its worker, and the rule that one job trains at a time."""
        self.files = FileCommands(self, self.lab_run, Path(path) if path else None, autosave_path,
                                  self.timings.autosave_interval)
        self._chart: LossChart | None = None
        self.pacing = KeyPacing(self.timings)  # the person's keys while training, for the paced redraws
        self.input_hold = InputHold(scheduler, self.pacing, lambda: self.lab_run.busy,
                                    lambda: self._chart is not None and self._chart.redrawing_as_asked)
        """The person's keys and clicks, and big changes, as holds on the training worker until they are painted."""
        self.views = ViewChoice(VIEWS)
        """The view the person chose (``chart``, a network view, the seeds, the lesson) and the one beside it."""
        self.view_routing = ViewRouting(self, self.lab_run, self.views, self.lesson, self.input_hold, self.timings,
                                         self.fps)
        """The views on screen and the layout for the terminal's size."""
        self.panes = RunPanes(self.lab_run, self.query_one, self.notify, self.ask, self.view_routing,
                              self.lesson.tick, lambda title: setattr(self, "sub_title", title),
                              lambda: self.panes_gone)  # the run's keys and edits as its commands, and what they show
        self.picture = PictureActions(self.lab_run, self.ask, self.tell, self._show_snapshot, self.show_status,
                                      self.lesson.tick)
        self.seeds = SeedsControl(self.lab_run, lambda: self.query(SeedsView) if self.is_running else (), self.notify,
                                  self.ask, self.show_view, self.panes.has_training_rows, self.lesson,
                                  self.input_hold, self.call_after_refresh)  # the seeds sweep's keys and words
        self.focus_order = FocusOrder(lambda: self.screen)  # tab's order over the panes, one in every view
        self.on_leave: Callable[[], object] = lambda: None
        """Called first by ``leave_now``, from its thread (``lab.ui.process.run_app`` starts the forced exit)."""
        self.leave_now = LeaveOnce(lambda: self.on_leave(), self.files.write_autosave,
                                   lambda: self.call_later(self._leave))  # call_later is thread-safe
        """Autosave and exit, from any thread, once: a signal asked, or the terminal has gone."""

    scheduler = property(lambda self: self.input_hold.scheduler)
    """The interface's holds on the training threads while it has something to show (ended on unmount)."""

    @property
    def experiment(self) -> Experiment:
        """The experiment as the person set it."""
        return self.lab_run.experiment

    view = property(lambda self: self.views.view)
    """The view chosen: ``chart``, ``lesson``, ``seeds`` or one of the network views (``VIEWS``)."""
    side_view = property(lambda self: self.views.side)
    """The view beside the chart on a wide screen."""

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
                                    interval=max(1.0 / self.fps, self.timings.seeds_update_interval))
                yield self.lesson.new_pane(self.progress_path)
                yield ArchitecturePane(e.architecture, e.training, id="architecture-pane")
        yield StatusLine(id="status")
        yield Static("", id="too-small", markup=False)
        yield Footer()

    # --- themes (``ThemeMemory``) ---------------------------------------------------------------------------------
    def get_theme_variable_defaults(self) -> dict[str, str]:
        """The lab's own colour variables (``$nnlab-*`` in the stylesheet): ``lab.ui.themes.lab_variables``."""
        return lab_variables(self.current_theme)

    def watch_theme(self, theme: str) -> None:
        """Remember the theme the person chose (the command palette's "Change theme")."""
        error = self.themes.chosen(theme)
        if error is not None:
            self.notify(error, severity="warning")

    def on_mount(self) -> None:
        ansi = self.themes.few_colours(self.is_headless, self.console.color_system, self.current_theme.dark)
        if ansi is not None:
            self.theme = ansi
        self.themes.remembering = True
        if self.themes.error is not None:
            self.notify(self.themes.error, title="Settings", severity="warning")
        self._chart = set_up_panes(self.screen, self.seeds.count, self.picture_interval,
                                   self.scheduler.wait_for_interface, self.pacing, self.timings,
                                   self.no_color)  # Textual reads (and removes) NO_COLOR from the environment
        self.panes.show_first()
        self.query_one(TruthTableView).focus()
        self.files.start_autosave(offer=self.lesson_request is None)
        if self.lesson_request is not None:
            self.lesson.open_lesson(self.lesson_request)
        watch_paints(self, self.input_hold.painted)
        # Once the first screen is up, the objects made so far leave the collector's full passes while the app runs.
        self.call_after_refresh(self.scheduler.freeze_startup_objects)

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Textual's ``notify`` with ``markup`` off by default: a notification here names paths, experiment names
        and error lines that echo what was typed, all of it data (``[/]`` in a file name is shown, not parsed)."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def on_load(self) -> None:
        """Before Textual takes ``sys.stderr``: the tune search's worker processes need multiprocessing's resource
        tracker, handed a real stderr (``lab.ui.process.start_tracker``)."""
        start_tracker()

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

    running = property(lambda self: self.lab_run.running)
    """Whether the training worker is (meant to be) running (``Run.running``)."""

    def _running_changed(self, running: bool) -> None:
        """The run started or stopped training: the chart redraws at its own pace only while it does."""
        for chart in self.query(LossChart):
            chart.live = running

    PRIORITY_ACTIONS = priority_actions(BINDINGS, TablePane.BINDINGS)
    """The keys that open a dialog as they arrive (``lab.ui.key_rules``)."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Whether a key works now (``lab.ui.key_rules.key_allowed``)."""
        allowed = key_allowed(action, self.PRIORITY_ACTIONS, isinstance(self.screen, TuneScreen),
                              self.screen is not self.screen_stack[0], isinstance(self.focused, Input),
                              lambda: self.lesson.stepping)
        return super().check_action(action, parameters) if allowed is None else allowed

    # --- helpers ---------------------------------------------------------------------------------------------------
    table_view = property(lambda self: self.query_one(TruthTableView))
    state = forward("lab_run", "state")

    panes_gone = property(lambda self: not self.query(StatusLine))
    """Whether the lab's panes are already taken down (the app is ending): a worker's last messages, still on their
    way, then have nothing to show."""

    # --- the run's keys, edits and messages (``RunPanes``) ---------------------------------------------------------
    epochs_per_second = property(lambda self: self.panes.epochs_per_second,
                                 lambda self, v: setattr(self.panes, "epochs_per_second", v))
    show_progress = on(TrainingProgress)(forward("panes", "show_progress"))
    show_failure = on(TrainingFailed)(forward("panes", "show_failure"))
    _table_edited = on(TruthTableView.Edited)(forward("panes", "table_edited"))
    _settings_changed = on(SettingsList.Changed)(forward("panes", "settings_changed"))
    _query = on(PredictionPane.Query)(forward("panes", "answer_query"))
    tell = forward("panes", "tell")
    show_status = forward("panes", "show_status")
    _show_snapshot = forward("panes", "show_snapshot")
    load_experiment = forward("panes", "load_experiment")
    start_afresh = forward("panes", "start_afresh")
    discard_then = forward("panes", "discard_then")
    change_experiment = forward("panes", "change_experiment")
    open_recipe = forward("panes", "open_recipe")
    action_focus_next, action_focus_previous = forward("focus_order", "next"), forward("focus_order", "previous")
    action_toggle_training = forward("panes", "toggle_training")
    action_step = forward("panes", "step")
    action_reset = forward("panes", "reset_weights")
    action_new_seed = forward("panes", "new_seed")
    action_n_is_no = forward("panes", "n_is_no")
    action_lr = forward("panes", "lr")
    action_speed = forward("panes", "speed")
    action_presets = forward("panes", "presets")
    action_gradient_check = forward("panes", "gradient_check")

    # --- files (``FileCommands``) ---------------------------------------------------------------------------------
    action_save = forward("files", "save")
    action_save_as = forward("files", "save_as")
    action_open = forward("files", "open")
    action_export = forward("files", "export")

    async def action_quit(self) -> None:
        """Stop training, autosave and leave (asking first when the autosave cannot be written)."""
        self.lab_run.stop()
        self.files.quit_after_autosave()

    # --- seeds (``SeedsControl``) ---------------------------------------------------------------------------------
    seed_count = property(lambda self: self.seeds.count, lambda self, count: setattr(self.seeds, "count", count))
    action_sweep = forward("seeds", "sweep")
    action_pin_seeds = forward("seeds", "pin")
    action_seed_count = forward("seeds", "ask_count")
    _sweep_updated = on(SeedsView.Updated)(forward("seeds", "updated"))
    _sweep_finished = on(SeedsView.Finished)(forward("seeds", "finished"))
    _sweep_pinned = on(SeedsView.Pinned)(forward("seeds", "pinned"))
    _weight_edited = on(InspectView.Edited)(forward("picture", "edited"))
    _step_asked = on(InspectView.StepAsked)(forward("picture", "step_asked"))
    _sweep_failed = on(SeedsView.Failed)(forward("seeds", "failed"))

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
        self.change_experiment(message.experiment)

    # --- views (``ViewRouting``) -----------------------------------------------------------------------------------
    picture_interval = property(lambda self: self.view_routing.picture_interval)
    """Seconds between redraws of the chart and the views while training."""
    wide = property(lambda self: self.view_routing.wide)
    """Whether the screen is big enough to show a network view beside the chart."""
    action_next_view = forward("view_routing", "next_view")
    show_view = forward("view_routing", "show")
    action_toggle_log = forward("view_routing", "toggle_log")
    _view_resized = on(InspectView.Resized)(forward("view_routing", "view_resized"))
    _chart_built = on(LossChart.Built)(forward("view_routing", "chart_built"))
    _cursor_moved = on(TruthTableView.CursorMoved)(forward("view_routing", "cursor_moved"))

    on_resize = forward("view_routing", "resized")

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
        yield from lab_commands(
            self.BINDINGS, lambda action, selector: self.call_later(
                self.run_action, action, self.query_one(selector) if selector else self),
            self.lesson.lessons, self.lesson.open_lesson, self.lesson.restart, self.files.save_as, self.open_recipe)

    # --- lessons (``LessonRouting``) -------------------------------------------------------------------------------
    lesson_open = property(lambda self: self.lesson.open)
    """Whether the lesson pane is open."""
    action_lesson = forward("lesson", "toggle")
    action_lesson_step = forward("lesson", "step")
    action_restart_lesson = forward("lesson", "restart")
    action_lesson_show_me = forward("lesson", "show_me")
    _lesson_setup = on(LessonPane.SetupRequested)(forward("lesson", "set_up"))
    _lesson_step_passed = on(LessonPane.StepPassed)(forward("lesson", "step_passed"))
    _lesson_started = on(LessonPane.Started)(forward("panes", "focus_table"))  # the table takes the keys
    shown = forward("panes", "shown")
    focus_table = forward("panes", "focus_table")
    relayout = forward("view_routing", "relayout")
