"""The truth-table pane: the table, an expression line that fills it, and the key that opens the presets.

The keys that open something to type in (``e`` here, ``p`` for the presets) are priority bindings: Textual runs
those as a key arrives, before it forwards the next key to the focused widget, and the expression line takes the
focus in that same handler. So keys that arrive in one burst (a paste, a laggy SSH link: ``e x o r``) land in the
line instead of running as table commands (``o`` add an output, ``r`` reset). An input that has the focus takes
printable keys before any priority binding of its ancestors, so typing ``e`` or ``p`` in the line is text.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Static

from lab.core.errors import LabError
from lab.core.gates import TruthTable, table_from_expression
from lab.drawings.fit_text import fitting
from lab.ui.widgets.truth_table import TruthTableView

PLACEHOLDERS = ("expression, e.g. a ^ b  or  a ^ b ^ c; a&b | c&(a^b)   (esc closes)",
                "expression, e.g. a ^ b ^ c; a & b  (esc closes)", "e.g. a ^ b; a & b · esc closes",
                "e.g. a ^ b · esc closes")
"""The expression line's placeholder, fullest first: the line shows the first that fits it whole."""


class TablePane(Vertical):
    """Composes the ``TruthTableView`` with an expression ``Input`` and its error line."""

    BINDINGS = [
        Binding("e", "expression", "Expr", id="table.expression", priority=True),
        Binding("p", "app.presets", "Presets", id="table.presets", priority=True),
        Binding("escape", "close_expression", "Close the line", id="table.close_expression"),
    ]

    def __init__(self, table: TruthTable, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._table = table

    def compose(self) -> ComposeResult:
        yield TruthTableView(self._table, id="truth-table")
        yield Input(placeholder=PLACEHOLDERS[0], id="expression")
        yield Static("", id="expression-error", markup=False)

    def on_resize(self) -> None:
        line = self.query_one("#expression", Input)
        line.placeholder = fitting(PLACEHOLDERS, self.content_size.width)

    @property
    def view(self) -> TruthTableView:
        """The table widget this pane owns."""
        return self.query_one(TruthTableView)

    def action_expression(self) -> None:
        """Open the expression line and give it the focus now (not after the keys already queued: see above)."""
        line = self.query_one("#expression", Input)
        line.display = True
        self.screen.set_focus(line)

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
            table = table_from_expression(event.value)
        except LabError as e:
            error.update(f"✗ {e}")
            error.display = True
            return
        old = self.view.table
        if table.n_inputs == old.n_inputs:
            table = table.with_heldout(old.heldout)
        self._close_expression()
        self.view.fill(table)
        # Posted from the pane itself: a message a parent sends its child stops bubbling at that parent.
        self.post_message(TruthTableView.Edited(self.view, table))

    @on(Input.Changed, "#expression")
    def _clear_error(self, event: Input.Changed) -> None:
        event.stop()
        self.query_one("#expression-error", Static).display = False

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Escape is this pane's (and in the footer) only while the expression line is open."""
        if action == "close_expression":
            return bool(self.query_one("#expression", Input).display)
        return True

    def action_close_expression(self) -> None:
        """Close the expression line, keeping the table as it was."""
        self._close_expression()
