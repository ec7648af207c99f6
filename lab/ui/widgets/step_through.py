"""One step of backpropagation, section by section, with the choice to apply it or not.

Shows a ``lab.core.inspect.step.BackpropStep`` in the order the two-layer tutorial computes it (forward pass,
error, slope, delta, gradient and update), one more section at each → (or space); ← shows one fewer. ``w`` asks
for the other scope (this row or the whole batch: ``StepThrough.ScopeAsked``), ``a`` applies the step
(``StepThrough.Applied``), ``d`` or escape leaves the weights as they are (``StepThrough.Dismissed``). The widget
never writes a network: the run's owner applies the step it carries.
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from lab.core.inspect.step import SECTIONS, BackpropStep
from lab.drawings.views import draw_step


class StepThrough(VerticalScroll, can_focus=True):
    """A step-through of one update."""

    DEFAULT_CSS = """
    StepThrough { height: 1fr; }
    StepThrough #step-text { width: 1fr; }
    StepThrough #step-keys { color: $text-muted; }
    """

    BINDINGS = [
        Binding("right,space", "more", "Next part", id="step.more"),
        Binding("left", "fewer", "Previous part", id="step.fewer"),
        Binding("w", "scope", "This row / whole batch", id="step.scope"),
        Binding("a", "apply", "Apply the step", id="step.apply"),
        Binding("d,escape", "dismiss", "Don't apply", id="step.dismiss"),
    ]

    class Applied(Message):
        """Apply ``step`` (its ``theta_after``) to the run."""

        def __init__(self, view: StepThrough, step: BackpropStep) -> None:
            super().__init__()
            self.view = view
            self.step = step

        @property
        def control(self) -> StepThrough:
            """The step-through."""
            return self.view

    class Dismissed(Message):
        """Leave the weights as they are."""

        def __init__(self, view: StepThrough) -> None:
            super().__init__()
            self.view = view

        @property
        def control(self) -> StepThrough:
            """The step-through."""
            return self.view

    class ScopeAsked(Message):
        """Show the step for the whole batch (``whole_batch``) or for the row ``row``."""

        def __init__(self, view: StepThrough, whole_batch: bool, row: int) -> None:
            super().__init__()
            self.view = view
            self.whole_batch = whole_batch
            self.row = row

        @property
        def control(self) -> StepThrough:
            """The step-through."""
            return self.view

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.step: BackpropStep | None = None
        self.row_labels: tuple[str, ...] = ()
        self.row = 0
        self.shown = 1

    def compose(self):
        yield Static(id="step-text")
        yield Static(Text("→ next part · ← back · w this row / whole batch · a apply · d don't"), id="step-keys")

    def show_step(self, step: BackpropStep, row_labels: tuple[str, ...], row: int) -> None:
        """Show ``step`` (of the rows labelled ``row_labels``) from its first section; ``row``: the table row the
        other scope would use."""
        self.step, self.row_labels, self.row = step, row_labels, row
        self.shown = 1
        self._paint()

    @property
    def text(self) -> str:
        """What is shown, as plain text, each of the step's lines whole (as ``nnlab show --view step`` prints it)."""
        if self.step is None:
            return ""
        return draw_step(self.step, self.row_labels, self.shown).plain

    def _paint(self) -> None:
        if self.step is not None:
            line = self.query_one("#step-text", Static)
            width = line.content_size.width or None  # laid out: break long lines before an operator to fit
            line.update(draw_step(self.step, self.row_labels, self.shown, width))
            self.scroll_end(animate=False)

    def on_resize(self) -> None:
        """Break the lines again for the new width."""
        self._paint()

    def action_more(self) -> None:
        self.shown = min(self.shown + 1, len(SECTIONS))
        self._paint()

    def action_fewer(self) -> None:
        self.shown = max(self.shown - 1, 1)
        self._paint()

    def action_scope(self) -> None:
        if self.step is not None:
            self.post_message(self.ScopeAsked(self, not self.step.whole_batch, self.row))

    def action_apply(self) -> None:
        if self.step is not None:
            self.post_message(self.Applied(self, self.step))

    def action_dismiss(self) -> None:
        self.post_message(self.Dismissed(self))
