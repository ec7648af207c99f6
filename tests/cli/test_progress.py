"""The progress line: drawn in place on a terminal at a bounded rate, wiped at the end, silent in a pipe."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

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
    assert last.startswith("epoch 1,000/1,000 [===") and "=] 100% · loss 0.5 · 999 epochs/s · " in last
    # cut to the terminal, never wrapped
    assert all(len(line.replace("\x1b[K", "")) < 80 for line in out.getvalue().split("\r"))
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


def run_with_terminal_stderr(*argv: str) -> tuple[str, str]:
    """Run ``nnlab`` with stderr on a pseudo-terminal and stdout on a pipe; both outputs, whole."""
    import os
    import pty
    import subprocess
    import sys

    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen([sys.executable, "-m", "lab", *argv], stdout=subprocess.PIPE, stderr=slave,
                                stdin=subprocess.DEVNULL)
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # the terminal's other end is closed: the process has ended
                break
            if not data:
                break
            chunks.append(data)
        out = proc.stdout.read().decode()
        proc.wait(timeout=120)
    finally:
        os.close(master)
    return out, b"".join(chunks).decode(errors="replace")


def test_train_shows_progress_on_a_terminal_and_keeps_stdout_clean():
    import json

    out, err = run_with_terminal_stderr("train", "--epochs", "60000", "--json")
    assert json.loads(out)["epochs_run"] == 60000  # stdout: the one JSON object, nothing else
    assert "\r" in err and "epoch " in err and "/60,000 [" in err and "loss " in err
    assert err.endswith("\r\x1b[K")  # wiped at the end


def test_train_in_a_pipe_prints_no_progress():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "lab", "train", "--epochs", "20000"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0 and done.stderr == "" and "\r" not in done.stdout


def test_sweep_shows_epochs_and_seeds_solved_on_a_terminal_from_every_worker():
    import json

    out, err = run_with_terminal_stderr("sweep", "--seeds", "4000", "--epochs", "400", "--jobs", "2", "--json")
    assert json.loads(out)["configurations"][0]["seeds"] == 4000
    assert "/400 [" in err and "seeds solved" in err and "network-epochs/s" in err
    assert err.endswith("\r\x1b[K")


@pytest.mark.parametrize("setting", [{"TERM": "dumb"}, {"NO_COLOR": "1"}])
def test_a_plain_terminal_gets_no_escape_code(monkeypatch, setting):
    """``TERM=dumb`` (no cursor control) or ``NO_COLOR``: the line is redrawn over itself with spaces, and wiped the
    same way, without one escape code."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    for name, value in setting.items():
        monkeypatch.setenv(name, value)
    out, now = Terminal(), Clock()
    p = Progress(out, 1000, rate=10.0, now=now)
    for i in range(1, 1001):
        now.t = i * 0.01
        p.update(i, "loss " + "9" * (i % 7))  # lines of different lengths: a shorter one pads over a longer one
    p.close()
    text = out.getvalue()
    assert "\x1b" not in text and text.count("\r") > 10
    draws = text.split("\r")[1:]
    assert all(len(b) >= len(a.rstrip()) for a, b in zip(draws, draws[1:], strict=False))
    assert text.endswith("\r") and not text.split("\r")[-2].strip()
