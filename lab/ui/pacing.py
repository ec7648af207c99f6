"""When the paced redraws (the chart, the views beside it) may run: at their turn, and after a pause in the keys.

While the app trains, the chart and the views redraw at their own pace (``min_interval`` and the cost of the last
redraw). A big redraw landing among the person's key presses would make those keys wait for it, so the app tells
``KeyPacing`` of every key press while training, and a paced redraw waits until the keys have paused for
``Timings.input_quiet`` seconds, though never more than ``Timings.max_defer`` seconds past its turn (holding an arrow
key down still lets the picture move).
"""

from __future__ import annotations

import time

from lab.timings import Timings


class KeyPacing:
    """The timing of the person's keys, as the paced redraws see it (shared by the app, the chart and the views;
    used on the interface thread only).

    Attributes:
        quiet: seconds the keys must pause before a paced redraw (``Timings.input_quiet``).
        max_defer: seconds a paced redraw waits past its turn at the most (``Timings.max_defer``).
        quiet_until: the monotonic time at which the keys will have paused for ``quiet`` seconds.
        in_a_run: whether the latest key came within ``quiet`` of the one before (an arrow held down).
    """

    def __init__(self, timings: Timings | None = None) -> None:
        timings = timings if timings is not None else Timings()
        self.quiet = timings.input_quiet
        self.max_defer = timings.max_defer
        self.quiet_until = 0.0
        self.in_a_run = False

    def key_pressed(self, now: float | None = None) -> None:
        """Note a key press at ``now`` (default: the monotonic clock's now)."""
        now = time.monotonic() if now is None else now
        self.in_a_run = now < self.quiet_until
        self.quiet_until = now + self.quiet

    def due(self, turn: float) -> float:
        """When a paced redraw whose turn comes at ``turn`` may start: at its turn, or once the keys go quiet, at
        most ``max_defer`` seconds late."""
        return max(turn, min(self.quiet_until, turn + self.max_defer))
