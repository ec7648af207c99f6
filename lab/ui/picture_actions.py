"""What the network picture asks of the run: a weight or bias set by hand, and one step of backpropagation shown
part by part and applied or not. The app hands the picture's messages over (``InspectView.Edited``,
``InspectView.StepAsked``) and shows what comes back; everything here goes through the ``Run``.

An applied whole-batch step of a run that trains full batch is the run's next epoch (``Run.step``: the same weights,
to 1e-12, with the optimizer's state and the history); a row's step, a step of a mini-batch run, or any step once
the run's budget is spent sets the step's new weights by hand (``Run.set_parameter``), the optimizer's state as it
was.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from textual.screen import Screen

from lab.core.inspect.step import BackpropStep, changed_parameters
from lab.ui.messages import Snapshot
from lab.ui.run import Run
from lab.ui.run_control import Note
from lab.ui.screens.step_through import StepThroughScreen
from lab.ui.widgets.network_picture import Edit

T = TypeVar("T")
Answer = Snapshot | Note | None
"""What to show afterwards: the run's snapshot, a note saying why not, or nothing."""


class PictureHost(Protocol):
    """What the picture's actions need of the interface (the app provides it)."""

    def ask(self, screen: Screen[Any], then: Callable[[Any], None]) -> None:
        """Show the dialog ``screen``; ``then`` gets its answer."""
        ...

    def tell(self, note: Note | None) -> None:
        """Show ``note`` (nothing for None)."""
        ...

    def show_status(self) -> None:
        """Redraw the status line."""
        ...


class PictureActions:
    """The picture's hand edits and step-through, done through the run."""

    def __init__(self, host: PictureHost, run: Run) -> None:
        self.host = host
        self.run = run

    def set_weight(self, edit: Edit) -> Answer:
        """Set the weight or bias ``edit`` names; the snapshot with the new outputs, or why not."""
        return self.run.set_parameter(edit.layer, edit.i, edit.j, edit.value)

    def step_asked(self, row: int, show: Callable[[Answer], None]) -> None:
        """Show one step on ``row`` of the weights as they stand (training pauses first); ``show`` gets what the
        answer did."""
        if self.run.running:
            self.run.stop()
            self.host.show_status()
        frozen = self.run.frozen()
        self.host.ask(StepThroughScreen(frozen.experiment, frozen.state, row),
                      lambda step: show(self.apply(step)))

    def apply(self, step: BackpropStep | None) -> Answer:
        """Apply ``step`` (None: leave the weights alone)."""
        if step is None:
            return None
        batch = self.run.frozen().experiment.training.batch_size
        if step.whole_batch and (batch == 0 or batch >= len(step.rows)):
            epoch = self.run.step()
            if epoch.snapshot is not None:  # else the run is over (its budget spent): the weights by hand instead
                self.host.tell(epoch.note)
                return epoch.snapshot
        answer: Answer = None
        for layer, i, j, value in changed_parameters(step):
            answer = self.run.set_parameter(layer, i, j, value)
            if isinstance(answer, Note):
                break
        return answer
