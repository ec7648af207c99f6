"""The truth table tells the truth: the highlighted row is the row the keys change, every row can be seen, names
stay whole or visibly shortened, a value agrees with its mark, and derived numbers follow an edit at once."""

from __future__ import annotations

from textual.widgets import Input

from lab.ui.widgets.prediction import PredictionPane
from lab.ui.widgets.truth_table import TruthTableView

from tests.ui.helpers import highlighted_rows, make_app, painted_table, status_text, table_lines


async def test_highlight_follows_the_cursor_after_scrolling_to_the_bottom():
    """64 rows at 100x30, End then Up Up Up: the highlight is on row 60, and h holds row 60."""
    app = make_app(gate="parity4")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("plus", "plus", "end")
        await pilot.pause()
        assert highlighted_rows(app) == [63]
        await pilot.press("up", "up", "up")
        await pilot.pause()
        assert highlighted_rows(app) == [60]
        await pilot.press("h")
        await pilot.pause()
        assert app.experiment.table.heldout == frozenset({60})
        assert highlighted_rows(app) == [60]


async def test_page_up_from_the_bottom_moves_the_highlight_with_the_cursor():
    """page up from the bottom of 64 rows: the highlighted row is the cursor's, and it is on screen."""
    app = make_app(gate="parity4")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("plus", "plus", "end", "pageup")
        await pilot.pause()
        view = app.query_one(TruthTableView)
        assert view.cursor_row < 63
        assert highlighted_rows(app) == [view.cursor_row]
        before = app.experiment.table.columns[0]
        await pilot.press("f")
        after = app.experiment.table.columns[0]
        assert [r for r in range(64) if before[r] != after[r]] == [view.cursor_row]


async def test_the_last_of_256_rows_is_visible_at_80x24_with_a_held_row():
    """8 inputs with a held-out row at 80x24: End shows row 255 above any scrollbar, highlighted."""
    app = make_app(gate="parity4")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("plus", "plus", "plus", "plus", "end", "h")
        await pilot.pause()
        lines = painted_table(app)
        view = app.query_one(TruthTableView)
        visible = [text for text, _ in lines[: view.scrollable_content_region.height]]
        assert visible[-1].startswith("h255 11111111"), visible[-3:]
        assert highlighted_rows(app) == [255]
        assert view.virtual_size.width <= view.scrollable_content_region.width  # no sideways scroll


async def test_resize_keeps_the_cursor_row_in_sight():
    """At the last row of 256, shrinking the terminal keeps row 255 on screen."""
    app = make_app(gate="parity4")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("plus", "plus", "plus", "plus", "end")
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.pause()
        view = app.query_one(TruthTableView)
        visible = [text for text, _ in painted_table(app)[: view.scrollable_content_region.height]]
        assert visible[-1].startswith(" 255"), visible[-3:]


async def test_adding_an_output_keeps_the_preset_names():
    """half-adder's sum and carry stay when an output is added; the new one has a name of its own."""
    app = make_app(gate="half-adder")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("o")
        await pilot.pause()
        names = app.experiment.table.output_names
        assert names[:2] == ("sum", "carry")
        assert names[2] not in ("sum", "carry", "a", "b")
        header = table_lines(app)[0]
        assert "sum" in header and "carry" in header and names[2] in header
        await pilot.press("O")
        assert app.experiment.table.output_names == ("sum", "carry")


async def test_narrow_pane_shortens_names_visibly():
    """At 80x24 the full adder with a third output cannot show every name whole: each is whole or ends in …,
    never a bare letter that reads as an input column."""
    app = make_app(gate="full-adder")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("o")
        await pilot.pause()
        header = table_lines(app)[0]
        targets = header.split("│")[1].split()
        assert len(targets) == 3
        for shown, name in zip(targets, app.experiment.table.output_names, strict=True):
            assert shown == name or (shown.endswith("…") and name.startswith(shown[:-1])), (shown, name)
            assert shown not in ("a", "b", "c")


async def test_a_value_on_the_threshold_shows_its_side_in_table_and_prediction():
    """Outputs that round to .50 show .50+ or .50- in the table and the prediction line, agreeing with the mark."""
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.query_one(TruthTableView)
        view.show_outputs(((0.4991,), (0.5021,), (0.4991,), (0.5021,)))
        await pilot.pause()
        answers = [line.split("│")[2].strip() for line in table_lines(app)[1:5]]
        assert answers == [".50-✓", ".50+✓", ".50-✗", ".50+✗"]
        pane = app.query_one(PredictionPane)
        app.query_one("#prediction-input", Input).focus()
        await pilot.press("1", "0")
        pane.show_outputs(__import__("numpy").array([0.50003]))
        assert "0.5000+ → 1" in str(app.query_one("#prediction-result").render())


async def test_flipping_a_bit_updates_accuracy_at_once_while_paused():
    """Trained to acc 1.00 and paused, flipping a bit shows the row ✗ and the accuracy drops at once."""
    from tests.ui.helpers import small_xor_app, train_to_end
    app = small_xor_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await train_to_end(pilot, app)
        assert "acc 1.00" in status_text(app)
        app.query_one(TruthTableView).focus()
        await pilot.press("f")
        await pilot.pause()
        assert table_lines(app)[1].endswith("✗")
        assert "acc 0.75" in status_text(app), status_text(app)
        await pilot.press("h")  # hold the wrong row out: every trained row is right again
        await pilot.pause()
        assert "acc 1.00" in status_text(app), status_text(app)
        assert "held-out acc 0.00" in status_text(app), status_text(app)
