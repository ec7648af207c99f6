"""The chart's builds in its worker and on the interface thread: whatever order they finish in, the chart ends up
showing every epoch it holds."""

from __future__ import annotations

import threading

from lab.ui.messages import HistorySlice
from lab.ui.widgets.chart import LossChart

from tests.ui.helpers import make_app, until


def title(chart: LossChart) -> str:
    """The chart's title line as painted."""
    lines = chart.shown_lines or []
    return lines[0].text if lines else ""


async def test_epochs_added_after_the_run_stopped_while_a_build_was_under_way_are_drawn_when_it_ends():
    """The run stops while its chart is being built in the worker, and its last epochs arrive after: the repaint
    they ask for finds the build under way and shows the older lines, and once that build ends the chart draws
    the last epochs too (it stayed on the older epoch count for good when the repaint was lost)."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        chart = app.query_one(LossChart)
        started, release = threading.Event(), threading.Event()
        build = chart.drawing.build

        def held_build(data):
            started.set()
            release.wait(60)
            return build(data)

        chart.drawing.build = held_build
        chart.live = True
        chart.extend(HistorySlice(0, (0.5,) * 10, (0.5,) * 10), None)
        await until(pilot, started.is_set, "the worker's build")
        chart.live = False  # the run stopped
        chart.extend(HistorySlice(10, (0.25,) * 10, (0.75,) * 10), None)  # its last epochs
        await pilot.pause()
        assert "epoch 20 " not in title(chart)  # the build under way holds the figure: older lines meanwhile
        release.set()
        await until(pilot, lambda: "epoch 20 " in title(chart), "the last epochs in the chart's title")


async def test_a_build_captured_before_the_runs_last_epochs_and_shown_before_their_repaint_does_not_hide_them():
    """A worker's build, captured while the run trained, is shown after the run stopped and its last epochs came
    but before the repaint they asked for: the chart still draws the last epochs (the older build's lines stood
    for good, the flaky end of a run in the full suite)."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        chart = app.query_one(LossChart)
        chart.live = True
        chart.extend(HistorySlice(0, (0.5,) * 10, (0.5,) * 10), None)
        await until(pilot, lambda: "epoch 10 " in title(chart), "the worker's build shown")
        chart.live = False  # the run stopped
        chart.extend(HistorySlice(10, (0.4,) * 5, (0.5,) * 5), None)
        data = chart.capture()  # a worker's capture of those epochs, its build finished and on its way
        built = LossChart.Built(chart, chart.drawing.build(data), data, asked=False)
        chart.extend(HistorySlice(15, (0.25,) * 5, (0.75,) * 5), None)  # the last epochs, and their repaint
        chart.show_built(built)  # the build arrives before that repaint
        await pilot.pause()
        await pilot.pause()
        assert "epoch 20 " in title(chart)  # nothing else would repaint it
