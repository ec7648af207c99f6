"""plotext 6 on its public API (``lab.ui.widgets.plotext_strips``): figures of their own, app themes as plotext
themes, and strips read from plotext's text that equal rich's own parse of it, for every chart the lab draws; and the
chart's axes (``chart_drawing``): y labels evenly spaced, each on the row of its value, the epoch axis near the run's
end."""

from __future__ import annotations

import re
from importlib.metadata import version

import numpy as np
import plotext
import pytest
from rich.console import Console
from rich.text import Text
from textual.strip import Strip

from lab.core.series import FINE_STEPS, axis_end
from lab.ui.widgets.chart import LossChart
from lab.ui.widgets.chart_drawing import (
    ChartData,
    ChartDrawing,
    canvas_rows,
    epoch_axis_end,
    epoch_ticks,
    row_ticks,
)
from lab.ui.widgets.plotext_strips import app_plot_theme, new_figure, plot_theme, text_strips

from tests.ui.helpers import make_app


def _ansi_strips(text: str, width: int) -> list[Strip]:
    """The reference: plotext's ANSI text, parsed by rich and rendered line by line."""
    console = Console(width=width, color_system="truecolor", force_terminal=True, legacy_windows=False)
    parsed = Text.from_ansi(text.removesuffix("\n"), no_wrap=True)
    return [Strip(list(line.render(console)), line.cell_len) for line in parsed.split("\n")]


def _segments(strips: list[Strip]) -> list[list[tuple[str, object]]]:
    """Each strip's (text, style) runs, an empty style as none."""
    return [[(segment.text, segment.style or None) for segment in strip] for strip in strips]


def _plain(strips: list[Strip]) -> list[str]:
    return ["".join(segment.text for segment in strip) for strip in strips]


def test_plotext_is_the_series_the_project_allows():
    """pyproject.toml asks for plotext 6; the lab uses its public API only (no textual-plotext)."""
    assert version("plotext").startswith("6.")


def test_figures_are_their_own():
    """Drawing on one figure leaves another, and plotext's global one, as they were."""
    one, two = new_figure(), new_figure()
    before = plotext.figure.build().string(colorless=True)
    for figure, title in ((one, "one"), (two, "two")):
        figure.plot_size(30, 8)
        figure.title(title)
        figure.draw(figure.signal([1, 2, 3], [3, 1, 2]).lines())
    assert "one" in one.build().string(colorless=True) and "one" not in two.build().string(colorless=True)
    assert plotext.figure.build().string(colorless=True) == before


def test_a_figure_is_as_large_as_asked_whatever_the_terminal():
    figure = new_figure()
    figure.plot_size(400, 120)
    assert figure.build().size() == (400, 120)


def test_plot_theme_draws_on_the_surface_in_the_foreground():
    figure = new_figure()
    figure.plot_size(30, 8)
    figure.theme(plot_theme("#123456", "#abcdef"))
    figure.title("colours")
    matrix = figure.build()
    assert matrix.get(0, 0).background() == (0x12, 0x34, 0x56)
    title = matrix.string(colorless=True).splitlines()[0].index("c")
    assert matrix.get(0, title).foreground() == (0xAB, 0xCD, 0xEF)


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
    async with app.run_test(size=size) as pilot:
        chart = app.query_one(LossChart)
        for theme in ("textual-dark", "textual-light", "ansi-dark"):
            app.theme = theme
            await pilot.pause()
            for train, held, acc, solved, log, mono in cases:
                data = ChartData(chart.size.width, chart.size.height, app_plot_theme(app), train, held, acc, solved,
                                 log, mono)
                text = chart.drawing.figure(data)[0].build().string()
                strips = text_strips(text)
                got = _segments(strips)
                assert got == _segments(_ansi_strips(text, data.width)), (theme, log, mono)
                assert len(got) == data.height - (1 if len(train) else 0)
                assert all(strip.cell_length == data.width for strip in strips)
                if theme != "ansi-dark":
                    assert any(style for line in got for _, style in line)
                else:  # the terminal's own background: no cell is given one
                    assert not any(style and style.bgcolor for line in got for _, style in line), (log, mono)


def _chart_lines(width: int, height: int, loss: np.ndarray, log: bool, **more) -> list[str]:
    accuracy = np.linspace(0, 1, loss.size)
    data = ChartData(width, height, "colorless", loss, np.empty(0), accuracy, None, log, False, **more)
    return _plain(ChartDrawing(new_figure()).build(data))


def _left_labels(lines: list[str]) -> list[tuple[int, str]]:
    """(row, label) of each labelled tick of the left axis, top first."""
    return [(row, m.group(1)) for row, line in enumerate(lines) if (m := re.match(r"^\s*([-\d.e]+)┤", line))]


@pytest.mark.parametrize("width, height", [(48, 10), (60, 14), (80, 20), (200, 48)])
@pytest.mark.parametrize("log", [False, True])
def test_y_labels_are_evenly_spaced_each_on_the_row_of_its_value(width, height, log):
    """The left axis's labels are the same number of rows apart, one to a row with a row between, and each reads
    the value drawn on its row: the final loss's row lies between the labels around it."""
    loss = 0.25 * np.exp(-np.arange(4000) / 600) + 1e-4
    lines = _chart_lines(width, height, loss, log)
    labels = _left_labels(lines)
    assert len(labels) >= 2, lines
    gaps = {b[0] - a[0] for a, b in zip(labels, labels[1:], strict=False)}
    assert len(gaps) == 1 and min(gaps) >= 2, labels
    values = [float(label) for _, label in labels]
    assert values == sorted(values, reverse=True)
    assert len({round(b - a, 9) for a, b in zip(values, values[1:], strict=False)}) == 1 or log
    right = [(row, m.group(1)) for row, line in enumerate(lines) if (m := re.search(r"├([\d.]+) *$", line))]
    assert [label for _, label in right] == ["1", "0.5", "0"] or [label for _, label in right] == ["1", "0"], right
    assert len({b[0] - a[0] for a, b in zip(right, right[1:], strict=False)}) == 1, right
    if log:  # decades or steps in log10, labelled as losses: every label a positive loss
        assert all(v > 0 for v in values), labels
        ratios = {round(np.log10(a / b), 6) for a, b in zip(values, values[1:], strict=False)}
        assert len(ratios) == 1, labels


def test_row_ticks_put_each_tick_on_a_row_middle():
    for low, high, rows in ((0.0, 0.25, 5), (0.0, 0.25, 16), (-3.4, 0.2, 9), (0.21, 0.245, 30), (0, 1e6, 44)):
        axis = row_ticks(low, high, rows)
        assert axis.low <= low and axis.high >= high
        unit = (axis.high - axis.low) / (rows - 1)
        steps = [(p - axis.low) / unit for p in axis.positions]
        assert all(abs(s - round(s)) < 1e-6 for s in steps), (low, high, rows, steps)
        assert len({round(b - a) for a, b in zip(steps, steps[1:], strict=False)}) == 1


def test_the_final_loss_is_drawn_between_the_labels_around_it():
    """A log chart: the row of the last column's mark lies between the rows of the labels bracketing the loss."""
    loss = np.geomspace(0.2, 0.002, 3000)
    lines = _chart_lines(80, 20, loss, log=True)
    labels = [(row, float(v)) for row, v in _left_labels(lines)]
    marks = [row for row, line in enumerate(lines[:-3]) if re.search(r"[⠀-⣿]", line[-20:-4])]
    last_row = max(marks)  # the loss falls: its last column is its lowest mark
    above = max((r for r, v in labels if v >= loss[-1]), default=None)
    below = min((r for r, v in labels if v <= loss[-1]), default=None)
    assert above is not None and below is not None, labels
    assert above <= last_row <= below, (labels, last_row)


def test_the_epoch_axis_ends_near_the_run():
    """A finished 15,000-epoch run's axis ends at 15,000 (not 20,000), and a live one's too once its budget is known
    (never past it); while training, the axis ends at the coarse round numbers that rescale it seldom; a short run's
    axis ends near its last epoch whatever its budget."""
    assert axis_end(15_000, steps=FINE_STEPS) == 15_000 and axis_end(15_000) == 20_000
    assert axis_end(12_001, steps=FINE_STEPS) == 15_000
    loss = np.linspace(1, 0.1, 15_000)
    finished = _chart_lines(80, 20, loss, log=False)
    assert "15,000" in finished[-2] and "20,000" not in finished[-2], finished[-2]
    live = _chart_lines(80, 20, loss[:12_000], log=False, live=True, budget=15_000)
    assert live[-2].rstrip().endswith("15,000"), live[-2]
    assert _chart_lines(80, 20, loss[:12_000], log=False, live=True)[-2].rstrip().endswith("20,000")
    early = ChartData(80, 20, "colorless", loss[:3_000], np.empty(0), loss[:3_000], None, False, False, live=True,
                      budget=15_000)
    assert epoch_axis_end(early) == 5_000
    assert _chart_lines(80, 20, loss[:150], log=False, budget=1_000)[-2].rstrip().endswith("150")
    assert epoch_ticks(15_000, 4)[-1] == 15_000


def test_canvas_rows_are_the_rows_between_the_frame():
    lines = _chart_lines(60, 15, np.linspace(1, 0.1, 100), log=False)
    frame = [i for i, line in enumerate(lines) if "┌" in line or "└" in line]
    assert frame[1] - frame[0] - 1 == canvas_rows(14)
