"""Pilot tests of the mouse: a click moves the table's cursor, a second click (or a double click) flips the bit, a
click selects a settings line, the wheel scrolls the views; the header and input columns do nothing harmful."""

from __future__ import annotations

from collections.abc import Callable

from textual.events import MouseScrollDown
from textual.message import Message

from lab.core.experiment import Architecture, Experiment, Layer, Training
from lab.core.gates import table_from_expression
from lab.ui.app import LabApp
from lab.ui.widgets.architecture import SettingsList
from lab.ui.widgets.inspect_view import InspectView
from lab.ui.widgets.truth_table import TruthTableView

from tests.ui.helpers import make_app, table_lines

SIZE = (100, 30)
# keras-xor's table lines read " 2 1 0 │ 1 │ -": the row index at x 1, inputs at 3 and 5, the target bit at 9.
TARGET_X, INPUT_X, ANSWER_X = 9, 3, 13


def _recorder() -> tuple[list[Message], Callable[[Message], None]]:
    """A list of the messages posted, and the hook that fills it."""
    posted: list[Message] = []
    return posted, posted.append


async def test_click_moves_the_cursor_and_a_second_click_flips_the_bit():
    """The first click on row 2's target bit moves the cursor there (CursorMoved posted); the second flips it
    (Edited posted, the table shows 0), as enter would."""
    posted, hook = _recorder()
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        view = app.query_one(TruthTableView)
        await pilot.click("#truth-table", offset=(TARGET_X, 3))
        await pilot.pause()
        assert (view.cursor_row, view.cursor_output) == (2, 0)
        assert any(isinstance(m, TruthTableView.CursorMoved) and m.row == 2 for m in posted)
        assert app.experiment.table.columns == ("0110",)  # one click does not flip
        await pilot.click("#truth-table", offset=(TARGET_X, 3))
        await pilot.pause()
        assert app.experiment.table.columns == ("0100",)
        assert any(isinstance(m, TruthTableView.Edited) for m in posted)
        assert table_lines(app)[3].split()[4] == "0"
        await pilot.click("#truth-table", offset=(TARGET_X, 3))  # a third click flips it back
        await pilot.pause()
        assert app.experiment.table.columns == ("0110",)


async def test_double_click_on_another_cell_moves_and_flips_it():
    """A double click on a cell the cursor is not on moves the cursor there and flips that bit."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.double_click("#truth-table", offset=(TARGET_X, 4))
        await pilot.pause()
        assert app.query_one(TruthTableView).cursor_row == 3
        assert app.experiment.table.columns == ("0111",)


async def test_a_click_on_a_cell_the_keys_put_the_cursor_on_does_not_flip():
    """One click on the cell under a cursor the keys moved there only selects it: flipping takes a second click."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down")
        await pilot.click("#truth-table", offset=(TARGET_X, 2))
        await pilot.pause()
        assert app.experiment.table.columns == ("0110",)
        assert app.query_one(TruthTableView).cursor_row == 1


async def test_clicks_on_the_header_inputs_and_answers_never_edit():
    """The header does nothing; an input or answer column moves the cursor's row (and output) but never flips,
    however often it is clicked; below the last row does nothing."""
    posted, hook = _recorder()
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        view = app.query_one(TruthTableView)
        for _ in range(2):
            await pilot.click("#truth-table", offset=(TARGET_X, 0))
        await pilot.pause()
        assert view.cursor_row == 0
        for _ in range(3):
            await pilot.click("#truth-table", offset=(INPUT_X, 2))
        await pilot.pause()
        assert view.cursor_row == 1
        for _ in range(2):
            await pilot.click("#truth-table", offset=(ANSWER_X, 4))
        await pilot.pause()
        assert view.cursor_row == 3
        await pilot.click("#truth-table", offset=(TARGET_X, 8))  # below the last row
        await pilot.pause()
        assert view.cursor_row == 3
        assert app.experiment.table.columns == ("0110",)
        assert not any(isinstance(m, TruthTableView.Edited) for m in posted)


async def test_click_picks_the_output_column_of_a_two_output_table():
    """On a half adder (outputs s and c), a click on the second target column puts the cursor on output 1, and a
    second click flips that output's bit only."""
    table = table_from_expression("a ^ b; a & b", name="half adder")
    app = LabApp(Experiment(table, Architecture((Layer(4, "tanh"),), "sigmoid"), Training(), name="half"))
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(TruthTableView)
        header = table_lines(app)[0]
        x = header.index("│") + 2  # the first target column
        spans = view.target_spans()
        assert spans[0][0] == x
        second = spans[1][0]
        await pilot.click("#truth-table", offset=(second, 4))
        await pilot.pause()
        assert (view.cursor_row, view.cursor_output) == (3, 1)
        await pilot.click("#truth-table", offset=(second, 4))
        await pilot.pause()
        assert app.experiment.table.columns == (table.columns[0], table.columns[1][:3] + "0")


async def test_click_selects_a_settings_line_in_either_column():
    """A click on a settings line selects it (the cursor moves there); the summary line does nothing."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        settings = app.query_one(SettingsList)
        assert settings.column_count == 2
        rows = -(-settings.n_lines // 2)
        await pilot.click("#settings", offset=(2, 3))
        await pilot.pause()
        assert settings.cursor == 2
        assert settings.has_focus
        await pilot.click("#settings", offset=(30, 1))  # the second column's first line
        await pilot.pause()
        assert settings.cursor == rows
        await pilot.press("right")  # the keys act on the clicked line
        await pilot.pause()
        assert settings.cursor == rows
        await pilot.click("#settings", offset=(2, 0))
        await pilot.pause()
        assert settings.cursor == rows


async def test_the_wheel_scrolls_a_tall_table_and_a_tall_view():
    """The mouse wheel scrolls the truth table of an 8-input gate and a view taller than its pane."""
    table = table_from_expression("a ^ b ^ c ^ d ^ e ^ f ^ g ^ h", name="parity")
    app = LabApp(Experiment(table, Architecture((Layer(8, "tanh"),), "sigmoid"), Training(), name="parity"))
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(TruthTableView)
        assert view.scroll_offset.y == 0
        await pilot.hover("#truth-table", offset=(4, 4))
        for _ in range(3):
            view.post_message(_scroll_down(view))
        await pilot.pause()
        assert view.scroll_offset.y > 0
        await pilot.press("v")  # the network view: a 2-8-1 trace is taller than the pane
        await pilot.pause()
        inspect = app.query_one(InspectView)
        assert inspect.virtual_size.height > inspect.size.height
        for _ in range(3):
            inspect.post_message(_scroll_down(inspect))
        await pilot.pause()
        assert inspect.scroll_offset.y > 0


def _scroll_down(widget) -> MouseScrollDown:
    """One notch of the wheel over ``widget``, as the driver delivers it."""
    return MouseScrollDown(widget, 2, 2, 0, 1, 0, False, False, False, screen_x=2, screen_y=2)
