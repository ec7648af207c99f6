"""The plotext section of ``lab.ui.textual_adapter``: each private part of plotext and textual-plotext the lab uses,
held to the shape the adapter expects, so that an upgrade that moves one fails here, by name, rather than as a blank
or garbled chart."""

from __future__ import annotations

import inspect
from importlib.metadata import version

import plotext._figure
import plotext._utility
import pytest
from plotext._dict import themes
from rich.console import Console
from rich.text import Text
from textual.app import App, ComposeResult
from textual_plotext import PlotextPlot

from lab.ui.textual_adapter import (
    PLOTEXT_CHECKED_AGAINST,
    TEXTUAL_PLOTEXT_CHECKED_AGAINST,
    cell_ansi,
    plot_matrix,
    plot_theme_name,
    set_plot_size,
)

WIDTH, HEIGHT = 40, 12


def _figure():
    """A plotext figure as a ``PlotextPlot`` holds one, with a line, a scatter and a title drawn on it."""
    plt = PlotextPlot().plt
    plt.clear_data()
    plt.clear_figure()
    set_plot_size(plt, WIDTH, HEIGHT)
    plt.theme("textual-dark")
    plt.plot([1, 2, 3, 4], [1, 4, 2, 3], marker="braille", color="cyan")
    plt.plot([1, 2, 3, 4], [3, 1, 4, 2], marker="·", color=(0, 105, 35), yside="right")
    plt.title("adapter")
    return plt


def test_the_checked_versions_are_in_the_series_the_project_allows():
    """The versions named belong to the series pyproject.toml allows (plotext 5, textual-plotext 1.0), as does the one
    installed: a patch release within them is held to the shape tests below rather than refused by its number, so a
    fresh install stays green; a new series needs these tests run and the bounds and names changed together."""
    assert PLOTEXT_CHECKED_AGAINST.startswith("5.") and version("plotext").startswith("5.")
    assert TEXTUAL_PLOTEXT_CHECKED_AGAINST.startswith("1.0.") and version("textual-plotext").startswith("1.0.")


def test_the_private_names_exist_with_the_signatures_used():
    figure = plotext._figure._figure_class
    for name in ("_set_sizes", "_build_matrix", "_set_size"):
        assert callable(getattr(figure, name, None)), f"plotext's figure lost {name}"
    assert list(inspect.signature(figure._set_sizes).parameters) == ["self"]
    assert list(inspect.signature(figure._build_matrix).parameters) == ["self"]
    assert list(inspect.signature(figure._set_size).parameters)[:3] == ["self", "width", "height"]
    assert callable(getattr(plotext._utility, "colors_to_ansi", None)), "plotext._utility lost colors_to_ansi"
    assert callable(getattr(PlotextPlot, "_get_plotext_theme_name", None)), \
        "textual-plotext's PlotextPlot lost _get_plotext_theme_name"


def test_plot_matrix_reads_four_grids_of_the_figure_size_bottom_row_first():
    """``monitor.matrix`` holds rows x cols grids of one-character markers, colours and styles, the bottom row
    first, and they are what ``build()`` writes."""
    plt = _figure()
    matrix = plot_matrix(plt)
    assert matrix.rows == HEIGHT
    for grid in (matrix.marker, matrix.fullground, matrix.style, matrix.background):
        assert len(grid) == HEIGHT and all(len(row) == WIDTH for row in grid)
    assert all(isinstance(m, str) and len(m) == 1 for row in matrix.marker for m in row)
    colours = {c if isinstance(c, str | int) else tuple(c) for grid in (matrix.fullground, matrix.background)
               for row in grid for c in row}
    assert all(isinstance(c, str | int) or (len(c) == 3 and all(isinstance(v, int) for v in c)) for c in colours)
    assert all(isinstance(s, str) for row in matrix.style for s in row)
    built = Text.from_ansi(plt.build()).plain.splitlines()
    assert ["".join(row) for row in reversed(matrix.marker)] == built  # the title on top: the bottom row first


def test_cell_ansi_writes_the_codes_rich_reads_as_the_cell_colours():
    console = Console(width=8, color_system="truecolor", force_terminal=True, legacy_windows=False)
    codes = cell_ansi((0, 105, 35), "bold", (18, 18, 18))
    assert codes.startswith("\x1b[")
    style = next(iter(Text.from_ansi(codes + "x").render(console))).style
    assert style is not None and style.bold
    assert style.color is not None and style.color.triplet is not None and tuple(style.color.triplet) == (0, 105, 35)
    assert style.bgcolor is not None and style.bgcolor.triplet is not None
    assert tuple(style.bgcolor.triplet) == (18, 18, 18)


def test_set_plot_size_sizes_the_built_figure():
    plt = _figure()
    set_plot_size(plt, 30, 7)
    lines = Text.from_ansi(plt.build()).plain.splitlines()
    assert len(lines) == 7 and {len(line) for line in lines} == {30}


class _PlotApp(App):
    def compose(self) -> ComposeResult:
        yield PlotextPlot()


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
async def test_plot_theme_name_is_a_theme_textual_plotext_registered(theme):
    """The name is of a plotext theme that textual-plotext registered for the app's theme, with the app's colours."""
    app = _PlotApp()
    async with app.run_test() as pilot:
        app.theme = theme
        await pilot.pause()
        name = plot_theme_name(app.query_one(PlotextPlot), theme)
        assert name in themes, f"textual-plotext did not register {name!r}"
        surface = app.theme_variables["surface"]
        assert themes[name][0] == tuple(int(surface[i : i + 2], 16) for i in (1, 3, 5))
