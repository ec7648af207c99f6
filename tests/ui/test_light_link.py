"""A light link: lines go out in few segments, a live chart and the inspect views repaint only the cells that
changed, the table only the answers that changed."""

from __future__ import annotations

import numpy as np
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from lab.ui.widgets.chart import LossChart
from lab.ui.widgets.inspect_view import InspectView
from lab.ui.widgets.light_link import cells, changed_span, compact
from lab.ui.widgets.truth_table import PRED_WIDTH, TruthTableView

from tests.ui.helpers import make_app

SIZE = (100, 30)
AXIS, CURVE, BG, OTHER_BG = (Style(color="white", bgcolor="grey7"), Style(color="cyan", bgcolor="grey7"),
                             Style(bgcolor="grey7"), Style(bgcolor="grey11"))


def _spy(widget, monkeypatch) -> list[tuple[Region, ...]]:
    """Record the regions of each ``refresh`` of ``widget`` (an empty tuple: the whole widget), Textual's own
    (``Widget.refresh``, which the widget's override and its repaints of unchanged data both come to)."""
    calls: list[tuple[Region, ...]] = []
    original = Widget.refresh

    def refresh(self, *regions, **kwargs):
        if self is widget:
            calls.append(regions)
        return original(self, *regions, **kwargs)

    monkeypatch.setattr(Widget, "refresh", refresh)
    return calls


def test_compact_joins_blanks_to_their_neighbours_and_keeps_every_cell():
    """A chart line's blanks (background only, or another foreground) join the segment beside them."""
    line = Strip([Segment("0.2┤", AXIS), Segment("   ", BG), Segment("·", Style(color="green", bgcolor="grey7")),
                  Segment("  ", AXIS), Segment("⠉⠢", CURVE), Segment("⡀", CURVE), Segment("    ", BG),
                  Segment("│", AXIS)])
    compacted = compact(line)
    assert [s.text for s in compacted] == ["0.2┤   ", "·  ", "⠉⠢⡀    ", "│"]
    assert cells(compacted) == cells(line) and compacted.cell_length == line.cell_length


def test_compact_keeps_blanks_that_look_different_apart():
    """Another background, an underline or reverse video shows on a blank, and a click action acts on it: those
    blanks keep their own style."""
    for blank in (OTHER_BG, Style(bgcolor="grey7", underline=True), Style(bgcolor="grey7", reverse=True),
                  Style(bgcolor="grey7", meta={"@click": "app.bell"})):
        line = Strip([Segment("ab", AXIS), Segment("  ", blank), Segment("c", AXIS)])
        assert len(list(compact(line))) == 3, blank


def test_changed_span_is_where_two_lines_look_different():
    old = Strip([Segment("loss ", AXIS), Segment("⠉⠢", CURVE), Segment("     │", AXIS)])
    assert changed_span(old, old) is None
    # The same look in other segments (a blank's foreground does not show): nothing to send.
    assert changed_span(old, Strip([Segment("loss", AXIS), Segment(" ", BG), Segment("⠉⠢", CURVE),
                                    Segment("     │", AXIS)])) is None
    new = Strip([Segment("loss ", AXIS), Segment("⠉⠢⡀", CURVE), Segment("    │", AXIS)])
    assert changed_span(old, new) == (7, 8)
    assert changed_span(old, Strip([Segment("loss", AXIS)])) == (4, 13)  # shorter: its old cells are cleared
    assert changed_span(Strip([Segment("l", AXIS)]), Strip([Segment("l", AXIS), Segment("x", AXIS)])) == (1, 2)


async def test_a_live_chart_repaints_only_its_changed_cells(monkeypatch):
    """Ten more epochs in the stable frame change the title and a few lines: each build shown repaints only the lines
    that changed since the one before, each from its first changed column to its last, and what is shown equals a
    chart built from scratch."""
    app = make_app(lr=0.01)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(299):
            app.action_step()
        await pilot.pause()
        chart = app.query_one(LossChart)
        chart.live = True  # as while training: builds go through the worker and ``show_built``
        app.action_step()  # the live frame (a stopped chart's epoch axis ends nearer its last epoch)
        for _ in range(50):
            await pilot.pause(0.05)
            if "epoch 300" in chart.render_line(0).text:
                break
        before = [cells(chart.render_line(y)) for y in range(chart.size.height)]
        calls = _spy(chart, monkeypatch)
        shown: list[tuple[list[list], list[Region]]] = []  # per build shown: its cells and the regions repainted
        show_built = LossChart.show_built

        def record(self, message):
            start = len(calls)
            was_shown = show_built(self, message)
            if was_shown:
                shown.append(([cells(line) for line in message.lines], [r for c in calls[start:] for r in c]))
            return was_shown

        monkeypatch.setattr(LossChart, "show_built", record)
        for _ in range(10):
            app.action_step()
        for _ in range(50):  # the paced build lands within a second (later builds replace earlier ones)
            await pilot.pause(0.05)
            if "epoch 310" in chart.render_line(0).text:
                break
        assert "epoch 310" in chart.render_line(0).text
        assert shown and calls and not [c for c in calls if not c], calls  # never the whole chart
        for after, regions in shown:
            changed = {y for y in range(chart.size.height) if before[y] != after[y]}
            assert {r.y for r in regions} == changed and 0 in changed and len(changed) <= chart.size.height // 2
            for r in regions:  # each starts and ends at a changed cell: nothing unchanged right of it is sent
                old, new = before[r.y], after[r.y]
                assert old[r.x] != new[r.x] and old[r.right - 1] != new[r.right - 1] and old[r.right:] == new[r.right:]
            assert any(r.width < chart.size.width // 2 for r in regions), regions
            before = after
        lines = [chart.render_line(y).text for y in range(chart.size.height)]
        chart.live = False
        chart.refresh()
        assert [chart.render_line(y).text for y in range(chart.size.height)] == lines


async def test_the_inspect_view_repaints_only_the_changed_cells(monkeypatch):
    """A drawing with one node changed repaints that one cell, not its line; an equal-looking drawing nothing."""
    app = make_app()
    async with app.run_test(size=(200, 50)) as pilot:  # wide: the view is shown beside the chart
        view = app.query_one(InspectView)
        first = Text("row 0 (00) → 0.25\n")
        first.append("a ○  ══ ○1 +0.0")
        first.append("\nedges", "dim")
        view.show(first, ("test",))
        await pilot.pause()
        view.show(first, ("test",))  # after any redraw of the app's own on the way
        calls = _spy(view, monkeypatch)
        same = Text("row 0 (00) → 0.25\n")
        same.append("a ○  ══ ○1 +0.0")
        same.append("\n")
        same.append("edges", "dim")
        assert view.show(same, ("test",)) == 0 and calls == []
        second = Text("row 0 (00) → 0.25\n")
        second.append("a ○  ══ ●1 +0.0")
        second.append("\nedges", "dim")
        assert view.show(second, ("test",)) == 1
        assert calls == [(Region(8, 1, 1, 1),)]
        assert view.render_line(1).text.rstrip() == "a ○  ══ ●1 +0.0"  # (no pause: the app may redraw the view)


async def test_the_table_repaints_only_changed_answers(monkeypatch):
    """New outputs repaint just the answer cells whose two decimals or mark changed, at their place on screen."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(TruthTableView)
        view.show_outputs(((0.1,), (0.2,), (0.3,), (0.4,)))
        await pilot.pause()
        calls = _spy(view, monkeypatch)
        view.show_outputs(((0.1,), (0.204,), (0.3,), (0.71,)))
        assert calls == [(Region(view.answer_spans()[0][0], 4, PRED_WIDTH, 1),)]
        await pilot.pause()
        assert view.render_line(4).text.rstrip().endswith(".71✗")


def test_compaction_never_changes_a_cell():
    """Compaction never changes a cell, whatever the segments (random runs of blanks and glyphs in random styles)."""
    rng = np.random.default_rng(0)
    styles = [AXIS, CURVE, BG, OTHER_BG, Style(bgcolor="grey7", underline=True), None]
    for _ in range(200):
        segments = [Segment(str(rng.choice([" ", "  ", "·", "⠉", "ab", " x "])), styles[rng.integers(len(styles))])
                    for _ in range(rng.integers(1, 12))]
        line = Strip(segments)
        assert cells(compact(line)) == cells(line) and len(list(compact(line))) <= len(segments)


def _span_cell_by_cell(old: Strip, new: Strip) -> tuple[int, int] | None:
    """The oracle for ``changed_span``: every cell compared."""
    a, b = cells(old), cells(new)
    differ = [x for x in range(max(len(a), len(b))) if x >= len(a) or x >= len(b) or a[x] != b[x]]
    return (differ[0], differ[-1] + 1) if differ else None


def test_changed_span_equals_a_cell_by_cell_comparison():
    """Random pairs of lines, some sharing a start or an end, some of other lengths or with wide characters."""
    rng = np.random.default_rng(1)
    styles = [AXIS, CURVE, BG, OTHER_BG, Style(bgcolor="grey7", underline=True), None]
    texts = [" ", "  ", "·", "⠉", "ab", " x ", "字", "│ "]

    def segments(n: int) -> list[Segment]:
        return [Segment(str(rng.choice(texts)), styles[rng.integers(len(styles))]) for _ in range(n)]

    for _ in range(300):
        head, tail = segments(int(rng.integers(0, 4))), segments(int(rng.integers(0, 4)))
        old = Strip(head + segments(int(rng.integers(0, 4))) + tail)
        new = Strip(head + segments(int(rng.integers(0, 4))) + tail)
        for a, b in ((old, new), (old, compact(old)), (compact(new), new)):
            assert changed_span(a, b) == _span_cell_by_cell(a, b), ([s.text for s in a], [s.text for s in b])
