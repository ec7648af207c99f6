"""The prediction pane: type a value per input, see the network's answer, live while it learns."""

from __future__ import annotations

import numpy as np
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static

from lab.core.errors import LabError
from lab.core.expr import VARIABLES
from lab.core.gates import parse_inputs
from lab.core.numbers import four
from lab.core.train import THRESHOLD
from lab.drawings.fit_text import fitting
from lab.ui.widgets.table_lines import side


class PredictionPane(Vertical):
    """An input line (``1 0 1``, ``101`` or reals in [0, 1]) and the outputs for it.

    Posts ``Query`` with the parsed inputs (None for none) on every change; the app answers with ``show_outputs``.
    The line takes every printable key (space, ``?`` and ``q`` are text here); ``esc``, shown in the footer while the
    line has the focus, leaves it.
    """

    BINDINGS = [Binding("escape", "leave", "Leave the line", id="prediction.leave")]

    class Query(Message):
        """The typed input changed: ``x`` has shape (1, n_inputs), or is None when the line is empty or not an
        input (an open lesson asks which row is typed)."""

        def __init__(self, x: np.ndarray | None) -> None:
            super().__init__()
            self.x = x

    def __init__(self, n_inputs: int, output_names: tuple[str, ...], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.n_inputs = n_inputs
        self.output_names = output_names
        self.x: np.ndarray | None = None

    def compose(self) -> ComposeResult:
        yield Input(placeholder=self._placeholder(), id="prediction-input")
        yield Static("type one value per input", id="prediction-result", markup=False)

    def action_leave(self) -> None:
        """Give the focus back to the pane before this one (the truth table), where the keys are commands again."""
        self.screen.focus_previous()

    def _placeholder(self) -> str:
        """``a b c: e.g. 1 0 1``, or shorter forms (``abc: e.g. 101``, ``e.g. 101``) where the line is narrow."""
        names = VARIABLES[: self.n_inputs]
        bits = ["1" if i % 2 == 0 else "0" for i in range(self.n_inputs)]
        return fitting([f"{' '.join(names)}: e.g. {' '.join(bits)}", f"{''.join(names)}: e.g. {''.join(bits)}",
                        f"e.g. {''.join(bits)}"], self.content_size.width or 80)

    def on_resize(self) -> None:
        self.query_one("#prediction-input", Input).placeholder = self._placeholder()

    def set_table_shape(self, n_inputs: int, output_names: tuple[str, ...]) -> None:
        """Follow a table with a new number of inputs or outputs (re-reads the typed text)."""
        if (n_inputs, output_names) == (self.n_inputs, self.output_names):
            return
        self.n_inputs, self.output_names = n_inputs, output_names
        line = self.query_one("#prediction-input", Input)
        line.placeholder = self._placeholder()
        self._parse(line.value)

    @on(Input.Changed, "#prediction-input")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self._parse(event.value)

    @on(Input.Submitted, "#prediction-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()

    def _parse(self, text: str) -> None:
        result = self.query_one("#prediction-result", Static)
        if not text.strip():
            self.x = None
            result.update("type one value per input")
        else:
            try:
                self.x = parse_inputs(text.replace(",", " ").split(), self.n_inputs)
            except LabError as e:
                self.x = None
                result.update(f"✗ {e}")
        self.post_message(self.Query(self.x))

    def show_outputs(self, outputs: np.ndarray | None) -> None:
        """Show the network's outputs (n_outputs,) for the typed input; None when there is no network answer."""
        if self.x is None:
            return
        result = self.query_one("#prediction-result", Static)
        if outputs is None:
            result.update("no network yet")
            return
        parts = []
        for name, v in zip(self.output_names, outputs, strict=False):  # a network of another shape: a reset is coming
            bit = "?" if v != v else str(int(v > THRESHOLD))
            shown = four(v)
            if shown == four(THRESHOLD):  # the digits say 0.5: say which side, as the table does (.50+, .50-)
                shown += side(v)
            parts.append(f"{name} = {shown} → {bit}")
        result.update("   ".join(parts))
