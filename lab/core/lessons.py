"""Lessons: Markdown files with a small header, read into steps whose checks are evaluated against the lab's state.

A lesson is data a teacher writes without touching Python (the shipped ones live in ``lab/lessons/``)::

    ---
    title: One neuron learns to copy
    recipe: single-neuron
    speed: max
    ---
    An introduction, shown above the first step.

    ## Train it
    What to understand, in a paragraph or two.

    Task: press space to train.
    Check: epoch >= 15000
    Why: shown once every check passes, until the next step's heading.

The header holds the title and the **setup**, applied when the lesson starts: ``recipe``, ``gate`` (a preset),
``expr`` (an expression), ``holdout`` (rows, ``100,4``), ``hidden`` (``16:relu,8:tanh`` or ``none``), ``output``,
``bias`` (on/off), ``loss``, ``optimizer``, ``lr``, ``batch``, ``init``, ``seed``, ``epochs``, ``stop``, and for the
interface ``speed`` (epochs per tick or ``max``) and ``view``. A step may start with ``Setup: KEY VALUE`` lines of
its own, applied when that step begins.

A **check** is one line: a flag (``trained``, ``solved``, ``diverged``, ``pinned``, ``compared``, ``log_scale``),
optionally preceded by ``not``; or ``NAME OP VALUE`` with OP one of ``< <= > >= == != contains``, where NAME is a
number (``epoch``, ``loss``, ``lr``, ``layers``, ``cursor``...), a word (``gate``, ``loss_name``, ``hidden``,
``view``...) or a set (``heldout``, ``hidden_gates``); or ``output row R OP X`` / ``heldout_output row R OP X``
with R a row index or its bits (``100``). Checks are evaluated against a ``LabState``: a frozen snapshot of the lab
the interface builds, so every lesson can be tested without a terminal.

Every mistake in a file is one ``LessonError`` line: ``01-one-neuron.md, line 7: unknown setup key 'recpie'``.
"""

from __future__ import annotations

import json
import math
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from lab.core.activations import OUTPUT_ACTIVATIONS
from lab.core.errors import LabError
from lab.core.experiment import Experiment, parse_hidden
from lab.core.gates import PRESETS, parse_rows, preset, table_from_expression
from lab.core.init import INITIALISERS
from lab.core.losses import LOSSES
from lab.core.optim import OPTIMIZERS
from lab.core.recipes import RECIPES, recipe

LESSON_DIR = Path(__file__).resolve().parent.parent / "lessons"
"""Where the shipped lessons live (inside the package, so the wheel carries them)."""
SPEEDS = {"1": 1, "5": 5, "20": 20, "100": 100, "500": 500, "max": 0}
"""The lab's speeds (epochs per 0.1 s tick) by the name a lesson uses."""
VIEW_NAMES = ("chart", "picture", "network", "units", "surface", "health", "gradcheck", "summary", "seeds")


class LessonError(LabError):
    """A lesson file that cannot be used: one line naming the file, the line and what is wrong."""


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
        return Check(text, name, words[3], _number(words[4]), row=row)
    if name not in NUMBERS and name not in WORDS and name not in SETS:
        known = ", ".join((*FLAGS, *NUMBERS, *WORDS, *SETS, *ROW_VALUES))
        raise LabError(f"unknown check '{name}': choose one of {known}")
    if len(words) < 3:
        raise LabError(f"expected '{name} OP VALUE', got '{text}'")
    op, rest = words[1], " ".join(words[2:])
    if name in NUMBERS:
        if op not in OPERATORS:
            raise LabError(f"'{name}' compares with {' '.join(OPERATORS)}, got '{op}'")
        return Check(text, name, op, _number(rest))
    if name in WORDS:
        if op not in ("==", "!="):
            raise LabError(f"'{name}' is a word: compare it with == or !=, got '{op}'")
        return Check(text, name, op, rest)
    if op != "contains":
        raise LabError(f"'{name}' is a set: use 'contains', got '{op}'")
    return Check(text, name, op, _row(rest) if name == "heldout" else rest)


def _number(text: str) -> float:
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


# --- setup ------------------------------------------------------------------------------------------------------------
def _choice(options) -> Callable[[str], str]:
    def check(value: str) -> str:
        if value not in options:
            raise LabError(f"unknown '{value}', choose one of {', '.join(options)}")
        return value
    return check


def _positive_number(value: str) -> str:
    if not _number(value) > 0:
        raise LabError(f"expected a number above 0, got '{value}'")
    return value


def _whole(value: str) -> str:
    if not re.fullmatch(r"\d+", value.replace(",", "").replace("_", "")):
        raise LabError(f"expected a whole number, got '{value}'")
    return value


def _hidden(value: str) -> str:
    parse_hidden(value)
    return value


def _expr(value: str) -> str:
    table_from_expression(value)
    return value


def _batch(value: str) -> str:
    return value if value == "full" else _whole(value)


def _stop(value: str) -> str:
    from lab.core.experiment import StopRule

    StopRule.parse(value)
    return value


SETUP_KEYS: dict[str, Callable[[str], str]] = {
    "recipe": _choice(tuple(RECIPES)), "gate": _choice(tuple(PRESETS)), "expr": _expr, "holdout": str,
    "hidden": _hidden, "output": _choice(OUTPUT_ACTIVATIONS), "bias": _choice(("on", "off")),
    "loss": _choice(tuple(LOSSES)), "optimizer": _choice(tuple(OPTIMIZERS)), "lr": _positive_number,
    "batch": _batch, "init": _choice(tuple(INITIALISERS)), "seed": _whole, "epochs": _whole, "stop": _stop,
    "speed": _choice(tuple(SPEEDS)), "view": _choice(VIEW_NAMES),
}
"""Every setup key and the check of its value (each raises LabError with the reason)."""

ORDER = tuple(SETUP_KEYS)  # the order setup is applied in: the experiment first, then its table, network, training


@dataclass(frozen=True)
class Setup:
    """Setup lines in the order they are applied (``recipe`` and ``gate`` before what changes them)."""

    items: tuple[tuple[str, str], ...] = ()

    def get(self, key: str) -> str | None:
        """The value of ``key``, or None."""
        return next((v for k, v in self.items if k == key), None)

    def __bool__(self) -> bool:
        return bool(self.items)

    def experiment(self, current: Experiment) -> Experiment:
        """``current`` changed by this setup (``current`` itself when nothing in it is about the experiment).

        Raises:
            LabError: when the combination does not make a valid experiment (a holdout row the gate lacks).
        """
        e = current
        items = sorted(self.items, key=lambda kv: ORDER.index(kv[0]))
        for key, value in items:
            if key == "recipe":
                e = recipe(value)
            elif key == "gate":
                e = replace(e.with_table(preset(value)), name=value)
            elif key == "expr":
                e = e.with_table(table_from_expression(value, name="custom"))
            elif key == "holdout":
                e = e.with_table(e.table.with_heldout(parse_rows(value, e.table.n_inputs)))
            elif key == "hidden":
                e = e.with_architecture(layers=parse_hidden(value))
            elif key == "output":
                e = e.with_architecture(output_activation=value)
            elif key == "bias":
                e = e.with_architecture(bias=value == "on")
            elif key in ("loss", "optimizer", "init", "stop"):
                e = e.with_training(**{key: value})
            elif key == "lr":
                e = e.with_training(lr=_number(value))
            elif key == "batch":
                e = e.with_training(batch_size=0 if value == "full" else int(value))
            elif key in ("seed", "epochs"):
                e = e.with_training(**{key: int(value.replace(",", "").replace("_", ""))})
        return e

    @property
    def changes_experiment(self) -> bool:
        """Whether applying it replaces the experiment (anything but ``speed`` and ``view``)."""
        return any(k not in ("speed", "view") for k, _ in self.items)


# --- lessons ----------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Step:
    """One step of a lesson: an explanation, a task, the checks that say it is done, and why it came out so."""

    title: str
    text: str
    task: str
    checks: tuple[Check, ...]
    why: str
    setup: Setup = field(default_factory=Setup)

    def passed(self, state: LabState) -> tuple[bool, ...]:
        """Whether each check holds in ``state``."""
        return tuple(c.passes(state) for c in self.checks)


@dataclass(frozen=True)
class Lesson:
    """A lesson: its id (the file's stem, ``01-one-neuron``), title, introduction, setup and steps."""

    id: str
    title: str
    intro: str
    setup: Setup
    steps: tuple[Step, ...]


def _fail(source: str, line: int, message: str) -> LessonError:
    return LessonError(f"{source}, line {line}: {message}")


def parse_lesson(text: str, source: str = "lesson", lesson_id: str | None = None) -> Lesson:
    """Read a lesson from its text.

    Args:
        text: the Markdown file's contents.
        source: the file's name, for messages.
        lesson_id: the lesson's id (default: ``source`` without its folder and ``.md``).

    Raises:
        LessonError: one line naming ``source``, the line and what is wrong.
    """
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise _fail(source, 1, "a lesson starts with a header between '---' lines")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise _fail(source, 1, "the header's closing '---' is missing") from None
    title, setup = "", []
    for i in range(1, end):
        line = lines[i].strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if not sep or not value:
            raise _fail(source, i + 1, f"expected 'key: value', got '{line}'")
        if key == "title":
            title = value
            continue
        setup.append(_setup_item(key, value, source, i + 1))
    if not title:
        raise _fail(source, end + 1, "the header has no 'title:'")
    header = Setup(tuple(setup))
    try:
        header.experiment(recipe("keras-xor"))
    except LabError as e:
        raise _fail(source, end + 1, f"the setup does not make an experiment: {e}") from None
    intro, steps = _parse_steps(lines, end + 1, source)
    if not steps:
        raise _fail(source, len(lines), "a lesson needs at least one step ('## Step title')")
    stem = lesson_id or Path(source).name.removesuffix(".md")
    return Lesson(stem, title, intro, header, tuple(steps))


def _setup_item(key: str, value: str, source: str, line: int) -> tuple[str, str]:
    if key not in SETUP_KEYS:
        raise _fail(source, line, f"unknown setup key '{key}': choose one of title, {', '.join(SETUP_KEYS)}")
    try:
        return key, SETUP_KEYS[key](value)
    except LabError as e:
        raise _fail(source, line, f"{key}: {e}") from None


def _parse_steps(lines: list[str], start: int, source: str) -> tuple[str, list[Step]]:
    intro: list[str] = []
    steps: list[Step] = []
    current: dict[str, Any] | None = None

    def finish(at: int) -> None:
        if current is None:
            return
        if not current["checks"]:
            raise _fail(source, current["line"], f"step '{current['title']}' has no 'Check:' line")
        if not current["task"]:
            raise _fail(source, current["line"], f"step '{current['title']}' has no 'Task:' line")
        steps.append(Step(current["title"], _join(current["text"]), _join(current["task"]),
                          tuple(current["checks"]), _join(current["why"]), Setup(tuple(current["setup"]))))

    for i in range(start, len(lines)):
        raw = lines[i].rstrip()
        stripped = raw.strip()
        if stripped.startswith("## "):
            finish(i)
            current = {"title": stripped[3:].strip(), "line": i + 1, "text": [], "task": [], "checks": [],
                       "why": [], "setup": [], "part": "text"}
            continue
        if current is None:
            intro.append(raw)
            continue
        label, sep, rest = stripped.partition(":")
        label = label.lower()
        if sep and label == "check":
            try:
                current["checks"].append(parse_check(rest.strip()))
            except LabError as e:
                raise _fail(source, i + 1, f"check: {e}") from None
            continue
        if sep and label == "setup":
            key, _, value = rest.strip().partition(" ")
            current["setup"].append(_setup_item(key.strip(), value.strip(), source, i + 1))
            continue
        if sep and label in ("task", "why"):
            current["part"] = label
            current[label].append(rest.strip())
            continue
        current[current["part"]].append(raw)
    finish(len(lines))
    return _join(intro), steps


def _join(lines: list[str]) -> str:
    """Paragraphs: lines joined with spaces, blank lines kept as paragraph breaks."""
    paragraphs, current = [], []
    for line in lines:
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return "\n\n".join(paragraphs)


def read_lesson(path: str | Path) -> Lesson:
    """Read the lesson file at ``path``.

    Raises:
        LessonError: the file cannot be read, or is not a lesson (one line naming the file and the line).
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise LessonError(f"{p.name}: not UTF-8 text (byte {e.start})") from None
    except OSError as e:
        raise LessonError(f"{p.name}: cannot read ({e.strerror or e})") from None
    return parse_lesson(text, p.name)


def shipped_lessons(folder: Path = LESSON_DIR) -> tuple[Lesson, ...]:
    """Every lesson in ``folder`` (``NN-name.md``), in file-name order.

    Raises:
        LessonError: for the first file that is not a lesson.
    """
    return tuple(read_lesson(p) for p in sorted(folder.glob("*.md")))


def find_lesson(lessons: tuple[Lesson, ...], name: str) -> Lesson:
    """The lesson ``name`` names: its number (``3``), its id (``03-hidden-layer``) or the id without the number.

    Raises:
        LabError: naming the lessons there are.
    """
    for i, lesson in enumerate(lessons):
        if name in (str(i + 1), lesson.id, lesson.id.partition("-")[2]):
            return lesson
    raise LabError(f"unknown lesson '{name}': choose 1 to {len(lessons)} or one of "
                   f"{', '.join(l.id for l in lessons)}")


# --- progress ---------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Progress:
    """How far the learner got: per lesson id, the step reached and whether the lesson is complete; and the lesson
    open last."""

    steps: dict[str, int] = field(default_factory=dict)
    completed: frozenset[str] = frozenset()
    current: str | None = None

    def at(self, lesson: Lesson) -> int:
        """The step to resume ``lesson`` at (0 if never started)."""
        return min(max(self.steps.get(lesson.id, 0), 0), len(lesson.steps) - 1)

    def moved(self, lesson: Lesson, step: int) -> Progress:
        """Progress with ``lesson`` at ``step``; it becomes the current lesson."""
        return replace(self, steps={**self.steps, lesson.id: step}, current=lesson.id)

    def complete(self, lesson: Lesson) -> Progress:
        """Progress with ``lesson`` complete."""
        return replace(self, completed=self.completed | {lesson.id}, current=lesson.id)

    def restarted(self, lesson: Lesson) -> Progress:
        """Progress with ``lesson`` back at its first step and no longer complete."""
        return replace(self, steps={**self.steps, lesson.id: 0}, completed=self.completed - {lesson.id},
                       current=lesson.id)

    def to_bytes(self) -> bytes:
        """The progress as JSON."""
        return json.dumps({"format": "nnlab-lessons", "version": 1, "current": self.current,
                           "steps": self.steps, "completed": sorted(self.completed)}, indent=1).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> Progress:
        """Read progress written by ``to_bytes``.

        Raises:
            LabError: when the data is not such progress (one line saying what is wrong).
        """
        try:
            doc = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise LabError(f"not lesson progress ({e})") from None
        if not isinstance(doc, dict) or doc.get("format") != "nnlab-lessons":
            raise LabError("not lesson progress (no 'format': 'nnlab-lessons')")
        steps, completed, current = doc.get("steps", {}), doc.get("completed", []), doc.get("current")
        if not (isinstance(steps, dict) and all(isinstance(k, str) and type(v) is int for k, v in steps.items())):
            raise LabError("steps: expected lesson ids with whole numbers")
        if not (isinstance(completed, list) and all(isinstance(c, str) for c in completed)):
            raise LabError("completed: expected a list of lesson ids")
        if current is not None and not isinstance(current, str):
            raise LabError("current: expected a lesson id")
        return cls(dict(steps), frozenset(completed), current)
