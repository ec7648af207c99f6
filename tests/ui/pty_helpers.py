"""Running a real ``nnlab`` under a pseudo-terminal: start it, read what it draws, wait for it to end."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

START = 20.0  # seconds allowed for the first frame (a failure bound on a loaded machine, not a speed target)


def spawn(state_dir: Path, *args: str, controlling: bool = False,
          size: tuple[int, int] = (100, 30), env: dict[str, str | None] | None = None) -> tuple[subprocess.Popen, int]:
    """``python -m lab ARGS`` on a new pty with its state in ``state_dir``; returns the process and the pty's master
    side (non-blocking). ``controlling`` makes the pty the process's controlling terminal, in a session of its own
    (as under a login shell): closing the master then also sends it SIGHUP. ``env`` sets (or, with None, removes)
    environment variables on top of these."""
    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
    overrides = env or {}
    env = dict(os.environ, NNLAB_STATE_DIR=str(state_dir), TERM="xterm-256color", COLUMNS=str(size[0]),
               LINES=str(size[1]))
    env.update({k: v for k, v in overrides.items() if v is not None})
    for name in (k for k, v in overrides.items() if v is None):
        env.pop(name, None)

    def take_terminal() -> None:
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen([sys.executable, "-m", "lab", *args], stdin=child, stdout=child, stderr=child, env=env,
                            close_fds=True, start_new_session=controlling,
                            preexec_fn=take_terminal if controlling else None)
    os.close(child)
    os.set_blocking(main, False)
    return proc, main


def drain(fd: int, seconds: float, until: bytes | None = None) -> bytes:
    """What the app writes in ``seconds``, or until ``until`` appears in it."""
    out = b""
    end = time.monotonic() + seconds
    while time.monotonic() < end and not (until is not None and until in out):
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                out += os.read(fd, 65536)
            except OSError:
                break
    return out


def wait_exit(proc: subprocess.Popen, seconds: float, fd: int | None = None) -> bool:
    """Whether ``proc`` ends within ``seconds`` (reading its output meanwhile, when ``fd`` is open)."""
    end = time.monotonic() + seconds
    while proc.poll() is None and time.monotonic() < end:
        if fd is None:
            time.sleep(0.02)
        else:
            drain(fd, 0.02)
    return proc.poll() is not None


def stop(proc: subprocess.Popen, fd: int | None) -> None:
    """Kill ``proc`` if it still runs, and close ``fd`` if open."""
    if proc.poll() is None:
        proc.kill()
        proc.wait(10)
    if fd is not None:
        os.close(fd)
