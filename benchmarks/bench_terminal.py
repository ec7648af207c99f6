"""Benchmark: what ``nnlab`` sends to a real terminal. Runs the app under a pseudo-terminal of a given size and
prints:

- start-up: seconds from launch until the first frame (the first output that draws the truth table);
- bandwidth: bytes per second written while it trains keras-xor at full speed (unthrottled), at 80x24 and 200x50,
  with the default frame rate and with ``--fps 2``.

Run: ``python benchmarks/bench_terminal.py`` (about half a minute). Uses a temporary state directory.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

from lab.core.recipes import recipe
from lab.files.experiment_file import write

MEASURE = 5.0
EPOCHS = 10_000_000


def spawn(size: tuple[int, int], args: list[str], state: str) -> tuple[subprocess.Popen, int]:
    """``python -m lab ARGS`` on a new pseudo-terminal of ``size`` (columns, rows)."""
    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
    env = dict(os.environ, NNLAB_STATE_DIR=state, TERM="xterm-256color", COLORTERM="truecolor")
    proc = subprocess.Popen([sys.executable, "-m", "lab", *args], stdin=child, stdout=child, stderr=child,
                            env=env, close_fds=True, start_new_session=True)
    os.close(child)
    return proc, main


def read_for(fd: int, seconds: float, until: bytes | None = None) -> tuple[bytes, float]:
    """Read everything for ``seconds`` (or until ``until`` appears); returns the bytes and when it stopped."""
    out = b""
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        ready, _, _ = select.select([fd], [], [], 0.01)
        if ready:
            try:
                out += os.read(fd, 1 << 16)
            except OSError:
                break
            if until is not None and until in out:
                break
    return out, time.perf_counter() - start


def measure(size: tuple[int, int], args: list[str]) -> tuple[float, float]:
    """(seconds to the first frame, bytes per second while training flat out)."""
    with tempfile.TemporaryDirectory() as state:
        experiment = Path(state) / "long.json"
        write(experiment, recipe("keras-xor").with_training(epochs=EPOCHS))  # a budget that outlasts the measurement
        start = time.perf_counter()
        proc, fd = spawn(size, [str(experiment), *args], state)
        try:
            _, _ = read_for(fd, 10.0, until="Truth table".encode())
            first_frame = time.perf_counter() - start
            read_for(fd, 1.5)
            for key in b".....":  # unthrottled
                os.write(fd, bytes([key]))
                read_for(fd, 0.05)
            os.write(fd, b" ")  # start
            read_for(fd, 1.0)  # let it settle into training
            data, elapsed = read_for(fd, MEASURE)
            os.write(fd, b" q")
            read_for(fd, 1.0)
        finally:
            if proc.poll() is None:
                proc.kill()
            os.close(fd)
    return first_frame, len(data) / elapsed


def main() -> None:
    import compileall

    import lab

    # A real install (pip install .) compiles the package's bytecode; an editable checkout under
    # PYTHONDONTWRITEBYTECODE would compile every module at every start, which no user sees.
    compileall.compile_dir(Path(lab.__file__).parent, quiet=1)
    print("nnlab under a pseudo-terminal: keras-xor trained unthrottled (python benchmarks/bench_terminal.py)")
    print(f"{'size':>7} {'fps':>4} {'first frame s':>14} {'KB/s while training':>20}")
    for size in ((80, 24), (200, 50)):
        for fps in ("10", "2"):
            first, rate = measure(size, ["--fps", fps])
            print(f"{size[0]}x{size[1]:<4} {fps:>4} {first:>14.2f} {rate / 1000:>20.1f}")


if __name__ == "__main__":
    main()
