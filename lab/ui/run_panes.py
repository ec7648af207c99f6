"""The run as the panes show it, and the person's commands to it: the run keys (train, step, reset, a new seed, the
learning rate, the speed), the table, settings and prediction edits, the presets and recipes.

``RunPanes`` turns each into a command of the ``Run`` (live when the network can continue, after the one discard
question when it must be rebuilt) and shows the answer on every pane: the table's outputs, the prediction, the chart,
the status line, the views and the lesson. It is given the run and the few things of the interface it uses (how to
find a pane, tell the person, ask a question, redraw the views, let a lesson look), never the app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, Protocol, TypeVar

from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget

from lab.core.advice import Advice, settings_advice
from lab.core.errors import LabError, one_line
from lab.core.experiment import Experiment
from lab.core.gates import TruthTable, preset
from lab.core.recipes import RECIPES
from lab.ui.lesson_state import Shown
from lab.ui.messages import Snapshot, TrainingFailed, TrainingProgress
from lab.ui.run import Run, Trained
from lab.ui.run_rules import Note, speed_label, training_rows_note
from lab.ui.screens.confirm import ConfirmScreen
from lab.ui.screens.go_on import GoOnScreen
from lab.ui.screens.presets import PresetScreen
from lab.ui.view_routing import ViewRouting
from lab.ui.widgets.architecture import ArchitecturePane, SettingsList
from lab.ui.widgets.chart import LossChart
from lab.ui.widgets.inspect_view import InspectView
from lab.ui.widgets.prediction import PredictionPane
from lab.ui.widgets.seeds_view import SeedsView
from lab.ui.widgets.status import StatusLine
from lab.ui.widgets.table_pane import TablePane
from lab.ui.widgets.truth_table import TruthTableView

W = TypeVar("W", bound=Widget)
Outputs = tuple[tuple[float, ...], ...]


RUN_KEYS = [
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
]
"""The run keys (the app's bindings; each action is ``RunPanes``'s, forwarded by the app)."""


class Find(Protocol):
    """Finds the one pane of a type on the lab's screen (``query_one``)."""

    def __call__(self, selector: type[W]) -> W:
        ...


class RunPanes:
    """The run's commands from keys and panes, and what the panes show of the run.

    Attributes:
        run: the training run.
        epochs_per_second: the speed last measured (the status line shows it).
    """

    def __init__(self, run: Run, find: Find, notify: Callable[..., None],
                 ask: Callable[[Screen[Any], Callable[[Any], None]], None], views: ViewRouting,
                 lesson_tick: Callable[[Outputs | None], None], set_title: Callable[[str], None],
                 panes_gone: Callable[[], bool]) -> None:
        """``find`` finds a pane; ``notify`` is Textual's (plain text); ``ask(screen, then)`` shows a dialog;
        ``lesson_tick(outputs)`` lets an open lesson look at the panes; ``set_title`` names the experiment;
        ``panes_gone()``: the app is ending and its panes are taken down."""
        self.run = run
        self._find = find
        self._notify = notify
        self._ask = ask
        self._views = views
        self._lesson_tick = lesson_tick
        self._set_title = set_title
        self._panes_gone = panes_gone
        self.epochs_per_second = 0.0
        self._advice: Advice | None = None  # the warning about the current settings, told once

    @property
    def experiment(self) -> Experiment:
        return self.run.experiment

    def tell(self, note: Note | None) -> None:
        """Show ``note`` (a ``RunControl`` result) as a notification; nothing for None."""
        if note is not None:
            self._notify(note.text, title=note.title, severity=note.severity, timeout=note.timeout)

    # --- what the panes show ---------------------------------------------------------------------------------------
    def show_experiment(self) -> None:
        """Make every pane show the experiment (its table, settings and sizes)."""
        e = self.experiment
        table = self._find(TruthTableView)
        if table.table != e.table:
            table.table = e.table
        settings = self._find(SettingsList)
        settings.set_values(e.architecture, e.training)
        settings.set_io(e.table.n_inputs, e.table.n_outputs)
        self._find(ArchitecturePane).show_hint()
        self._find(PredictionPane).set_table_shape(e.table.n_inputs, e.table.output_names)
        self._find(TablePane).border_title = Content(f"Truth table · {one_line(e.table.name)}")
        self._set_title(one_line(e.name))  # the terminal's title: never a name's escapes
        self._advise()

    def _advise(self) -> None:
        """Say once, when the settings come to it, that they may train nothing (the status line keeps a hint)."""
        advice = settings_advice(self.experiment.architecture, self.experiment.training)
        if advice is not None and advice != self._advice:
            self._notify(advice.message, title="This may not learn", severity="warning", timeout=10)
        self._advice = advice

    def show_first(self) -> None:
        """Show the run as the lab opens (and the pace it set, when it changed the speed to train its budget)."""
        self.show_experiment()
        self._views.place()
        self.show_snapshot(self.run.snapshot(), replace_history=True)
        speed = self.run.epochs_per_tick
        pace = self.run.pace_budget()
        self.show_status()
        if self.run.epochs_per_tick != speed:
            self._notify(f"{pace}.", timeout=5)

    def show_status(self) -> None:
        """Redraw the status line from the run's status."""
        s = self.run.status()
        self._find(StatusLine).show(
            state=s.state, epoch=s.epoch, budget=s.budget, loss=s.loss, accuracy=s.accuracy,
            heldout_accuracy=s.heldout_accuracy, solved_epoch=s.solved_epoch, diverged_epoch=s.diverged_epoch,
            epochs_per_second=self.epochs_per_second, lr=s.lr, speed=speed_label(s.epochs_per_tick),
            hint=self._advice.hint if self._advice is not None else None)
        self._find(LossChart).show_loss(s.loss, s.epoch)  # its title's loss is the status line's

    def show_snapshot(self, snapshot: Snapshot, replace_history: bool = False) -> None:
        """Show ``snapshot`` on every pane (``replace_history``: the chart starts again from its history)."""
        chart = self._find(LossChart)
        if replace_history:
            chart.clear_history()
        chart.budget = self.experiment.training.epochs  # the epoch axis never ends past the budget
        chart.extend(snapshot.history, snapshot.solved_epoch)
        self._find(TruthTableView).show_outputs(snapshot.outputs)
        self.answer_query()
        self.show_status()
        if not (snapshot.running and chart.display):
            self._views.refresh(throttled=snapshot.running)  # beside a live chart it follows the chart instead
        self._lesson_tick(snapshot.outputs)

    def answer_query(self, _: PredictionPane.Query | None = None) -> None:
        """Show the network's answer to the prediction pane's input."""
        pane = self._find(PredictionPane)
        if pane.x is not None and pane.x.shape[1] == self.run.n_inputs():
            pane.show_outputs(self.run.predict(pane.x)[0])
        if _ is not None:
            self._lesson_tick(None)  # a row typed can be what a lesson's step asks

    def shown(self) -> Shown:
        """What the panes show, as a lesson's checks see it (the ``LessonHost``'s)."""
        seeds = self._find(SeedsView)
        return Shown(running=self.run.running, cursor=self._find(TruthTableView).cursor_row,
                     view=self._views.views.last, log_scale=self._find(LossChart).log_scale, latest=seeds.latest,
                     pinned=seeds.pinned)

    def focus_table(self, _: object = None) -> None:
        """Give the truth table the keys (a lesson picked from the menu: its arrows and f, h are the usual tasks)."""
        self._find(TruthTableView).focus()

    # --- the run's messages ----------------------------------------------------------------------------------------
    def show_progress(self, message: TrainingProgress) -> None:
        """The worker's progress: show it (not a replaced trainer's, nor once the panes are gone)."""
        snapshot = message.snapshot
        if not self.run.heard(snapshot) or self._panes_gone():
            return  # from a trainer that has since been replaced, or after the panes were taken down
        self.epochs_per_second = snapshot.epochs_per_second or self.epochs_per_second
        self.show_snapshot(snapshot)
        self.tell(self.run.finished_note(snapshot))

    def show_failure(self, message: TrainingFailed) -> None:
        """The worker failed: say why."""
        self.run.failed()
        if self._panes_gone():
            return
        self._notify(message.error, title=message.title, severity="error")
        self.show_status()

    # --- the run keys ----------------------------------------------------------------------------------------------
    def toggle_training(self) -> None:
        """Start training, or pause it (a seeds sweep stops: one worker at a time)."""
        if self.run.running:
            self.run.stop()
        else:
            spent = self.run.spent_budget()
            if spent is not None:  # offer to go on: another budget's worth, or until stopped
                self._ask(GoOnScreen(spent.budget, spent.epochs_run, spent.solved_epoch), self._go_on)
                return
            refusal = self.run.start()
            if refusal is not None:
                self.tell(refusal)
                return
        self.show_status()

    def _go_on(self, epochs: int | None) -> None:
        """Train on with the Epochs the offer chose (``GoOnScreen``), or stay."""
        if epochs is not None:
            self.change_experiment(self.experiment.with_training(epochs=epochs))
            self.toggle_training()

    def has_training_rows(self, table: TruthTable) -> bool:
        """Whether ``table`` leaves a row to train on; when it does not, the person is told why and how to fix it."""
        note = training_rows_note(table)
        self.tell(note)
        return note is None

    def step(self) -> None:
        """Train exactly one epoch (pauses a running worker first)."""
        step = self.run.step()
        if step.snapshot is not None:
            self.show_snapshot(step.snapshot)
        self.tell(step.note)

    def load_experiment(self, experiment: Experiment, trainer: Trained | None) -> None:
        """Replace the experiment (and, when given, the trained network) with a loaded one."""
        if trainer is None:
            self.start_afresh(experiment)
            return
        self._renewed(self.run.load(trainer))

    def start_afresh(self, experiment: Experiment) -> None:
        """Adopt ``experiment`` with new weights from its seed (asks nothing: see ``discard_then``)."""
        self._renewed(self.run.start_afresh(experiment))

    def _renewed(self, snapshot: Snapshot) -> None:
        """A new network: every pane starts again from ``snapshot``."""
        self._find(InspectView).clear_history()
        self.show_experiment()
        self.show_snapshot(snapshot, replace_history=True)

    def discard_then(self, reason: str, then: Callable[[], None], on_no: Callable[[], None] | None = None) -> None:
        """Run ``then``, which replaces the trained network, at once when no trained work would be lost; else ask
        first (``RunControl.discard_question``), the same question for every such action, and run ``on_no`` on a
        no."""
        question = self.run.discard_question(reason)
        if question is None:
            then()
            return
        resume = self.run.running
        if resume:  # paused while it asks, so the epochs it names are the last; a no goes on training
            self.run.stop()
            self.show_status()
            question = self.run.discard_question(reason) or question

        def answer(yes: bool | None) -> None:
            if yes:
                then()
                return
            if on_no is not None:
                on_no()
            if resume:
                self.toggle_training()

        self._ask(ConfirmScreen(question), answer)

    def reset_weights(self) -> None:
        """New weights from the same seed; the history starts again (asking first when that discards a run)."""
        def reset() -> None:
            self.start_afresh(self.experiment)
            self._notify(f"Reset: new weights from seed {self.experiment.training.seed}.", timeout=2)

        self.discard_then("Reset", reset)

    def new_seed(self) -> None:
        """Reset with the next seed (asking first when that discards a run)."""
        seed = self.experiment.training.next_seed

        def reseed() -> None:
            self.start_afresh(self.experiment.with_training(seed=seed))
            self._notify(f"Reset with seed {seed}.", timeout=2)

        self.discard_then(f"New seed {seed}", reseed)

    def n_is_no(self) -> None:
        """``n`` outside a dialog: nothing changes; say so, and where the new seed is."""
        self._notify("n answers no in a dialog and does nothing here; the next seed is N (shift+n).", timeout=3)

    def lr(self, direction: int) -> None:
        """Halve (-1) or double (+1) the learning rate, live."""
        changed = self.run.lr_changed(direction)
        if isinstance(changed, Note):
            self.tell(changed)
        else:
            self.change_experiment(changed)

    def speed(self, direction: int) -> None:
        """Train fewer or more epochs per tick (the last step is unthrottled)."""
        self.run.change_speed(direction)
        self.show_status()

    def change_experiment(self, experiment: Experiment) -> None:
        """Adopt ``experiment``: live when the network can continue, else start afresh (asking first if it has
        trained)."""
        snapshot = self.run.continue_with(experiment)
        if snapshot is not None:
            self.show_experiment()
            self.show_snapshot(snapshot)
            return
        self.discard_then("This change needs a new network", lambda: self.start_afresh(experiment), self._kept)

    def _kept(self) -> None:
        """The change was declined: every pane shows the experiment and the network as they are again (the edited
        pane had shown the change, and the table had dropped the outputs of a network of another shape)."""
        self.show_experiment()
        self.show_snapshot(self.run.snapshot())

    # --- the panes' edits ------------------------------------------------------------------------------------------
    def table_edited(self, event: TruthTableView.Edited) -> None:
        if not self._panes_gone():  # else an edit queued behind the key that quit
            self.change_experiment(self.experiment.with_table(event.table))  # a name that only said the gate follows it

    def settings_changed(self, event: SettingsList.Changed) -> None:
        if self._panes_gone():
            return
        try:
            experiment = replace(self.experiment, architecture=event.architecture, training=event.training)
        except LabError as e:
            self._notify(str(e), severity="error")
            return
        self.change_experiment(experiment)

    def presets(self) -> None:
        """Show the presets and recipes (the table pane's ``p``, a priority binding: the list opens before the next
        key is dispatched)."""
        def picked(choice: tuple[str, str] | None) -> None:
            if choice is None:
                return
            kind, name = choice
            if kind == "recipe":
                self.open_recipe(name)
            else:
                self.change_experiment(replace(self.experiment, table=preset(name), name=name))

        self._ask(PresetScreen(), picked)

    def open_recipe(self, name: str) -> None:
        """Open recipe ``name`` at a pace that trains its budget within seconds (asking first when that discards a
        run)."""
        r = RECIPES[name]

        def open_recipe() -> None:
            self.start_afresh(r.experiment())
            pace = self.run.pace_budget()
            self.show_status()
            self._notify(f"{r.description}. Watch: {r.watch}. {pace}.", title=f"Recipe {name}", timeout=8)

        self.discard_then(f"Recipe {name} replaces the experiment", open_recipe)

    def gradient_check(self) -> None:
        """Check backpropagation against centred differences on the current weights."""
        check = self.run.gradient_check()
        if isinstance(check, Note):
            self.tell(check)
            return
        self._find(InspectView).show_gradcheck(check)
        self._views.show("gradcheck")
