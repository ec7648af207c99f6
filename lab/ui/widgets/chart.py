"""The live chart: training loss, held-out loss and accuracy per epoch, drawn with the widget's own plotext.

The series are reduced to one bucket per column (``lab.core.series``) before plotext sees them, so the drawing
time stays flat however long or noisy the run. Loss is on the left axis (``log10`` of it in log mode: plotext's own
log axis is broken), accuracy on the right axis from 0 to 1, and a vertical line marks the solved epoch.
"""

from __future__ import annotations

import math

import numpy as np
from textual.app import RenderResult
from textual.reactive import reactive
from textual_plotext import PlotextPlot

from lab.core.series import reduce_series
from lab.ui.messages import HistorySlice


class LossChart(PlotextPlot):
    """Accumulates ``HistorySlice``s and draws them; ``log_scale`` switches the loss axis."""

    log_scale: reactive[bool] = reactive(False)
    """Plot log10 of the losses instead of the losses."""
    monochrome: reactive[bool] = reactive(False)
    """Draw without colour (series told apart by marker and legend alone)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.loss: list[float] = []
        self.accuracy: list[float] = []
        self.heldout_loss: list[float] = []
        self.heldout_accuracy: list[float] = []
        self.solved_epoch: int | None = None

    def clear_history(self) -> None:
        """Forget every epoch (a new run)."""
        self.loss, self.accuracy, self.heldout_loss, self.heldout_accuracy = [], [], [], []
        self.solved_epoch = None
        self.refresh()

    def extend(self, history: HistorySlice, solved_epoch: int | None) -> None:
        """Append a slice of epochs (its ``start`` must equal the epochs already held; a gap restarts the chart)."""
        if history.start != len(self.loss):
            self.loss = self.loss[: history.start]
            self.accuracy = self.accuracy[: history.start]
            self.heldout_loss = self.heldout_loss[: history.start]
            self.heldout_accuracy = self.heldout_accuracy[: history.start]
        self.loss += history.loss
        self.accuracy += history.accuracy
        self.heldout_loss += history.heldout_loss
        self.heldout_accuracy += history.heldout_accuracy
        if history.loss or solved_epoch != self.solved_epoch:
            self.refresh()
        self.solved_epoch = solved_epoch

    def watch_log_scale(self) -> None:
        self.refresh()

    def _loss_values(self, values: list[float]) -> np.ndarray:
        y = np.asarray(values, dtype=np.float64)
        if self.log_scale:
            with np.errstate(divide="ignore", invalid="ignore"):
                y = np.log10(np.maximum(y, 1e-12))
        return y

    def _draw(self) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        width = max(self.size.width, 10)
        points = max(2 * (width - 12), 8)
        mono = self.monochrome
        plt.xlabel("epoch")
        if not self.loss:
            plt.title("press space to train")
            return
        series = [("loss", self.loss, "cyan", "braille"), ("held-out loss", self.heldout_loss, "orange", "dot")]
        for label, values, color, marker in series:
            if not values:
                continue
            r = reduce_series(self._loss_values(values), points)
            ok = np.isfinite(r.mean)
            if not r.exact:
                # The raw values' range in each column, faint under the mean line.
                plt.plot(r.x[ok].tolist(), r.high[ok].tolist(), marker="dot", color="gray" if not mono else None)
            plt.plot(r.x[ok].tolist(), r.mean[ok].tolist(), label=label, marker=marker,
                     color=None if mono else color)
        acc = reduce_series(np.asarray(self.accuracy, dtype=np.float64), points)
        plt.plot(acc.x.tolist(), acc.mean.tolist(), label="accuracy", marker="·", yside="right",
                 color=None if mono else "green")
        plt.ylim(-0.02, 1.02, yside="right")
        plt.yticks([0, 0.5, 1], ["0", "0.5", "1"], yside="right")
        last_epoch = max(len(self.loss), 2)
        ticks = sorted({int(round(v)) for v in np.linspace(1, last_epoch, 5)})
        plt.xticks(ticks, [f"{t:,}" for t in ticks])
        if self.solved_epoch is not None:
            plt.vline(self.solved_epoch, color=None if mono else "magenta")
        plt.ylabel("log10 loss" if self.log_scale else "loss")
        last = self.loss[-1]
        plt.title(f"epoch {len(self.loss):,} · loss {last:.4g}" + (
            f" · solved at {self.solved_epoch:,}" if self.solved_epoch is not None else "")
            + ("" if math.isfinite(last) else " (not finite)"))
        plt.xlim(1, last_epoch)

    def render(self) -> RenderResult:
        self._draw()
        return super().render()
