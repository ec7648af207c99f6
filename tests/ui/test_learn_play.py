"""``nnlab learn --play`` in a real terminal (a pty at 80x24) plays a lesson by its solutions and exits 0 with one
line; a solution that does not pass its step ends with return code 1 naming the step. The whole course at 80x24
and 120x40 is ``benchmarks/play_course.py`` (about 30 s and 45 s: too slow for every CI run)."""

from __future__ import annotations

from lab.core.lessons import parse_lesson, shipped_lessons
from lab.ui.lesson_play import PlayApp

from tests.ui.pty_helpers import drain, spawn, stop, wait_exit

BROKEN = """---
title: A lesson whose solution is wrong
recipe: keras-xor
speed: max
view: chart
---
## Train it
Task: press space.
Check: solved
Solution: press s
Why: one epoch never solves XOR.
"""


def test_learn_play_passes_a_lesson_in_a_terminal(tmp_path):
    """Lesson 2 played at 80x24: the keys are shown as pressed, and it ends 0 with the verdict."""
    proc, fd = spawn(tmp_path, "learn", "2", "--play", "--fast", size=(80, 24))
    try:
        out = drain(fd, 120, until=b"every check")
        assert wait_exit(proc, 30, fd), out[-2000:]
        assert proc.returncode == 0
        assert b"pressed space" in out and b"nnlab learn --play: passed, 1 lesson(s), 3 steps, every check" in out
    finally:
        stop(proc, fd)


async def test_a_step_its_solution_does_not_pass_ends_1_naming_it():
    """A solution that trains one epoch cannot solve XOR: the verdict names the lesson, the step and the check."""
    lesson = parse_lesson(BROKEN, "99-broken.md")
    app = PlayApp([lesson], course=(*shipped_lessons(), lesson), fast=True, pause=0.0,
                  step_timeout=0.5)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(600):
            await pilot.pause(0.05)
            if app.verdict:
                break
    assert app.return_code == 1
    number = len(shipped_lessons()) + 1
    assert app.verdict.startswith(f"lesson {number} step 1 (Train it): not passed: solved in this step")
