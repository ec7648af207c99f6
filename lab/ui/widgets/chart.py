"""The live chart widget: it gathers the run's history and decides when and where to repaint it; the drawing itself
(plotext's figure read into styled lines) is ``lab.ui.widgets.chart_drawing``'s.

Building a big chart takes tens of milliseconds of pure Python (plotext's drawing, read straight into styled lines by
``figure_strips``), so while the app trains (``live``) the lines are built in a thread worker and shown when ready: the
interface thread only hands finished ``Strip``s to the compositor (this is a Line-API widget), and repaints only the
cells that changed (``light_link.changed_span``). Redraws are at least ``min_interval`` apart and ``cost_factor``
times the last build's cost apart, and while the person presses keys they wait for a pause (``KeyPacing``). A new
scale or colouring the person asks for is their key's whole effect, with the trainer held for it: it is built at
once on the interface thread (a 200x50 chart in about 15 ms), unless a build is under way. When not live (paused,
stepping by hand, tests) the chart is built in ``render`` as usual. Every build carries the number of its capture,
and lines older than those shown are dropped.
"""
from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

import numpy as np
from textual import work
from textual.geometry import Region
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.timer import Timer
from textual.widget import Widget

from lab.core.series import DisplaySeries
from lab.timings import Timings
from lab.ui.messages import HistorySlice
from lab.ui.pacing import KeyPacing
from lab.ui.parcel import Parcel
from lab.ui.widgets.chart_drawing import ChartData, ChartDrawing, palette
from lab.ui.widgets.light_link import changed_span
from lab.ui.widgets.plotext_strips import app_plot_theme, new_figure
from lab.ui.widgets.strip_fit import crop_extend

MIN_INTERVAL = Timings.chart_min_interval  # by default at most ten redraws a second


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




class LossChart(Widget):
    """Accumulates ``HistorySlice``s and draws them."""

    DEFAULT_CSS = """
    LossChart {
        width: 1fr;
        height: 1fr;
    }
    """

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
        self.loss = DisplaySeries()
        """The run's losses as the chart keeps them: the newest exactly, the older in blocks (bounded memory)."""
        self.accuracy = DisplaySeries()
        self.heldout_loss = DisplaySeries()
        self.heldout_accuracy = DisplaySeries()
        self.solved_epoch: int | None = None
        self.budget: int | None = None
        """The run's budget of epochs, when known (the app sets it): the epoch axis never ends past it."""
        self.loss_now: float | None = None
        """The loss the status line shows when it is not the last epoch's (after an edit of the table: the network
        as it stands on the table as it stands): the title shows it (``show_loss``)."""
        self._live = False
        self.min_interval = MIN_INTERVAL
        """Seconds between redraws at the least (the app's frame-rate setting)."""
        self.cost_factor = Timings.cost_factor
        """Redraws are at least this many times the last build's cost apart (the app's ``Timings``)."""
        self.wait_for_interface: Callable[[], None] = lambda: None
        """Called by the build thread before it starts: the app lets it wait while a key press is being handled
        (the same hold as the trainer's, so the interface thread has the interpreter to itself)."""
        self._built: tuple[list[Strip], tuple[int, int]] | None = None
        self._generation = 0  # of the latest capture
        self._shown_generation = 0  # of the lines shown
        self._fitted: list[Strip] = []  # this repaint's lines, fitted to the width in the widget's style
        self._changed_at = 0  # the capture generation current when the data last changed: lines from a capture
        # numbered no higher predate that change (``_stale``)
        self._plt_lock = threading.Lock()  # one build at a time, on either thread
        self.plt = new_figure()
        """The chart's own plotext figure (draw on it only with ``_plt_lock`` held)."""
        self.drawing = ChartDrawing(self.plt)
        """Draws the chart's lines with this widget's plotext figure (call with ``_plt_lock`` held)."""
        self._capture: Parcel[tuple[ChartData, bool]] | None = None  # the latest build's capture and whether it
        # was asked for, until the build takes them
        self._next_draw = 0.0
        self._draw_timer: Timer | None = None  # a paced redraw waiting for its turn
        self.pacing = KeyPacing()
        """The person's keys (the app shares its own): paced redraws wait for the keys to go quiet, so a big
        chart's repaint does not land in the middle of them."""
        self.redrawing_as_asked = False
        """A redraw the person asked for (a new scale, a resize) is being built: the app keeps the trainer held
        until it is shown."""

    # --- data ------------------------------------------------------------------------------------------------------
    @property
    def live(self) -> bool:
        """Set by the app while training: build in a thread worker. The drawing depends on it (the epoch axis's
        steps), so a change redraws."""
        return self._live

    @live.setter
    def live(self, value: bool) -> None:
        if value != self._live:
            self._live = value
            self.refresh()

    def clear_history(self) -> None:
        """Forget every epoch (a new run)."""
        for series in (self.loss, self.accuracy, self.heldout_loss, self.heldout_accuracy):
            series.truncate(0)
        self.solved_epoch = None
        self.loss_now = None
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

    def show_loss(self, loss: float | None, epoch: int) -> None:
        """The loss the status line shows at ``epoch`` (``Run.status``): the title shows it too when the chart
        holds that epoch, so that every figure on screen belongs to the same table and weights (it differs from
        the last epoch's after an edit of the table)."""
        last = self.loss.last() if len(self.loss) == epoch > 0 else None
        now = None if loss is None or last is None or loss == last or (math.isnan(loss) and math.isnan(last)) \
            else loss
        if now != self.loss_now:
            self.loss_now = now
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
        self._repaint()
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

    def capture(self) -> ChartData:
        """What to draw now (the series, scale, size and theme), numbered: each capture newer than the last."""
        self._generation += 1
        theme = self.app.current_theme
        return ChartData(self.size.width, self.size.height, app_plot_theme(self.app),
                         self.loss.view(), self.heldout_loss.view(), self.accuracy.view(), self.solved_epoch,
                         self.log_scale, self.monochrome, self._generation, palette(theme), self.budget,
                         self.loss_now, self.live)

    def _start_build(self, asked: bool = False) -> None:
        if self.size.width and self.size.height:
            self.redrawing_as_asked |= asked
            unstarted = self._capture.take() if self._capture is not None else None
            if unstarted is not None:  # a build that has not started (this one cancels it): its capture goes, and
                asked |= unstarted[1]  # this one answers the person's redraw if that one was to
            self._capture = Parcel((self.capture(), asked))
            self._build_worker(self._capture)

    @work(thread=True, exclusive=True, exit_on_error=False, group="chart", name="chart")
    def _build_worker(self, capture: Parcel[tuple[ChartData, bool]]) -> None:
        """Build the chart text of the capture in ``capture`` in a thread (holding the plot's lock) and post it back.
        A redraw the person asked for (a new scale, a resize: the parcel's flag) is the key's own effect, so it does
        not wait for the interface. The capture is taken out of its parcel: the finished worker, which Textual keeps
        until the collector's next full pass (``lab.ui.parcel``), holds no series."""
        taken = capture.take()
        if taken is None:
            return  # a newer build took over before this one started
        data, asked = taken
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
        shown = message.generation > self._shown_generation
        if shown:
            self._refresh_changed(message.lines, message.size)
            self._keep(message.lines, message.size, message.generation)
        if self._stale and not self.live:
            # The chart changed after this build's capture (the run's last epochs, after it stopped), or a repaint
            # found the build under way and showed older lines: build what the chart holds now.
            self._repaint()
        return shown

    def _refresh_changed(self, lines: list[Strip], size: tuple[int, int]) -> None:
        """Repaint only the cells that differ from the ones shown, line by line from the first changed column to
        the last (everything after a resize). In its stable frame a live chart's redraw changes its title and the
        lines its newest columns touch, and over a terminal link each repainted line is sent from the chart's left
        edge to the end of its change (a whole 200x50 chart line is about 150 bytes in 256 colours)."""
        shown = self._built
        if shown is None or shown[1] != size or len(shown[0]) != len(lines) or size != tuple(self.size):
            self._repaint()
            return
        spans = [(y, changed_span(old, new)) for y, (old, new) in enumerate(zip(shown[0], lines, strict=True))]
        regions = [Region(span[0], y, span[1] - span[0], 1) for y, span in spans if span is not None]
        if regions:
            self._repaint(*regions)

    @property
    def shown_lines(self) -> list[Strip] | None:
        """The lines being painted (the last build kept), or None before the first."""
        return None if self._built is None else self._built[0]

    def _keep(self, lines: list[Strip], size: tuple[int, int], generation: int) -> None:
        """Make ``lines``, built for ``size`` from capture ``generation``, the ones to paint; they stay stale (built
        again at the next repaint when not live) if the chart changed after that capture (``_stale``)."""
        self._built = (lines, size)
        self._shown_generation = generation

    # --- drawing ---------------------------------------------------------------------------------------------------
    def _build(self, data: ChartData) -> list[Strip]:
        """Draw ``data`` (``ChartDrawing.build``) and time the next redraw by its cost. Call with ``_plt_lock``
        held."""
        start = time.perf_counter()
        lines = self.drawing.build(data)
        self._next_draw = time.monotonic() + max(self.min_interval, self.cost_factor * (time.perf_counter() - start))
        return lines


    @property
    def _stale(self) -> bool:
        """Whether the lines kept were captured before the chart's last change (or none are kept yet)."""
        return self._shown_generation <= self._changed_at

    def refresh(self, *args, **kwargs) -> LossChart:
        """What the chart draws has changed: the lines shown, and any build captured before now, are stale."""
        self._changed_at = self._generation
        return super().refresh(*args, **kwargs)

    def _repaint(self, *regions: Region) -> None:
        """Paint the lines kept again (all, or ``regions``): what the chart draws has not changed."""
        super().refresh(*regions)

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
            # A build is under way in the worker: show the last lines rather than wait for it (the chart stays
            # stale, so ``show_built`` then builds the latest).
            return self._built[0] if self._built is not None else []
        lines, data = built
        self._keep(lines, size, data.generation)
        return lines

    def _build_here(self) -> tuple[list[Strip], ChartData] | None:
        """Capture and build on this thread, unless a build is under way in the worker (then None)."""
        if not self._plt_lock.acquire(blocking=False):
            return None
        try:
            data = self.capture()
            return self._build(data), data
        finally:
            self._plt_lock.release()

    def render_lines(self, crop: Region) -> list[Strip]:
        # The widget's style (a walk up the DOM) and the lines fitted to the width, once per repaint, not per line.
        lines, width, style = self._lines(), self.size.width, self.rich_style
        self._fitted = [crop_extend(line, 0, width, style) for line in lines] + [Strip.blank(width, style)] * max(
            0, self.size.height - len(lines))
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        return self._fitted[y] if y < len(self._fitted) else Strip.blank(self.size.width, self.rich_style)
