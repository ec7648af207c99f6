"""The live chart's drawing: a ``ChartData`` in, one styled line per row out, drawn with one plotext figure.

The series are reduced to one bucket per column (``lab.core.series``) before plotext sees them, so the drawing
time stays flat however long or noisy the run. Loss is on the left axis (``log10`` of it in log mode, its ticks
labelled as losses), accuracy on the right axis from 0 to 1, and a vertical line marks the solved epoch. Each axis's
labels are on round steps, the same number of rows apart and each on the row of its value (``row_ticks``); the epoch
axis ends at a round number, never past the budget while the run is within it (``epoch_axis_end``). Only finite
values are drawn, and a loss from ``LARGE`` up (a run on its way to diverging) in units of a power of ten, so that
no axis arithmetic meets values near 1e308 (plotext 5's overflowed and drew nothing). The last line is a legend in
words
(``legend_text``): each mark's glyph and what it is, shortened to fit the width. Nothing here touches the widget
tree, so a build can run on any thread (``LossChart`` runs it in a worker while the app trains).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotext
from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from lab.core.series import FINE_STEPS, Reduced, SeriesView, axis_end, held_limits, log_losses, reduce_series
from lab.ui.widgets.light_link import compact
from lab.ui.widgets.plotext_strips import figure_strips
from lab.ui.widgets.strip_fit import crop_extend

NOISE = 0.03  # draw the envelope when a column's values spread over more than 3% of the axis
LARGE = 1e6  # losses from this size on are drawn in units of a power of ten (named in the legend)
SPREAD_MARKER = "'"  # the top of the loss's spread in each column: not a dot, which would read as a series
HELD_OUT_MARKER = "•"
ACCURACY_MARKER = "·"
LEGEND_GAP = "  "
RICH_COLORS = {"gray": "grey50", "orange": "dark_orange"}  # plotext's colour names rich spells otherwise


@dataclass(frozen=True)
class LegendEntry:
    """One mark of the chart in words: its glyph, a long and a short description, and its colour."""

    glyph: str
    long: str
    short: str
    color: str | tuple[int, int, int]


Colour = str | tuple[int, int, int]  # a plotext colour: a name of the 16 ANSI colours, or RGB


def legend_text(entries: list[LegendEntry], width: int) -> list[tuple[str, Colour]]:
    """The legend as ``(text, colour)`` runs within ``width`` cells: the long descriptions when they fit, else the
    short ones, else as many short entries as fit (the first ones: the loss first)."""
    for form in ("long", "short"):
        runs: list[tuple[str, Colour]] = []
        for i, e in enumerate(entries):
            runs += [(LEGEND_GAP if i else " ", ""), (e.glyph, e.color), (" " + getattr(e, form), "")]
        if sum(len(t) for t, _ in runs) <= width:
            return runs
    while runs and sum(len(t) for t, _ in runs) > width:
        runs = runs[:-3]
    return runs


def legend_strip(entries: list[LegendEntry], width: int, monochrome: bool) -> Strip:
    """The legend line below the plot, ``width`` cells (the glyphs coloured as their series unless
    ``monochrome``)."""
    segments = [Segment(text, Style(color=None if monochrome or not color else _rich_colour(color),
                                    bold=bool(color)))
                for text, color in legend_text(entries, width)]
    return crop_extend(Strip(segments), 0, width, Style())


def _rich_colour(color: Colour) -> str | Color:
    """A plotext colour as rich spells it."""
    if isinstance(color, tuple):
        return Color.from_rgb(*color)
    return RICH_COLORS.get(color, color)


SERIES_COLOURS: dict[str, dict[str, str | tuple[int, int, int]]] = {
    "dark": {"loss": "cyan", "heldout": "orange", "accuracy": "green", "envelope": "gray", "solved": "magenta"},
    "light": {"loss": (0, 80, 170), "heldout": (155, 65, 0), "accuracy": (0, 105, 35), "envelope": (110, 110, 110),
              "solved": (150, 0, 150)},
    "ansi-light": {"loss": "blue", "heldout": "magenta", "accuracy": "green", "envelope": "gray", "solved": "red"},
}
"""The series' colours by palette (``palette``): plotext's names are the terminal's 16 ANSI colours, which a light
theme's palette draws too faintly on its light background (yellow 2:1, cyan and green 3:1), so light themes draw in
darker RGB colours (4.5:1 or more on every built-in light theme's surface; the noise envelope, meant to be faint,
3:1); a light ANSI theme keeps to the terminal's own colours, with its darker ones."""


def palette(theme) -> str:
    """The key of ``SERIES_COLOURS`` for a Textual ``Theme``."""
    if not theme.dark:
        return "ansi-light" if theme.ansi else "light"
    return "dark"


@dataclass(frozen=True)
class ChartData:
    """Everything one drawing needs, captured on the interface thread."""

    width: int
    height: int
    theme: str
    loss: np.ndarray | SeriesView
    """Per epoch, shape ``(n,)``: as an array, or as a ``DisplaySeries`` keeps it (``LossChart``'s)."""
    heldout_loss: np.ndarray | SeriesView
    accuracy: np.ndarray | SeriesView
    solved_epoch: int | None
    log_scale: bool
    monochrome: bool
    generation: int = 0
    """Counts captures: a build of an older capture than the one shown is dropped."""
    palette: str = "dark"
    """The series' colours: a key of ``SERIES_COLOURS``."""
    budget: int | None = None
    """The run's budget of epochs, when the chart knows it: the epoch axis never ends past it while the run is
    within it (a 15,000-epoch run's axis ends at 15,000, not 20,000)."""
    loss_now: float | None = None
    """The loss of the network as it stands on the table as it stands, when it is not the last epoch's (after an
    edit of the table): the title shows it, the figure the status line shows, not the last epoch's."""
    live: bool = False
    """Drawn while training: the epoch axis ends at a coarse round number (10, 20, 50, 100, ...), so that it rescales
    a few times a decade, each rescale a whole repaint; else near the last epoch (on 1, 1.5, 2, 3, 4, 5, 6, 8 times a
    power of ten)."""


def epoch_axis_end(data: ChartData) -> int:
    """Where ``data``'s epoch axis ends (see ``ChartData.budget`` and ``ChartData.live``)."""
    n = data.loss.size
    end = axis_end(n) if data.live else axis_end(n, steps=FINE_STEPS)
    if data.budget is not None and n <= data.budget:
        end = min(end, max(data.budget, 2))
    return end


class ChartDrawing:
    """Draws ``ChartData`` with one plotext figure (``plotext_strips.new_figure``) and holds the loss axis's limits
    from one drawing to the next, so that a live chart keeps a stable frame. One build at a time: the caller
    serialises them (``LossChart`` with its plot lock)."""

    def __init__(self, plt: Any) -> None:
        self.plt = plt
        """The plotext figure drawn on."""
        self._held_limits: tuple[float, float] | None = None  # the loss axis of the last build
        self._held_exponent = 0  # the power of ten the held limits are in

    def build(self, data: ChartData) -> list[Strip]:
        """Draw ``data``, one row short, and the legend below it; one ``Strip`` per line, each in as few segments
        as it takes (``light_link.compact``)."""
        figure, entries = self.figure(data)
        lines = figure_strips(figure)
        if data.loss.size:
            lines.append(legend_strip(entries, data.width, data.monochrome))
        return [compact(line) for line in lines]

    def figure(self, data: ChartData) -> tuple[Any, list[LegendEntry]]:
        """The plotext figure with ``data`` plotted (not yet built), a row short of ``data``'s height
        when there is a legend to draw below it; and the legend's entries."""
        height = max(data.height - 1, 1) if data.loss.size else data.height
        return self._plot_series(self._draw(data, height), data, height)

    def _draw(self, data: ChartData, height: int):
        """The plotext figure, cleared and given ``data``'s width, ``height`` and theme (no series)."""
        plt = self.plt
        plt.clear()
        plt.plot_size(data.width, height)
        plt.theme(data.theme)
        return plt

    def _plot_series(self, plt, data: ChartData, height: int) -> tuple[Any, list[LegendEntry]]:
        """Plot ``data``'s series on ``plt`` (no plotext legend); ``plt`` and the legend's entries, in words, for
        what was drawn.

        The frame is stable while training (an epoch axis to a round end, loss limits that hold until the loss
        leaves them, columns fixed in epoch space), so a redraw changes the title and the newest columns, and only
        those lines are sent to the terminal. Only finite points are drawn; a loss on its way to overflow is drawn
        in units of a power of ten (plotext's own arithmetic on the axis would overflow and draw nothing).
        """
        points = max(2 * (data.width - 12), 8)
        mono = data.monochrome
        colours = SERIES_COLOURS[data.palette]
        if not data.loss.size:
            plt.title("press space to train")
            return plt, []
        end = epoch_axis_end(data)
        entries: list[LegendEntry] = []
        ys = {}
        for label, v in (("loss", data.loss), ("held-out loss", data.heldout_loss)):
            if not v.size:
                continue
            ys[label] = _reduce(v, points, end, data.log_scale)
        finite = [r.high[np.isfinite(r.high)] for r in ys.values()] + [r.mean[np.isfinite(r.mean)] for r in ys.values()]
        top = max((float(np.max(np.abs(f))) for f in finite if f.size), default=0.0)
        exponent = int(math.floor(math.log10(top))) if top >= LARGE else 0
        unit = 10.0 ** exponent
        if exponent != self._held_exponent:  # limits held in other units mean nothing in these
            self._held_limits, self._held_exponent = None, exponent
        name = ("log10 loss" if data.log_scale else "loss") + (f" ×1e{exponent}" if exponent else "")
        looks = {"loss": ("braille", colours["loss"], "⣀", name, name),  # the unit stays in the short form too
                 "held-out loss": (HELD_OUT_MARKER, colours["heldout"], HELD_OUT_MARKER, "held-out loss",
                                   "held-out")}
        drawn: list[float] = []
        for label, r in ys.items():
            marker, color, glyph, long, short = looks[label]
            ok = np.isfinite(r.mean)
            if not ok.any():
                continue
            mean, high = r.mean / unit, r.high / unit
            up = ok & np.isfinite(high)
            span = float(np.nanmax(high[up]) - np.nanmin(r.low[up] / unit)) if up.any() else 0.0
            if not r.exact and up.any() and float(np.nanmax(high[up] - r.low[up] / unit)) > NOISE * (span or 1.0):
                # The raw values' top in each column, faint above the mean line: how noisy the loss is.
                _line(plt, r.x[up], high[up], SPREAD_MARKER, None if mono else colours["envelope"])
                drawn.append(float(np.nanmax(high[up])))
                if label == "loss":
                    entries.append(LegendEntry(SPREAD_MARKER, "top of its spread", "spread", colours["envelope"]))
            drawn += [float(np.nanmin(mean[ok])), float(np.nanmax(mean[ok]))]
            _line(plt, r.x[ok], mean[ok], marker, None if mono else color)
            entries.insert(0 if label == "loss" else len(entries), LegendEntry(glyph, long, short, color))
        rows = canvas_rows(height)
        if drawn:
            # Builds are serialised (the caller's lock), so the limits held from the last one are this one's to use.
            self._held_limits = held_limits(min(drawn), max(drawn), self._held_limits)
            axis = row_ticks(*self._held_limits, rows, log=data.log_scale and not exponent)
            plt.ruler("y").lim(axis.low, axis.high)
            plt.ruler("y").ticks(list(axis.positions), list(axis.labels))
        acc = _reduce(data.accuracy, points, end)
        ok = np.isfinite(acc.mean)
        if ok.any():
            _line(plt, acc.x[ok], acc.mean[ok], ACCURACY_MARKER, None if mono else colours["accuracy"], right=True)
            entries.append(LegendEntry(ACCURACY_MARKER, "accuracy (right axis)", "acc", colours["accuracy"]))
        right = row_ticks(0.0, 1.0, rows, count=3)  # 0, 0.5 and 1, each on a row
        plt.ruler("y", "right").lim(right.low, right.high)
        plt.ruler("y", "right").ticks(list(right.positions), [f"{p:g}" for p in right.positions])
        ticks = epoch_ticks(end, 3 if data.width < 60 else 4)
        plt.ruler("x").ticks(ticks, [f"{t:,}" for t in ticks])
        if data.solved_epoch is not None:
            # A segment across the right axis's range, not plotext's ``line``, whose pixel keeps a white background.
            solved = plt.segment((data.solved_epoch, data.solved_epoch), (right.low, right.high), yside="right",
                                 marker=plotext.marker("│", pixel=None if mono else colours["solved"]))
            plt.draw(solved)
            entries.append(LegendEntry("│", "solved", "solved", colours["solved"]))
        last = data.loss.last() if isinstance(data.loss, SeriesView) else float(data.loss[-1])
        if data.loss_now is not None:
            last = data.loss_now
        plt.title(f"epoch {data.loss.size:,} · loss {last:.4g}" + (
            f" · solved at {data.solved_epoch:,}" if data.solved_epoch is not None else "")
            + ("" if math.isfinite(last) else " (not finite)"))
        plt.ruler("x").lim(1, end)
        return plt, entries


def _reduce(values: np.ndarray | SeriesView, points: int, span: int, log: bool = False) -> Reduced:
    """``values`` (their log10, losses under 1e-12 as 1e-12, with ``log``) in at most ``points`` buckets over an
    axis of ``span`` epochs (``reduce_series``)."""
    if isinstance(values, SeriesView):
        return values.reduce(points, span, log)
    return reduce_series(log_losses(values) if log else values, points, span=span)


def _line(plt, x: np.ndarray, y: np.ndarray, marker: str, color: Colour | None, right: bool = False) -> None:
    """Draw ``y`` against ``x`` (shape ``(n,)`` each) on ``plt`` as a joined line of ``marker``, in ``color`` (the
    theme's text colour when None), on the right axis if ``right``."""
    signal = plt.signal(x.tolist(), y.tolist(), marker=plotext.marker(marker, pixel=color),
                        yside="right" if right else "left")
    plt.draw(signal.lines())


def canvas_rows(height: int) -> int:
    """The rows of a chart's plotting area in a figure ``height`` rows high: all but the title, the frame's top and
    bottom and the epoch labels."""
    return max(height - 4, 1)


@dataclass(frozen=True)
class AxisTicks:
    """A vertical axis's limits and its labelled ticks, each tick on a row of its own and the same number of rows
    apart (the limits are widened so that they land there)."""

    low: float
    high: float
    positions: tuple[float, ...]
    labels: tuple[str, ...]


def row_ticks(low: float, high: float, rows: int, log: bool = False, count: int = 5) -> AxisTicks:
    """Ticks for data in ``[low, high]`` on an axis ``rows`` rows high: multiples of a round step (1, 2, 2.5 or 5
    times a power of ten), at most ``count`` of them and never two on adjacent rows, with the limits widened (by
    less than a step) so that every tick falls on the middle of a row, ``q`` rows from the next. plotext puts the
    limits on the middle of the first and the last row, so the value at row ``i`` from the bottom is
    ``low + i * (high - low) / (rows - 1)``. With ``log``, the values are log10 of the losses and the labels read the
    losses (``0.01``, not ``-2``)."""
    if not (math.isfinite(low) and math.isfinite(high)) or rows < 3:
        return AxisTicks(low, high, (), ())
    span = max(high - low, abs(high) * 1e-9, 1e-12)
    raw = span / max(min(count, (rows + 1) // 2) - 1, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    for step in sorted({s * power * k for k in (1, 10, 100) for s in (1.0, 2.0, 2.5, 5.0)}):
        if log and step >= 1 and not float(step).is_integer():
            continue  # whole decades only, once a step spans one
        if step < raw * (1 - 1e-9):
            continue
        first, last = math.ceil(low / step - 1e-9), math.floor(high / step + 1e-9)
        if last < first:
            continue
        per_row = (rows - 1) / span  # rows per unit at the least widening
        q = math.floor(step * per_row)  # rows between ticks
        while q >= 2:
            unit = step / q  # the value of one row
            below = math.ceil((first * step - low) / unit - 1e-9)
            bottom = first * step - below * unit
            if bottom + (rows - 1) * unit >= high - 1e-9 * span:
                positions = tuple(k * step for k in range(first, last + 1))
                return AxisTicks(bottom, bottom + (rows - 1) * unit, positions,
                                 tuple(_tick_label(p, step, log) for p in positions))
            q -= 1
    return AxisTicks(low, high, (), ())


def _tick_label(value: float, step: float, log: bool) -> str:
    """A tick's label: ``value`` to the decimals ``step`` needs, or with ``log`` the loss ``10 ** value``."""
    if log:
        loss = 10.0 ** value
        if abs(value - round(value)) < 1e-9:
            return f"{loss:g}" if -3 <= round(value) <= 4 else f"1e{round(value)}"
        return f"{loss:.2g}"
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) + (1 if round(step / 10 ** math.floor(
        math.log10(step) + 1e-9), 6) == 2.5 else 0)
    text = f"{value:.{decimals}f}"
    return "0" if float(text) == 0 else text


def epoch_ticks(end: int, count: int) -> list[int]:
    """Epoch ticks on an axis from 1 to ``end``: 1, then the multiples of a round step (about ``end / count``), and
    ``end`` itself when it is far enough from the last of them."""
    raw = end / count
    power = 10 ** max(0, math.floor(math.log10(raw)))
    step = next((s * power for s in (1, 2, 2.5, 5, 10) if s * power >= raw and float(s * power).is_integer()),
                10 * power)
    step = int(step)
    ticks = sorted({1, *range(step, end + 1, step)})
    if end - ticks[-1] > step / 2:
        ticks.append(end)
    return ticks
