"""Lessons: Markdown files with a small header, read into steps whose checks are evaluated against the lab's state.

A lesson is data a teacher writes without touching Python (the shipped ones live in ``lab/lessons/``). The whole
format, in one example::

    ---
    title: One neuron learns to copy
    recipe: single-neuron
    seed: 0
    speed: max
    view: chart
    ---
    An introduction, shown above the first step.

    ## Train it
    What to understand, in a paragraph or two. `?` explains a word: back-quoted words show in bold.

    Setup: view chart
    Task: press space to train.
    Check: epoch >= 15000
    Solution: train
    Why: shown once every check passes, until the next step's heading.

**The setup (a promise: the same start whatever came before).** The header holds the title and the lesson's
complete start. ``recipe`` (the base experiment), ``speed`` and ``view`` are required; every other key overrides
the recipe: ``gate`` (a preset), ``expr`` (an expression), ``holdout`` (rows, ``100,4``), ``hidden``
(``16:relu,8:tanh`` or ``none``), ``output``, ``bias`` (on/off), ``loss``, ``optimizer``, ``lr``, ``batch``,
``init``, ``seed``, ``epochs``, ``stop``, and for the screen ``speed`` (epochs per tick or ``max``), ``view``,
``log`` (the loss axis: on/off, default off) and ``cursor`` (the table's row, default 0). The start is built from
the recipe, never from the lab as it stood, and ``Lesson.start_line`` says it in one line. A step may begin with
``Setup: KEY VALUE`` lines of its own: screen keys only (``view``, ``speed``, ``log``, ``cursor``) keep the
network the learner has; any other key gives new weights for the lesson's start with every step's setup up to this
one applied (``Lesson.experiment_at``), again never from what the learner changed.

**Checks (what happened during the step).** A check is one line: a flag (``trained``, ``solved``, ``diverged``,
``pinned``, ``compared``, ``log_scale``, ``edited``, ``stepped``), optionally preceded by ``not``; or ``NAME OP VALUE``
with OP one of ``< <= > >= == != contains``, where NAME is a number (``epoch``, ``loss``, ``lr``, ``layers``,
``cursor``...), a word (``gate``, ``loss_name``, ``hidden``, ``view``...) or a set (``heldout``, ``hidden_gates``); or
``output row R OP X`` / ``heldout_output row R OP X`` with R a row index or its bits (``100``). The learner reads each
check in words (``the cursor is on row 4``), never the line itself. A step's checks count only what happened during the
step (``lab.core.lesson_checks.StepWatch``): run checks need a run trained in the step, lab checks (cursor, view,
settings, sweeps) must not all hold when the step begins, output checks read the network as it stands, and the picture's
two events need it done in the step: ``edited`` (a weight or bias set by hand: ``=`` or ←/→ on the network picture, or a
row's step applied) and ``stepped`` (the step-through of one update opened: ``b``). Every step needs at least one run or
lab check. Checks are evaluated against a ``LabState``: a frozen snapshot the interface builds, so every lesson can be
tested without a terminal.

**Solutions (so a stuck learner can be shown, and the course played).** Each step lists, in order, the actions
that pass it, one ``Solution:`` line each (``SOLUTION_ACTIONS``):

* ``press KEY...``: Textual key names (``space``, ``v``, ``greater_than_sign``, ``right_square_bracket``, ``y``).
* ``train``: start training (space) and wait until the run ends; ``wait``: wait for a sweep or run to end.
* ``cursor ROW``: move the truth table's cursor to ROW (bits or index) with the arrow keys.
* ``view NAME``: press v until view NAME shows (a ``VIEW_NAMES`` name).
* ``setting KEY [VALUE]``: move the Architecture pane's cursor to KEY (``layer1``... ``output``, ``bias``,
  ``loss``, ``optimizer``, ``lr``, ``batch_size``, ``init``, ``seed``, ``epochs``, ``stop``) and, with VALUE,
  press right until it shows VALUE (answering y when asked to discard trained weights).
* ``type TEXT``: type TEXT (an input line is open), then nothing else.
* ``picture``: show the network picture (v until it shows) and give it the keys, as tab or a click does; then
  ``press b`` opens the step-through, ``press right`` shows its next part, ``press a`` applies it, ``press d``
  closes it without applying.
* ``weight NAME VALUE``: on the network picture, move its number cursor (↓) to the weight or bias NAME as the line
  under the picture names it (``w(a→y)``, ``bias(h1)``), press ``=``, type VALUE and enter (the run paused).

``nnlab learn --play`` and the lesson's "show me" key play them, keys shown as they are pressed; a test plays every
lesson by its solutions and holds each step to passing.

Every mistake in a file is one ``LessonError`` line: ``01-one-neuron.md, line 7: unknown setup key 'recpie'``.

This module reads the file format (steps, reading, finding, progress); the checks live in ``lab.core.lesson_checks``
and the setup keys in ``lab.core.lesson_setup``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from lab.core.errors import LabError
from lab.core.experiment import Experiment
from lab.core.gates import parse_rows
from lab.core.lesson_checks import Check, LabState, StepWatch, parse_check
from lab.core.lesson_setup import REQUIRED, SCREEN_DEFAULTS, SETUP_KEYS, SPEEDS, VIEW_NAMES, Setup, start_line
from lab.core.recipes import recipe

__all__ = ["LESSON_DIR", "SETUP_KEYS", "SOLUTION_ACTIONS", "SPEEDS", "VIEW_NAMES", "Action", "Check", "LabState",
           "Lesson", "LessonError", "Progress", "Setup", "Step", "StepWatch", "find_lesson", "parse_check",
           "parse_lesson", "read_lesson", "shipped_lessons"]

LESSON_DIR = Path(__file__).resolve().parent.parent / "lessons"
"""Where the shipped lessons live (inside the package, so the wheel carries them)."""


class LessonError(LabError):
    """A lesson file that cannot be used: one line naming the file, the line and what is wrong."""


# --- solutions --------------------------------------------------------------------------------------------------------
SETTING_KEYS = ("output", "bias", "loss", "optimizer", "lr", "batch_size", "init", "seed", "epochs", "stop")
"""The Architecture pane's settings a ``setting`` action can name (and ``layerN``, the N-th hidden layer)."""

SOLUTION_ACTIONS: dict[str, tuple[int, int]] = {
    "press": (1, 99), "train": (0, 0), "wait": (0, 0), "cursor": (1, 1), "view": (1, 1), "setting": (1, 2),
    "type": (1, 99), "picture": (0, 0), "weight": (2, 2),
}
"""Each solution action and how many words may follow it (at least, at most)."""


@dataclass(frozen=True)
class Action:
    """One action of a step's solution: ``name`` (a ``SOLUTION_ACTIONS`` key) and its words."""

    name: str
    args: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """The action as written: ``press ] ]``, ``cursor 100``."""
        return " ".join((self.name, *self.args))


def parse_action(text: str) -> Action:
    """Parse one ``Solution:`` line.

    Raises:
        LabError: naming what is wrong, in one line.
    """
    words = text.split()
    if not words or words[0] not in SOLUTION_ACTIONS:
        raise LabError(f"expected one of {', '.join(SOLUTION_ACTIONS)}, got '{text}'")
    name, args = words[0], tuple(words[1:])
    if name == "type" and args:
        args = (text.strip().split(None, 1)[1],)  # the text as typed, spaces and all
    low, high = SOLUTION_ACTIONS[name]
    if not low <= len(args) <= high:
        raise LabError(f"'{name}' takes {low}{'' if low == high else f' to {high}'} word(s), got '{text}'")
    if name == "view" and args[0] not in VIEW_NAMES:
        raise LabError(f"unknown view '{args[0]}': choose one of {', '.join(VIEW_NAMES)}")
    if name == "cursor" and not args[0].isdigit():
        raise LabError(f"cursor: expected a row index or its bits, got '{args[0]}'")
    if name == "setting" and args[0] not in SETTING_KEYS and not (args[0].startswith("layer")
                                                                 and args[0][5:].isdigit()):
        raise LabError(f"unknown setting '{args[0]}': choose layer1, layer2... or one of {', '.join(SETTING_KEYS)}")
    if name == "weight":
        try:
            float(args[1])
        except ValueError:
            raise LabError(f"weight: expected a number after the name, got '{args[1]}'") from None
    return Action(name, args)


# --- lessons ----------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Step:
    """One step of a lesson: an explanation, a task, the checks that say it is done, why it came out so, the setup
    it applies when it begins and the solution that passes it."""

    title: str
    text: str
    task: str
    checks: tuple[Check, ...]
    why: str
    setup: Setup = field(default_factory=Setup)
    solution: tuple[Action, ...] = ()

    def watch(self) -> StepWatch:
        """A fresh watch of this step's checks (see ``StepWatch``)."""
        return StepWatch(self.checks)


@dataclass(frozen=True)
class Lesson:
    """A lesson: its id (the file's stem, ``01-one-neuron``), title, introduction, setup and steps."""

    id: str
    title: str
    intro: str
    setup: Setup
    steps: tuple[Step, ...]

    def setups_at(self, step: int) -> tuple[Setup, ...]:
        """The setups that make step ``step``'s start: the header's, then every step's up to ``step``."""
        return (self.setup, *(s.setup for s in self.steps[: step + 1]))

    def experiment_at(self, step: int = 0) -> Experiment:
        """The experiment step ``step`` starts from when it sets one up: the header's recipe with every setup up to
        ``step`` applied (never the lab's own experiment)."""
        base = recipe(self.setup.get("recipe") or "keras-xor")
        for setup in self.setups_at(step):
            base = setup.experiment(base)
        return base

    def screen_at(self, step: int = 0) -> dict[str, str]:
        """The screen step ``step`` starts with when the lesson starts there (speed, view, log, cursor)."""
        screen = dict(SCREEN_DEFAULTS)
        for setup in self.setups_at(step):
            screen.update(setup.screen())
        return screen

    def resume_at(self, step: int) -> int:
        """Where a learner who left at ``step`` starts again: the latest step at or before it that starts from its
        own setup (the first, or one with a setup line about the experiment). A step in between builds on the run,
        sweep or pin of the steps before it, which a new session does not have."""
        return max(j for j in range(step + 1) if j == 0 or self.steps[j].setup.changes_experiment)

    def start_line(self, number: int | None = None) -> str:
        """``lesson 5 starts from: xor · 2 -> 4 tanh -> 1 linear ...`` (one line)."""
        name = f"lesson {number}" if number is not None else self.id
        return f"{name} starts from: {start_line(self.experiment_at(0), self.screen_at(0))}"


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
    missing = [k for k in REQUIRED if header.get(k) is None]
    if missing:
        raise _fail(source, end + 1, f"the header must set {', '.join(missing)} (a lesson's start is complete)")
    intro, steps = _parse_steps(lines, end + 1, source)
    if not steps:
        raise _fail(source, len(lines), "a lesson needs at least one step ('## Step title')")
    stem = lesson_id or Path(source).name.removesuffix(".md")
    lesson = Lesson(stem, title, intro, header, tuple(steps))
    for i in range(len(steps)):
        try:
            e = lesson.experiment_at(i)
            cursor = lesson.screen_at(i).get("cursor", "0")
            if int(cursor) >= e.table.n_rows:
                raise LabError(f"cursor {cursor}: the table has {e.table.n_rows} rows")
            for action in steps[i].solution:
                if action.name == "cursor":
                    parse_rows(action.args[0], e.table.n_inputs)
        except LabError as err:
            at = end + 1 if i == 0 else _step_line(lines, steps[i].title)
            raise _fail(source, at, f"the setup does not make an experiment: {err}") from None
    return lesson


def _step_line(lines: list[str], title: str) -> int:
    return next((i + 1 for i, line in enumerate(lines) if line.strip() == f"## {title}"), len(lines))


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
        if all(c.kind == "network" for c in current["checks"]):
            raise _fail(source, current["line"], f"step '{current['title']}' checks only the network: add a check "
                                                 "on something the learner does (a run, the cursor, a setting)")
        if not current["solution"]:
            raise _fail(source, current["line"], f"step '{current['title']}' has no 'Solution:' line")
        steps.append(Step(current["title"], _join(current["text"]), _join(current["task"]),
                          tuple(current["checks"]), _join(current["why"]), Setup(tuple(current["setup"])),
                          tuple(current["solution"])))

    for i in range(start, len(lines)):
        raw = lines[i].rstrip()
        stripped = raw.strip()
        if stripped.startswith("## "):
            finish(i)
            current = {"title": stripped[3:].strip(), "line": i + 1, "text": [], "task": [], "checks": [],
                       "why": [], "setup": [], "solution": [], "part": "text"}
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
        if sep and label == "solution":
            try:
                current["solution"].append(parse_action(rest.strip()))
            except LabError as e:
                raise _fail(source, i + 1, f"solution: {e}") from None
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
