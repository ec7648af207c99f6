"""The lesson format, its checks against a frozen lab state, the setup it applies and the progress kept."""

from __future__ import annotations

import os
import stat
from dataclasses import replace

import pytest

from lab.core.errors import LabError
from lab.core.experiment import Experiment
from lab.core.gates import preset
from lab.core.lessons import (
    LESSON_DIR,
    LabState,
    LessonError,
    Progress,
    StepWatch,
    find_lesson,
    parse_check,
    parse_lesson,
    read_lesson,
    shipped_lessons,
)
from lab.core.recipes import recipe
from lab.core.train import Trainer
from lab.files import lesson_progress

GOOD = """---
title: A test lesson
recipe: keras-xor
gate: xor
hidden: 4:tanh
lr: 0.5
speed: max
view: chart
---
Some introduction.

## Train
Explain it.

Task: press space.
Check: solved
Check: loss < 0.1
Solution: train
Why: because.

## Look
Setup: speed 20
Task: press v.
Check: view == surface
Solution: view surface
Why: a straight line.
"""
H = "---\ntitle: x\nrecipe: keras-xor\nspeed: max\nview: chart\n"  # a complete header, still open


def test_shipped_lessons_all_parse_and_set_up():
    """Every shipped lesson reads, and its setup (with each step's) makes a valid experiment."""
    lessons = shipped_lessons()
    assert len(lessons) >= 8
    for lesson in lessons:
        for i, step in enumerate(lesson.steps):
            lesson.experiment_at(i)
            assert step.task and step.why and step.checks and step.solution


def test_lessons_are_in_the_package():
    """The lessons live inside the package (so the wheel, which packs ``lab``, carries them)."""
    assert LESSON_DIR.parent.name == "lab" and sorted(LESSON_DIR.glob("*.md"))


def test_a_lesson_parses_into_steps():
    lesson = parse_lesson(GOOD, "99-test.md")
    assert lesson.id == "99-test" and lesson.title == "A test lesson" and lesson.intro == "Some introduction."
    assert [s.title for s in lesson.steps] == ["Train", "Look"]
    assert lesson.steps[0].text == "Explain it." and lesson.steps[0].why == "because."
    assert [c.text for c in lesson.steps[0].checks] == ["solved", "loss < 0.1"]
    assert [a.text for a in lesson.steps[0].solution] == ["train"]
    assert lesson.steps[1].setup.get("speed") == "20" and not lesson.steps[1].setup.changes_experiment
    e = lesson.experiment_at(0)
    assert e.table.name == "xor" and e.architecture.describe() == "4:tanh" and e.training.lr == 0.5
    assert lesson.screen_at(1) == {"speed": "20", "view": "chart", "log": "off", "cursor": "0"}
    assert lesson.start_line(9) == ("lesson 9 starts from: xor · 2 -> 4 tanh -> 1 sigmoid, bias on · mse, adam lr "
                                    "0.5, batch full, init glorot_uniform, seed 0, 1,000 epochs, stop budget · "
                                    "chart view, speed max")


def test_every_lesson_starts_the_same_whatever_came_before():
    """A lesson's start is built from its recipe, never from the lab: the same experiment and screen for every
    lesson, computed twice, and every step with experiment setup lines starts from the lesson's own fold."""
    for lesson in shipped_lessons():
        assert lesson.experiment_at(0) == lesson.experiment_at(0)
        assert set(lesson.screen_at(0)) == {"speed", "view", "log", "cursor"}
        for key in ("recipe", "speed", "view", "seed"):
            assert lesson.setup.get(key) is not None, (lesson.id, key)


@pytest.mark.parametrize("text, line, words", [
    ("title: x\n---\n", 1, "starts with a header"),
    ("---\ntitle: x\n", 1, "closing '---' is missing"),
    ("---\ngate: xor\n---\n## S\nTask: t\nCheck: solved\n", 3, "has no 'title:'"),
    ("---\ntitle: x\nrecpie: keras-xor\n---\n", 3, "unknown setup key 'recpie'"),
    ("---\ntitle: x\ngate: xnr\n---\n", 3, "gate: unknown 'xnr'"),
    ("---\ntitle: x\nlr: fast\n---\n", 3, "lr: expected a number, got 'fast'"),
    ("---\ntitle: x\nhidden: 4:sigmoidal\n---\n", 3, "hidden:"),
    ("---\ntitle x\n---\n", 2, "expected 'key: value'"),
    ("---\ntitle: x\ngate: xor\n---\n## S\n", 4, "the header must set recipe, speed, view"),
    (H + "holdout: 9\n---\n## S\nTask: t\nCheck: solved\nSolution: train\n", 7,
     "the setup does not make an experiment"),
    (H + "---\nintro only\n", 7, "at least one step"),
    (H + "---\n## S\nTask: t\n", 7, "has no 'Check:' line"),
    (H + "---\n## S\nCheck: solved\n", 7, "has no 'Task:' line"),
    (H + "---\n## S\nTask: t\nCheck: solved\n", 7, "has no 'Solution:' line"),
    (H + "---\n## S\nTask: t\nCheck: output row 1 > 0.5\nSolution: train\n", 7, "checks only the network"),
    (H + "---\n## S\nTask: t\nCheck: sovled\n", 9, "unknown check 'sovled'"),
    (H + "---\n## S\nTask: t\nCheck: loss < low\n", 9, "expected a number, got 'low'"),
    (H + "---\n## S\nSetup: speed warp\nTask: t\nCheck: solved\n", 8, "speed: unknown 'warp'"),
    (H + "---\n## S\nTask: t\nCheck: solved\nSolution: fly\n", 10, "solution: expected one of press"),
    (H + "---\n## S\nTask: t\nCheck: solved\nSolution: view sideways\n", 10, "unknown view 'sideways'"),
    (H + "---\n## S\nTask: t\nCheck: solved\nSolution: setting colour red\n", 10, "unknown setting 'colour'"),
    (H + "---\n## S\nTask: t\nCheck: solved\nSolution: train now\n", 10, "'train' takes 0 word(s)"),
    (H + "---\n## S\nTask: t\nCheck: edited\nSolution: weight w(a→y)\n", 10, "'weight' takes 2 word(s)"),
    (H + "---\n## S\nTask: t\nCheck: edited\nSolution: weight w(a→y) two\n", 10,
     "weight: expected a number after the name, got 'two'"),
])
def test_a_broken_lesson_is_refused_in_one_line(text, line, words):
    """A bad header or step: one line naming the file, the line and what is wrong."""
    with pytest.raises(LessonError) as e:
        parse_lesson(text, "05-broken.md")
    message = str(e.value)
    assert "\n" not in message
    assert message.startswith(f"05-broken.md, line {line}: ") and words in message


def test_a_lesson_file_that_is_not_text(tmp_path):
    path = tmp_path / "bad.md"
    path.write_bytes(b"---\ntitle: \xff\n---\n")
    with pytest.raises(LessonError, match=r"^bad.md: not UTF-8 text"):
        read_lesson(path)
    with pytest.raises(LessonError, match=r"^missing.md: cannot read"):
        read_lesson(tmp_path / "missing.md")


def state(**changes) -> LabState:
    """A state of keras-xor trained 300 epochs (solved), with ``changes``."""
    trainer = Trainer(recipe("keras-xor").with_training(lr=0.01))
    trainer.run(300)
    h = trainer.history
    outputs = tuple(tuple(float(v) for v in row) for row in trainer.predict())
    base = LabState(trainer.experiment, trainer.epoch, h.loss[-1], h.accuracy[-1], None, trainer.lr,
                    trainer.solved_epoch, False, False, outputs)
    return replace(base, **changes)


def test_checks_evaluate_against_the_state():
    s = state()
    assert s.solved_epoch is not None
    passes = {text: parse_check(text).passes(s) for text in (
        "trained", "solved", "not diverged", "epoch >= 300", "epoch > 300", "loss < 1", "accuracy == 1",
        "lr >= 0.01", "layers == 1", "inputs == 2", "gate == xor", "hidden == 16:relu", "loss_name == mse",
        "output row 1 > 0.5", "output row 11 < 0.5", "output row 00 > 0.5", "heldout_output row 1 > 0.5",
        "bias == on", "view == chart", "not pinned", "heldout_accuracy >= 0")}
    assert passes == {
        "trained": True, "solved": True, "not diverged": True, "epoch >= 300": True, "epoch > 300": False,
        "loss < 1": True, "accuracy == 1": True, "lr >= 0.01": True, "layers == 1": True, "inputs == 2": True,
        "gate == xor": True, "hidden == 16:relu": True, "loss_name == mse": True, "output row 1 > 0.5": True,
        "output row 11 < 0.5": True, "output row 00 > 0.5": False,
        "heldout_output row 1 > 0.5": False,  # row 1 is trained on, not held out
        "bias == on": True, "view == chart": True, "not pinned": True,
        "heldout_accuracy >= 0": False,  # no held-out rows: no number, so it fails
    }


def test_set_checks():
    s = state(experiment=Experiment(preset("xor").with_heldout({3})), hidden_gates=("a OR b", "a NAND b"))
    assert parse_check("heldout contains 11").passes(s)
    assert parse_check("heldout contains 3").passes(s)
    assert not parse_check("heldout contains 2").passes(s)
    assert parse_check("hidden_gates contains a NAND b").passes(s)
    assert not parse_check("hidden_gates contains a AND b").passes(s)


@pytest.mark.parametrize("text, words", [
    ("", "an empty check"), ("not", "'not' takes one flag"), ("solved now", "is a flag"),
    ("gate < xor", "compare it with == or !="), ("heldout == 3", "use 'contains'"),
    ("output row x > 1", "expected a row index"), ("output 3 > 1", "expected 'output row R OP X'"),
    ("epoch ~ 3", "compares with"), ("epoch >= nan", "expected a number"),
])
def test_bad_checks(text, words):
    with pytest.raises(LabError) as e:
        parse_check(text)
    assert words in str(e.value)


@pytest.mark.parametrize("text, words", [
    ("cursor == 4", "the cursor is on row 4"), ("epoch >= 15000", "at least 15,000 epochs in this step's run"),
    ("heldout_output row 100 > 0.9", "the output for held-out row 100 is above 0.9"),
    ("not solved", "trained in this step, not solved"), ("lr <= 0.5", "the learning rate is at most 0.5"),
    ("heldout contains 111", "row 111 is held out"), ("log_scale", "the loss axis is on a log scale"),
    ("loss_name == bce", "the loss is bce"), ("edited", "a weight or bias set by hand in this step"),
    ("stepped", "the step-through of one update opened in this step (b on the picture)"),
])
def test_checks_read_as_words(text, words):
    """The learner reads a check in words, never as code."""
    assert parse_check(text).words == words


def watch(*checks: str) -> StepWatch:
    return StepWatch(tuple(parse_check(c) for c in checks))


def test_a_step_counts_only_a_run_trained_during_it():
    """A solved run the step began with does not pass ``solved``; a new run solved in the step does, and so does
    the same run trained further into solving; ``not solved`` needs a run trained in the step."""
    solved = state(run=1)
    w = watch("solved")
    assert w.see(solved) == (False,)  # already solved when the step began
    assert w.see(replace(solved, run=2, epoch=0, solved_epoch=None)) == (False,)  # reset: new weights, untrained
    assert w.see(replace(solved, run=2)) == (True,) and w.done
    fresh = state(run=3, epoch=0, solved_epoch=None, loss=None)
    w = watch("not solved")
    assert w.see(fresh) == (False,)  # nothing trained yet
    assert w.see(replace(fresh, epoch=100)) == (True,)
    w = watch("solved")
    w.see(replace(fresh, epoch=10))
    assert w.see(replace(fresh, epoch=20, solved_epoch=15)) == (True,)  # the run it began with, solved in the step


def test_lab_checks_must_not_all_hold_when_the_step_begins():
    """``l`` pressed in an earlier lesson does not pass "press l"; turning it off and on again does. A cursor
    already on row 4 must move away and back."""
    on = state(log_scale=True)
    w = watch("log_scale")
    assert w.see(on) == (False,) and not w.armed
    assert w.see(replace(on, log_scale=False)) == (False,) and w.armed
    assert w.see(on) == (True,) and w.done
    w = watch("cursor == 4", "output row 1 > 0.5")
    assert w.see(state(cursor=4)) == (False, True)
    assert w.see(state(cursor=3)) == (False, True)
    assert w.see(state(cursor=4)) == (True, True)


def test_edits_and_step_throughs_count_only_within_the_step():
    """Weights set by hand or a step-through opened before the step began (an earlier step's) do not pass
    ``edited`` or ``stepped``; one more during the step does, each on its own count."""
    before = state(edits=3, steps=1)
    w = watch("edited", "stepped")
    assert w.see(before) == (False, False)
    assert w.see(replace(before, edits=4)) == (True, False) and not w.done
    assert w.see(replace(before, edits=4, steps=2)) == (True, True) and w.done
    w = watch("not edited", "trained")
    assert w.see(before) == (True, False)
    assert w.see(replace(before, edits=4)) == (False, False)


def test_a_lesson_resumes_where_its_start_can_be_rebuilt():
    """Lesson 1's later steps build on step 1's run: a learner who left at step 3 starts again at step 1; lesson 7's
    steps 2 and 3 set their own gate up, so they resume where they were left; lesson 8 step 3 needs the pin of
    step 2, which needs the sweep of step 1."""
    one, seven, eight = (find_lesson(shipped_lessons(), n) for n in ("1", "7", "8"))
    assert [one.resume_at(s) for s in range(4)] == [0, 0, 0, 0]
    assert [seven.resume_at(s) for s in range(3)] == [0, 1, 2]
    assert eight.resume_at(2) == 0


def test_find_lesson_by_number_id_or_name():
    lessons = shipped_lessons()
    assert find_lesson(lessons, "3").id == "03-hidden-layer"
    assert find_lesson(lessons, "03-hidden-layer").id == "03-hidden-layer"
    assert find_lesson(lessons, "hidden-layer").id == "03-hidden-layer"
    with pytest.raises(LabError, match="unknown lesson '11'"):
        find_lesson(lessons, "11")


def test_progress_round_trips_and_is_written_0600(tmp_path, monkeypatch):
    """Progress moves with NNLAB_STATE_DIR, is written readable by its owner only, and reads back the same."""
    monkeypatch.setenv("NNLAB_STATE_DIR", str(tmp_path / "state"))
    path = lesson_progress.default_path()
    assert path == tmp_path / "state" / "lessons.json"
    lessons = shipped_lessons()
    progress = Progress().moved(lessons[0], 2).complete(lessons[1])
    lesson_progress.save(path, progress)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    back = lesson_progress.load(path)
    assert back == progress and back.at(lessons[0]) == 2 and back.current == lessons[1].id
    restarted = back.restarted(lessons[1])
    assert restarted.at(lessons[1]) == 0 and lessons[1].id not in restarted.completed


def test_bad_progress_is_one_line(tmp_path):
    path = tmp_path / "lessons.json"
    assert lesson_progress.load(path) == Progress()
    for data, words in ((b"{", "not lesson progress"), (b"[]", "no 'format'"),
                        (b'{"format": "nnlab-lessons", "steps": {"a": "x"}}', "steps:")):
        path.write_bytes(data)
        with pytest.raises(LabError) as e:
            lesson_progress.load(path)
        assert words in str(e.value) and "\n" not in str(e.value)
