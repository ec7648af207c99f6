"""Leaving for good when told to (SIGTERM, SIGHUP) or when the terminal has gone: the autosave first, then an orderly
exit, and a forced one should the orderly one hang.

A Python signal handler runs in the main thread between two bytecodes, wherever that thread is: in the event loop,
or blocked on a full output queue of a terminal that takes no more output (an asyncio handler would wait for the
loop, and so for ever). It may also interrupt code holding the session lock the autosave needs, so the handler only
starts a thread that does the leaving. ``force_exit_after`` is the last resort: a daemon thread that ends the process
with ``os._exit`` once the grace period is over (the autosave was written before it started counting down the rest).
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from lab.timings import Timings

SIGNALS = (signal.SIGTERM, signal.SIGHUP)


@contextmanager
def leaving_on_signals(leave: Callable[[], None], signals: tuple[signal.Signals, ...] = SIGNALS) -> Iterator[None]:
    """While the block runs, each of ``signals`` calls ``leave`` in a new thread; the previous handlers return
    after. Outside the main thread (where handlers cannot be set) it changes nothing."""

    def handler(signum: int, frame: object) -> None:
        threading.Thread(target=leave, name=f"nnlab-{signal.Signals(signum).name.lower()}", daemon=True).start()

    previous: dict[signal.Signals, object] = {}
    if threading.current_thread() is threading.main_thread():
        for sig in signals:
            previous[sig] = signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)  # type: ignore[arg-type]


def force_exit_after(seconds: float, last: Callable[[], None] | None = None, status: int = 0,
                     last_limit: float = Timings.last_limit) -> threading.Thread:
    """Start a daemon thread that ends the process with ``os._exit(status)`` after ``seconds`` (unless the process
    has ended by then), running ``last`` first (putting the terminal back) for at most ``last_limit`` seconds (a
    terminal that takes no output would block it for ever). Returns the thread."""

    def watchdog() -> None:
        time.sleep(seconds)
        if last is not None:
            final = threading.Thread(target=last, name="nnlab-exit-last", daemon=True)
            final.start()
            final.join(last_limit)
        os._exit(status)

    thread = threading.Thread(target=watchdog, name="nnlab-exit-watchdog", daemon=True)
    thread.start()
    return thread
