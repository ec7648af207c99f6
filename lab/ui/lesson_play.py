"""``nnlab learn --play [N]``: the lab plays the course (or lesson N) on its own, each step by the solution written
beside it, the keys shown in a caption bar as they are pressed (as ``nnlab demo`` does), and ends with a verdict:
return code 0 when every step's checks passed, 1 naming the first step that did not.

``PlayApp`` is the lab itself (``LabApp``) with a driver: one async worker that starts each lesson afresh, plays
each step through ``LessonPlayer`` with the lab's own key bindings, waits for the step's checks (at most
``STEP_TIMEOUT`` seconds once the keys are played and the runs have ended), then presses ``>``. Lesson progress is
neither read nor written, and the autosave is left alone. ``ctrl+c`` stops it (return code 1, "stopped").
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

from textual.app import ComposeResult

from lab.core.lessons import Lesson, shipped_lessons
from lab.ui.app import DEFAULT_FPS, LabApp
from lab.ui.lesson_player import LessonPlayer, PlayError, app_press
from lab.ui.widgets.demo_caption import DemoCaption
from lab.ui.widgets.lesson_pane import LessonPane

STEP_TIMEOUT = 30.0
"""Seconds a step's checks may take to show as passed once its solution is played and every run has ended."""
POLL = 0.05
"""Seconds between two looks at the lab while waiting."""


class PlayApp(LabApp):
    """The lab playing ``lessons`` (all, in order, by default) by their solutions.

    Attributes:
        verdict: after the run, ``"passed"`` or the first failure, ``lesson 3 step 2 (Another seed): ...``.
        keys: every key the player pressed, in order.
    """

    def __init__(self, lessons: Sequence[Lesson] | None = None, *, course: Sequence[Lesson] | None = None,
                 fast: bool = False, pause: float = 0.15, step_timeout: float = STEP_TIMEOUT,
                 fps: float = DEFAULT_FPS) -> None:
        """Play ``lessons`` (default: all of ``course``, the shipped lessons unless given); ``fast`` trains every run
        unthrottled; ``pause`` is the time shown after each key; ``step_timeout`` the seconds a step's checks may
        take once its solution is played."""
        self.course = tuple(course) if course else tuple(shipped_lessons())
        self.playing = tuple(lessons) if lessons else self.course
        super().__init__(lesson=self.playing[0].id, fps=fps)
        self.lesson.lessons = self.course
        self.fast = fast
        self.pause = pause
        self.step_timeout = step_timeout
        self.verdict = ""
        self.keys: list[str] = []
        self._where = ""

    def compose(self) -> ComposeResult:
        yield DemoCaption(id="demo-caption")
        yield from super().compose()

    def on_mount(self) -> None:
        # Runs before LabApp.on_mount (Textual calls the subclass's handler first): play once the lab is set up.
        self.call_later(lambda: self.run_worker(self._play(), name="lesson-play", exit_on_error=False))

    def _said(self, key: str) -> None:
        self.keys.append(key)
        self.query_one(DemoCaption).show(f"{self._where} · pressed {key}", True)

    async def _press(self, key: str) -> None:
        if self.fast and key == "space":
            self.lab_run.epochs_per_tick = 0
        await app_press(self, self.pause)(key)

    async def _settle(self) -> None:
        """Wait until no run or sweep is going (every worker but this driver has finished)."""
        await asyncio.sleep(POLL)
        while self.running or any(w.is_running for w in self.workers if w.name != "lesson-play"):
            await asyncio.sleep(POLL)
        await asyncio.sleep(POLL)

    async def _play(self) -> None:
        player = LessonPlayer(self, self._press, self._settle, self._said)
        pane = self.query_one(LessonPane)
        for lesson in self.playing:
            number = self.course.index(lesson) + 1
            pane.start(lesson, step=0, restart=True)
            await self._settle()
            for s, step in enumerate(lesson.steps, 1):
                self._where = f"lesson {number} step {s}/{len(lesson.steps)}"
                self.query_one(DemoCaption).show(f"{self._where} · {step.title}", True)
                try:
                    await player.play(step)
                except PlayError as e:
                    self._end(f"lesson {number} step {s} ({step.title}): {e}")
                    return
                await self._settle()
                deadline = time.monotonic() + self.step_timeout
                while not pane.done and time.monotonic() < deadline:
                    self.lesson.tick()
                    await asyncio.sleep(POLL)
                if not pane.done:
                    missing = [c.words for c, ok in zip(step.checks, pane.passed, strict=True) if not ok]
                    self._end(f"lesson {number} step {s} ({step.title}): not passed: {'; '.join(missing)}")
                    return
                if s < len(lesson.steps):
                    await player.press("greater_than_sign")
                    await self._settle()
        self._end("passed")

    def _end(self, verdict: str) -> None:
        self.verdict = verdict
        self.exit(return_code=0 if verdict == "passed" else 1)

    async def action_quit(self) -> None:
        """ctrl+c or q: stop playing; the verdict says so."""
        self.verdict = self.verdict or "stopped before the end"
        self.exit(return_code=0 if self.verdict == "passed" else 1)
