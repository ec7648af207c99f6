"""The lab's panes as they start: their titles and tooltips, the fields hidden until asked for, and the chart's pace
(how often it may redraw, the holds it waits for, the person's keys, its cost factor) and colours."""

from __future__ import annotations

from collections.abc import Callable

from textual.dom import DOMNode

from lab.core.glossary import TOOLTIPS
from lab.tuning import Tuning
from lab.ui.pacing import KeyPacing
from lab.ui.widgets.chart import LossChart
from lab.ui.widgets.inspect_view import InspectView
from lab.ui.widgets.seeds_view import TITLE as SEEDS_TITLE
from lab.ui.widgets.seeds_view import SeedsView

TITLES = {"#table-pane": "Truth table", "#prediction-pane": "Prediction", "#chart": "Loss · accuracy · v views",
          "#seeds": SEEDS_TITLE, "#architecture-pane": "Architecture"}
HIDDEN = ("#expression", "#expression-error", "#settings-input", "#settings-error")
"""The fields shown only while the person edits (the table's expression, the settings' line)."""


def set_up_panes(screen: DOMNode, seed_count: int, picture_interval: float, wait_for_interface: Callable[[], None],
                 pacing: KeyPacing, tuning: Tuning, monochrome: bool) -> LossChart:
    """Title, tooltip and hide the panes on ``screen`` (the lab's), give the seeds view ``seed_count`` and the
    chart its pace (``picture_interval`` seconds at least between redraws, ``wait_for_interface`` before each,
    ``pacing`` for the person's keys, ``tuning.cost_factor``); ``monochrome``: no colour (``NO_COLOR``). Returns the
    chart."""
    for selector, title in TITLES.items():
        screen.query_one(selector).border_title = title
    screen.query_one(SeedsView).seed_count = seed_count
    for selector, tip in TOOLTIPS.items():
        screen.query_one(selector).tooltip = tip
    chart = screen.query_one(LossChart)
    chart.min_interval = picture_interval
    chart.wait_for_interface = wait_for_interface
    chart.pacing = pacing
    chart.cost_factor = tuning.cost_factor
    chart.monochrome = monochrome
    screen.query_one(InspectView).monochrome = monochrome
    for hidden in HIDDEN:
        screen.query_one(hidden).display = False
    return chart
