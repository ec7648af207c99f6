"""A lesson's checks: the lab's state as they see it (``LabState``, a frozen snapshot the interface builds) and the
one-line checks read from a lesson file and evaluated against it (see ``lab.core.lessons`` for the file format).

A check is a flag (``trained``, ``solved``...), optionally preceded by ``not``; or ``NAME OP VALUE`` with OP one of
``< <= > >= == != contains``; or ``output row R OP X`` / ``heldout_output row R OP X``.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lab.core.errors import LabError
from lab.core.experiment import Experiment


# --- the lab's state, as the checks see it ----------------------------------------------------------------------------
@dataclass(frozen=True)
class LabState:
    """What a lesson's checks can see of the lab, frozen at one moment.

    Attributes:
        experiment: the experiment as it stands (table, architecture, training settings).
        epoch: epochs trained.
        loss: the last epoch's training loss, or None before the first.
        accuracy: the last epoch's share of training rows right, or None.
        heldout_accuracy: the same over the held-out rows, or None.
        lr: the learning rate in use.
        solved_epoch: the first epoch every training row was right, or None.
        diverged: whether the run diverged.
        running: whether the training worker is running.
        outputs: the network's output per table row, (n_rows, n_outputs) as nested tuples.
        cursor: the truth table's cursor row.
        view: the view shown (``chart``, ``picture``, ``units``, ``surface``, ``seeds``...).
        log_scale: whether the chart's loss axis is log10.
        hidden_gates: the names the hidden units read as (``a OR b``), per the hidden-units view.
        sweep_seeds: seeds of the latest finished sweep (0 if none).
        sweep_solved: how many of them solved.
        pinned: whether a sweep is pinned as A.
        compared: whether a finished sweep B of another configuration stands beside a pinned A.
    """

    experiment: Experiment
    epoch: int = 0
    loss: float | None = None
    accuracy: float | None = None
    heldout_accuracy: float | None = None
    lr: float = 0.0
    solved_epoch: int | None = None
    diverged: bool = False
    running: bool = False
    outputs: tuple[tuple[float, ...], ...] = ()
    cursor: int = 0
    view: str = "chart"
    log_scale: bool = False
    hidden_gates: tuple[str, ...] = ()
    sweep_seeds: int = 0
    sweep_solved: int = 0
    pinned: bool = False
    compared: bool = False


def _opt(value: float | None) -> float:
    return math.nan if value is None else float(value)


FLAGS: dict[str, Callable[[LabState], bool]] = {
    "trained": lambda s: s.epoch > 0,
    "solved": lambda s: s.solved_epoch is not None,
    "diverged": lambda s: s.diverged,
    "running": lambda s: s.running,
    "pinned": lambda s: s.pinned,
    "compared": lambda s: s.compared,
    "log_scale": lambda s: s.log_scale,
}
"""Checks that are true or false on their own."""

NUMBERS: dict[str, Callable[[LabState], float]] = {
    "epoch": lambda s: s.epoch,
    "loss": lambda s: _opt(s.loss),
    "accuracy": lambda s: _opt(s.accuracy),
    "heldout_accuracy": lambda s: _opt(s.heldout_accuracy),
    "lr": lambda s: s.lr,
    "solved_epoch": lambda s: _opt(s.solved_epoch),
    "layers": lambda s: len(s.experiment.architecture.layers),
    "inputs": lambda s: s.experiment.table.n_inputs,
    "outputs": lambda s: s.experiment.table.n_outputs,
    "cursor": lambda s: s.cursor,
    "seed": lambda s: s.experiment.training.seed,
    "epochs": lambda s: s.experiment.training.epochs,
    "sweep_seeds": lambda s: s.sweep_seeds,
    "sweep_solved": lambda s: s.sweep_solved,
}
"""Checks that compare a number: ``NAME OP NUMBER``."""

WORDS: dict[str, Callable[[LabState], str]] = {
    "gate": lambda s: s.experiment.table.name,
    "columns": lambda s: ",".join(s.experiment.table.columns),
    "hidden": lambda s: s.experiment.architecture.describe(),
    "output_activation": lambda s: s.experiment.architecture.output_activation,
    "bias": lambda s: "on" if s.experiment.architecture.bias else "off",
    "loss_name": lambda s: s.experiment.training.loss,
    "optimizer": lambda s: s.experiment.training.optimizer,
    "init": lambda s: s.experiment.training.init,
    "stop": lambda s: s.experiment.training.stop,
    "view": lambda s: s.view,
}
"""Checks that compare a word: ``NAME == WORD`` or ``NAME != WORD``."""

SETS: dict[str, Callable[[LabState], tuple]] = {
    "heldout": lambda s: tuple(sorted(s.experiment.table.heldout)),
    "hidden_gates": lambda s: s.hidden_gates,
}
"""Checks that look for a member: ``NAME contains VALUE`` (a row for ``heldout``, a name for ``hidden_gates``)."""

ROW_VALUES = ("output", "heldout_output")
"""Checks on one row's output: ``output row R OP X``; ``heldout_output`` also needs the row to be held out."""

OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "<=": operator.le, ">=": operator.ge, "==": operator.eq, "!=": operator.ne, "<": operator.lt, ">": operator.gt,
}


@dataclass(frozen=True)
class Check:
    """One parsed check line.

    Attributes:
        text: the line as written (after ``Check:``), shown beside ✓ or ✗.
        name: the flag, number, word, set or row value it reads.
        op: the operator (``flag`` for a flag, ``contains`` for a set).
        value: what it compares with (a float, a str or a row index); None for a flag.
        negate: ``not FLAG``.
        row: the table row of ``output``/``heldout_output`` checks.
    """

    text: str
    name: str
    op: str
    value: Any = None
    negate: bool = False
    row: int | None = None

    def passes(self, state: LabState) -> bool:
        """Whether the check holds in ``state`` (a missing number, such as the loss before training, fails)."""
        if self.op == "flag":
            return FLAGS[self.name](state) != self.negate
        if self.name in ROW_VALUES:
            table = state.experiment.table
            if self.row is None or self.row >= table.n_rows or self.row >= len(state.outputs):
                return False
            if self.name == "heldout_output" and self.row not in table.heldout:
                return False
            return bool(OPERATORS[self.op](float(state.outputs[self.row][0]), self.value))
        if self.name in NUMBERS:
            number = float(NUMBERS[self.name](state))
            return not math.isnan(number) and bool(OPERATORS[self.op](number, self.value))
        if self.name in WORDS:
            return bool(OPERATORS[self.op](WORDS[self.name](state), self.value))
        members = SETS[self.name](state)
        return self.value in members


def parse_check(text: str) -> Check:
    """Parse one check (see the module's docstring).

    Raises:
        LabError: naming what is wrong, in one line.
    """
    words = text.split()
    if not words:
        raise LabError("an empty check")
    if words[0] == "not":
        if len(words) != 2 or words[1] not in FLAGS:
            raise LabError(f"'not' takes one flag ({', '.join(FLAGS)}), got '{text}'")
        return Check(text, words[1], "flag", negate=True)
    name = words[0]
    if name in FLAGS:
        if len(words) != 1:
            raise LabError(f"'{name}' is a flag and takes nothing after it")
        return Check(text, name, "flag")
    if name in ROW_VALUES:
        if len(words) != 5 or words[1] != "row" or words[3] not in OPERATORS:
            raise LabError(f"expected '{name} row R OP X' (e.g. {name} row 4 > 0.5), got '{text}'")
        if not re.fullmatch(r"[01]+|\d+", words[2]):
            raise LabError(f"row: expected a row index or its bits, got '{words[2]}'")
        row = int(words[2], 2) if len(words[2]) > 1 and set(words[2]) <= {"0", "1"} else int(words[2])
        return Check(text, name, words[3], parse_number(words[4]), row=row)
    if name not in NUMBERS and name not in WORDS and name not in SETS:
        known = ", ".join((*FLAGS, *NUMBERS, *WORDS, *SETS, *ROW_VALUES))
        raise LabError(f"unknown check '{name}': choose one of {known}")
    if len(words) < 3:
        raise LabError(f"expected '{name} OP VALUE', got '{text}'")
    op, rest = words[1], " ".join(words[2:])
    if name in NUMBERS:
        if op not in OPERATORS:
            raise LabError(f"'{name}' compares with {' '.join(OPERATORS)}, got '{op}'")
        return Check(text, name, op, parse_number(rest))
    if name in WORDS:
        if op not in ("==", "!="):
            raise LabError(f"'{name}' is a word: compare it with == or !=, got '{op}'")
        return Check(text, name, op, rest)
    if op != "contains":
        raise LabError(f"'{name}' is a set: use 'contains', got '{op}'")
    return Check(text, name, op, _row(rest) if name == "heldout" else rest)


def parse_number(text: str) -> float:
    try:
        value = float(text.replace(",", "").replace("_", ""))
    except ValueError:
        raise LabError(f"expected a number, got '{text}'") from None
    if math.isnan(value):
        raise LabError("expected a number, got nan")
    return value


def _row(text: str) -> int:
    if re.fullmatch(r"[01]{2,}", text):
        return int(text, 2)
    if re.fullmatch(r"\d+", text):
        return int(text)
    raise LabError(f"expected a row index or its bits, got '{text}'")
