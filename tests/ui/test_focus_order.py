"""Tab's order over the panes is the same in every view, the prediction line last (``lab.ui.focus_order``)."""

from __future__ import annotations

import pytest

from lab.ui.focus_order import step

from tests.ui.helpers import make_app


def cycle(app) -> list[str | None]:
    """The ids tab visits from the truth table round to it again, as ``step`` orders the screen's focus chain."""
    ids = []
    focused = app.query_one("#truth-table")
    for _ in range(8):
        ids.append(focused.id)
        focused = step(app.screen.focus_chain, focused, 1)
        if focused is app.query_one("#truth-table"):
            break
    return ids


@pytest.mark.parametrize("size", [(80, 24), (200, 60)])
async def test_tab_visits_the_panes_in_one_order_in_every_view(size):
    """From the table, tab reaches the architecture pane first and the prediction line last, in the chart, the
    network and the seeds view alike (a view that takes the focus comes between)."""
    app = make_app()
    async with app.run_test(size=size) as pilot:
        orders = {}
        for view in ("chart", "network", "seeds"):
            if view != "chart":
                app.show_view(view)
            await pilot.pause()
            orders[view] = cycle(app)
        for view, order in orders.items():
            assert order[:2] == ["truth-table", "settings"], (view, order)
            assert order[-1] == "prediction-input", (view, order)
        assert step(app.screen.focus_chain, app.query_one("#truth-table"), -1).id == "prediction-input"
