"""The progress line: drawn in place on a terminal at a bounded rate, wiped at the end, silent in a pipe."""

from __future__ import annotations

import io

from hypothesis import given, strategies as st

from lab.commands.progress import Progress, bar, clock


class Terminal(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def test_a_pipe_gets_nothing():
    out = io.StringIO()
    p = Progress(out, 100)
    for i in range(100):
        p.update(i, "loss 0.1")
    p.close()
    assert out.getvalue() == ""


def test_a_terminal_gets_one_line_redrawn_at_most_rate_times_a_second_then_wiped():
    out, now = Terminal(), Clock()
    p = Progress(out, 1000, rate=10.0, now=now)
    for i in range(1, 1001):
        now.t = i * 0.001  # 1,000 epochs in one second
        p.update(i, "loss 0.5")
    draws = out.getvalue().count("\r")
    assert 10 <= draws <= 12  # ten a second, plus the last one
    last = out.getvalue().split("\r")[-1]
    assert last.startswith("epoch 1,000/1,000 [========================] 100% · loss 0.5 · 999 epochs/s")
    assert all(len(line.replace("\x1b[K", "")) < 80 for line in out.getvalue().split("\r"))  # cut to the terminal, never wrapped
    p.close()
    assert out.getvalue().endswith("\r\x1b[K")


def test_time_left_and_rate():
    out, now = Terminal(), Clock()
    p = Progress(out, 100, now=now)
    p.update(0)
    now.t = 2.0
    assert p.line(20, "x") == "epoch 20/100 [====>...................] 20% · x · 10 epochs/s · 0:00:08 left"


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_bar_is_always_its_width(fraction):
    if fraction != fraction:
        fraction = 0.0
    assert len(bar(fraction, 20)) == 22


def test_clock():
    assert clock(7) == "0:00:07" and clock(3723) == "1:02:03" and clock(float("inf")) == "?" and clock(-1) == "?"
