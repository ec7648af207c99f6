"""The success curve of one or two sweeps: the fraction of seeds solved by each epoch, drawn with the widget's plotext.

Each curve is reduced to one bucket per column (``lab.core.series``) before plotext sees it, so a build stays at a few
milliseconds however many epochs; it is built in ``render`` on the interface thread (the seeds view updates it at
most ten times a second while a sweep runs, and nothing else trains meanwhile).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotext
from rich.text import Text
from textual.app import RenderResult
from textual.widget import Widget

from lab.core.series import reduce_series
from lab.core.sweep_summary import bin_width
from lab.ui.widgets.plotext_strips import app_plot_theme, new_figure

ROOMY = 10  # rows from which the plot has a title, an axis label and a frame


@dataclass(frozen=True)
class Curve:
    """One sweep's curve: ``fraction[i]`` is the fraction of its seeds solved by the end of epoch ``i + 1``."""

    name: str
    fraction: np.ndarray
    color: str
    marker: str


class SuccessCurve(Widget):
    """Draws the curves given to ``show``, on a shared epoch axis from 1 to the longest, the fraction from 0 to 1."""

    DEFAULT_CSS = """
    SuccessCurve {
        width: 1fr;
        height: 1fr;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.plt = new_figure()
        """The curve's own plotext figure."""
        self.curves: tuple[Curve, ...] = ()
        self.monochrome = False
        """Draw without colour (the curves told apart by marker and legend)."""

    def show(self, curves: tuple[Curve, ...]) -> None:
        """Draw ``curves`` (first drawn first) at the next refresh."""
        self.curves = curves
        self.refresh()

    def render(self) -> RenderResult:
        plt = self.plt
        plt.clear()
        width, height = self.size.width, self.size.height
        plt.plot_size(width, height)
        plt.theme(app_plot_theme(self.app))
        self._draw_curves(plt, width, height)
        return Text.from_ansi(plt.build().string())

    def _draw_curves(self, plt, width: int, height: int) -> None:
        if height >= ROOMY:
            plt.label("epoch")
            plt.title("fraction of seeds solved by epoch")
        else:  # every row for the curve
            plt.axes(False)
        curves = [c for c in self.curves if c.fraction.size]
        if not curves:
            return
        points = max(2 * (width - 10), 8)
        last = max(max(c.fraction.size for c in curves), 2)
        for c in curves:
            r = reduce_series(c.fraction, points)
            signal = plt.signal(r.x.tolist(), r.mean.tolist(),
                                marker=plotext.marker(c.marker, pixel=None if self.monochrome else c.color))
            # a legend only tells curves apart: for one alone it would only hide the curve's start
            plt.draw(signal.lines().label((c.name or None) if len(curves) > 1 else None))
        plt.ruler("y").lim(0, 1)
        plt.ruler("y").ticks([0, 0.5, 1], ["0", "0.5", "1"])
        step = bin_width(last, 3 if width < 50 else 4)  # round numbers of epochs
        ticks = sorted({1, *range(step, last + 1, step)})
        if last - ticks[-1] > step / 2:  # and the last epoch, when far enough from the last round one
            ticks.append(last)
        plt.ruler("x").ticks(ticks, [f"{t:,}" for t in ticks])
        plt.ruler("x").lim(1, last)
