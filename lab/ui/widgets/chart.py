"""The live chart: training loss, held-out loss and accuracy per epoch, drawn with the widget's own plotext.

The series are reduced to one bucket per column (``lab.core.series``) before plotext sees them, so the drawing
time stays flat however long or noisy the run. Loss is on the left axis (``log10`` of it in log mode: plotext's own
log axis is broken), accuracy on the right axis from 0 to 1, and a vertical line marks the solved epoch. Only finite
values are drawn, and a loss from ``LARGE`` up (a run on its way to diverging) in units of a power of ten, since
plotext's own axis arithmetic overflows on values near 1e308 and draws nothing. The last line is a legend in words
(``legend_text``): each mark's glyph and what it is, shortened to fit the width.

Building a big chart takes tens of milliseconds of pure Python (plotext's drawing, read straight into styled lines by
``figure_strips``), so while the app trains (``live``) the lines are built in a thread worker and shown when ready: the
interface thread only hands finished ``Strip``s to the compositor (this is a Line-API widget). Redraws are at
least ``min_interval`` apart and ``COST_FACTOR`` times the last build's cost apart, and while the person presses
keys they wait for a pause (``KeyPacing``). A new scale or colouring the person asks for is their key's whole
effect, with the trainer held for it: it is built at once on the interface thread (a 200x50 chart in about 15 ms),
unless a build is under way. When not live (paused, stepping by hand, tests) the chart is built in ``render``
as usual. Every build carries the number of its capture, and lines older than those shown are dropped.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual import work
from textual.message import Message
from textual.geometry import Region
from textual.reactive import reactive
from textual.strip import Strip
from textual.timer import Timer
from textual_plotext import PlotextPlot

from lab.core.series import axis_end, held_limits, reduce_series
from lab.ui.messages import HistorySlice
from lab.ui.pacing import KeyPacing
from lab.ui.widgets.light_link import changed_span, compact
from lab.ui.widgets.plotext_strips import figure_strips

MIN_INTERVAL = 0.1  # by default at most ten redraws a second
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
    return Strip(segments).crop_extend(0, width, Style())


def _rich_colour(color: Colour) -> str | Color:
    """A plotext colour as rich spells it."""
    if isinstance(color, tuple):
        return Color.from_rgb(*color)
    return RICH_COLORS.get(color, color)
COST_FACTOR = 8.0  # and at most about an eighth of the time spent building charts
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


class SeriesBuffer:
    """A growable float64 array: appends are amortised O(1) and ``values`` is a view, never a copy."""

    def __init__(self) -> None:
        self._data = np.empty(1024)
        self._n = 0

    def __len__(self) -> int:
        return self._n

    def extend(self, values: tuple[float, ...]) -> None:
        """Append ``values``."""
        need = self._n + len(values)
        if need > self._data.size:
            grown = np.empty(max(need, 2 * self._data.size))
            grown[: self._n] = self._data[: self._n]
            self._data = grown  # a view handed out earlier keeps the old buffer, still valid for its length
        self._data[self._n : need] = values
        self._n = need

    def truncate(self, n: int) -> None:
        """Keep the first ``n`` values."""
        self._n = min(self._n, n)

    @property
    def values(self) -> np.ndarray:
        """The values so far, shape ``(len,)`` (a view: do not keep it across ``extend`` if you write to it)."""
        return self._data[: self._n]

    def last(self) -> float:
        """The last value."""
        return float(self._data[self._n - 1])


@dataclass(frozen=True)
class ChartData:
    """Everything one drawing needs, captured on the interface thread."""

    width: int
    height: int
    theme: str
    loss: np.ndarray
    heldout_loss: np.ndarray
    accuracy: np.ndarray
    solved_epoch: int | None
    log_scale: bool
    monochrome: bool
    generation: int = 0
    """Counts captures: a build of an older capture than the one shown is dropped."""
    palette: str = "dark"
    """The series' colours: a key of ``SERIES_COLOURS``."""


class LossChart(PlotextPlot):
    """Accumulates ``HistorySlice``s and draws them."""

    # No repaint of their own: a change redraws the chart (``_request_redraw``), which repaints it once drawn.
    log_scale: reactive[bool] = reactive(False, repaint=False)
    """Plot log10 of the losses instead of the losses."""
    monochrome: reactive[bool] = reactive(False, repaint=False)
    """Draw without colour (series told apart by marker and legend alone)."""

    class Built(Message):
        """Chart lines built off the interface thread, for ``size``; ``asked``: a redraw the person asked for."""

        def __init__(self, chart: LossChart, lines: list[Strip], data: ChartData, asked: bool) -> None:
            super().__init__()
            self.chart = chart
            self.lines = lines
            self.size = (data.width, data.height)
            self.generation = data.generation
            self.asked = asked

        @property
        def control(self) -> LossChart:
            """The chart that built the lines."""
            return self.chart

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.loss = SeriesBuffer()
        self.accuracy = SeriesBuffer()
        self.heldout_loss = SeriesBuffer()
        self.heldout_accuracy = SeriesBuffer()
        self.solved_epoch: int | None = None
        self.live = False
        """Set by the app while training: build in a thread worker."""
        self.min_interval = MIN_INTERVAL
        """Seconds between redraws at the least (the app's frame-rate setting)."""
        self.wait_for_interface: Callable[[], None] = lambda: None
        """Called by the build thread before it starts: the app lets it wait while a key press is being handled
        (the same hold as the trainer's, so the interface thread has the interpreter to itself)."""
        self._built: tuple[list[Strip], tuple[int, int]] | None = None
        self._generation = 0  # of the latest capture
        self._shown_generation = 0  # of the lines shown
        self._fitted: list[Strip] = []  # this repaint's lines, fitted to the width in the widget's style
        self._stale = True
        self._plt_lock = threading.Lock()
        self._held_limits: tuple[float, float] | None = None  # the loss axis of the last build (under the lock)
        self._held_exponent = 0  # the power of ten the held limits are in
        self._next_draw = 0.0
        self._draw_timer: Timer | None = None  # a paced redraw waiting for its turn
        self.pacing = KeyPacing()
        """The person's keys (the app shares its own): paced redraws wait for the keys to go quiet, so a big
        chart's repaint does not land in the middle of them."""
        self.redrawing_as_asked = False
        """A redraw the person asked for (a new scale, a resize) is being built: the app keeps the trainer held
        until it is shown."""

    # --- data ------------------------------------------------------------------------------------------------------
    def clear_history(self) -> None:
        """Forget every epoch (a new run)."""
        for series in (self.loss, self.accuracy, self.heldout_loss, self.heldout_accuracy):
            series.truncate(0)
        self.solved_epoch = None
        self.refresh()

    def extend(self, history: HistorySlice, solved_epoch: int | None) -> None:
        """Append a slice of epochs (its ``start`` must equal the epochs already held; a gap restarts from it)."""
        for series in (self.loss, self.accuracy, self.heldout_loss, self.heldout_accuracy):
            series.truncate(history.start)
        self.loss.extend(history.loss)
        self.accuracy.extend(history.accuracy)
        self.heldout_loss.extend(history.heldout_loss)
        self.heldout_accuracy.extend(history.heldout_accuracy)
        if history.loss or solved_epoch != self.solved_epoch:
            self.solved_epoch = solved_epoch
            self._request_redraw()

    def watch_log_scale(self) -> None:
        self._redraw_as_asked()

    def watch_monochrome(self) -> None:
        self._redraw_as_asked()

    # --- scheduling ------------------------------------------------------------------------------------------------
    def _request_redraw(self, now: bool = False) -> None:
        """Redraw when the pacing allows (new epochs), or ``now`` (the person changed the scale or the size: that
        redraw replaces any one waiting for its turn)."""
        if not self.live:
            self.refresh()
            return
        if self._draw_timer is not None:
            if not now:
                return
            self._cancel_timed_build()
        delay = 0.0 if now else self.pacing.due(self._next_draw) - time.monotonic()
        if delay <= 0:
            self._start_build(asked=now)
            return
        self._draw_timer = self.set_timer(delay, self._timed_build)

    def _redraw_as_asked(self) -> None:
        """The person changed the scale or the colours. While training, their key holds the trainer (the app's
        hold), so when no build is under way the new chart is built here at once: no thread to start, no message
        to wait for, and no build thread sharing the interpreter with the interface. Else the build in the worker
        is asked for at once."""
        built = self._build_here() if self.live and self.size.width and self.size.height else None
        if built is None:
            self._request_redraw(now=True)
            return
        self._cancel_timed_build()
        lines, data = built
        self.refresh()
        self._keep(lines, (data.width, data.height), data.generation)

    def _cancel_timed_build(self) -> None:
        if self._draw_timer is not None:
            self._draw_timer.stop()
            self._draw_timer = None

    def _timed_build(self) -> None:
        delay = self.pacing.due(self._next_draw) - time.monotonic()  # a key since it was set
        if delay > 0:
            self._draw_timer = self.set_timer(delay, self._timed_build)
            return
        self._draw_timer = None
        self._start_build()

    def _capture(self) -> ChartData:
        self._generation += 1
        theme = self.app.current_theme
        # An ANSI theme's background is the terminal's own: plotext's clear theme leaves it (and the axes) alone.
        plot_theme = "textual-clear" if theme.ansi else self._get_plotext_theme_name(theme.name)
        return ChartData(self.size.width, self.size.height, plot_theme,
                         self.loss.values, self.heldout_loss.values, self.accuracy.values, self.solved_epoch,
                         self.log_scale, self.monochrome, self._generation, palette(theme))

    def _start_build(self, asked: bool = False) -> None:
        if self.size.width and self.size.height:
            self.redrawing_as_asked |= asked
            self._build_worker(self._capture(), asked)

    @work(thread=True, exclusive=True, exit_on_error=False, group="chart", name="chart")
    def _build_worker(self, data: ChartData, asked: bool) -> None:
        """Build the chart text in a thread (holding the plot's lock) and post it back. A redraw the person
        ``asked`` for (a new scale, a resize) is the key's own effect, so it does not wait for the interface."""
        if not asked:
            self.wait_for_interface()
        with self._plt_lock:
            lines = self._build(data)
        self.post_message(self.Built(self, lines, data, asked))  # shown by ``show_built``

    def show_built(self, message: LossChart.Built) -> bool:
        """Show the lines of a finished build (the app routes ``Built`` here), unless newer lines are shown
        already; whether they are shown."""
        if message.asked:
            self.redrawing_as_asked = False
        if message.generation <= self._shown_generation:
            return False
        self._refresh_changed(message.lines, message.size)
        self._keep(message.lines, message.size, message.generation)
        return True

    def _refresh_changed(self, lines: list[Strip], size: tuple[int, int]) -> None:
        """Repaint only the cells that differ from the ones shown, line by line from the first changed column to
        the last (everything after a resize). In its stable frame a live chart's redraw changes its title and the
        lines its newest columns touch, and over a terminal link each repainted line is sent from the chart's left
        edge to the end of its change (a whole 200x50 chart line is about 150 bytes in 256 colours)."""
        shown = self._built
        if shown is None or shown[1] != size or len(shown[0]) != len(lines) or size != tuple(self.size):
            self.refresh()
            return
        regions = [Region(span[0], y, span[1] - span[0], 1) for y, (old, new) in enumerate(zip(shown[0], lines))
                   if (span := changed_span(old, new)) is not None]
        if regions:
            self.refresh(*regions)

    def _keep(self, lines: list[Strip], size: tuple[int, int], generation: int) -> None:
        """Make ``lines``, built for ``size`` from capture ``generation``, the ones to paint."""
        self._built = (lines, size)
        self._shown_generation = generation
        self._stale = False

    # --- drawing ---------------------------------------------------------------------------------------------------
    def _build(self, data: ChartData) -> list[Strip]:
        """Draw ``data`` with this widget's plotext figure, one row short, and the legend below it; return one
        ``Strip`` per line. Call with ``_plt_lock`` held."""
        start = time.perf_counter()
        figure, entries = self._figure(data)
        lines = figure_strips(figure)
        if data.loss.size:
            lines.append(legend_strip(entries, data.width, data.monochrome))
        lines = [compact(line) for line in lines]
        self._next_draw = time.monotonic() + max(self.min_interval, COST_FACTOR * (time.perf_counter() - start))
        return lines

    def _figure(self, data: ChartData) -> tuple[Any, list[LegendEntry]]:
        """This widget's plotext figure with ``data`` plotted (not yet built), a row short of ``data``'s height
        when there is a legend to draw below it; and the legend's entries."""
        height = max(data.height - 1, 1) if data.loss.size else data.height
        return self._plot_series(self._draw(data, height), data)

    def _draw(self, data: ChartData, height: int):
        """This widget's plotext figure, cleared and given ``data``'s width, ``height`` and theme (no series)."""
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.plotsize(data.width, height)
        plt._set_size(data.width, height)
        plt.theme(data.theme)
        return plt

    def _plot_series(self, plt, data: ChartData) -> tuple[Any, list[LegendEntry]]:
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
        end = axis_end(data.loss.size)
        entries: list[LegendEntry] = []
        ys = {}
        for label, v in (("loss", data.loss), ("held-out loss", data.heldout_loss)):
            if not v.size:
                continue
            y = v
            if data.log_scale:
                with np.errstate(divide="ignore", invalid="ignore"):
                    y = np.log10(np.maximum(v, 1e-12))
            ys[label] = reduce_series(y, points, span=end)
        finite = [r.high[np.isfinite(r.high)] for r in ys.values()] + [r.mean[np.isfinite(r.mean)] for r in ys.values()]
        top = max((float(np.max(np.abs(f))) for f in finite if f.size), default=0.0)
        exponent = int(math.floor(math.log10(top))) if top >= LARGE else 0
        unit = 10.0 ** exponent
        if exponent != self._held_exponent:  # limits held in other units mean nothing in these
            self._held_limits, self._held_exponent = None, exponent
        name = ("log10 loss" if data.log_scale else "loss") + (f" ×1e{exponent}" if exponent else "")
        looks = {"loss": ("braille", colours["loss"], "⣀", name, "log10 loss" if data.log_scale else "loss"),
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
                plt.plot(r.x[up].tolist(), high[up].tolist(), marker=SPREAD_MARKER,
                         color=None if mono else colours["envelope"])
                drawn.append(float(np.nanmax(high[up])))
                if label == "loss":
                    entries.append(LegendEntry(SPREAD_MARKER, "top of its spread", "spread", colours["envelope"]))
            drawn += [float(np.nanmin(mean[ok])), float(np.nanmax(mean[ok]))]
            plt.plot(r.x[ok].tolist(), mean[ok].tolist(), marker=marker, color=None if mono else color)
            entries.insert(0 if label == "loss" else len(entries), LegendEntry(glyph, long, short, color))
        if drawn:
            # Builds are serialised by the plot lock, so the limits held from the last one are this one's to use.
            self._held_limits = held_limits(min(drawn), max(drawn), self._held_limits)
            plt.ylim(*self._held_limits)
        acc = reduce_series(data.accuracy, points, span=end)
        ok = np.isfinite(acc.mean)
        if ok.any():
            plt.plot(acc.x[ok].tolist(), acc.mean[ok].tolist(), marker=ACCURACY_MARKER, yside="right",
                     color=None if mono else colours["accuracy"])
            entries.append(LegendEntry(ACCURACY_MARKER, "accuracy (right axis)", "acc", colours["accuracy"]))
        plt.ylim(-0.02, 1.02, yside="right")
        plt.yticks([0, 0.5, 1], ["0", "0.5", "1"], yside="right")
        ticks = sorted({1, *(int(round(v)) for v in np.linspace(0, end, 5)[1:])})
        plt.xticks(ticks, [f"{t:,}" for t in ticks])
        if data.solved_epoch is not None:
            plt.vline(data.solved_epoch, color=None if mono else colours["solved"])
            entries.append(LegendEntry("│", "solved", "solved", colours["solved"]))
        last = float(data.loss[-1])
        plt.title(f"epoch {data.loss.size:,} · loss {last:.4g}" + (
            f" · solved at {data.solved_epoch:,}" if data.solved_epoch is not None else "")
            + ("" if math.isfinite(last) else " (not finite)"))
        plt.xlim(1, end)
        return plt, entries

    def refresh(self, *args, **kwargs) -> LossChart:
        self._stale = True
        return super().refresh(*args, **kwargs)

    def _lines(self) -> list[Strip]:
        """The lines to paint: the worker's while live, else built here when stale or resized."""
        size = (self.size.width, self.size.height)
        if self.live and self._built is not None:
            if self._built[1] != size:
                self._request_redraw(now=True)  # resized while training: rebuild in the worker
            return self._built[0]
        if self._built is not None and not self._stale and self._built[1] == size:
            return self._built[0]
        built = self._build_here()
        if built is None:
            # A build is under way in the worker: show the last lines rather than wait for it.
            return self._built[0] if self._built is not None else []
        lines, data = built
        self._keep(lines, size, data.generation)
        return lines

    def _build_here(self) -> tuple[list[Strip], ChartData] | None:
        """Capture and build on this thread, unless a build is under way in the worker (then None)."""
        if not self._plt_lock.acquire(blocking=False):
            return None
        try:
            data = self._capture()
            return self._build(data), data
        finally:
            self._plt_lock.release()

    def render_lines(self, crop: Region) -> list[Strip]:
        # The widget's style (a walk up the DOM) and the lines fitted to the width, once per repaint, not per line.
        lines, width, style = self._lines(), self.size.width, self.rich_style
        self._fitted = [line.crop_extend(0, width, style) for line in lines] + [Strip.blank(width, style)] * max(
            0, self.size.height - len(lines))
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        return self._fitted[y] if y < len(self._fitted) else Strip.blank(self.size.width, self.rich_style)
