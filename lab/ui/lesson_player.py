"""Playing a lesson step's solution in the lab: the "show me" of a stuck learner, ``nnlab learn --play`` and the
tests that hold every lesson to being passable.

A solution is the ``Solution:`` lines beside a step (``lab.core.lessons``): ``press``, ``train``, ``wait``, ``cursor``,
``view``, ``setting``, ``type``, ``picture``, ``weight``. ``LessonPlayer`` turns each into key presses sent through one
``press`` coroutine (``Pilot.press`` in the tests, ``app_press`` in the lab itself, so they go through the lab's own
bindings as a person's keys would) and tells ``said`` each key as it goes, so it can be shown. When a press opens the
question "discard the trained network?", the player answers y, as the lesson's text says to; when a ``train`` meets a
spent budget's offer to go on, it takes another budget.

The player reads the lab only to know when to stop pressing (the table's cursor, the view shown, a setting's
value, whether a run is going); it never sets anything itself.
"""

from __future__ import annotations

import asyncio
import unicodedata
from collections.abc import Awaitable, Callable
from typing import Any

from textual import events
from textual.keys import key_to_character

from lab.core.gates import parse_rows
from lab.core.lessons import Action, Step
from lab.ui.screens.confirm import ConfirmScreen
from lab.ui.screens.go_on import GoOnScreen
from lab.ui.widgets.inspect_view import InspectView
from lab.ui.widgets.settings_list import SettingsList

Press = Callable[[str], Awaitable[None]]
MAX_PRESSES = 40
"""The most presses one ``cursor``, ``view`` or ``setting`` action makes before it gives up (a lesson file's
mistake, not a hang)."""
PAUSE = 0.05
"""Seconds the lab is given to catch up after each key in ``app_press`` (a person's keys are never faster)."""


def key_name(character: str) -> str:
    """The key a ``type`` character is pressed with: letters and digits as themselves, ``:`` as ``colon``."""
    if character.isalnum():
        return character
    return unicodedata.name(character).lower().replace(" ", "_").replace("-", "_")


def app_press(app: Any, pause: float = PAUSE) -> Press:
    """A ``press`` for the running lab: each key as a key event to the app (as the terminal sends it), then a
    pause for the lab to act on it."""
    async def press(key: str) -> None:
        app.post_message(events.Key(key, key_to_character(key)))
        await asyncio.sleep(pause)
    return press


class PlayError(Exception):
    """A solution could not be played to its end (the message names the action and why)."""


class LessonPlayer:
    """Plays step solutions in ``app`` (a ``LabApp``).

    Args:
        app: the lab.
        press: sends one key and waits until the lab has taken it.
        settle: waits until every worker (training, a sweep) has finished and its messages are handled.
        said: told each key as it is pressed (``space``, ``v``...), for the caption; None: not told.
    """

    def __init__(self, app: Any, press: Press, settle: Callable[[], Awaitable[None]],
                 said: Callable[[str], None] | None = None) -> None:
        self.app = app
        self._press = press
        self.settle = settle
        self.said = said

    async def press(self, *keys: str) -> None:
        """Press ``keys`` in turn, answering y whenever the discard question comes up."""
        for key in keys:
            if self.said is not None:
                self.said(key)
            await self._press(key)
            await self.answer()

    async def answer(self) -> None:
        """Say yes to the discard question if it is open, and to the offer of another budget (``GoOnScreen``: a
        ``train`` after the run's budget is spent trains on, as the person who pressed space again would)."""
        if isinstance(self.app.screen, ConfirmScreen):
            if self.said is not None:
                self.said("y")
            await self._press("y")
        elif isinstance(self.app.screen, GoOnScreen):
            if self.said is not None:
                self.said("space")
            await self._press("space")

    async def play(self, step: Step) -> None:
        """Every action of ``step``'s solution, in order.

        Raises:
            PlayError: an action could not reach its aim within ``MAX_PRESSES`` presses.
        """
        for action in step.solution:
            await self.act(action)

    async def act(self, action: Action) -> None:
        """One action (see the module's docstring)."""
        name, args = action.name, action.args
        if name == "press":
            await self.press(*args)
        elif name == "train":
            await self.press("space")
            await self.settle()
        elif name == "wait":
            await self.settle()
        elif name == "cursor":
            await self._cursor(args[0])
        elif name == "view":
            await self._until(lambda: self.app.view == args[0], "v", action)
        elif name == "setting":
            await self._setting(action)
        elif name == "type":
            await self.press(*(key_name(c) for c in args[0]))
        elif name == "picture":
            await self._picture(action)
        elif name == "weight":
            await self._weight(action)

    async def _picture(self, action: Action) -> InspectView:
        """Show the network picture and give it the keys; the picture's view."""
        await self._until(lambda: self.app.view == "picture", "v", action)
        view = self.app.query_one(InspectView)
        if not view.has_focus:
            view.focus()
            await self.settle()
        return view

    async def _weight(self, action: Action) -> None:
        view = await self._picture(action)
        name, value = action.args

        def on_it() -> bool:
            target = view.cursor.target()
            return target is not None and target.name == name

        await self._until(on_it, "down", action)
        await self.press("equals_sign")
        await self.settle()
        await self.press(*(key_name(c) for c in value), "enter")
        await self.settle()

    async def _until(self, reached: Callable[[], bool], key: str, action: Action) -> None:
        for _ in range(MAX_PRESSES):
            if reached():
                return
            await self.press(key)
        if not reached():
            raise PlayError(f"'{action.text}': not reached after {MAX_PRESSES} presses of {key}")

    async def _cursor(self, row_text: str) -> None:
        table = self.app.table_view
        (row,) = parse_rows(row_text, self.app.experiment.table.n_inputs)
        if not table.has_focus:
            table.focus()
            await self.settle()
        for _ in range(MAX_PRESSES):
            if table.cursor_row == row:
                return
            await self.press("down" if table.cursor_row < row else "up")
        raise PlayError(f"'cursor {row_text}': the cursor did not reach row {row}")

    async def _setting(self, action: Action) -> None:
        settings = self.app.query_one(SettingsList)
        key = action.args[0]
        if not settings.has_focus:
            settings.focus()
            await self.settle()
        for _ in range(MAX_PRESSES):
            target = settings.line_of(key)
            if target is None:
                raise PlayError(f"'{action.text}': the Architecture pane has no line {key}")
            if settings.cursor == target:
                break
            await self.press("down" if settings.cursor < target else "up")
        if len(action.args) < 2:
            return
        value = action.args[1]
        await self._until(lambda: settings.value_of(key) == value, "right", action)
