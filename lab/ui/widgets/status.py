"""The status line: what the run is doing, in words and numbers."""

from __future__ import annotations

import math

from textual.content import Content
from textual.widgets import Static

from lab.ui.messages import DIVERGED, SOLVED, TRAINING

MAX_LINES = 2  # as the stylesheet's max-height
ICONS = {TRAINING: "▶", SOLVED: "✓", DIVERGED: "✗"}


def _num(x: float | None, fmt: str = ".4f") -> str:
    if x is None:
        return "-"
    return format(x, fmt) if math.isfinite(x) else "not finite"


class StatusLine(Static):
    """One line: state, epoch, loss, accuracy, held-out, solved epoch, speed, learning rate."""

    plain: str = ""
    """The line as plain text."""

    def show(self, *, state: str, epoch: int, budget: int, loss: float | None, accuracy: float | None,
             heldout_accuracy: float | None, solved_epoch: int | None, diverged_epoch: int | None,
             epochs_per_second: float, lr: float, speed: str) -> None:
        """Redraw from these values."""
        parts = [f"{ICONS.get(state, '■')} {state}", f"epoch {epoch:,}/{budget:,}", f"loss {_num(loss, '.4g')}",
                 f"acc {_num(accuracy, '.2f')}"]
        if heldout_accuracy is not None:
            parts.append(f"held-out acc {_num(heldout_accuracy, '.2f')}")
        if solved_epoch is not None:
            parts.append(f"solved at epoch {solved_epoch:,}")
        if diverged_epoch is not None:
            parts.append(f"diverged at epoch {diverged_epoch:,}")
        if state == TRAINING:
            parts.append(f"{epochs_per_second:,.0f} ep/s")
        parts.append(f"lr {lr:g}")
        parts.append(f"speed {speed}")
        text = " · ".join(parts)
        if text == self.plain:
            return
        self.plain = text
        # A layout pass reflows the whole screen (tens of milliseconds at 200x50): ask for one only when the
        # wrapped line count changes, not ten times a second for new numbers.
        width = self.content_size.width
        lines = min(len(Content(text).wrap(width)), MAX_LINES) if width else 0
        self.update(text, layout=lines != self.content_size.height)
