"""A lesson's checks: the lab's state as they see it (``LabState``, a frozen snapshot the interface builds), the
one-line checks read from a lesson file, and ``StepWatch``, which evaluates a step's checks against what happened
*during the step* (see ``lab.core.lessons`` for the file format).

A check is a flag (``trained``, ``solved``...), optionally preceded by ``not``; or ``NAME OP VALUE`` with OP one of
``< <= > >= == != contains``; or ``output row R OP X`` / ``heldout_output row R OP X``. Each check also reads as
words (``Check.words``: "the cursor is on row 4"), which is what the learner sees.

Every check is of one of three kinds (``Check.kind``), and counts only what happened during its step:

* ``run`` (``trained``, ``solved``, ``diverged``, ``epoch``, ``loss``, ``accuracy``, ``heldout_accuracy``,
  ``solved_epoch``): only a run trained during the step counts (a new network trained, or the one there trained
  further); ``solved`` and ``diverged`` must have happened during the step.
* ``network`` (``output row``, ``heldout_output row``, ``hidden_gates``): the network as it stands now.
* ``event`` (``edited``: a weight or bias set by hand, ``stepped``: the step-through of one update opened): only
  what happened during the step counts (``LabState.edits`` and ``LabState.steps`` grew since it began).
* ``lab`` (everything else: the cursor, the view, settings, the table, sweeps): the step's lab checks together
  count only once they have *not all* held at some moment since the step began, so a step is never passed by what
  was already true when it began (a key pressed in an earlier lesson, a comparison left from an earlier step).
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
        compared: whether a finished sweep of the experiment in the lab stands beside a pinned A of another one.
        asked: the row typed into the prediction line, or None.
        run: which run the trainer is: a number the interface changes whenever the trainer is replaced (new
            weights), so a step can tell its own run from the one it began with.
        edits: how many times a weight or bias has been set by hand (the network picture's ``=`` or ←/→, or a
            row's step applied) since the lab started; a step counts the ones since it began.
        steps: how many times the step-through of one update has been opened since the lab started.
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
    run: int = 0
    asked: int | None = None
    edits: int = 0
    steps: int = 0


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
    "edited": lambda s: s.edits > 0,
    "stepped": lambda s: s.steps > 0,
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
    "asked": lambda s: (s.cursor,) if s.asked is None else (s.cursor, s.asked),
}
"""Checks that look for a member: ``NAME contains VALUE`` (a row for ``heldout`` and ``asked``, a name for
``hidden_gates``)."""

ROW_VALUES = ("output", "heldout_output")
"""Checks on one row's output: ``output row R OP X``; ``heldout_output`` also needs the row to be held out."""

OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "<=": operator.le, ">=": operator.ge, "==": operator.eq, "!=": operator.ne, "<": operator.lt, ">": operator.gt,
}

RUN_CHECKS = frozenset({"trained", "solved", "diverged", "running", "epoch", "loss", "accuracy", "heldout_accuracy",
                        "solved_epoch"})
"""Checks that read a run: only a run trained during the step counts."""
NETWORK_CHECKS = frozenset({"output", "heldout_output", "hidden_gates"})
"""Checks that read the network as it stands."""
EVENTS: dict[str, Callable[[LabState], int]] = {"edited": lambda s: s.edits, "stepped": lambda s: s.steps}
"""Checks of something done in the picture during the step: the count that must have grown since it began."""

OP_WORDS = {"<=": "is at most", ">=": "is at least", "==": "is", "!=": "is not", "<": "is below", ">": "is above"}
COUNT_WORDS = {"<=": "at most", ">=": "at least", "==": "exactly", "!=": "other than", "<": "fewer than",
               ">": "more than"}
NAME_WORDS = {
    "epoch": "epochs trained", "loss": "the loss", "accuracy": "the accuracy", "heldout_accuracy":
    "the held-out accuracy", "lr": "the learning rate", "solved_epoch": "the solved epoch", "layers":
    "the number of hidden layers", "inputs": "the number of inputs", "outputs": "the number of outputs",
    "cursor": "the cursor's row", "seed": "the seed", "epochs": "the epoch budget", "gate": "the gate",
    "columns": "the target column", "hidden": "the hidden layer setting",
    "output_activation": "the output's activation",
    "bias": "the bias", "loss_name": "the loss", "optimizer": "the optimizer", "init": "the initialiser",
    "stop": "the stop rule", "view": "the view shown",
}
FLAG_WORDS = {
    "trained": ("a run trained in this step", "no run trained in this step"),
    "solved": ("solved in this step (every training row right)", "trained in this step, not solved"),
    "diverged": ("diverged in this step", "trained in this step, not diverged"),
    "running": ("training is running", "training is paused"),
    "pinned": ("a sweep is pinned as A", "no sweep is pinned"),
    "compared": ("a sweep of this network stands beside the pinned A", "no sweep stands beside a pinned one"),
    "log_scale": ("the loss axis is on a log scale", "the loss axis is linear"),
    "edited": ("a weight or bias set by hand in this step", "no weight or bias set by hand in this step"),
    "stepped": ("the step-through of one update opened in this step (b on the picture)",
                "the step-through not opened in this step"),
}
"""The words of each flag and of its ``not``."""


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
    row_text: str = ""

    @property
    def kind(self) -> str:
        """``run``, ``network``, ``event`` or ``lab`` (see the module's docstring)."""
        if self.name in EVENTS:
            return "event"
        if self.name in RUN_CHECKS:
            return "run"
        return "network" if self.name in NETWORK_CHECKS else "lab"

    @property
    def words(self) -> str:
        """The check in plain words, as the learner reads it: ``the cursor is on row 4``."""
        if self.op == "flag":
            return FLAG_WORDS[self.name][self.negate]
        if self.name in ROW_VALUES:
            held = "held-out " if self.name == "heldout_output" else ""
            return f"the output for {held}row {self.row_text} {OP_WORDS[self.op]} {_num(self.value)}"
        if self.name == "heldout":
            return f"row {self.row_text} is held out"
        if self.name == "asked":
            return f"row {self.row_text} is asked about (the cursor on it, or typed in the prediction line)"
        if self.name == "hidden_gates":
            return f"a hidden unit reads as {self.value}"
        if self.name == "view" and self.op == "==":
            return f"the {self.value} view is shown"
        if self.name == "cursor" and self.op == "==":
            return f"the cursor is on row {_num(self.value)}"
        if self.name == "accuracy" and self.op in ("==", ">=") and self.value == 1:
            return "every training row right (accuracy 1) in this step's run"
        if self.name in ("epoch", "sweep_seeds", "sweep_solved"):
            count = f"{COUNT_WORDS[self.op]} {_num(self.value)}"
            return {"epoch": f"{count} epochs in this step's run",
                    "sweep_seeds": f"a sweep of {count} seeds of this network finished",
                    "sweep_solved": f"{count} seeds solved in the finished sweep"}[self.name]
        value = _num(self.value) if isinstance(self.value, float) else self.value
        return f"{NAME_WORDS[self.name]} {OP_WORDS[self.op]} {value}"

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
        return Check(text, name, words[3], parse_number(words[4]), row=row, row_text=words[2])
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
    return Check(text, name, op, _row(rest) if name in ("heldout", "asked") else rest, row_text=rest)


def _num(value: float) -> str:
    """A number as a lesson writes it: ``15,000``, ``0.9``, ``4``."""
    return f"{int(value):,}" if float(value).is_integer() else f"{value:g}"


def trained_in(state: LabState, start: LabState) -> bool:
    """Whether a run trained during the step that began at ``start``: a new network trained, or the one there then
    trained further."""
    return state.epoch > 0 and (state.run != start.run or state.epoch > start.epoch)


def _happened(state: LabState, start: LabState, what: Callable[[LabState], bool]) -> bool:
    """``what`` holds now and, for the run the step began with, did not hold then (it happened in this step)."""
    return what(state) and (state.run != start.run or not what(start))


class StepWatch:
    """A step's checks watched from the moment it began: ``see`` each new state; a check counts only what happened
    during the step (see the module's docstring). Pure and synchronous: the interface feeds it states.

    Attributes:
        checks: the step's checks.
        start: the state when the step began (after its setup was applied), or None before the first ``see``.
        armed: the step's lab checks have not all held at some moment since it began (always true without any).
        done: every check has held at once (it stays done).
    """

    def __init__(self, checks: tuple[Check, ...]) -> None:
        self.checks = checks
        self.start: LabState | None = None
        self.armed = not any(c.kind == "lab" for c in checks)
        self.done = False

    def see(self, state: LabState) -> tuple[bool, ...]:
        """Each check's verdict on ``state`` within this step (the first state seen is the step's start)."""
        if self.start is None:
            self.start = state
        start = self.start
        lab = [c.passes(state) for c in self.checks if c.kind == "lab"]
        if not all(lab):
            self.armed = True
        verdicts = []
        for check in self.checks:
            if check.kind == "lab":
                ok = self.armed and check.passes(state)
            elif check.kind == "network":
                ok = check.passes(state)
            elif check.kind == "event":
                count = EVENTS[check.name]
                ok = (count(state) > count(start)) != check.negate
            elif check.op == "flag" and check.name in ("solved", "diverged") and not check.negate:
                flag = FLAGS[check.name]
                ok = trained_in(state, start) and _happened(state, start, flag)
            elif check.name == "running":
                ok = check.passes(state)
            else:
                ok = trained_in(state, start) and check.passes(state)
            verdicts.append(ok)
        if all(verdicts):
            self.done = True
        return tuple(verdicts)


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
