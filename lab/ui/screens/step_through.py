"""The step-through of one backpropagation update as a modal screen: it shows ``StepThrough`` and answers with the
step to apply, or None to leave the weights as they are.

It computes steps itself from a frozen state (``lab.core.inspect.step.step_from_state``), so ``w`` (this row / the
whole batch) needs nothing from the app; it never writes a network.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult

from lab.core.errors import LabError
from lab.core.experiment import Experiment
from lab.core.inspect.step import BackpropStep, step_from_state
from lab.core.state import TrainingState
from lab.ui.screens.dialog import Dialog
from lab.ui.widgets.step_through import StepThrough


class StepThroughScreen(Dialog[BackpropStep]):
    """One update of ``state``'s network on ``row`` of ``experiment``'s table (or on the whole batch)."""

    DEFAULT_CSS = """
    StepThroughScreen { align: center middle; }
    StepThroughScreen StepThrough { width: 100%; height: 100%; border: round $accent; padding: 0 1; }
    """

    def __init__(self, experiment: Experiment, state: TrainingState, row: int, whole_batch: bool = False) -> None:
        super().__init__()
        self.experiment = experiment
        self.state = state
        self.row = row
        self.whole_batch = whole_batch

    def compose(self) -> ComposeResult:
        yield StepThrough()

    def on_mount(self) -> None:
        self._show(self.whole_batch)
        self.query_one(StepThrough).focus()

    def _show(self, whole_batch: bool) -> None:
        view = self.query_one(StepThrough)
        try:
            step = step_from_state(self.experiment, self.state, None if whole_batch else self.row)
        except LabError as e:  # a held-out row: the whole batch instead, and say why
            if whole_batch:
                raise
            self.notify(str(e), severity="warning")
            step = step_from_state(self.experiment, self.state, None)
        table = self.experiment.table
        view.show_step(step, tuple(table.row_label(r) for r in step.rows), self.row)
        view.border_title = "one step of backpropagation · a apply · d don't"

    @on(StepThrough.ScopeAsked)
    def _scope(self, event: StepThrough.ScopeAsked) -> None:
        event.stop()
        self._show(event.whole_batch)

    @on(StepThrough.Applied)
    def _applied(self, event: StepThrough.Applied) -> None:
        event.stop()
        self.close(event.step)

    @on(StepThrough.Dismissed)
    def _not_applied(self, event: StepThrough.Dismissed) -> None:
        event.stop()
        self.close(None)
