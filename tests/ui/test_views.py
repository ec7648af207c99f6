"""Pilot tests of the views of what the network learned: they follow the cursor and the run."""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual import events

from lab.core.experiment import Architecture, Experiment, Layer, Training
from lab.core.gates import preset
from lab.ui.app import LabApp
from lab.ui.widgets.inspect_view import InspectView
from lab.ui.widgets.truth_table import TruthTableView

from tests.ui.helpers import small_xor_app, train_to_end

SIZE = (120, 40)


def view_text(app: LabApp) -> str:
    """The open view as plain text."""
    return app.query_one(InspectView).text


async def test_v_cycles_every_view_and_back_to_the_chart():
    """v walks chart → network → units → surface → weights → gradient check → summary → picture → seeds → chart."""
    app = small_xor_app()
    async with app.run_test(size=SIZE) as pilot:
        seen = []
        for _ in range(9):
            await pilot.press("v")
            seen.append(app.view)
        assert seen == ["network", "units", "surface", "health", "gradcheck", "summary", "picture", "seeds", "chart"]


async def test_network_view_follows_the_cursor():
    """Moving the table cursor traces another row through the network."""
    app = small_xor_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("v")
        assert view_text(app).startswith("row 0 (00)")
        await pilot.press("down", "down")
        assert view_text(app).startswith("row 2 (10)")


async def test_units_named_after_training_and_views_follow_the_run():
    """After training XOR, the hidden units view names gates and the weights view has a history."""
    app = small_xor_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("v", "v")
        before = view_text(app)
        await train_to_end(pilot, app)
        after = view_text(app)
        assert after != before and "~ " in after
        await pilot.press("v", "v")
        assert "‖W‖" in view_text(app)
        assert len(app.query_one(InspectView).health) >= 2


async def test_gradient_check_reports_agreement():
    """g checks backpropagation on the current weights and reports a tiny error."""
    app = small_xor_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s", "s", "g")
        assert app.query_one(InspectView).mode == "gradcheck"
        assert "backpropagation agrees" in view_text(app)


async def test_karnaugh_map_for_three_inputs():
    """A 3-input gate shows a Karnaugh map with every cell marked."""
    experiment = Experiment(preset("majority3"), Architecture((Layer(4, "tanh"),)), Training(lr=0.05))
    app = LabApp(experiment)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("v", "v", "v")
        text = view_text(app)
        assert "Karnaugh map, rows a × columns bc" in text
        assert text.count("✓") + text.count("✗") == 8 + 2  # every cell, and the legend


async def test_network_view_follows_a_run_of_keys_while_training():
    """Arrow keys pressed in a run while training: the trace catches up with the row the cursor ends on."""
    app = small_xor_app(epochs=10_000_000)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("v")
        app.lab_run.session.epochs_per_tick = 0
        await pilot.press("space")
        for _ in range(3):
            event = events.Key("down", None)
            event.set_sender(app)
            app.post_message(event)  # as the terminal delivers a key: no wait for the app to be idle
            await asyncio.sleep(0.02)
        for _ in range(300):
            await asyncio.sleep(0.01)
            if view_text(app).startswith("row 3 (11)"):
                break
        assert app.query_one(TruthTableView).cursor_row == 3 and view_text(app).startswith("row 3 (11)")
        await pilot.press("space")
        await app.workers.wait_for_complete()


async def test_a_redraw_repaints_only_the_changed_lines():
    """The view turns each line into a strip once: a redraw that changes one line repaints that line alone, keeps
    the other lines' strips, and shows the new text; the scrollable extent shrinks only for another drawing."""
    app = small_xor_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("v")
        view = app.query_one(InspectView)
        view.show(Text("alpha\nbravo bravo bravo\ncharlie"), ("test", 1))
        await pilot.pause()
        kept = list(view._strips)
        regions = []
        refresh = view.refresh
        view.refresh = lambda *r, **k: (regions.extend(r), refresh(*r, **k))[1]
        assert view.show(Text("alpha\nBRAVO\ncharlie"), ("test", 1)) == 1
        assert [(r.y, r.height) for r in regions] == [(1, 1)]
        assert view._strips[0] is kept[0] and view._strips[2] is kept[2] and view._strips[1] is not kept[1]
        assert view.virtual_size.width == len("bravo bravo bravo")  # narrower, same drawing: no layout pass
        regions.clear()
        assert not view.show(Text("alpha\nBRAVO\ncharlie"), ("test", 1))
        assert regions == []
        del view.refresh
        view.show(Text("alpha\nBRAVO"), ("test", 2))
        assert view.virtual_size == (5, 2)  # another drawing: the extent fits it again
        await pilot.pause()
        assert view.text == "alpha\nBRAVO"
        assert "BRAVO" in app.export_screenshot()


async def test_a_tall_view_scrolls_from_the_keyboard_and_the_next_view_starts_at_its_top():
    """At 80x24 the network view of a 16-unit layer is taller than its pane: tab focuses it, the arrow keys
    scroll it, and v shows the next view from its first line."""
    app = LabApp(Experiment(preset("xor"), Architecture((Layer(16, "tanh"),), "sigmoid"), Training(), name="xor"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("v")
        view = app.query_one(InspectView)
        assert view.virtual_size.height > view.size.height
        for _ in range(5):  # the table, then the panes in order
            if app.focused is view:
                break
            await pilot.press("tab")
        assert app.focused is view
        await pilot.press("down", "down", "down")
        assert view.scroll_offset.y == 3
        await pilot.press("v")
        await pilot.pause()
        assert app.view == "units" and view.scroll_offset.y == 0
