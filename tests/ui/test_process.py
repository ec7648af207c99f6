"""The lab as a process (``lab.ui.process``): a crash exits non-zero with its traceback in a log; ctrl+z suspends
it and a resume (``fg``, SIGCONT) draws every pane again."""

from __future__ import annotations

import fcntl
import os
import pty
import signal
import struct
import subprocess
import sys
import termios
from collections.abc import Callable
from pathlib import Path

from textual.app import App

from lab.tuning import Tuning
from lab.ui.process import CRASH_EXIT, run_app

from tests.ui.pty_helpers import START, drain, stop

SETTLE = 20.0  # seconds allowed for a stop or a redraw (a failure bound on a loaded machine, not a speed target)


class _Host(App[None]):
    """The least an app needs to be run by ``run_app``; ``crash`` makes its mount raise."""

    def __init__(self, crash: bool) -> None:
        super().__init__()
        self.tuning = Tuning()
        self.on_leave = lambda: None
        self.crash = crash

    def leave_now(self) -> None:
        self.exit()

    def on_mount(self) -> None:
        if self.crash:
            raise RuntimeError("a bug the lab did not foresee")
        self.exit(return_code=0)


def test_a_crash_exits_non_zero_with_its_traceback_in_a_log(tmp_path, capsys):
    """An exception nothing handled ends the process with a non-zero status (it was 0: a crash looked like
    success), its traceback in ``crash-*.log`` in the state folder, whose path is printed."""
    assert run_app(_Host(crash=True), tmp_path, headless=True) == CRASH_EXIT
    logs = list(tmp_path.glob("crash-*.log"))
    assert len(logs) == 1
    assert "RuntimeError: a bug the lab did not foresee" in logs[0].read_text()
    assert str(logs[0]) in capsys.readouterr().err


def test_a_clean_exit_is_0_and_writes_no_log(tmp_path):
    assert run_app(_Host(crash=False), tmp_path, headless=True) == 0
    assert not list(tmp_path.glob("crash-*.log"))


def _shell(tmp_path: Path) -> tuple[subprocess.Popen, int]:
    """An interactive shell on a new pty that is its controlling terminal (job control on, as in a terminal
    window), with the lab's state in ``tmp_path``; the shell and the pty's master side."""
    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    env = dict(os.environ, NNLAB_STATE_DIR=str(tmp_path), TERM="xterm-256color", PS1="$ ")

    def take_terminal() -> None:
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen(["bash", "--norc", "--noprofile", "-i"], stdin=child, stdout=child, stderr=child,
                            env=env, close_fds=True, start_new_session=True, preexec_fn=take_terminal)
    os.close(child)
    os.set_blocking(main, False)
    return proc, main


def _lab_in_shell(tmp_path: Path, suspend: Callable[[int, int], None]) -> bytes:
    """Start the lab from a shell, ``suspend(fd, pid)`` it, check the shell says it stopped, bring it back with
    ``fg`` and return what it draws then (until the last pane's title)."""
    shell, fd = _shell(tmp_path)
    try:
        os.write(fd, f"exec 2>&1; {sys.executable} -m lab\n".encode())
        assert b"Architecture" in drain(fd, START, until=b"Architecture")
        drain(fd, 1.0)
        lab = next(int(p) for p in Path(f"/proc/{shell.pid}/task/{shell.pid}/children").read_text().split())
        suspend(fd, lab)
        assert b"Stopped" in drain(fd, SETTLE, until=b"Stopped")
        os.write(fd, b"fg\n")
        out = drain(fd, SETTLE, until=b"Architecture")
        os.write(fd, b"q")
        drain(fd, 2.0)
        return out
    finally:
        stop(shell, fd)


def test_sigtstp_then_fg_draws_every_pane_again(tmp_path):
    """After SIGTSTP and ``fg`` (SIGCONT) the terminal is handed back blank: the lab draws every pane again at once
    (it stayed blank until a resize, 2 of 2 trials)."""
    out = _lab_in_shell(tmp_path, lambda fd, pid: os.kill(pid, signal.SIGTSTP))
    assert b"Truth table" in out and b"Architecture" in out


def test_ctrl_z_suspends_the_lab_like_any_terminal_program(tmp_path):
    """ctrl+z stops the lab and hands the shell the terminal (it did nothing before); ``fg`` brings it back drawn."""
    out = _lab_in_shell(tmp_path, lambda fd, pid: os.write(fd, b"\x1a"))
    assert b"Truth table" in out
