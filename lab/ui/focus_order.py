"""Tab's order over the lab's panes, the same whatever view is shown: the truth table, the architecture pane, the
view (when it takes the focus), the lesson, then the prediction line last.

Textual orders the focus by place on the screen, so the count of tabs from one pane to another changed with the
view (the network view takes the focus, the chart does not) and keys meant for the architecture pane landed in the
prediction line, which takes every printable key. The app's tab and shift+tab step through ``ordered(chain)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual.screen import Screen
from textual.widget import Widget

PANES = ("table-pane", "architecture-pane", "views", "lesson-pane", "prediction-pane")
"""The panes in tab's order, by id; a widget goes with the nearest pane it is in."""


def pane_rank(widget: Widget) -> int:
    """The place in ``PANES`` of the pane ``widget`` is in (itself or an ancestor); after them all for none."""
    for node in (widget, *widget.ancestors):
        if node.id in PANES:
            return PANES.index(node.id)
    return len(PANES)


def ordered(chain: Sequence[Widget]) -> list[Widget]:
    """The focus chain (Textual's, by place) sorted by pane; within a pane its own order stays."""
    return sorted(chain, key=pane_rank)


def step(chain: Sequence[Widget], focused: Widget | None, direction: int) -> Widget | None:
    """The widget tab (``direction`` 1) or shift+tab (-1) goes to from ``focused`` in ``ordered(chain)``: the first
    (or last) when nothing in the chain has the focus; None for an empty chain."""
    order = ordered(chain)
    if not order:
        return None
    if focused not in order:
        return order[0] if direction > 0 else order[-1]
    return order[(order.index(focused) + direction) % len(order)]


def move_focus(screen: Screen[object], direction: int) -> None:
    """Tab (``direction`` 1) or shift+tab (-1) on ``screen`` in pane order (``step``); a dialog, whose widgets are
    in no pane, keeps Textual's order."""
    target = step(screen.focus_chain, screen.focused, direction)
    if target is not None:
        screen.set_focus(target)


class FocusOrder:
    """Tab and shift+tab for the app (``next``, ``previous``) on the screen ``screen()`` gives, in pane order."""

    def __init__(self, screen: Callable[[], Screen[object]]) -> None:
        self._screen = screen

    def next(self) -> None:
        """Tab: the next pane in one order in every view, the prediction line last."""
        move_focus(self._screen(), 1)

    def previous(self) -> None:
        """Shift+tab: the pane before, in the same order."""
        move_focus(self._screen(), -1)
