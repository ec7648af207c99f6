"""A light link: a live chart repaints only the lines that changed, the table only the answers that changed."""

from __future__ import annotations

from textual.geometry import Region

from lab.ui.widgets.chart import LossChart
from lab.ui.widgets.truth_table import PRED_WIDTH, TruthTableView

from tests.ui.helpers import make_app

SIZE = (100, 30)


def _spy(widget, monkeypatch) -> list[tuple[Region, ...]]:
    """Record the regions of each ``refresh`` of ``widget`` (an empty tuple: the whole widget)."""
    calls: list[tuple[Region, ...]] = []
    original = type(widget).refresh

    def refresh(self, *regions, **kwargs):
        if self is widget:
            calls.append(regions)
        return original(self, *regions, **kwargs)

    monkeypatch.setattr(type(widget), "refresh", refresh)
    return calls


async def test_a_live_chart_repaints_only_its_changed_lines(monkeypatch):
    """Ten more epochs in the stable frame change the title and a few lines: only those are repainted, and what
    is shown equals a chart built from scratch."""
    app = make_app(lr=0.01)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(300):
            app.action_step()
        await pilot.pause()
        chart = app.query_one(LossChart)
        chart.live = True  # as while training: builds go through the worker and ``show_built``
        calls = _spy(chart, monkeypatch)
        for _ in range(10):
            app.action_step()
        for _ in range(50):  # the paced build lands within a second (later builds replace earlier ones)
            await pilot.pause(0.05)
            if "epoch 310" in chart.render_line(0).text:
                break
        assert "epoch 310" in chart.render_line(0).text
        built = [c for c in calls if c]
        assert built and not [c for c in calls if not c], calls
        lines = {y for regions in built for r in regions for y in range(r.y, r.bottom)}
        assert 0 in lines and len(lines) <= chart.size.height // 2, lines
        shown = [chart.render_line(y).text for y in range(chart.size.height)]
        chart.live = False
        chart.refresh()
        assert [chart.render_line(y).text for y in range(chart.size.height)] == shown


async def test_the_table_repaints_only_changed_answers(monkeypatch):
    """New outputs repaint just the answer cells whose two decimals or mark changed, at their place on screen."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(TruthTableView)
        view.show_outputs(((0.1,), (0.2,), (0.3,), (0.4,)))
        await pilot.pause()
        calls = _spy(view, monkeypatch)
        view.show_outputs(((0.1,), (0.204,), (0.3,), (0.71,)))
        assert calls == [(Region(view._answer_spans()[0][0], 4, PRED_WIDTH, 1),)]
        await pilot.pause()
        assert view.render_line(4).text.rstrip().endswith(".71✗")
