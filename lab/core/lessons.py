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

This module reads the file format (steps, reading, finding, progress); the checks live in ``lab.core.lesson_checks``
and the setup keys in ``lab.core.lesson_setup``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from lab.core.errors import LabError
from lab.core.lesson_checks import Check, LabState, parse_check
from lab.core.lesson_setup import SETUP_KEYS, SPEEDS, VIEW_NAMES, Setup
from lab.core.recipes import recipe

__all__ = ["LESSON_DIR", "SETUP_KEYS", "SPEEDS", "VIEW_NAMES", "Check", "LabState", "Lesson", "LessonError", "Progress",
           "Setup", "Step", "find_lesson", "parse_check", "parse_lesson", "read_lesson", "shipped_lessons"]

LESSON_DIR = Path(__file__).resolve().parent.parent / "lessons"
"""Where the shipped lessons live (inside the package, so the wheel carries them)."""


class LessonError(LabError):
    """A lesson file that cannot be used: one line naming the file, the line and what is wrong."""


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
