"""Benchmark: what ``nnlab`` sends to a real terminal. Runs the app under a pseudo-terminal of a given size and
prints:

- start-up: seconds from launch until the first frame (the first output that draws the truth table);
- bandwidth: bytes per second written while it trains keras-xor, at 80x24 and 200x50, at the default training speed
  (space pressed, nothing else) and flat out (unthrottled), in 256 colours (``TERM=xterm-256color``, as over SSH
  without ``COLORTERM``) and in 24-bit colour, with the default frame rate and with ``--fps 2``.

The last column is the speed the status line showed while measuring (an 80-column status line has no room for it),
so a default-speed row that trained at another speed shows. Run: ``python benchmarks/bench_terminal.py`` (about two
minutes; ``--runs N`` repeats each measurement and prints the lowest and highest; ``--only '256 default'`` measures
just the cases of those colours and that speed). Uses a temporary state directory.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
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
DEFAULT_EPOCHS = 3000
"""The budget of the default-speed case: at 20 epochs a tick it trains for 15 s, past the measurement. A bigger
budget would not do: the lab raises the speed so that a budget trains within 15 s (``lab.ui.app.speed_for``), and
10 million epochs would train unthrottled."""
SPEED = re.compile(rb"speed (max|\d+/tick)")


COLOURS = {"256": {"TERM": "xterm-256color"}, "24-bit": {"TERM": "xterm-256color", "COLORTERM": "truecolor"}}


def spawn(size: tuple[int, int], args: list[str], state: str, colours: str = "24-bit") -> tuple[subprocess.Popen, int]:
    """``python -m lab ARGS`` on a new pseudo-terminal of ``size`` (columns, rows) with ``colours`` (a key of
    ``COLOURS``)."""
    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLORTERM", "TEXTUAL_COLOR_SYSTEM", "NNLAB_FPS")}
    env.update(NNLAB_STATE_DIR=state, **COLOURS[colours])
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


def measure(size: tuple[int, int], args: list[str], colours: str = "24-bit",
            flat_out: bool = True) -> tuple[float, float, str]:
    """(seconds to the first frame, bytes per second while training, the speed the status line showed last):
    ``flat_out`` presses ``.`` until the speed is unthrottled, else it trains at the default speed."""
    with tempfile.TemporaryDirectory() as state:
        experiment = Path(state) / "long.json"
        budget = EPOCHS if flat_out else DEFAULT_EPOCHS  # a budget that outlasts the measurement
        write(experiment, recipe("keras-xor").with_training(epochs=budget))
        start = time.perf_counter()
        proc, fd = spawn(size, [str(experiment), *args], state, colours)
        try:
            _, _ = read_for(fd, 10.0, until=b"Truth table")
            first_frame = time.perf_counter() - start
            read_for(fd, 1.5)
            for key in b"....." if flat_out else b"":  # unthrottled
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
    speeds = SPEED.findall(data)
    return first_frame, len(data) / elapsed, speeds[-1].decode() if speeds else "not shown"


def main() -> None:
    import argparse
    import compileall

    import lab

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="measurements of each case (default 1)")
    parser.add_argument("--sizes", default="80x24,200x50", help="terminal sizes (default 80x24,200x50)")
    parser.add_argument("--only", default="", help="only the cases whose colours and speed match, e.g. '256 default'")
    args = parser.parse_args()
    sizes = [(int(s.split("x")[0]), int(s.split("x")[1])) for s in args.sizes.split(",")]
    # A real install (pip install .) compiles the package's bytecode; an editable checkout under
    # PYTHONDONTWRITEBYTECODE would compile every module at every start, which no user sees.
    compileall.compile_dir(Path(lab.__file__).parent, quiet=1)
    print("nnlab under a pseudo-terminal training keras-xor (python benchmarks/bench_terminal.py"
          + (f" --runs {args.runs}" if args.runs > 1 else "") + ")")
    print(f"{'size':>7} {'colours':>7} {'speed':>8} {'fps':>4} {'first frame s':>14} {'KB/s while training':>20}"
          "  status line")
    cases = [(size, colours, speed, fps) for size in sizes for colours, speed, fps in (
        ("256", "default", "10"), ("256", "flat out", "10"), ("24-bit", "default", "10"),
        ("24-bit", "flat out", "10"), ("24-bit", "flat out", "2"))]
    cases = [c for c in cases if not args.only or args.only == f"{c[1]} {c[2]}"]
    for size, colours, speed, fps in cases:
        runs = [measure(size, ["--fps", fps], colours, flat_out=speed == "flat out") for _ in range(args.runs)]
        first = min(r[0] for r in runs)
        rates = sorted(r[1] / 1000 for r in runs)
        shown = "/".join(sorted({r[2] for r in runs}))
        rate = f"{rates[0]:.1f}" if len(rates) == 1 else f"{rates[0]:.1f}-{rates[-1]:.1f}"
        print(f"{size[0]}x{size[1]:<4} {colours:>7} {speed:>8} {fps:>4} {first:>14.2f} {rate:>20}  speed {shown}",
              flush=True)


if __name__ == "__main__":
    main()
