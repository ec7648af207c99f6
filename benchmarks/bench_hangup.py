"""Benchmark: how long ``nnlab`` takes to autosave and exit after the terminal hangs up or it is told to stop.

Each run starts ``python -m lab`` under a fresh pseudo-terminal (its controlling terminal, in a session of its own,
as a login shell's child is) with a temporary state directory, waits for the first frame, starts training, and after
``--train`` seconds ends it one of three ways:

- ``hangup``: the terminal goes away (the pty's master side is closed: the kernel sends SIGHUP and every later read
  or write of the terminal fails), as when an SSH window is closed or ``tmux kill-session`` runs;
- ``term``: SIGTERM; ``hup``: SIGHUP with the terminal still open.

It prints, per way, the seconds from that moment until the process has exited (min, median, max over ``--runs``),
how many runs exceeded 2 s, how many had to be killed after ``--limit`` seconds (hung), and how many left no
readable autosave with trained epochs.

Run: ``python benchmarks/bench_hangup.py`` (24 runs of each way, about four minutes);
``--runs 5 --ways hangup`` for a quick look.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

WAYS = ("hangup", "term", "hup")


def spawn(state_dir: Path, size: tuple[int, int] = (100, 30)) -> tuple[subprocess.Popen, int]:
    """``python -m lab`` on a new pty that becomes its controlling terminal; returns the process and the master."""
    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
    env = dict(os.environ, NNLAB_STATE_DIR=str(state_dir), TERM="xterm-256color")

    def controlling_terminal() -> None:
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen([sys.executable, "-m", "lab"], stdin=child, stdout=child, stderr=child, env=env,
                            start_new_session=True, preexec_fn=controlling_terminal, close_fds=True)
    os.close(child)
    os.set_blocking(main, False)
    return proc, main


def drain(fd: int, seconds: float, until: bytes | None = None) -> bytes:
    """Read what the app writes for ``seconds`` (or until ``until`` appears)."""
    out = b""
    end = time.monotonic() + seconds
    while time.monotonic() < end and not (until and until in out):
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                out += os.read(fd, 65536)
            except OSError:
                break
    return out


def one_run(way: str, train: float, limit: float) -> tuple[float, bool, bool]:
    """Seconds to exit after the hangup or signal, whether it hung (killed at ``limit``), whether the autosave holds
    a trained network."""
    from lab.core.errors import LabError
    from lab.files.experiment_file import read

    with tempfile.TemporaryDirectory(prefix="nnlab-hangup-") as folder:
        state = Path(folder)
        proc, fd = spawn(state)
        closed = False
        try:
            if b"Truth table" not in drain(fd, 20.0, until=b"Truth table"):
                raise SystemExit(f"nnlab did not start: exit status {proc.poll()}")
            for _ in range(3):  # a key pressed while the app is still starting can be lost: press until it trains
                os.write(fd, b" ")
                if b"training" in drain(fd, 5.0, until=b"training"):
                    break
            drain(fd, train)
            start = time.monotonic()
            if way == "hangup":
                os.close(fd)
                closed = True
            else:
                proc.send_signal(signal.SIGTERM if way == "term" else signal.SIGHUP)
            hung = False
            while proc.poll() is None:
                if time.monotonic() - start > limit:
                    hung = True
                    proc.kill()
                    proc.wait()
                    break
                if closed:
                    time.sleep(0.01)
                else:
                    drain(fd, 0.01)
            seconds = time.monotonic() - start
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            if not closed:
                os.close(fd)
        try:
            _, trainer = read(state / "autosave.json")
            saved = trainer is not None and trainer.epoch > 0
        except LabError:
            saved = False
        return seconds, hung, saved


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=24)
    p.add_argument("--ways", nargs="+", choices=WAYS, default=list(WAYS))
    p.add_argument("--train", type=float, default=1.0, help="seconds of training before the hangup (default 1)")
    p.add_argument("--limit", type=float, default=10.0, help="seconds after which a run counts as hung (default 10)")
    args = p.parse_args()
    print(f"{'way':<8} {'runs':>4} {'min s':>7} {'median s':>9} {'max s':>7} {'> 2 s':>6} {'hung':>5} {'no save':>8}")
    for way in args.ways:
        results = [one_run(way, args.train, args.limit) for _ in range(args.runs)]
        times = [r[0] for r in results]
        print(f"{way:<8} {len(times):>4} {min(times):>7.2f} {statistics.median(times):>9.2f} {max(times):>7.2f} "
              f"{sum(t > 2 for t in times):>6} {sum(r[1] for r in results):>5} {sum(not r[2] for r in results):>8}",
              flush=True)


if __name__ == "__main__":
    main()
