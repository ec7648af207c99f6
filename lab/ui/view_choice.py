"""Which view the chart pane shows, and what stands beside it on a wide screen: the rule, without the widgets.

The person cycles with ``v`` through the loss chart, each view of what the network learned (``VIEWS``) and the seeds;
with a lesson open on a small screen the lesson is one more stop. On a wide screen the chart stays and the other
views take turns beside it (the "side" view), and the lesson sits below the chart instead of in its place.
``ViewChoice`` keeps that state and says where each pane goes (``Placement``); the app applies it.
"""

from __future__ import annotations

from dataclasses import dataclass

CHART, LESSON, SEEDS = "chart", "lesson", "seeds"


@dataclass(frozen=True)
class Placement:
    """What shows where.

    Attributes:
        lesson: the lesson pane shows.
        views: the row of views (chart, network view, seeds) shows.
        chart: the loss chart shows.
        side: the view in the network view's or the seeds view's place (a name of ``VIEWS``, ``seeds``, or another
            name when neither shows).
    """

    lesson: bool
    views: bool
    chart: bool
    side: str


class ViewChoice:
    """The chosen view and the view beside the chart.

    Attributes:
        views: the network views' names, in ``v`` order.
        view: the view chosen: ``chart``, ``lesson``, ``seeds`` or one of ``views``.
        side: the view beside the chart on a wide screen (never the chart or the lesson).
        last: the last view chosen other than the lesson (what a lesson's checks see).
    """

    def __init__(self, views: tuple[str, ...], side: str = "picture") -> None:
        self.views = views
        self.view = CHART
        self.side = side
        self.last = CHART

    @property
    def side_views(self) -> tuple[str, ...]:
        """Every view but the chart and the lesson, in ``v`` order."""
        return (*self.views, SEEDS)

    def next(self, wide: bool, lesson_open: bool) -> str:
        """The view ``v`` shows next."""
        order = self.side_views if wide else (CHART, *self.side_views)
        if lesson_open and not wide:
            order = (LESSON, *order)  # the lesson takes the chart's place at this size: one of the views
        current = self.side if self.view == CHART and wide else self.view
        return order[(order.index(current) + 1) % len(order)] if current in order else order[0]

    def choose(self, name: str, wide: bool) -> None:
        """Show view ``name``."""
        self.view = name
        if name != LESSON:
            self.last = self.side if name == CHART and wide else name
        if name not in (CHART, LESSON):
            self.side = name

    def set_side(self, name: str, wide: bool) -> None:
        """Put ``name`` beside the chart (a lesson's setup); on a small screen what the checks see is the chart."""
        if name != CHART:
            self.side = name
        if not wide:
            self.last = CHART

    def lesson_closed(self) -> None:
        """The lesson pane closed: a lesson in the chart's place gives way to the last view chosen."""
        if self.view == LESSON:
            self.view = self.last if self.last in (CHART, *self.side_views) else CHART

    def widened(self) -> None:
        """The screen became wide: it shows the lesson below the chart, not in its place."""
        if self.view == LESSON:
            self.view = CHART

    def placement(self, wide: bool, lesson_open: bool) -> Placement:
        """Where the panes go: the chosen view alone, or on a wide screen the chart with the side view beside it."""
        lesson = lesson_open and (wide or self.view == LESSON)
        return Placement(lesson=lesson, views=wide or not lesson, chart=self.view == CHART or wide,
                         side=self.side if wide and self.view == CHART else self.view)
