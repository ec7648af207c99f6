"""The lesson pane: one lesson step at a time beside the lab, its checks ticked live against the lab's state.

The pane shows a menu of the lessons (with ✓ for those completed) or a step: its explanation, its task, its checks
in words (✓ or ✗ each, watched by the step's ``StepWatch`` against every ``LabState`` the app hands to
``show_state``, so only what happened during the step counts) and, once every check passes, the "why" paragraph. It
never touches the lab: it posts ``SetupRequested`` when a lesson or step needs the lab set up (the app applies it and
calls ``setup_applied``; states seen before that are ignored, so a step never passes on the lab it replaces) and
``StepPassed`` when a step's checks first all pass. ``strip`` is the step in two lines, for the task strip shown
while another view has the pane's place. Progress (the step each lesson is at, the lessons completed) is handed in and
every change handed to ``keep``: the files are the routing's (``lab.files.lesson_progress``), never the widget's.

Text from lesson files is shown as text (``rich.text.Text``), never parsed as markup; backquoted words are shown in
bold, nothing else is interpreted.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from lab.core.lessons import LabState, Lesson, Progress, Setup, StepWatch

SHOW_ME = "M"
"""The key that plays the current step's solution, when the app binds it (``show_me``)."""


def keys_line(show_me: bool) -> str:
    """The pane's last line: the keys a lesson uses."""
    return f"> next · < back · {f'{SHOW_ME} show me · ' if show_me else ''}L hide · ? explains · tab scrolls"


def prose(text: str) -> Text:
    """``text`` as a Text, with `quoted` words in bold (nothing else is interpreted)."""
    out = Text()
    for i, part in enumerate(text.split("`")):
        out.append(part, "bold" if i % 2 else None)
    return out


def menu_line(number: int, title: str, mark: str, count: int) -> Table:
    """A lesson's line in the menu: ``4. Two layers, ...  ✓``, its number in a column of its own so a title that wraps
    goes on under the title, not under the number (``count``: how many lessons, for the column's width)."""
    line = Table.grid(padding=(0, 1), expand=True)
    line.add_column(width=len(f"{count}."), justify="right", no_wrap=True)
    line.add_column(ratio=1)
    line.add_column(no_wrap=True)
    line.add_row(Text(f"{number}."), Text(title), Text(mark))  # Text, not str: a title is shown, never parsed
    return line


def menu_text(prompt: object) -> str:
    """A menu line (``menu_line``) as plain text, on one line."""
    if isinstance(prompt, Table):
        number, title, mark = (str(next(iter(column.cells))) for column in prompt.columns)
        return f"{number} {title}  {mark}".rstrip()
    return str(prompt)


class LessonPane(Vertical):
    """The lesson track: a menu of lessons, or the current step of one."""

    class SetupRequested(Message):
        """Set the lab up for ``lesson``'s step ``step``: ``setups`` in order (the lesson's, then its steps' up to
        ``step``); ``back`` when the learner stepped back to it (the lab must then hold the step's own experiment);
        ``chosen`` when the learner opened the lesson from outside it (``L``, the menu, the palette), so the lab may
        hold work of their own that the setup would replace."""

        def __init__(self, lesson: Lesson, step: int, setups: tuple[Setup, ...], back: bool = False,
                     chosen: bool = False) -> None:
            super().__init__()
            self.lesson = lesson
            self.step = step
            self.setups = setups
            self.back = back
            self.chosen = chosen

    class Started(Message):
        """The learner picked ``lesson`` from the menu."""

        def __init__(self, lesson: Lesson) -> None:
            super().__init__()
            self.lesson = lesson

    class StepPassed(Message):
        """Every check of ``lesson``'s step ``step`` holds; ``last`` when it was the lesson's last step."""

        def __init__(self, lesson: Lesson, step: int, last: bool) -> None:
            super().__init__()
            self.lesson = lesson
            self.step = step
            self.last = last

    def __init__(self, lessons: tuple[Lesson, ...], progress: Progress | None = None,
                 keep: Callable[[Progress], None] | None = None, *, id: str | None = None) -> None:
        """``progress`` is where the learner got to (read by the caller); ``keep`` is called with every change of
        it (the caller writes it to disk: the pane does no file I/O)."""
        super().__init__(id=id)
        self.lessons = lessons
        self.progress = progress or Progress()
        self._keep = keep
        self.lesson: Lesson | None = None
        self.step = 0
        self.passed: tuple[bool, ...] = ()
        self.step_watch: StepWatch | None = None
        self.awaiting_setup = False  # a setup was asked for and not yet applied: states seen now are the old lab's
        self.show_me = False  # the app binds SHOW_ME to play the step's solution (the routing says)
        self.state: LabState | None = None

    @property
    def done(self) -> bool:
        """Every check of the current step has held at once, during the step."""
        return self.step_watch is not None and self.step_watch.done

    def compose(self) -> ComposeResult:
        yield OptionList(id="lesson-menu")
        with VerticalScroll(id="lesson-scroll"):
            yield Static(id="lesson-body")
        yield Static(id="lesson-task")
        yield Static(keys_line(self.show_me), id="lesson-keys")

    def on_mount(self) -> None:
        self.show_menu()

    def _save(self, progress: Progress) -> None:
        self.progress = progress
        if self._keep is not None:
            self._keep(progress)

    # --- what is shown ---------------------------------------------------------------------------------------------
    @property
    def title(self) -> str:
        """The pane's border title: the lesson, its number and the step."""
        if self.lesson is None:
            return "Lessons · enter starts one"
        n = self.lessons.index(self.lesson) + 1
        return f"Lesson {n}/{len(self.lessons)} · step {self.step + 1}/{len(self.lesson.steps)}"

    @property
    def text(self) -> str:
        """What the pane shows, as plain text."""
        if self.lesson is None:
            return "\n".join(menu_text(o.prompt) for o in self.query_one(OptionList).options)
        body, task = self._render_step()
        return f"{body.plain}\n{task.plain}"

    def show_menu(self) -> None:
        """List the lessons, with the learner's progress, and let them pick one."""
        self.lesson = None
        menu = self.query_one(OptionList)
        menu.clear_options()
        for i, lesson in enumerate(self.lessons):
            mark = "✓" if lesson.id in self.progress.completed else (
                f"{lesson.resume_at(self.progress.at(lesson)) + 1}/{len(lesson.steps)}"
                if lesson.id in self.progress.steps else " ")
            menu.add_option(Option(menu_line(i + 1, lesson.title, mark, len(self.lessons)), id=lesson.id))
        current = next((i for i, l in enumerate(self.lessons) if l.id == self.progress.current), 0)
        if self.lessons and self.lessons[current].id in self.progress.completed:  # on to the first one not done
            current = next((i for i in range(current, len(self.lessons))
                            if self.lessons[i].id not in self.progress.completed), current)
        menu.highlighted = current
        menu.display = True
        self.query_one("#lesson-scroll").display = False
        self.query_one("#lesson-task").display = False
        self.query_one("#lesson-keys", Static).update("enter starts a lesson · L hides · ctrl+p: Lesson commands")
        self.border_title = self.title

    @on(OptionList.OptionSelected, "#lesson-menu")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        lesson = next(l for l in self.lessons if l.id == event.option.id)
        self.start(lesson, chosen=True)
        self.post_message(self.Started(lesson))

    def start(self, lesson: Lesson, step: int | None = None, restart: bool = False, chosen: bool = False) -> None:
        """Open ``lesson`` at ``step`` (default: where the learner left it, or its start when ``restart``), set the
        lab up for it and remember it; ``chosen``: opened from outside the lesson (``SetupRequested.chosen``)."""
        progress = self.progress.restarted(lesson) if restart else self.progress
        at = lesson.resume_at(progress.at(lesson)) if step is None else min(max(step, 0), len(lesson.steps) - 1)
        self.lesson = lesson
        self._save(progress.moved(lesson, at))
        self._enter_step(at, (lesson.setup, *(s.setup for s in lesson.steps[: at + 1])), chosen=chosen)

    def _enter_step(self, step: int, setups: tuple[Setup, ...], back: bool = False, chosen: bool = False) -> None:
        """Show step ``step`` and ask for ``setups`` (none asked when they are all empty and the learner did not step
        ``back``: the lab stays as the learner left it); the step's checks are watched from the first state after
        the setup."""
        assert self.lesson is not None
        self.step = step
        self.passed = tuple(False for _ in self.lesson.steps[step].checks)
        self.step_watch = self.lesson.steps[step].watch()
        self.awaiting_setup = any(setups) or back
        if self.awaiting_setup:
            self.post_message(self.SetupRequested(self.lesson, step, setups, back, chosen))
        self.query_one(OptionList).display = False
        self.query_one("#lesson-scroll").display = True
        self.query_one("#lesson-task").display = True
        self.query_one("#lesson-keys", Static).update(keys_line(self.show_me))
        self.border_title = self.title
        self._redraw()
        self.query_one("#lesson-scroll", VerticalScroll).scroll_home(animate=False)

    def next_step(self) -> bool:
        """Go on to the next step (or, after the last, the next lesson's start or the menu); False when the current
        step's checks have not all passed yet."""
        if self.lesson is None:
            return False
        if not self.done:
            return False
        if self.step + 1 < len(self.lesson.steps):
            self._save(self.progress.moved(self.lesson, self.step + 1))
            self._enter_step(self.step + 1, (self.lesson.steps[self.step + 1].setup,))
            return True
        i = self.lessons.index(self.lesson)
        if i + 1 < len(self.lessons):
            self.start(self.lessons[i + 1])
        else:
            self.show_menu()
        return True

    def previous_step(self) -> None:
        """Go back one step (from the first step: to the menu)."""
        if self.lesson is None:
            return
        if self.step == 0:
            self.show_menu()
            return
        self._save(self.progress.moved(self.lesson, self.step - 1))
        self._enter_step(self.step - 1, (self.lesson.steps[self.step - 1].setup,), back=True)

    def setup_applied(self) -> None:
        """The lab now holds the setup asked for: the next state is the step's start."""
        self.awaiting_setup = False

    def show_state(self, state: LabState) -> None:
        """Watch the current step's checks with ``state``; the first time all hold, show why and post
        ``StepPassed`` (a step stays passed once it has passed)."""
        self.state = state
        if self.lesson is None or self.step_watch is None or self.awaiting_setup:
            return
        was_done = self.step_watch.done
        passed = self.step_watch.see(state)
        if was_done or (passed == self.passed and not self.step_watch.done):
            return
        self.passed = passed
        if self.step_watch.done:
            last = self.step == len(self.lesson.steps) - 1
            if last:
                self._save(self.progress.complete(self.lesson))
            self.post_message(self.StepPassed(self.lesson, self.step, last))
            self._redraw()
            self.call_after_refresh(self.scroll_to_why)
            return
        self._redraw()

    def _render_step(self) -> tuple[Text, Text]:
        """The step's explanation (and, once it passes, why), which scrolls; and its task with the checks and
        what to press next, which always shows."""
        assert self.lesson is not None
        step = self.lesson.steps[self.step]
        body = Text()
        if self.step == 0:
            body.append(f"{self.lesson.title}\n", "bold")
            body.append(self.lesson.start_line(self.lessons.index(self.lesson) + 1) + "\n\n", "dim")
            if self.lesson.intro:
                body.append_text(prose(self.lesson.intro))
                body.append("\n\n")
        body.append(f"{self.step + 1}. {step.title}\n", "bold underline")
        if step.text:
            body.append_text(prose(step.text))
        if self.done:
            body.append("\n\nWhy: ", "bold")
            body.append_text(prose(step.why))
        task = Text()
        last = self.step == len(self.lesson.steps) - 1
        if self.done:
            task.append("✓ Lesson complete! > next lesson" if last else "✓ Done! Read why above, > next step",
                        "bold reverse")
            return body, task
        task.append("Task: ", "bold")
        task.append_text(prose(step.task))
        for check, ok in zip(step.checks, self.passed, strict=True):
            task.append(f"\n {'✓' if ok else '✗'} ", "bold green" if ok else "bold red")
            task.append(check.words)
        return body, task

    def strip(self) -> Text:
        """The step in two lines for the task strip: where it is and the task; then the keys that help (show me,
        the full text) and each check (✓/✗ in words), or that it is done and what to press."""
        out = Text()
        if self.lesson is None:
            return out
        step = self.lesson.steps[self.step]
        n = self.lessons.index(self.lesson) + 1
        out.append(f"{n}.{self.step + 1}/{len(self.lesson.steps)} ", "bold")
        out.append_text(prose(step.task))
        out.append("\n")
        if self.done:
            last = self.step == len(self.lesson.steps) - 1
            out.append("✓ done", "bold green")
            out.append(" · > next lesson · L why" if last else " · > next step · L why")
            return out
        out.append(f"{SHOW_ME} show me · L text │ " if self.show_me else "L text │ ", "dim")
        for i, (check, ok) in enumerate(zip(step.checks, self.passed, strict=True)):
            out.append(" · " if i else "")
            out.append("✓ " if ok else "✗ ", "bold green" if ok else "bold red")
            out.append(check.words)
        return out

    def scroll_to_why(self) -> None:
        """Scroll the step to its end, where the why paragraph has appeared."""
        self.query_one("#lesson-scroll", VerticalScroll).scroll_end(animate=False)

    def _redraw(self) -> None:
        if self.lesson is not None:
            body, task = self._render_step()
            self.query_one("#lesson-body", Static).update(body)
            self.query_one("#lesson-task", Static).update(task)
