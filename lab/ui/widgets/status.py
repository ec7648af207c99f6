"""The status line: what the run is doing, in words and numbers, always on one line.

The parts have priorities. When the line is wider than the screen, the least important parts go first (the speed
setting, the learning rate, the training speed, ...) and then the rest are shortened (``epoch 400/1,000`` to
``400/1,000``), so the line never wraps: a wrapping status line would move every pane up and down a row as training
starts and stops.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from rich.cells import cell_len
from textual import events
from textual.content import Content
from textual.widgets import Static

from lab.core.experiment import UNTIL_STOPPED, UNTIL_STOPPED_TEXT
from lab.ui.messages import DIVERGED, SOLVED, TRAINING

ICONS = {TRAINING: "▶", SOLVED: "✓", DIVERGED: "✗"}
SEPARATOR = " · "


def _num(x: float | None, fmt: str = ".4f") -> str:
    if x is None:
        return "-"
    return format(x, fmt) if math.isfinite(x) else "not finite"


def _epoch_part(epoch: int, budget: int) -> Part:
    """``epoch 400/1,000`` (short ``400/1,000``), or for a run until stopped ``epoch 400 (until stopped)`` (short
    ``400/∞``)."""
    if budget == UNTIL_STOPPED:
        return Part(f"epoch {epoch:,} ({UNTIL_STOPPED_TEXT})", f"{epoch:,}/∞", 0)
    return Part(f"epoch {epoch:,}/{budget:,}", f"{epoch:,}/{budget:,}", 0)


@dataclass(frozen=True)
class Part:
    """One part of the line: its text, a shorter form (or None), and its rank (0 is kept longest)."""

    text: str
    short: str | None
    rank: int


SHORTEN_ALL_FROM = 4  # before dropping parts of this rank or lower, every part takes its shorter form


def fit(parts: list[Part], width: int) -> str:
    """The parts joined by `` · `` within ``width`` cells. From the highest rank down, the parts of each rank are
    first shortened, then dropped (rank 0 never); before a part of rank ``SHORTEN_ALL_FROM`` or lower is dropped,
    every part takes its shorter form. The order is kept."""
    shown = [(p, p.text) for p in parts]

    def line() -> str:
        return SEPARATOR.join(text for _, text in shown)

    def shorten(ranks: set[int]) -> None:
        nonlocal shown
        shown = [(p, p.short if p.rank in ranks and p.short is not None else text) for p, text in shown]

    for rank in sorted({p.rank for p in parts}, reverse=True):
        if cell_len(line()) <= width:
            break
        shorten({rank})
        if rank <= SHORTEN_ALL_FROM and cell_len(line()) > width:
            shorten({p.rank for p in parts})
        if cell_len(line()) <= width or rank == 0:
            continue
        shown = [(p, text) for p, text in shown if p.rank != rank]
    return line()


class StatusLine(Static):
    """One line: state, epoch, loss, accuracy, held-out, solved epoch, a hint, speed, learning rate."""

    plain: str = ""
    """The line as plain text."""
    full: str = ""
    """Every part, whatever the width, as plain text."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._parts: list[Part] = []

    def show(self, *, state: str, epoch: int, budget: int, loss: float | None, accuracy: float | None,
             heldout_accuracy: float | None, solved_epoch: int | None, diverged_epoch: int | None,
             epochs_per_second: float, lr: float, speed: str, hint: str | None = None) -> None:
        """Redraw from these values. ``state`` is the run's (training, paused, solved, ...); a solved epoch is
        shown whatever the state, so a paused run that has solved says both."""
        parts = [Part(f"{ICONS.get(state, '■')} {state}", ICONS.get(state, "■"), 0),
                 _epoch_part(epoch, budget),
                 Part(f"loss {_num(loss, '.4g')}", None, 1),
                 Part(f"acc {_num(accuracy, '.2f')}", None, 2)]
        if heldout_accuracy is not None:
            parts.append(Part(f"held-out acc {_num(heldout_accuracy, '.2f')}", f"held {_num(heldout_accuracy, '.2f')}",
                              4))
        if solved_epoch is not None and state != SOLVED:
            parts.append(Part(f"solved at epoch {solved_epoch:,}", f"solved at {solved_epoch:,}", 3))
        elif solved_epoch is not None:
            parts[0] = Part(f"✓ solved at epoch {solved_epoch:,}", f"✓ solved at {solved_epoch:,}", 0)
        if diverged_epoch is not None:
            parts.append(Part(f"diverged at epoch {diverged_epoch:,}", f"diverged at {diverged_epoch:,}", 0))
        if hint:
            parts.append(Part(hint, None, 3))
        if state == TRAINING:
            parts.append(Part(f"{epochs_per_second:,.0f} ep/s", None, 7))
        parts.append(Part(f"lr {lr:g}", None, 5))
        parts.append(Part(f"speed {speed}", speed, 6))
        self._parts = parts
        self.full = SEPARATOR.join(p.text for p in parts)
        self._draw()

    def _draw(self) -> None:
        width = self.content_size.width
        text = fit(self._parts, width) if width else self.full
        if text == self.plain:
            return
        self.plain = text
        self.update(Content(text), layout=False)  # one line, always: no layout pass for new numbers

    def on_resize(self, event: events.Resize) -> None:
        self._draw()
