"""The views on screen: which pane shows where, when the shown network view redraws, and the layout for the
terminal's size; one object the app builds with what it needs (a ``ViewHost``) and forwards its events to.

``ViewChoice`` says which view is chosen and what goes where; ``ViewRouting`` applies that to the widgets: it shows
and hides the chart, the network view (``InspectView``), the seeds and the lesson pane, redraws the network view from
the trainer's state (at most as often as the chart while training, and after a pause in the person's keys), and
follows the terminal's size (compact below 100x30, a view beside the chart from ``WIDE_SIZE``, a plain message below
``MIN_SIZE`` that keeps the focus to give back).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol, TypeVar, overload

from textual import events
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Static

from lab.core.glossary import view_tooltip
from lab.tuning import Tuning
from lab.ui.lesson_routing import LessonRouting
from lab.ui.run import Run
from lab.ui.scheduling import InputHold
from lab.ui.view_choice import ViewChoice
from lab.ui.widgets.chart import LossChart
from lab.ui.widgets.inspect_view import TITLES, VIEWS, InspectView
from lab.ui.widgets.lesson_pane import LessonPane
from lab.ui.widgets.seeds_view import SeedsView
from lab.ui.widgets.status import StatusLine
from lab.ui.widgets.truth_table import TruthTableView

MIN_SIZE = (80, 24)
WIDE_SIZE = (160, 50)  # from here a network view sits beside the chart
COMPACT_BELOW = (100, 30)  # below this the panes take the compact layout
W = TypeVar("W", bound=Widget)


class ViewHost(Protocol):
    """What the views need of the app: its screens and classes (the layout); everything else is given to
    ``ViewRouting`` itself."""

    @property
    def screen(self) -> Screen[Any]:
        """The screen on top."""
        ...

    @property
    def screen_stack(self) -> list[Screen[Any]]:
        """The screens, the main one first."""
        ...

    @overload
    def query_one(self, selector: str) -> Widget: ...

    @overload
    def query_one(self, selector: type[W]) -> W: ...

    @overload
    def query_one(self, selector: str, expect_type: type[W]) -> W: ...

    def query_one(self, selector: Any, expect_type: Any = None) -> Any:
        """The one widget matching ``selector``."""
        ...

    def has_class(self, *class_names: str) -> bool:
        """Whether the app has every class named."""
        ...

    def set_class(self, add: bool, *class_names: str, update: bool = True) -> Any:
        """Add or remove the classes named."""
        ...

    def call_after_refresh(self, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
        """Call ``callback`` after the next refresh."""
        ...


class ViewRouting:
    """The views of one app.

    Attributes:
        host: the app's screens and classes.
        run: the training run (a frozen state to draw).
        views: the view the person chose and the one beside it.
        lesson: the lessons (whether the pane is open).
        input_hold: the holds on the training worker (and the person's keys' pacing).
        tuning: the pacing of the redraws.
        fps: status updates a second.
    """

    def __init__(self, host: ViewHost, run: Run, views: ViewChoice, lesson: LessonRouting, input_hold: InputHold,
                 tuning: Tuning, fps: float) -> None:
        self.host = host
        self.run = run
        self.views = views
        self.lesson = lesson
        self.input_hold = input_hold
        self.pacing = input_hold.pacing
        self.tuning = tuning
        self.fps = fps
        self._focus_kept: Widget | None = None  # the focused pane while the terminal is too small to show it
        self._view_timer: Timer | None = None  # the view's next redraw while keys come in a run
        self._next_view_draw = 0.0  # when a throttled redraw of the view may come next (monotonic)

    @property
    def picture_interval(self) -> float:
        """Seconds between redraws of the chart and the views while training: ``Tuning.picture_frames`` times the
        numbers' interval. They are the costliest things to draw and, over SSH, to send (a chart row is ~300 bytes
        in 24-bit colour)."""
        return self.tuning.picture_frames / self.fps

    @property
    def wide(self) -> bool:
        """Whether the screen is big enough to show a network view beside the chart."""
        return self.host.has_class("wide")

    def next_view(self) -> None:
        """Show the next view: the loss chart, each view of what the network learned, the seeds (on a wide screen
        the chart stays and the others take turns beside it)."""
        self.show(self.views.next(self.wide, self.lesson.open))

    def show(self, name: str) -> None:
        """Show view ``name`` (``chart``, ``lesson``, ``seeds`` or one of ``VIEWS``)."""
        self.views.choose(name, self.wide)
        if name in VIEWS:
            self.host.query_one(InspectView).mode = name
        self.place()
        self.refresh()
        self.lesson.tick()

    def place(self) -> None:
        """Show the chosen view alone, or on a wide screen the chart with the last other view beside it."""
        host = self.host
        place = self.views.placement(self.wide, self.lesson.open)
        inspect = host.query_one(InspectView)
        if place.side in VIEWS:
            inspect.mode = place.side
        host.query_one(LessonPane).display = place.lesson
        host.query_one("#views").display = place.views
        host.set_class(place.lesson, "lesson-open")
        host.query_one(LossChart).display = place.chart
        inspect.display = place.side in VIEWS
        host.query_one(SeedsView).display = place.side == "seeds"
        inspect.border_title = f"{TITLES[inspect.mode]} · v next view"
        inspect.tooltip = view_tooltip(inspect.mode)

    def refresh(self, throttled: bool = False) -> None:
        """Redraw the shown view of the network (not the chart) from a state of the trainer. ``throttled``
        (a training snapshot) redraws no more often than the chart: ``picture_interval`` apart, ``Tuning.cost_factor``
        times the last redraw's cost apart, and after a pause in the person's keys (``KeyPacing``)."""
        host = self.host
        inspect = host.query_one(InspectView)
        now = time.monotonic()
        if not inspect.display or (throttled and now < self.pacing.due(self._next_view_draw)):
            return
        frozen = self.run.frozen()  # copies: the view is drawn outside the lock
        changed = inspect.update_from(frozen.experiment, frozen.state, host.query_one(TruthTableView).cursor_row,
                                      frozen.health)
        self.input_hold.hold_for_paint(changed * inspect.size.width)
        cost = time.monotonic() - now
        self._next_view_draw = now + max(self.picture_interval, self.tuning.cost_factor * cost)

    def view_resized(self, message: InspectView.Resized) -> None:
        """The network view is laid out for its width: draw it again for the new one (unless it is being taken
        down, or a dialog covers it)."""
        if message.control.is_attached and self.host.screen.query(InspectView):
            self.refresh()

    def chart_built(self, message: LossChart.Built) -> None:
        """Show the chart's new lines. While training beside the chart, the open view redraws when the chart does:
        one repaint for both (not for a redraw the person asked for, a new scale: its repaint is the key's, and
        should be quick)."""
        if message.control.show_built(message):
            self.input_hold.hold_for_paint(message.size[0] * len(message.lines))
        if self.run.running and not message.asked:
            self.refresh()

    def toggle_log(self) -> None:
        """Switch the chart's loss axis between linear and log10."""
        chart = self.host.query_one(LossChart)
        chart.log_scale = not chart.log_scale
        self.lesson.tick(None)

    def cursor_moved(self, _: object = None) -> None:
        """The table's cursor moved: an open lesson looks, and the view traces the new row."""
        if self.lesson.open:
            self.lesson.tick(None)
        if self.pacing.in_a_run and self.input_hold.busy:
            # Keys pressed in a run while training (an arrow held down): the trace follows every input_quiet
            # seconds, showing the row the cursor is on by then, instead of repainting for every row passed.
            if self._view_timer is None:  # the view's own timer: it ends with the view, should the app be closing
                inspect = self.host.query_one(InspectView)
                self._view_timer = inspect.set_timer(self.tuning.input_quiet, self._timed_view)
            return
        # The trace of the new row follows in the next frame: the key's own repaint (the cursor) stays small.
        self.host.call_after_refresh(self.refresh)

    def _timed_view(self) -> None:
        self._view_timer = None
        self.refresh()

    def relayout(self) -> None:
        """Place the views as ``views`` says and redraw the shown one."""
        self.place()
        self.refresh()

    def resized(self, event: events.Resize) -> None:
        """Use the compact layout below ``COMPACT_BELOW``, a view beside the chart from ``WIDE_SIZE``, and ask for
        more room below ``MIN_SIZE``."""
        width, height = event.size
        host = self.host
        # Classes on the app (not the current screen, which may be a dialog) so the main screen's layout follows.
        host.set_class(width < COMPACT_BELOW[0] or height < COMPACT_BELOW[1], "compact")
        if self.wide != (width >= WIDE_SIZE[0] and height >= WIDE_SIZE[1]):
            host.set_class(not self.wide, "wide")
            if self.wide:
                self.views.widened()
            self.place()
            self.refresh()
        too_small = width < MIN_SIZE[0] or height < MIN_SIZE[1]
        main = host.screen_stack[0]
        if too_small and main.focused is not None:
            self._focus_kept = main.focused  # the panes are hidden now, and a hidden widget loses the focus
        host.set_class(too_small, "too-small")
        if not too_small:
            host.call_after_refresh(self._restore_focus)
        if too_small:
            host.query_one("#too-small", Static).update(
                f"nnlab needs a terminal of at least {MIN_SIZE[0]}x{MIN_SIZE[1]}; this one is {width}x{height}.\n"
                f"Make the window larger (training carries on).\n\n{host.query_one(StatusLine).full}\n\n"
                "space train/pause · q quit")

    def _restore_focus(self) -> None:
        """After a resize, give the focus back to the pane that had it before the panes were hidden (the table if
        that is gone), so the keys keep working without a tab."""
        main = self.host.screen_stack[0]
        if main.focused is not None or self.host.has_class("too-small"):
            return
        kept = self._focus_kept
        target = kept if kept is not None and kept.is_attached and kept.focusable else next(
            iter(main.query(TruthTableView)), None)
        if target is not None:  # None: the panes are down (the app is ending)
            main.set_focus(target)
