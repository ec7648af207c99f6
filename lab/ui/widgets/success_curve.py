"""The success curve of one or two sweeps: the fraction of seeds solved by each epoch, drawn with the widget's plotext.

Each curve is reduced to one bucket per column (``lab.core.series``) before plotext sees it, so a build stays at a few
milliseconds however many epochs; it is built in ``render`` on the interface thread (the seeds view updates it at
most ten times a second while a sweep runs, and nothing else trains meanwhile).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rich.text import Text
from textual.app import RenderResult
from textual_plotext import PlotextPlot

from lab.core.series import reduce_series
from lab.core.sweep_summary import bin_width
from lab.ui.textual_adapter import plot_theme_name, set_plot_size

ROOMY = 10  # rows from which the plot has a title, an axis label and a frame


@dataclass(frozen=True)
class Curve:
    """One sweep's curve: ``fraction[i]`` is the fraction of its seeds solved by the end of epoch ``i + 1``."""

    name: str
    fraction: np.ndarray
    color: str
    marker: str


class SuccessCurve(PlotextPlot):
    """Draws the curves given to ``show``, on a shared epoch axis from 1 to the longest, the fraction from 0 to 1."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.curves: tuple[Curve, ...] = ()
        self.monochrome = False
        """Draw without colour (the curves told apart by marker and legend)."""

    def show(self, curves: tuple[Curve, ...]) -> None:
        """Draw ``curves`` (first drawn first) at the next refresh."""
        self.curves = curves
        self.refresh()

    def render(self) -> RenderResult:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        width, height = self.size.width, self.size.height
        set_plot_size(plt, width, height)
        plt.theme(plot_theme_name(self, self.app.theme))
        self._draw_curves(plt, width, height)
        return Text.from_ansi(plt.build())

    def _draw_curves(self, plt, width: int, height: int) -> None:
        if height >= ROOMY:
            plt.xlabel("epoch")
            plt.title("fraction of seeds solved by epoch")
        else:  # every row for the curve
            plt.frame(False)
        curves = [c for c in self.curves if c.fraction.size]
        if not curves:
            return
        points = max(2 * (width - 10), 8)
        last = max(max(c.fraction.size for c in curves), 2)
        for c in curves:
            r = reduce_series(c.fraction, points)
            plt.plot(r.x.tolist(), r.mean.tolist(), label=c.name or None, marker=c.marker,
                     color=None if self.monochrome else c.color)
        plt.ylim(-0.02, 1.02)
        plt.yticks([0, 0.5, 1], ["0", "0.5", "1"])
        step = bin_width(last, 3 if width < 50 else 4)  # round numbers of epochs
        ticks = sorted({1, *range(step, last + 1, step)})
        if last - ticks[-1] > step / 2:  # and the last epoch, when far enough from the last round one
            ticks.append(last)
        plt.xticks(ticks, [f"{t:,}" for t in ticks])
        plt.xlim(1, last)
