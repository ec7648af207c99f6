"""When the paced redraws (the chart, the views beside it) may run: at their turn, and after a pause in the keys.

While the app trains, the chart and the views redraw at their own pace (``min_interval`` and the cost of the last
redraw). A big redraw landing among the person's key presses would make those keys wait for it, so the app tells
``KeyPacing`` of every key press while training, and a paced redraw waits until the keys have paused for
``INPUT_QUIET`` seconds, though never more than ``MAX_DEFER`` seconds past its turn (holding an arrow key down
still lets the picture move).
"""

from __future__ import annotations

import time

INPUT_QUIET = 0.15  # a paced redraw waits until the person's keys have paused this long...
MAX_DEFER = 0.5  # ...but never more than this past its turn


class KeyPacing:
    """The timing of the person's keys, as the paced redraws see it (shared by the app, the chart and the views;
    used on the interface thread only).

    Attributes:
        quiet_until: the monotonic time at which the keys will have paused for ``INPUT_QUIET`` seconds.
        in_a_run: whether the latest key came within ``INPUT_QUIET`` of the one before (an arrow held down).
    """

    def __init__(self) -> None:
        self.quiet_until = 0.0
        self.in_a_run = False

    def key_pressed(self, now: float | None = None) -> None:
        """Note a key press at ``now`` (default: the monotonic clock's now)."""
        now = time.monotonic() if now is None else now
        self.in_a_run = now < self.quiet_until
        self.quiet_until = now + INPUT_QUIET

    def due(self, turn: float) -> float:
        """When a paced redraw whose turn comes at ``turn`` may start: at its turn, or once the keys go quiet, at
        most ``MAX_DEFER`` seconds late."""
        return max(turn, min(self.quiet_until, turn + MAX_DEFER))
