"""What the network picture asks of the run: a weight or bias set by hand, and one step of backpropagation shown
part by part and applied or not. The app routes the picture's messages here in one line each
(``InspectView.Edited`` -> ``edited``, ``InspectView.StepAsked`` -> ``step_asked``); everything goes through the
``Run``, and what it answers is shown by the panes' own ``show_snapshot`` and ``tell``.

Weights are set by hand only while the run is paused (a weight that moves under training would be a surprise and a
race with the next epoch). An applied whole-batch step of a run that trains full batch is the run's next epoch
(``Run.step``: the same weights, to 1e-12, with the optimizer's state and the history); a row's step, a step of a
mini-batch run, or any step once the run's budget is spent sets the step's new weights by hand
(``Run.set_parameter``), the optimizer's state as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.screen import Screen

from lab.core.inspect.step import BackpropStep, changed_parameters
from lab.ui.messages import Snapshot
from lab.ui.run import Run
from lab.ui.run_rules import Note
from lab.ui.screens.step_through import StepThroughScreen
from lab.ui.widgets.inspect_view import InspectView

Answer = Snapshot | Note | None
"""What to show afterwards: the run's snapshot, a note saying why not, or nothing."""
PAUSE_FIRST = Note("pause the run (space) to set a weight by hand", "warning")


class PictureActions:
    """The picture's hand edits and step-through, done through the run.

    Args:
        run: the run.
        ask: shows a dialog and hands its answer to a callback.
        tell: shows a note (nothing for None).
        show_snapshot: shows a snapshot of the run in every pane.
        show_status: redraws the status line.
        lesson_tick: hands an open lesson the lab's state (a step-through opened can pass a step).
    """

    def __init__(self, run: Run, ask: Callable[[Screen[Any], Callable[[Any], None]], None],
                 tell: Callable[[Note | None], None], show_snapshot: Callable[[Snapshot], None],
                 show_status: Callable[[], None], lesson_tick: Callable[[], None]) -> None:
        self.run = run
        self._ask, self._tell, self._show_snapshot, self._show_status = ask, tell, show_snapshot, show_status
        self._lesson_tick = lesson_tick

    def show(self, answer: Answer) -> None:
        """Show what a command of the run answered."""
        if isinstance(answer, Note):
            self._tell(answer)
        elif answer is not None:
            self._show_snapshot(answer)

    def edited(self, message: InspectView.Edited) -> None:
        """Set the weight or bias the picture's edit names, while the run is paused."""
        edit = message.edit
        self.show(PAUSE_FIRST if self.run.running else self.run.set_parameter(edit.layer, edit.i, edit.j, edit.value))

    def step_asked(self, message: InspectView.StepAsked) -> None:
        """Show one step on the message's row of the weights as they stand (training pauses first)."""
        if self.run.running:
            self.run.stop()
            self._show_status()
        frozen = self.run.frozen()
        self.run.steps_shown += 1
        self._lesson_tick()  # a step-through opened can be what a lesson's step asks
        self._ask(StepThroughScreen(frozen.experiment, frozen.state, message.row),
                  lambda step: self.show(self.apply_step(step)))

    def apply_step(self, step: BackpropStep | None) -> Answer:
        """Apply ``step`` (None: leave the weights alone); what to show."""
        if step is None:
            return None
        batch = self.run.frozen().experiment.training.batch_size
        if step.whole_batch and (batch == 0 or batch >= len(step.rows)):
            epoch = self.run.step()
            if epoch.snapshot is not None:  # else the run is over (its budget spent): the weights by hand instead
                self._tell(epoch.note)
                return epoch.snapshot
        answer: Answer = None
        for layer, i, j, value in changed_parameters(step):
            answer = self.run.set_parameter(layer, i, j, value)
            if isinstance(answer, Note):
                break
        return answer
