"""The truth-table pane: the table, an expression line that fills it, and the key that opens the presets."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static

from lab.core.errors import LabError
from lab.core.gates import TruthTable, table_from_expression
from lab.ui.widgets.truth_table import TruthTableView


class TablePane(Vertical):
    """Composes the ``TruthTableView`` with an expression ``Input`` and its error line."""

    BINDINGS = [
        Binding("e", "expression", "Expr", id="table.expression"),
        Binding("p", "presets", "Presets", id="table.presets"),
    ]

    class PresetsRequested(Message):
        """The user asked for the list of presets and recipes."""

    def __init__(self, table: TruthTable, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._table = table

    def compose(self) -> ComposeResult:
        yield TruthTableView(self._table, id="truth-table")
        yield Input(placeholder="expression, e.g. a ^ b  or  a ^ b ^ c; a&b | c&(a^b)   (esc closes)",
                    id="expression")
        yield Static("", id="expression-error", markup=False)

    @property
    def view(self) -> TruthTableView:
        """The table widget this pane owns."""
        return self.query_one(TruthTableView)

    def action_expression(self) -> None:
        """Open the expression line."""
        line = self.query_one("#expression", Input)
        line.display = True
        line.focus()

    def action_presets(self) -> None:
        """Ask the app for the preset list."""
        self.post_message(self.PresetsRequested())

    def _close_expression(self) -> None:
        self.query_one("#expression", Input).display = False
        self.query_one("#expression-error", Static).update("")
        self.query_one("#expression-error", Static).display = False
        self.view.focus()

    @on(Input.Submitted, "#expression")
    def _fill_from_expression(self, event: Input.Submitted) -> None:
        event.stop()
        error = self.query_one("#expression-error", Static)
        try:
            table = table_from_expression(event.value, name="expr")
        except LabError as e:
            error.update(f"✗ {e}")
            error.display = True
            return
        old = self.view.table
        if table.n_inputs == old.n_inputs:
            table = table.with_heldout(old.heldout)
        self._close_expression()
        self.view.table = table
        # Posted from the pane itself: a message a parent sends its child stops bubbling at that parent.
        self.post_message(TruthTableView.Edited(self.view, table))

    @on(Input.Changed, "#expression")
    def _clear_error(self, event: Input.Changed) -> None:
        event.stop()
        self.query_one("#expression-error", Static).display = False

    def key_escape(self) -> None:
        """Escape closes the expression line, keeping the table as it was."""
        if self.query_one("#expression", Input).display:
            self._close_expression()
