"""figure_strips reads plotext's matrices straight into strips: the strips of plotext's ANSI text parsed by rich."""

from __future__ import annotations

import numpy as np
import pytest
from rich.console import Console
from rich.text import Text
from textual.strip import Strip

from lab.ui.textual_adapter import plot_theme_name
from lab.ui.widgets.chart import LossChart
from lab.ui.widgets.chart_drawing import ChartData
from lab.ui.widgets.plotext_strips import figure_strips

from tests.ui.helpers import make_app


def _ansi_strips(plt, width: int) -> list[Strip]:
    """The reference: plotext's own ANSI text, parsed by rich and rendered line by line."""
    console = Console(width=width, color_system="truecolor", force_terminal=True, legacy_windows=False)
    text = Text.from_ansi(plt.build(), no_wrap=True)
    return [Strip(list(line.render(console)), line.cell_len) for line in text.split("\n")]


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_strips_equal_the_ansi_path_for_every_chart_the_lab_draws(size):
    rng = np.random.default_rng(0)
    n = 3000
    loss = np.exp(-np.arange(n) / 400) * (1 + 0.5 * rng.random(n))  # noisy: the envelope is drawn too
    accuracy = (rng.random(n) > 0.3).astype(float)
    cases = [(np.empty(0), np.empty(0), np.empty(0), None, False, False)]  # before training
    cases += [(loss, loss * 1.2, accuracy, 900, log, mono) for log in (False, True) for mono in (False, True)]
    cases.append((loss[:5], np.empty(0), accuracy[:5], None, False, False))  # a few exact points
    app = make_app()
    async with app.run_test(size=size):
        chart = app.query_one(LossChart)
        for theme in ("textual-dark", "textual-light"):
            for train, held, acc, solved, log, mono in cases:
                data = ChartData(chart.size.width, chart.size.height, plot_theme_name(chart, theme), train,
                                 held, acc, solved, log, mono)
                expected = [list(strip) for strip in _ansi_strips(chart.drawing.figure(data)[0], data.width)]
                got = [list(strip) for strip in figure_strips(chart.drawing.figure(data)[0])]
                assert got == expected, (theme, log, mono, len(train))
                assert len(got) == data.height - (1 if len(train) else 0)
                assert any(segment.style for line in got for segment in line)
