"""Pilot tests that nothing is cut at 80x24: a full adder's answers, the architecture hint, the footer's pane keys,
placeholders, the prediction's refusal, the export dialog's title and the decision surface's legend."""

from __future__ import annotations

from rich.cells import cell_len
from textual.widget import Widget
from textual.widgets import Footer, Input, Static
from textual.widgets._footer import FooterKey

from lab.ui.widgets.architecture import ArchitecturePane, SettingsList
from lab.ui.widgets.inspect_view import InspectView
from lab.ui.widgets.prediction import PredictionPane

from tests.ui.helpers import make_app, on_screen, shown_text, table_lines

SMALL = (80, 24)


def whole(app, widget: Widget) -> bool:
    """Whether ``widget``'s first and last columns are both drawn on the screen (nothing of it cut at the right)."""
    region = widget.region
    if not region:
        return False
    found, _ = app.screen.get_widget_at(region.right - 1, region.y)
    return on_screen(app, widget) and (found is widget or widget in found.ancestors)


async def test_a_full_adder_shows_both_answers_marked():
    """Each row of a full adder at 80x24 shows both outputs' answers with their ✓/✗, within the pane."""
    app = make_app(gate="full-adder")
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        lines = table_lines(app)[1:9]
        assert all(sum(line.count(mark) for mark in "✓✗") == 2 for line in lines), lines
        assert app.query_one("#truth-table").virtual_size.width <= app.query_one("#truth-table").size.width


async def test_the_architecture_hint_and_footer_keep_their_keys_whole():
    """At 80x24 the architecture pane's hint names every key of a layer whole (its meaning gives way first), and
    the footer shows the pane's keys whole, enter's 'Type value' included."""
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        app.query_one(SettingsList).focus()
        await pilot.pause()
        pane = app.query_one(ArchitecturePane)
        hint = str(pane.border_subtitle)
        assert "x remove" in hint and cell_len(hint) <= pane.size.width - 6
        keys = {key.description: key for key in app.query_one(Footer).query(FooterKey)}
        assert {"Less", "More", "Type value"} <= set(keys)
        assert all(whole(app, keys[d]) for d in ("Less", "More", "Type value"))


async def test_placeholders_and_a_prediction_refusal_fit():
    """At 80x24 the expression line's and the prediction line's placeholders fit whole, and a refused prediction
    shows its whole line (wrapped)."""
    app = make_app(gate="parity4")
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("e")
        expression = app.query_one("#expression", Input)
        assert cell_len(expression.placeholder) <= expression.content_size.width
        await pilot.press("escape")
        prediction = app.query_one("#prediction-input", Input)
        assert cell_len(prediction.placeholder) <= prediction.content_size.width
        prediction.focus()
        await pilot.press(*"1 0 1")
        await pilot.pause()
        result = app.query_one(PredictionPane).query_one("#prediction-result", Static)
        assert on_screen(app, result)
        assert shown_text(result) == "✗ expected 4 input values (a b c d), got 3"


async def test_the_export_dialogs_titles_show_whole():
    """ctrl+e at 80x24: the export dialog's title is whole, and so is the script's path dialog's, which wraps."""
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("ctrl+e")
        await pilot.pause()
        title = app.screen.query_one("#export-title")
        assert whole(app, title) and shown_text(title) == "Export · enter picks · esc cancels"
        await pilot.press("down", "down", "down", "enter")
        await pilot.pause()
        title = app.screen.query_one("#path-title")
        assert whole(app, title) and title.region.right <= title.parent.content_region.right
        assert shown_text(title) == "A standalone Python script with the trained weights (needs only NumPy)"


async def test_the_surface_legend_is_one_whole_line():
    """The decision surface at 80x24 ends in its legend on one line, and the drawing needs no scrolling."""
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        app.show_view("surface")
        await pilot.pause()
        await pilot.pause()
        view = app.query_one(InspectView)
        last = view.text.rstrip("\n").split("\n")[-1]
        assert "✓✗ right/wrong" in last and "●○" in last
        assert view.virtual_size.height <= view.size.height


def covered(app, widget: Widget) -> bool:
    """Whether any cell of ``widget``'s region shows something that is neither it nor inside it."""
    region = widget.region
    for y in range(region.y, region.bottom):
        for x in range(region.x, region.right):
            found, _ = app.screen.get_widget_at(x, y)
            if found is not widget and widget not in found.ancestors:
                return True
    return False


async def test_a_toast_covers_neither_the_status_line_nor_a_dialog():
    """A notification stands above the status line, and while a dialog is open it waits: the dialog is whole,
    and the toast shows again when the dialog closes."""
    app = make_app()
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        app.notify("a notification long enough to take two or three lines of its toast at 80x24", timeout=30)
        await pilot.pause()
        assert not covered(app, app.query_one("#status"))
        await pilot.press("question_mark")
        await pilot.pause()
        assert not covered(app, app.screen.query_one("#help-box"))
        await pilot.press("escape")
        await pilot.pause()
        toasts = app.screen.query("Toast")
        assert any(toast.visible and toast.region for toast in toasts)
