"""The truth table: one line per row with its inputs, targets and the network's live answer.

A Line-API widget (it draws only the visible lines), so a 256-row table redraws as cheaply as a 4-row one. The header
stays on the first line while the rows scroll under it. What each line says and where its cells fall is
``lab.ui.widgets.table_lines``; this widget holds the cursor, styles and draws those lines, repaints what changed,
maps a click to a cell and edits the table.

Held-out rows are dimmed, flagged ``h`` before the index and end in ``held`` where the pane has room. A value that two
decimals would show as ``.50`` carries its side of the threshold (``.50+`` counts as a 1, ``.50-`` and exactly ``.50``
as a 0), so a shown value always agrees with its mark.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from lab.core.gates import TruthTable
from lab.core.table_size import INPUTS_RULE, MAX_INPUTS, MAX_OUTPUTS, MIN_INPUTS, MIN_OUTPUTS, OUTPUTS_RULE
from lab.core.train import THRESHOLD
from lab.ui.widgets.table_lines import PRED_WIDTH, Outputs, Spans, TableLayout, value_text

UNDO_DEPTH = 50  # the edits u can go back through


class TruthTableView(ScrollView, can_focus=True):
    """Shows a ``TruthTable`` and the network's outputs; edits post ``Edited`` with the new table."""

    BINDINGS = [
        Binding("up", "move(-1, 0)", "Up", show=False),
        Binding("down", "move(1, 0)", "Down", show=False),
        Binding("left", "move(0, -1)", "Left", show=False),
        Binding("right", "move(0, 1)", "Right", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "move(-1000, 0)", "First row", show=False),
        Binding("end", "move(1000, 0)", "Last row", show=False),
        Binding("enter,f", "flip", "Flip", id="table.flip"),
        Binding("h", "hold_out", "Hold out", id="table.holdout"),
        Binding("plus,i", "inputs(1)", "Add an input", id="table.add_input", show=False),
        Binding("minus,I", "inputs(-1)", "Remove an input", id="table.remove_input", show=False),
        Binding("o", "outputs(1)", "Add an output", id="table.add_output", show=False),
        Binding("O", "outputs(-1)", "Remove an output", id="table.remove_output", show=False),
        Binding("u", "undo", "Undo an edit", id="table.undo", show=False),
    ]

    COMPONENT_CLASSES = {
        "truth-table--header", "truth-table--cursor", "truth-table--cursor-row", "truth-table--heldout",
        "truth-table--right", "truth-table--wrong",
    }

    DEFAULT_CSS = """
    TruthTableView { height: 1fr; }
    """

    table: reactive[TruthTable] = reactive(TruthTable(2, ("0110",)), always_update=True)
    """The gate shown (replace it to show another; edits by the user post ``Edited``)."""
    cursor_row: reactive[int] = reactive(0, repaint=False)
    """The row under the cursor (a move repaints just the two lines it touches)."""
    cursor_output: reactive[int] = reactive(0, repaint=False)
    """The output column under the cursor (a move repaints just the cursor's line)."""

    class Edited(Message):
        """The user changed the table (a bit, a held-out row, the number of inputs or outputs)."""

        def __init__(self, view: TruthTableView, table: TruthTable) -> None:
            super().__init__()
            self.view = view
            self.table = table

        @property
        def control(self) -> TruthTableView:
            return self.view

    class CursorMoved(Message):
        """The cursor moved to another row."""

        def __init__(self, view: TruthTableView, row: int) -> None:
            super().__init__()
            self.view = view
            self.row = row

        @property
        def control(self) -> TruthTableView:
            return self.view

    def __init__(self, table: TruthTable, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._outputs: Outputs = ()
        self._style_cache: dict[str, Style] | None = None
        self._fit_cache: tuple[tuple[TruthTable, int], TableLayout] | None = None
        self._clicked: tuple[int, int] | None = None  # the target cell (row, output) the last click landed on
        self._undo: list[TruthTable] = []  # the tables edits replaced, the latest last (``action_undo``)
        self._own = False  # True while the view shows a table of its own making (an edit, an undo)
        self.set_reactive(TruthTableView.table, table)
        self._resize_virtual()

    # --- data in ---------------------------------------------------------------------------------------------------
    def show_outputs(self, outputs: Outputs) -> None:
        """Show the network's outputs, ``outputs[row][k]``; an empty tuple hides them. Redraws only when what is
        shown (two decimals and the marks) changes."""
        t = self.table
        if outputs and (len(outputs) != t.n_rows or len(outputs[0]) != t.n_outputs):
            outputs = ()  # from a network of another shape (a reset is on its way)
        shown = lambda rows: [[value_text(v) + str(v > THRESHOLD) for v in r] for r in rows]  # noqa: E731
        before, now = shown(self._outputs), shown(outputs)
        self._outputs = outputs
        if len(before) != len(now):
            self.refresh()
            return
        # Only the answers whose shown text changed are repainted (over a terminal link, a few bytes each instead
        # of the whole line), at their place on screen: line 0 is the header, and the rows scroll under it.
        top, left = int(self.scroll_offset.y), int(self.scroll_offset.x)
        spans = self.answer_spans()
        for row in (r for r in range(len(now)) if now[r] != before[r]):
            for k in (k for k in range(len(now[row])) if now[row][k] != before[row][k]):
                self.refresh(Region(spans[k][0] - left, row + 1 - top, PRED_WIDTH, 1))

    def watch_table(self, old: TruthTable, table: TruthTable) -> None:
        if not self._own and old != table:
            self._shown_from_outside(old, table)
        if self.cursor_row >= table.n_rows:
            self.cursor_row = table.n_rows - 1
        if self.cursor_output >= table.n_outputs:
            self.cursor_output = table.n_outputs - 1
        if len(self._outputs) != table.n_rows or (self._outputs and len(self._outputs[0]) != table.n_outputs):
            self._outputs = ()
        self._resize_virtual()
        self.refresh()

    # --- geometry --------------------------------------------------------------------------------------------------
    def _layout(self) -> TableLayout:
        """The layout of the table's lines that fits the pane's width (kept until the table or the width changes)."""
        width = self.scrollable_content_region.width
        key = (self.table, width)
        if self._fit_cache is None or self._fit_cache[0] != key:
            self._fit_cache = (key, TableLayout.fit(self.table, width))
        return self._fit_cache[1]

    def _resize_virtual(self) -> None:
        self.virtual_size = Size(self._layout().width, self.table.n_rows + 1)

    def on_resize(self) -> None:
        self._resize_virtual()
        self.call_after_refresh(self._scroll_to_cursor)  # the cursor's row stays in sight at any size

    @property
    def _rows_visible(self) -> int:
        """How many rows fit under the header (a horizontal scrollbar, when there is one, takes a line)."""
        return max(self.scrollable_content_region.height - 1, 1)

    def _refresh_row(self, row: int) -> None:
        """Repaint ``row``'s line (virtual line ``row + 1``: line 0 is the header, which stays put)."""
        self.refresh_line(row + 1)

    def watch_cursor_row(self, old: int, new: int) -> None:
        self._refresh_row(old)
        self._refresh_row(new)
        self._scroll_to_cursor()
        self.post_message(self.CursorMoved(self, new))

    def watch_cursor_output(self) -> None:
        self._refresh_row(self.cursor_row)

    def _scroll_to_cursor(self) -> None:
        # Row r is drawn on screen line r + 1 - scroll_y; keep it below the header and above a scrollbar.
        top = int(self.scroll_offset.y)
        visible = self._rows_visible
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + visible:
            self.scroll_to(y=self.cursor_row - visible + 1, animate=False, immediate=True)

    # --- drawing ---------------------------------------------------------------------------------------------------
    def _cells(self, row: int | None) -> list[tuple[str, str]]:
        """Line ``row`` (None: the header) as (text, role) pieces, with this view's answers and cursor."""
        return self._layout().cells(row, self._outputs, (self.cursor_row, self.cursor_output))

    def _styles(self) -> dict[str, Style]:
        """The component styles by role, looked up once per CSS change (a lookup per line is slow)."""
        if self._style_cache is None:
            held = self.get_component_rich_style("truth-table--heldout")
            self._style_cache = {
                "base": self.rich_style,
                "header": self.get_component_rich_style("truth-table--header"),
                "cursor": self.get_component_rich_style("truth-table--cursor"),
                "right": self.get_component_rich_style("truth-table--right"),
                "wrong": self.get_component_rich_style("truth-table--wrong"),
                # Row highlights add only a background or a text style, so each cell keeps its own colour.
                "cursor-row": Style(bgcolor=self.get_component_rich_style("truth-table--cursor-row").bgcolor),
                "held": Style(dim=held.dim, italic=held.italic),
            }
            self._style_cache["row"] = Style()
        return self._style_cache

    def notify_style_update(self) -> None:
        self._style_cache = None
        super().notify_style_update()

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        styles = self._styles()
        base = styles["base"]
        if y == 0:
            row = None
        else:
            row = y - 1 + scroll_y
            if row >= self.table.n_rows:
                return Strip.blank(self.size.width, base)
        extra = Style()
        if row is not None:
            if row == self.cursor_row and self.has_focus:
                extra += styles["cursor-row"]
            if row in self.table.heldout:
                extra += styles["held"]
        segments = [Segment(text, base + styles[role] + extra if role != "cursor" else base + styles[role])
                    for text, role in self._cells(row)]
        width = max(self.virtual_size.width, self.size.width)
        # Runs of one style joined (``simplify``): over a terminal link every segment costs its escape codes.
        strip = Strip(segments).simplify().extend_cell_length(width, base + extra)
        return strip.crop(int(scroll_x), int(scroll_x) + self.size.width)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # --- the mouse -------------------------------------------------------------------------------------------------
    def target_spans(self) -> Spans:
        """Where each output's target bit is drawn on a row's line, in virtual columns."""
        return self._layout().spans(self._outputs)[0]

    def answer_spans(self) -> Spans:
        """Where each output's answer (value and mark) is drawn on a row's line, in virtual columns."""
        return self._layout().spans(self._outputs)[1]

    def cell_at(self, x: int, y: int) -> tuple[int, int | None, bool] | None:
        """What is drawn at content offset ``(x, y)``: ``(row, output, is_target)`` -- ``output`` the column of a
        target bit (``is_target``) or of an answer, else None -- or None for the header and below the last row."""
        row = y - 1 + int(self.scroll_offset.y)
        if y < 1 or row >= self.table.n_rows:
            return None
        column = x + int(self.scroll_offset.x)
        for spans, is_target in ((self.target_spans(), True), (self.answer_spans(), False)):
            for k, (start, end) in enumerate(spans):
                if start <= column < end:
                    return row, k, is_target
        return row, None, False

    def on_click(self, event: events.Click) -> None:
        """A click moves the cursor to the row (and output) under the mouse; a second click on the same target bit,
        or a double click, flips it, as ``enter`` does. The header does nothing."""
        offset = event.get_content_offset(self)
        cell = None if offset is None else self.cell_at(offset.x, offset.y)
        if cell is None:
            return
        event.stop()
        row, output, is_target = cell
        here = (row, output) == (self.cursor_row, self.cursor_output)
        if is_target and here and (self._clicked == (row, output) or event.chain > 1):
            self.action_flip()
            return
        self.action_move(row - self.cursor_row, 0 if output is None else output - self.cursor_output)
        self._clicked = (row, output) if is_target and output is not None else None  # a target bit has its output

    # --- actions ---------------------------------------------------------------------------------------------------
    def action_move(self, rows: int, outputs: int) -> None:
        """Move the cursor by ``rows`` and ``outputs``, clamped to the table."""
        self.cursor_row = max(0, min(self.table.n_rows - 1, self.cursor_row + rows))
        self.cursor_output = max(0, min(self.table.n_outputs - 1, self.cursor_output + outputs))

    def action_page(self, direction: int) -> None:
        """Move the cursor a screenful up (-1) or down (+1)."""
        self.action_move(direction * self._rows_visible, 0)

    def _edit(self, table: TruthTable) -> None:
        self.fill(table)
        self.post_message(self.Edited(self, table))

    def fill(self, table: TruthTable) -> None:
        """Show ``table`` as the person's edit (the pane's expression line uses it too): ``u`` goes back to the
        table it replaces. The caller posts ``Edited``."""
        self._remember(self.table)
        self._show_own(table)

    def _show_own(self, table: TruthTable) -> None:
        self._own = True
        try:
            self.table = table
        finally:
            self._own = False

    def _remember(self, table: TruthTable) -> None:
        """Keep ``table`` for ``u`` to go back to (the last ``UNDO_DEPTH``)."""
        self._undo.append(table)
        del self._undo[:-UNDO_DEPTH]

    def _shown_from_outside(self, old: TruthTable, table: TruthTable) -> None:
        """The app showed another table: putting back the one an edit replaced (a change the person declined)
        drops that edit from the undo list; any other (a preset, a file, a lesson) can be undone like an edit."""
        if self._undo and self._undo[-1] == table:
            self._undo.pop()
        else:
            self._remember(old)

    def action_undo(self) -> None:
        """Go back to the table before the last edit (a flip, a held-out row, an input or output, an expression);
        again, to the one before that. Posts ``Edited`` like any edit (the app may ask before a new network)."""
        while self._undo and self._undo[-1] == self.table:  # an edit the app did not take left it as it was
            self._undo.pop()
        if not self._undo:
            self.notify("Nothing to undo: the table is as it was first shown.", timeout=3)
            return
        table = self._undo.pop()
        self._show_own(table)
        self.post_message(self.Edited(self, table))

    def action_flip(self) -> None:
        """Flip the target bit under the cursor."""
        self._edit(self.table.flip(self.cursor_row, self.cursor_output))

    def action_hold_out(self) -> None:
        """Move the cursor's row in or out of the held-out set."""
        self._edit(self.table.toggle_heldout(self.cursor_row))

    def action_inputs(self, delta: int) -> None:
        """Add (+1) or remove (-1) an input."""
        n = self.table.n_inputs + delta
        if MIN_INPUTS <= n <= MAX_INPUTS:
            self._edit(self.table.with_inputs(n))
        else:
            self.notify(INPUTS_RULE, severity="warning", timeout=3)

    def action_outputs(self, delta: int) -> None:
        """Add (+1) or remove (-1) an output column."""
        n = self.table.n_outputs + delta
        if MIN_OUTPUTS <= n <= MAX_OUTPUTS:
            self._edit(self.table.with_outputs(n))
        else:
            self.notify(OUTPUTS_RULE, severity="warning", timeout=3)
