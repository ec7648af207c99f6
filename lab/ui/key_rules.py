"""When the lab's keys work: the keys that open a dialog do nothing while one is open (they are priority bindings,
which Textual checks on every screen), ``ctrl+e`` in a text line is its end-of-line, what changes the run is off
behind the tune screen, and the lesson's step keys exist only while a lesson is open at a step."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from textual.binding import Binding

RUN_ACTIONS = frozenset({"toggle_training", "step", "reset", "new_seed", "lr", "speed", "next_view", "toggle_log",
                         "gradient_check", "sweep", "pin_seeds", "lesson", "lesson_step"})
"""What changes the run behind the tune screen would be unseen there (and its search has paused training)."""


def priority_actions(*bindings: Iterable[Binding | Any]) -> frozenset[str]:
    """The app's actions bound with ``priority=True`` among ``bindings`` (the app's, and a widget's bound to
    ``app.``): the keys that open a dialog as they arrive."""
    return frozenset(b.action.removeprefix("app.") for group in bindings for b in group
                     if isinstance(b, Binding) and b.priority and (group is bindings[0] or b.action.startswith("app.")))


def key_allowed(action: str, priority: frozenset[str], tune_open: bool, dialog_open: bool, text_focused: bool,
                stepping: Callable[[], bool]) -> bool | None:
    """Whether the app's ``action`` may run now: False (off), True (on), None (as Textual decides). ``priority``
    are the priority actions; ``tune_open``: the tune screen is on top; ``dialog_open``: any screen is over the
    lab's; ``text_focused``: a text line has the keys; ``stepping()``: a lesson is open at a step."""
    if action in RUN_ACTIONS and tune_open:
        return False
    if action == "lesson_step":
        return stepping()
    if action in priority and (dialog_open or (action == "export" and text_focused)):
        return False
    return None
