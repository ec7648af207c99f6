"""A progress line on standard error, as Keras' progress bar, tqdm and rich draw one: only when standard error is a
terminal, redrawn in place at most ``rate`` times a second, and wiped when the work is done, so standard output stays
clean for ``--json`` and pipes and a log file never fills with carriage returns. On a plain terminal (``TERM=dumb``,
or ``NO_COLOR`` set) the line holds no escape code at all: it is redrawn over its last self with spaces.

    epoch 4,200/15,000 [=======>...................] 28% · loss 0.0123 · 52,310 epochs/s · 0:00:01 left
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from typing import TextIO

BAR_WIDTH = 24


def clock(seconds: float) -> str:
    """``0:00:07``, ``1:02:03``; ``?`` for an unknown (infinite or negative) time."""
    if not 0 <= seconds < 360_000:
        return "?"
    s = int(seconds + 0.5)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def bar(fraction: float, width: int = BAR_WIDTH) -> str:
    """``[=====>......]``: ``fraction`` (clipped to 0..1) of ``width`` cells filled, Keras' way."""
    fraction = min(max(fraction, 0.0), 1.0)
    filled = int(fraction * width)
    head = ">" if filled < width else ""
    return "[" + "=" * filled + head + "." * (width - filled - len(head)) + "]"


class Progress:
    """One progress line for work measured in ``total`` steps (epochs).

    ``update(done, detail)`` redraws the line when at least ``1 / rate`` seconds have passed since the last draw (or
    when ``done`` reaches ``total``); ``close()`` wipes it. On a stream that is not a terminal every call does
    nothing, so callers need not ask.
    """

    def __init__(self, stream: TextIO, total: int, unit: str = "epoch", rate: float = 10.0,
                 now: Callable[[], float] = time.monotonic, show_rate: bool = True) -> None:
        self.stream = stream
        self.total = max(int(total), 1)
        self.unit = unit
        self.interval = 1.0 / rate
        self.now = now
        self.show_rate = show_rate  # the steps a second (off when the detail gives a rate of its own)
        self.enabled = _is_terminal(stream)
        self.plain = plain_terminal()
        """Draw without escape codes (``plain_terminal``): pad with spaces instead of erasing to the end."""
        self._drawn = 0  # the length of the line on screen (a plain redraw pads over it)
        self.start = now()
        self.first: int | None = None  # the step count at the first update: the rate counts from there
        self.last_draw = -float("inf")
        self.shown = False

    def line(self, done: int, detail: str = "", width: int | None = None) -> str:
        """The text for ``done`` of ``total`` steps with ``detail`` (``loss 0.0123``), rate and time left; within
        ``width`` the bar narrows first (down to none), then the line is cut."""
        if self.first is None:
            self.first = done
        elapsed = self.now() - self.start
        rate = (done - self.first) / elapsed if elapsed > 0 else 0.0
        left = (self.total - done) / rate if rate > 0 else float("inf")
        rest = [detail] if detail else []
        if rate > 0 and self.show_rate:
            rest.append(f"{rate:,.0f} {self.unit}s/s")
        rest.append(f"{clock(left)} left" if done < self.total else f"{clock(elapsed)} in all")
        count = f"{self.unit} {done:,}/{self.total:,}"
        share = f"{100 * done // self.total}%"
        plain = " · ".join([f"{count} {share}", *rest])
        room = BAR_WIDTH if width is None else min(BAR_WIDTH, width - len(plain) - 3)
        if room < 6:
            return plain[:width] if width is not None else plain
        return " · ".join([f"{count} {bar(done / self.total, room)} {share}", *rest])

    def update(self, done: int, detail: str = "") -> None:
        """Redraw the line for ``done`` steps, at most ``rate`` times a second."""
        if not self.enabled:
            return
        t = self.now()
        if self.first is None:
            self.first = done
        if t - self.last_draw < self.interval and done < self.total:
            return
        self.last_draw = t
        width = shutil.get_terminal_size((80, 24)).columns - 1  # the last column would wrap on some terminals
        text = self.line(done, detail, width)
        self.stream.write("\r" + (text.ljust(self._drawn) if self.plain else text + "\x1b[K"))
        self.stream.flush()
        self._drawn = len(text)
        self.shown = True

    def close(self) -> None:
        """Wipe the line (what the command prints next starts at column 0 of a clean line)."""
        if self.enabled and self.shown:
            self.stream.write("\r" + " " * self._drawn + "\r" if self.plain else "\r\x1b[K")
            self.stream.flush()
            self.shown = False
            self._drawn = 0


def plain_terminal(environ: os._Environ[str] | dict[str, str] = os.environ) -> bool:
    """Whether the terminal asks for plain text: ``TERM=dumb`` (no cursor control) or ``NO_COLOR`` set
    (https://no-color.org)."""
    return environ.get("TERM", "").strip().lower() == "dumb" or "NO_COLOR" in environ


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


__all__ = ["Progress", "bar", "clock", "plain_terminal"]
