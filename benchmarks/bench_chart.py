"""Benchmark: the time to build the live chart's lines (plotext's drawing read into strips), at 80x24 and 200x50.

The chart is given a 20,000-epoch noisy loss (so the raw range is drawn as an envelope) and an accuracy series, as a
long run gives it, and built the way the app builds it while training (``LossChart._build``). The figure is flat in
the number of epochs: series are reduced to two points per column first.

It also counts what a live redraw sends over a terminal link: a run growing by 20 epochs a redraw up to 4,000,
drawn as while training (``live``), each redraw's changed lines counted from the chart's left edge to their last
changed cell (as ``LossChart`` repaints them), on average per redraw.

Run: ``python benchmarks/bench_chart.py``.
"""

from __future__ import annotations

import asyncio
import time

import numpy as np

from lab.core.recipes import recipe
from lab.ui.app import LabApp
from lab.ui.widgets.chart import LossChart
from lab.ui.widgets.chart_drawing import ChartData, ChartDrawing
from lab.ui.widgets.light_link import changed_span
from lab.ui.widgets.plotext_strips import app_plot_theme, new_figure

EPOCHS = 20_000
BUILDS = 20


def long_run_data(chart: LossChart) -> ChartData:
    """What ``chart`` draws for a long run: an ``EPOCHS``-epoch noisy loss and an accuracy series, solved a quarter
    of the way in, in its app's theme."""
    rng = np.random.default_rng(0)
    loss = np.exp(-np.arange(EPOCHS) / 3000) * (1 + 0.3 * rng.random(EPOCHS))
    accuracy = (rng.random(EPOCHS) > 0.3).astype(float)
    return ChartData(chart.size.width, chart.size.height, app_plot_theme(chart.app), loss, np.empty(0), accuracy,
                     EPOCHS // 4, False, False)


async def build_ms(size: tuple[int, int]) -> tuple[tuple[int, int], float]:
    """(the chart's size in cells, the best of three mean build times over BUILDS builds, in ms) at ``size``."""
    app = LabApp(recipe("keras-xor"))
    async with app.run_test(size=size):
        chart = app.query_one(LossChart)
        data = long_run_data(chart)
        chart._build(data)  # warm up
        times = []
        for _ in range(3):
            start = time.perf_counter()
            for _ in range(BUILDS):
                chart._build(data)
            times.append((time.perf_counter() - start) / BUILDS * 1000)
        return (chart.size.width, chart.size.height), min(times)


def redraw_cells(cells: tuple[int, int], epochs: int = 4000, every: int = 20) -> float:
    """The cells a live chart of ``cells`` (width, height) repaints per redraw, on average, as a falling noisy loss
    and a rising accuracy grow by ``every`` epochs a redraw."""
    rng = np.random.default_rng(0)
    loss = 0.25 * np.exp(-np.arange(epochs) / 300) + 0.001 * rng.random(epochs)
    accuracy = np.minimum(1, np.floor(np.arange(epochs) / 150) / 4)
    drawing, shown, sent, redraws = ChartDrawing(new_figure()), None, 0, 0
    for n in range(100, epochs + 1, every):
        lines = drawing.build(ChartData(*cells, "colorless", loss[:n], np.empty(0), accuracy[:n], None, False, False,
                                        live=True))
        if shown is not None:
            sent += sum(span[1] for old, new in zip(shown, lines, strict=True) if (span := changed_span(old, new)))
            redraws += 1
        shown = lines
    return sent / redraws


def main() -> None:
    print(f"nnlab chart build (python benchmarks/bench_chart.py): {EPOCHS:,}-epoch noisy loss and accuracy")
    for size in ((80, 24), (200, 50)):
        cells, ms = asyncio.run(build_ms(size))
        print(f"  screen {size[0]}x{size[1]}: chart {cells[0]}x{cells[1]} cells, {ms:.1f} ms per build, "
              f"{redraw_cells(cells):.0f} cells repainted per live redraw")


if __name__ == "__main__":
    main()
