"""The run's rules that need no trainer: the speeds, the learning-rate step, the pace of a budget, and the notes the
run commands return (``lab.ui.run`` owns the trainer and applies them). No Textual here: tested without Pilot.
"""

from __future__ import annotations

from dataclasses import dataclass

from lab.core.errors import LabError
from lab.core.gates import TruthTable
from lab.core.lesson_setup import SPEEDS as NAMED_SPEEDS
from lab.core.rules import require_training_rows
from lab.tuning import Tuning
from lab.ui.messages import Snapshot

SPEEDS = tuple(NAMED_SPEEDS.values())  # epochs per 0.1 s tick, slowest first; 0 = unthrottled (the last)
RUN_WITHIN = 15.0  # seconds a recipe's budget takes at the speed it starts at, at the most


@dataclass(frozen=True)
class Note:
    """One line to tell the person (a notification).

    Attributes:
        text: the line.
        severity: ``information``, ``warning`` or ``error``.
        title: the notification's title (empty: none).
        timeout: seconds it stays (None: the default).
    """

    text: str
    severity: str = "information"
    title: str = ""
    timeout: float | None = None


@dataclass(frozen=True)
class Step:
    """What a step by hand did: the snapshot to show (None: nothing trained) and a note (None: nothing to say)."""

    snapshot: Snapshot | None
    note: Note | None


def speed_label(per_tick: int) -> str:
    """``20/tick`` or ``max`` (the name a lesson gives the speed, ``lab.core.lesson_setup.SPEEDS``, with ``/tick``)."""
    return "max" if per_tick == 0 else f"{per_tick}/tick"


def speed_for(epochs: int, current: int, tick: float = Tuning.tick) -> int:
    """Epochs per tick to train ``epochs`` within ``RUN_WITHIN`` seconds: ``current`` when it does, else the
    slowest of ``SPEEDS`` that does (unthrottled when none does)."""
    def seconds(per_tick: int) -> float:
        return 0.0 if per_tick == 0 else epochs / per_tick * tick

    if seconds(current) <= RUN_WITHIN:
        return current
    return next((s for s in SPEEDS if s and seconds(s) <= RUN_WITHIN), 0)


def pace_text(epochs: int, per_tick: int, tick: float = Tuning.tick) -> str:
    """``15,000 epochs at 100/tick: about 15 s`` (unthrottled: as fast as the machine goes)."""
    if per_tick == 0:
        return f"{epochs:,} epochs at full speed"
    return f"{epochs:,} epochs at {per_tick}/tick: about {max(1, round(epochs / per_tick * tick)):,} s"


def training_rows_note(table: TruthTable) -> Note | None:
    """Why ``table`` cannot be trained (every row held out: the core's one rule, ``require_training_rows``) and how
    to fix it; None when it can."""
    try:
        require_training_rows(table)
    except LabError as e:
        text = str(e)
        return Note(f"{text[0].upper()}{text[1:]} (h toggles a row's hold).", "error")
    return None
