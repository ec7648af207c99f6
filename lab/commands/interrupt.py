"""Ctrl-C as a request to stop at the next safe point, so a command can keep the work done so far.

``nnlab train`` polls ``StopRequest`` between epochs (the trainer's ``should_stop``): the first Ctrl-C (SIGINT) ends
the run after the epoch under way, whole, and the command writes what was asked for and exits 130. A second Ctrl-C
interrupts at once (Python's own ``KeyboardInterrupt``), for a person who will not wait.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType, TracebackType
from typing import Any


class StopRequest:
    """A context in which SIGINT sets ``asked`` (once) instead of raising; calling it says whether it was asked.
    Outside the main thread (where no handler can be set) it never is, and Ctrl-C raises as usual."""

    def __init__(self) -> None:
        self.asked = False
        """Whether Ctrl-C was pressed within the context."""
        self._previous: Any = None

    def __call__(self) -> bool:
        return self.asked

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.asked = True
        signal.signal(signal.SIGINT, signal.default_int_handler)  # a second Ctrl-C interrupts at once

    def __enter__(self) -> StopRequest:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None
