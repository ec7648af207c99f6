"""The lab: composes the four panes, owns the training worker and routes every message.

The panes never talk to each other. Each posts what the person did (a table edit, a new setting, a prediction
query); the app turns that into a change of the experiment, applies it to the session's trainer (live when the
network can continue, after a confirmation when it must be rebuilt), and tells the panes what to show.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from rich.console import RenderableType
from textual import events, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.driver import Driver
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState, get_current_worker

from lab.core.errors import LabError
from lab.core.experiment import Experiment
from lab.core.gates import preset
from lab.core.inspect import trainer_gradient_check
from lab.core.recipes import RECIPES, recipe
from lab.core.train import Trainer
from lab.ui.file_actions import FILE_BINDINGS, FileActions
from lab.ui.messages import DIVERGED, IDLE, PAUSED, SOLVED, TRAINING, Snapshot, TrainingFailed, TrainingProgress
from lab.ui.pacing import INPUT_QUIET, KeyPacing
from lab.ui.screens.confirm import ConfirmScreen
from lab.ui.screens.help import HelpScreen
from lab.ui.screens.palette import LabCommandPalette
from lab.ui.screens.presets import PresetScreen
from lab.ui.seeds_actions import SEEDS_BINDINGS, SeedsActions
from lab.ui.session import Session
from lab.ui.shutdown import GRACE, force_exit_after, leaving_on_signals
from lab.ui.textual_adapter import restore_terminal, terminal_driver
from lab.ui.training_loop import train_loop
from lab.ui.widgets.architecture import ArchitecturePane, SettingsList
from lab.ui.widgets.chart import COST_FACTOR, LossChart
from lab.ui.widgets.inspect_view import TITLES, VIEWS, InspectView
from lab.ui.widgets.prediction import PredictionPane
from lab.ui.widgets.seeds_view import TITLE as SEEDS_TITLE, SeedsView
from lab.ui.widgets.status import StatusLine
from lab.ui.widgets.table_pane import TablePane
from lab.ui.widgets.truth_table import TruthTableView

SPEEDS = (1, 5, 20, 100, 500, 0)  # epochs per 0.1 s tick; 0 = unthrottled
DEFAULT_FPS, MIN_FPS, MAX_FPS = 10.0, 0.5, 30.0
MIN_SIZE = (80, 24)
PAINT_HOLD_CELLS = 1000  # a repaint this big (about 3 ms of the interface thread) holds the trainer (_hold_for_paint)
WIDE_SIZE = (160, 50)  # from here a network view sits beside the chart
LR_FACTOR = 2.0
SIDE_VIEWS = (*VIEWS, "seeds")  # every view but the chart
PICTURE_FRAMES = 2  # the chart and views redraw once per this many status updates


def speed_label(per_tick: int) -> str:
    """``20/tick`` or ``max``."""
    return "max" if per_tick == 0 else f"{per_tick}/tick"


class LabApp(FileActions, SeedsActions, App[None]):
    """nnlab: define a gate, shape a network, watch it learn."""

    CSS_PATH = "styles/app.tcss"
    TITLE = "nnlab"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = [
        Binding("space", "toggle_training", "Train/Pause", id="run.toggle"),
        Binding("question_mark,f1", "help", "Help", id="app.help"),
        Binding("s", "step", "Step", id="run.step"),
        Binding("r", "reset", "Reset", id="run.reset"),
        Binding("n", "new_seed", "New seed", id="run.reseed"),
        Binding("left_square_bracket", "lr(-1)", "lr÷2", id="run.lr_down"),
        Binding("right_square_bracket", "lr(1)", "lr×2", id="run.lr_up"),
        Binding("comma", "speed(-1)", "Slower", id="run.slower"),
        Binding("full_stop", "speed(1)", "Faster", id="run.faster"),
        Binding("l", "toggle_log", "Log scale", id="chart.log"),
        Binding("v", "next_view", "View", id="view.next"),
        Binding("g", "gradient_check", "Grad check", id="view.gradcheck"),
        Binding("q,ctrl+c", "quit", "Quit", id="app.quit"),
        *FILE_BINDINGS,
        *SEEDS_BINDINGS,
    ]

    def __init__(self, experiment: Experiment | None = None, trainer: Trainer | None = None,
                 path: str | Path | None = None, autosave_path: Path | None = None, fps: float = DEFAULT_FPS) -> None:
        """Open on ``experiment`` (default keras-xor), or on a saved ``trainer``; ``path`` is the file it came
        from; ``autosave_path`` turns the autosave on (the command line passes the user's state directory);
        ``fps`` caps how often training updates reach the screen (lower it on slow links)."""
        super().__init__()
        self.fps = min(max(fps, MIN_FPS), MAX_FPS)
        self.experiment = experiment if experiment is not None else recipe("keras-xor")
        self.session = Session(self.experiment, trainer)
        if trainer is not None:
            self.experiment = trainer.experiment
        self.path = Path(path) if path else None
        self.known_paths = {self.path.resolve()} if self.path else set()
        self.autosave_path = autosave_path
        self._dirty = False
        self._input_handled = False  # a key or click has been handled: the next paint releases the worker
        self._paint_held = False  # the worker is held for changes to show: the next paint releases it
        self._chart: LossChart | None = None
        self.pacing = KeyPacing()  # the person's keys while training, for the paced redraws
        self._view_timer: Timer | None = None  # the view's next redraw while keys come in a run
        self._training_on = False
        self.epochs_per_second = 0.0
        self.view = "chart"
        self._side = VIEWS[0]  # the view beside the chart on a wide screen
        self._next_view_draw = 0.0
        """The view the person chose: ``chart`` or one of the network views (``VIEWS``)."""
        self._leaving = threading.Lock()  # held once leave_now has begun
        self._forced_exit: float | None = None  # seconds to a forced exit after leave_now (set by run)

    # --- layout ----------------------------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        e = self.experiment
        with Horizontal(id="main"):
            with Vertical(id="left"):
                yield TablePane(e.table, id="table-pane")
                yield PredictionPane(e.table.n_inputs, e.table.output_names, id="prediction-pane")
            with Vertical(id="right"):
                with Horizontal(id="views"):
                    yield LossChart(id="chart")
                    yield InspectView(id="inspect")
                    yield SeedsView(id="seeds")
                yield ArchitecturePane(e.architecture, e.training, id="architecture-pane")
        yield StatusLine(id="status")
        yield Static("", id="too-small", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#table-pane").border_title = "Truth table"
        self.query_one("#prediction-pane").border_title = "Prediction"
        self.query_one(LossChart).border_title = "Loss · accuracy"
        self.query_one(SeedsView).border_title = SEEDS_TITLE
        self.query_one("#architecture-pane").border_title = "Architecture"
        chart = self._chart = self.query_one(LossChart)
        chart.min_interval = self.picture_interval
        chart.wait_for_interface = self.session.wait_for_interface
        chart.pacing = self.pacing
        chart.monochrome = self.no_color  # Textual reads (and removes) NO_COLOR from the environment
        self.query_one(InspectView).monochrome = chart.monochrome
        for hidden in ("#expression", "#expression-error", "#settings-input", "#settings-error"):
            self.query_one(hidden).display = False
        self._show_experiment()
        self._place_views()
        with self.session.lock:
            snapshot = self.session.snapshot(False)
        self._show_snapshot(snapshot, replace_history=True)
        self.query_one(TruthTableView).focus()
        self.start_autosave()
        self.call_after_refresh(self._freeze_startup_objects)

    def _freeze_startup_objects(self) -> None:
        """Leave the objects made so far (modules, the widgets, Textual's caches: four in five of the tracked
        objects) out of the cyclic garbage collector's full passes from now on: a full pass over them took 40-60
        ms of the interface thread while training at 200x50, and a key pressed meanwhile waited for it.
        Refcounting still frees them; ``on_unmount`` hands them back to the collector."""
        gc.collect()
        gc.freeze()

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Textual's ``notify`` with ``markup`` off by default: a notification here names paths, experiment names
        and error lines that echo what was typed, all of it data (``[/]`` in a file name is shown, not parsed)."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def on_unmount(self) -> None:
        gc.unfreeze()  # this app's objects become collectable again (many apps may run in one process: tests)

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver for this terminal, guarded against bad input bytes and a dead terminal
        (``textual_adapter``) where it is Textual's own ``LinuxDriver``."""
        return terminal_driver(super().get_driver_class())

    def run(self, *args, **kwargs):  # type: ignore[override]
        """Textual's ``run``, with SIGTERM and SIGHUP (a dropped SSH session) leaving through ``leave_now``, which
        also forces the exit should the orderly one hang."""
        self._forced_exit = GRACE
        with leaving_on_signals(self.leave_now):
            return super().run(*args, **kwargs)

    def leave_now(self) -> None:
        """Autosave and exit, from any thread, once: a signal asked, or the terminal has gone. Under ``run`` the
        process ends ``GRACE`` seconds later whatever it is doing (a terminal that takes no output can hang
        Textual's orderly exit), giving the terminal back first; the autosave is written before anything else."""
        if not self._leaving.acquire(blocking=False):
            return
        if self._forced_exit is not None:
            force_exit_after(self._forced_exit, lambda: restore_terminal(self))
        self.write_autosave()
        self.call_later(self._leave)  # thread-safe: it posts a message to the app

    def _leave(self) -> None:
        self._stop_worker()
        self.exit(return_code=0)

    async def on_event(self, event: events.Event) -> None:
        """A key press or click holds the training worker from its arrival until its effects are painted (see
        ``Session.hold``), so the interface thread has the interpreter to itself meanwhile.

        A key reaches the app twice: first as it arrives (the app forwards it to the focused widget), then, when no
        widget used it, bubbled back up, when the app runs its binding. Once the binding has run (or the widget
        has used the key), the next paint of the screen releases the worker (``_display``); a key that changes
        nothing on screen is released by the hold's deadline, ``MAX_HOLD``.
        """
        if not isinstance(event, (events.Key, events.MouseDown)) or not self._worker_busy():
            await super().on_event(event)
            return
        if event.is_forwarded:
            await super().on_event(event)  # the app's bindings run here
            self._input_handled = True
            return
        self.session.hold()
        self._input_handled = False
        self.pacing.key_pressed()
        await super().on_event(event)  # forwards it to the focused widget (or the one under the mouse)
        if isinstance(event, events.MouseDown):
            self._input_handled = True
        elif self.focused is not None:
            self.focused.call_after_refresh(self._after_widget_key, event)

    def _worker_busy(self) -> bool:
        """Whether the training worker (training or a seeds sweep) is at work."""
        return self._training_on or any(w.group == "training" and w.is_running for w in self.workers)

    def _after_widget_key(self, event: events.Key) -> None:
        """The focused widget has had ``event``: if it used it (typing in a field), the key is handled; else the
        key is on its way back up to the app's bindings. (Textual keeps "a widget used this event" as the event's
        stop flag, with no public accessor.)"""
        if getattr(event, "_stop_propagation", True):
            self._input_handled = True

    def _display(self, screen: Screen, renderable: RenderableType | None) -> None:
        """Textual's hook after every compositor pass (the one place a paint can be seen): the first paint after a
        key or click was handled (and after the chart redraw it asked for, if any) releases the training worker."""
        super()._display(screen, renderable)
        if self._paint_held:
            self._paint_held = False
            self.session.release("paint")
        if self._input_handled and not (self._chart is not None and self._chart.redrawing_as_asked):
            self._input_handled = False
            self.session.release("input")

    @property
    def running(self) -> bool:
        """Whether the training worker is (meant to be) running."""
        return self._training_on

    @running.setter
    def running(self, value: bool) -> None:
        self._training_on = value
        for chart in self.query(LossChart):
            chart.live = value

    # --- helpers ---------------------------------------------------------------------------------------------------
    @property
    def table_view(self) -> TruthTableView:
        return self.query_one(TruthTableView)

    @property
    def settings_list(self) -> SettingsList:
        return self.query_one(SettingsList)

    def _show_experiment(self) -> None:
        """Make every pane show ``self.experiment`` (its table, settings and sizes)."""
        e = self.experiment
        if self.table_view.table != e.table:
            self.table_view.table = e.table
        self.settings_list.set_values(e.architecture, e.training)
        self.settings_list.set_io(e.table.n_inputs, e.table.n_outputs)
        self.query_one(PredictionPane).set_table_shape(e.table.n_inputs, e.table.output_names)
        self.query_one("#table-pane").border_title = Content(f"Truth table · {e.table.name}")
        self.sub_title = e.name

    def state(self) -> str:
        """idle, training, paused, solved or diverged."""
        t = self.session.trainer
        if self.running:
            return TRAINING
        if t.diverged_epoch is not None:
            return DIVERGED
        if t.solved_epoch is not None:
            return SOLVED
        return IDLE if t.epoch == 0 else PAUSED

    def _show_status(self) -> None:
        t = self.session.trainer
        h = t.history
        self.query_one(StatusLine).show(
            state=self.state(), epoch=t.epoch, budget=t.experiment.training.epochs,
            loss=h.loss[-1] if h.loss else None, accuracy=h.accuracy[-1] if h.accuracy else None,
            heldout_accuracy=h.heldout_accuracy[-1] if h.heldout_accuracy else None,
            solved_epoch=t.solved_epoch, diverged_epoch=t.diverged_epoch,
            epochs_per_second=self.epochs_per_second, lr=t.lr, speed=speed_label(self.session.epochs_per_tick))

    def _show_snapshot(self, snapshot: Snapshot, replace_history: bool = False) -> None:
        chart = self.query_one(LossChart)
        if replace_history:
            chart.clear_history()
        chart.extend(snapshot.history, snapshot.solved_epoch)
        self.table_view.show_outputs(snapshot.outputs)
        self._answer_query()
        self._show_status()
        if not (snapshot.running and self.query_one(LossChart).display):
            self._refresh_view(throttled=snapshot.running)  # beside a live chart it follows the chart instead

    def _answer_query(self) -> None:
        pane = self.query_one(PredictionPane)
        if pane.x is not None and pane.x.shape[1] == self.session.trainer.net.shape.sizes[0]:
            pane.show_outputs(self.session.predict(pane.x)[0])

    # --- the worker ------------------------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, exit_on_error=False, group="training", name="training")
    def _train(self) -> None:
        """Train in a thread: calls the core, posts messages, never touches a widget."""
        worker = get_current_worker()
        train_loop(self.session, lambda: worker.is_cancelled, self.post_message, interval=1.0 / self.fps)

    def _stop_worker(self) -> None:
        self.workers.cancel_group(self, "training")
        self.running = False
        self.session.release(None)  # a worker held for a key or a paint sees its cancellation at once

    def _hold_for_paint(self, cells: int) -> None:
        """Hold the training worker until the next paint, which shows what the interface has just changed or is
        about to (see ``Session.hold``), when that is at least ``PAINT_HOLD_CELLS`` cells: a repaint that shares
        the interpreter with the trainer takes twice as long, and a key pressed meanwhile waits for it. Smaller
        repaints (the status line, the table's answers, a small chart) take a millisecond or two and are not worth
        the trainer's wait for the frame. Call only with a change to paint (else the hold lasts until its
        deadline). (``call_after_refresh`` can run before the changed widgets have reached the screen, so the
        release is in ``_display``.)"""
        if cells >= PAINT_HOLD_CELLS and self._worker_busy():
            self.session.hold("paint")
            self._paint_held = True

    @on(TrainingProgress)
    def _progress(self, message: TrainingProgress) -> None:
        snapshot = message.snapshot
        if snapshot.run_id != self.session.run_id:
            return  # from a trainer that has since been replaced
        self.epochs_per_second = snapshot.epochs_per_second or self.epochs_per_second
        self._dirty = True
        if not snapshot.running:
            self.running = False
        self._show_snapshot(snapshot)
        if not snapshot.running and snapshot.diverged_epoch is not None:
            self.notify(f"Diverged at epoch {snapshot.diverged_epoch}: the loss or a weight became NaN or infinite. "
                        f"Training is paused with the last finite weights; lower the learning rate ([) and "
                        f"press space to go on, or r to reset.", title="Diverged", severity="error", timeout=10)
        elif not snapshot.running and snapshot.status == "budget" and snapshot.solved_epoch is None:
            self.notify(f"The budget of {self.session.trainer.experiment.training.epochs:,} epochs is spent "
                        "without solving the gate.", severity="warning")

    @on(TrainingFailed)
    def _failed(self, message: TrainingFailed) -> None:
        self.running = False
        self.notify(message.error, title="Cannot train", severity="error")
        self._show_status()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "training" and event.state == WorkerState.ERROR:
            self.running = False
            self.notify(f"Training stopped: {event.worker.error}", title="Error", severity="error")
            self._show_status()

    # --- run actions -----------------------------------------------------------------------------------------------
    def action_toggle_training(self) -> None:
        """Start training, or pause it."""
        if self.running:
            self._stop_worker()
            self._show_status()
            return
        t = self.session.trainer
        status = t.status
        if status == "budget":
            self.notify(f"The budget of {t.experiment.training.epochs:,} epochs is spent: raise Epochs in the "
                        "architecture pane, or press r to reset.", severity="warning")
            return
        if status in ("solved", "loss-reached"):
            self.notify(f"The stop rule '{t.experiment.training.stop}' has fired: set Stop to budget to train on, "
                        "or press r to reset.", severity="warning")
            return
        if not len(t.experiment.table.train_rows):
            self.notify("Every row is held out: keep at least one row to train on (h toggles).", severity="error")
            return
        self.running = True
        self._train()
        self._show_status()

    def action_step(self) -> None:
        """Train exactly one epoch (pauses a running worker first)."""
        if self.running:
            self._stop_worker()
        with self.session.lock:
            t = self.session.trainer
            if t.done and t.status != DIVERGED:
                snapshot = None
            else:
                try:
                    t.step()
                except LabError as e:
                    self.notify(str(e), severity="error")
                    return
                snapshot = self.session.snapshot(False)
        if snapshot is None:
            self.notify("The run is over (budget or stop rule): press r to reset.", severity="warning")
            return
        self._dirty = True
        self._show_snapshot(snapshot)
        if snapshot.diverged_epoch is not None:
            self.notify(f"Diverged at epoch {snapshot.diverged_epoch}.", severity="error")

    def load_experiment(self, experiment: Experiment, trainer: Trainer | None) -> None:
        """Replace the experiment (and, when given, the trained network) with a loaded one."""
        if trainer is None:
            self._reset(experiment)
            return
        self._stop_worker()
        self.session.load(trainer)
        self.query_one(InspectView).clear_history()
        self.experiment = trainer.experiment
        self._dirty = True
        self._show_experiment()
        with self.session.lock:
            snapshot = self.session.snapshot(False)
        self._show_snapshot(snapshot, replace_history=True)

    def _reset(self, experiment: Experiment) -> None:
        self._stop_worker()
        self.experiment = experiment
        self.session.reset(experiment)
        self.query_one(InspectView).clear_history()
        self._dirty = True
        self._show_experiment()
        with self.session.lock:
            snapshot = self.session.snapshot(False)
        self._show_snapshot(snapshot, replace_history=True)

    def action_reset(self) -> None:
        """New weights from the same seed; the history starts again."""
        self._reset(self.experiment)
        self.notify(f"Reset: new weights from seed {self.experiment.training.seed}.", timeout=2)

    def action_new_seed(self) -> None:
        """Reset with the next seed."""
        seed = (self.experiment.training.seed + 1) % 2**32
        self._reset(self.experiment.with_training(seed=seed))
        self.notify(f"Reset with seed {seed}.", timeout=2)

    def action_lr(self, direction: int) -> None:
        """Halve (-1) or double (+1) the learning rate, live."""
        lr = self.experiment.training.lr * (LR_FACTOR if direction > 0 else 1 / LR_FACTOR)
        try:
            experiment = self.experiment.with_training(lr=float(f"{lr:.6g}"))
        except LabError as e:
            self.notify(str(e), severity="warning")
            return
        self._apply(experiment)

    def action_speed(self, direction: int) -> None:
        """Train fewer or more epochs per tick (the last step is unthrottled)."""
        i = SPEEDS.index(self.session.epochs_per_tick) if self.session.epochs_per_tick in SPEEDS else 2
        self.session.epochs_per_tick = SPEEDS[max(0, min(len(SPEEDS) - 1, i + direction))]
        self._show_status()

    @property
    def picture_interval(self) -> float:
        """Seconds between redraws of the chart and the views while training: twice the numbers' interval. They
        are the costliest things to draw and, over SSH, to send (a chart row is ~300 bytes in 24-bit colour)."""
        return PICTURE_FRAMES / self.fps

    @property
    def wide(self) -> bool:
        """Whether the screen is big enough to show a network view beside the chart."""
        return self.has_class("wide")

    def action_next_view(self) -> None:
        """Show the next view: the loss chart, each view of what the network learned, the seeds (on a wide screen
        the chart stays and the others take turns beside it)."""
        order = SIDE_VIEWS if self.wide else ("chart", *SIDE_VIEWS)
        current = self._side if self.view == "chart" and self.wide else self.view
        self._show_view(order[(order.index(current) + 1) % len(order)] if current in order else order[0])

    def _show_view(self, name: str) -> None:
        self.view = name
        if name != "chart":
            self._side = name
        if name in VIEWS:
            self.query_one(InspectView).mode = name
        self._place_views()
        self._refresh_view()

    def _place_views(self) -> None:
        """Show the chosen view alone, or on a wide screen the chart with the last other view beside it."""
        side = self._side if self.wide and self.view == "chart" else self.view
        inspect = self.query_one(InspectView)
        self.query_one(LossChart).display = self.view == "chart" or self.wide
        inspect.display = side in VIEWS
        self.query_one(SeedsView).display = side == "seeds"
        inspect.border_title = f"{TITLES[inspect.mode]} · v next view"

    def _refresh_view(self, throttled: bool = False) -> None:
        """Redraw the shown view of the network (not the chart) from the trainer, under the lock. ``throttled``
        (a training snapshot) redraws no more often than the chart: ``picture_interval`` apart, ``COST_FACTOR``
        times the last redraw's cost apart, and after a pause in the person's keys (``KeyPacing``)."""
        inspect = self.query_one(InspectView)
        now = time.monotonic()
        if not inspect.display or (throttled and now < self.pacing.due(self._next_view_draw)):
            return
        with self.session.lock:
            changed = inspect.update_from(self.session.trainer, self.table_view.cursor_row)
        self._hold_for_paint(changed * inspect.size.width)
        cost = time.monotonic() - now
        self._next_view_draw = now + max(self.picture_interval, COST_FACTOR * cost)

    def action_gradient_check(self) -> None:
        """Check backpropagation against centred differences on the current weights."""
        with self.session.lock:
            trainer = self.session.trainer
            if not len(trainer.experiment.table.train_rows):
                self.notify("Every row is held out: nothing to check against.", severity="warning")
                return
            samples = None if trainer.net.shape.n_params <= 2000 else 200
            check = trainer_gradient_check(trainer, samples=samples)
        self.query_one(InspectView).show_gradcheck(check)
        self._show_view("gradcheck")

    @on(LossChart.Built)
    def _chart_built(self, message: LossChart.Built) -> None:
        """Show the chart's new lines. While training beside the chart, the open view redraws when the chart does:
        one repaint for both (not for a redraw the person asked for, a new scale: its repaint is the key's, and
        should be quick)."""
        if message.control.show_built(message):
            self._hold_for_paint(message.size[0] * len(message.lines))
        if self.running and not message.asked:
            self._refresh_view()

    @on(TruthTableView.CursorMoved)
    def _cursor_moved(self) -> None:
        if self.pacing.in_a_run and self._worker_busy():
            # Keys pressed in a run while training (an arrow held down): the trace follows every INPUT_QUIET
            # seconds, showing the row the cursor is on by then, instead of repainting for every row passed.
            if self._view_timer is None:  # the view's own timer: it ends with the view, should the app be closing
                self._view_timer = self.query_one(InspectView).set_timer(INPUT_QUIET, self._timed_view)
            return
        # The trace of the new row follows in the next frame: the key's own repaint (the cursor) stays small.
        self.call_after_refresh(self._refresh_view)

    def _timed_view(self) -> None:
        self._view_timer = None
        self._refresh_view()

    def action_toggle_log(self) -> None:
        """Switch the chart's loss axis between linear and log10."""
        chart = self.query_one(LossChart)
        chart.log_scale = not chart.log_scale

    def on_resize(self, event: events.Resize) -> None:
        """Use the compact layout below 100x30, and ask for more room below the minimum size."""
        width, height = event.size
        # Classes on the app (not the current screen, which may be a dialog) so the main screen's layout follows.
        self.set_class(width < 100 or height < 30, "compact")
        if self.wide != (width >= WIDE_SIZE[0] and height >= WIDE_SIZE[1]):
            self.set_class(not self.wide, "wide")
            self._place_views()
            self._refresh_view()
        too_small = width < MIN_SIZE[0] or height < MIN_SIZE[1]
        self.set_class(too_small, "too-small")
        if too_small:
            self.query_one("#too-small", Static).update(
                f"nnlab needs a terminal of at least {MIN_SIZE[0]}x{MIN_SIZE[1]}; this one is {width}x{height}.\n"
                f"Make the window larger (training carries on).\n\n{self.query_one(StatusLine).plain}\n\n"
                "space train/pause · q quit")

    def action_command_palette(self) -> None:
        """Open the command palette (``LabCommandPalette``: Textual's, safe to page at once)."""
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(LabCommandPalette(id="--command-palette"))

    def action_help(self) -> None:
        """Show every key."""
        self.push_screen(HelpScreen(self._binding_sections()))

    async def action_quit(self) -> None:
        """Stop training, autosave and leave."""
        self._stop_worker()
        self.write_autosave()
        self.exit()

    def _binding_sections(self) -> list[tuple[str, list[Binding]]]:
        return [("Anywhere", self.BINDINGS), ("Truth table", TruthTableView.BINDINGS + TablePane.BINDINGS),
                ("Architecture", SettingsList.BINDINGS)]

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        targets = {"Truth table": "#truth-table", "Architecture": "#settings"}
        for title, bindings in self._binding_sections():
            for b in bindings:
                if not b.description:
                    continue
                selector = targets.get(title)

                def run(action: str = b.action, selector: str | None = selector) -> None:
                    target = self.query_one(selector) if selector else self
                    self.call_later(self.run_action, action, target)

                yield SystemCommand(f"{b.description}", f"{title}: {b.description} (key {b.key})", run)
        yield SystemCommand("Save as…", "Save the experiment to a new file", self.action_save_as)
        for name, r in RECIPES.items():
            yield SystemCommand(f"Recipe: {name}", f"{r.description} (watch: {r.watch})",
                                lambda name=name: self._open_recipe(name))

    # --- applying changes ------------------------------------------------------------------------------------------
    def _apply(self, experiment: Experiment, revert=None) -> None:
        """Adopt ``experiment``: live when the network can continue, else reset (asking first if it has trained)."""
        trainer = self.session.trainer
        if trainer.can_continue(experiment):
            with self.session.lock:
                trainer.set_experiment(experiment)
                snapshot = self.session.snapshot(self.running)
            self.experiment = experiment
            self._dirty = True
            self._show_experiment()
            self._show_snapshot(snapshot)
            return
        if trainer.epoch == 0:
            self._reset(experiment)
            return

        def answer(yes: bool | None) -> None:
            if yes:
                self._reset(experiment)
            else:
                self._show_experiment()
                if revert is not None:
                    revert()

        self.push_screen(ConfirmScreen("This change needs a new network: discard the trained weights "
                                       f"({trainer.epoch:,} epochs)?"), answer)

    @on(TruthTableView.Edited)
    def _table_edited(self, event: TruthTableView.Edited) -> None:
        self._apply(replace(self.experiment, table=event.table))

    @on(SettingsList.Changed)
    def _settings_changed(self, event: SettingsList.Changed) -> None:
        try:
            experiment = replace(self.experiment, architecture=event.architecture, training=event.training)
        except LabError as e:
            self.notify(str(e), severity="error")
            return
        self._apply(experiment)

    @on(PredictionPane.Query)
    def _query(self, event: PredictionPane.Query) -> None:
        self._answer_query()

    @on(TablePane.PresetsRequested)
    def _presets(self) -> None:
        def picked(choice: tuple[str, str] | None) -> None:
            if choice is None:
                return
            kind, name = choice
            if kind == "recipe":
                self._open_recipe(name)
            else:
                table = preset(name)
                self._apply(replace(self.experiment, table=table, name=name))

        self.push_screen(PresetScreen(), picked)

    def _open_recipe(self, name: str) -> None:
        r = RECIPES[name]
        self._reset(r.experiment())
        self.notify(f"{r.description}. Watch: {r.watch}.", title=f"Recipe {name}", timeout=8)

