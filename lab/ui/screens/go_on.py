"""After a run has spent its budget: go on? Space again (or enter, y) trains another budget's worth, ``u`` trains
until stopped, ``n`` or escape leaves the run as it is."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label

from lab.core.experiment import MAX_EPOCHS, UNTIL_STOPPED
from lab.ui.screens.dialog import Dialog


def another_budget(budget: int, epochs_run: int) -> int:
    """The budget that gives a run of ``epochs_run`` epochs another ``budget``'s worth: 1,000 spent makes 2,000
    (at most ``MAX_EPOCHS``)."""
    return min(epochs_run + budget, MAX_EPOCHS)


class GoOnScreen(Dialog[int]):
    """Offers to go on after ``epochs_run`` epochs spent a budget of ``budget``; answers the new budget (the
    Epochs setting: ``another_budget`` or ``UNTIL_STOPPED``), or None to stay."""

    BINDINGS = [
        Binding("space,enter,y", "more", "Another budget", id="go_on.more"),
        Binding("u", "until_stopped", "Until stopped", id="go_on.until_stopped"),
        Binding("n,escape", "dismiss(None)", "No", id="go_on.no"),
    ]

    def __init__(self, budget: int, epochs_run: int, solved_epoch: int | None = None) -> None:
        super().__init__()
        self.budget = budget
        self.epochs_run = epochs_run
        self.solved_epoch = solved_epoch

    @property
    def question(self) -> str:
        """``The budget of 1,000 epochs is spent (not solved). Train on?``"""
        solved = "not solved" if self.solved_epoch is None else f"solved at epoch {self.solved_epoch:,}"
        return f"The budget of {self.budget:,} epochs is spent ({solved}). Train on?"

    def compose(self) -> ComposeResult:
        more = another_budget(self.budget, self.epochs_run) - self.epochs_run
        with Vertical(id="confirm-box"):
            yield Label(self.question, id="confirm-question", markup=False)
            # one answer a line: whole in an 80-column terminal whatever the budget
            yield Label(f"space / enter: {more:,} more\nu: until stopped\nn / esc: no", id="confirm-keys")

    def action_more(self) -> None:
        """Another budget's worth of epochs."""
        self.close(another_budget(self.budget, self.epochs_run))

    def action_until_stopped(self) -> None:
        """Train on until stopped (the Epochs setting's ``until stopped``)."""
        self.close(UNTIL_STOPPED)
