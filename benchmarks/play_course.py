"""Play the whole course (``nnlab learn --play``) in real terminals at 80x24 and 120x40 and print how long each
took and its verdict; exit 1 if either did not pass. Too slow for every CI run (about 30 s unthrottled at 80x24 and
45 s at the lessons' own speeds at 120x40 on the 2-core machine, loaded), so it is a script:

    python benchmarks/play_course.py            # both sizes: 80x24 --fast, 120x40 at the lessons' speeds
    python benchmarks/play_course.py --fast     # both sizes unthrottled
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.ui.pty_helpers import drain, spawn, stop, wait_exit  # noqa: E402


def play(size: tuple[int, int], fast: bool) -> tuple[float, int | None, str]:
    """Seconds taken, the return code and the verdict line of ``nnlab learn --play`` at ``size``."""
    with tempfile.TemporaryDirectory() as state:
        start = time.perf_counter()
        proc, fd = spawn(Path(state), "learn", "--play", *(["--fast"] if fast else []), size=size)
        out = b""
        try:
            out = drain(fd, 600, until=b"nnlab learn --play:")
            wait_exit(proc, 60, fd)
        finally:
            stop(proc, fd)
        seconds = time.perf_counter() - start
    text = out.decode(errors="replace")
    verdict = next((line.strip() for line in text.splitlines() if "nnlab learn --play:" in line), "no verdict")
    return seconds, proc.returncode, verdict[verdict.find("nnlab learn"):]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="train unthrottled at both sizes")
    args = parser.parse_args()
    ok = True
    for size, fast in (((80, 24), True), ((120, 40), args.fast)):
        seconds, code, verdict = play(size, fast)
        print(f"{size[0]}x{size[1]}{' --fast' if fast else ''}: {seconds:.1f} s, exit {code}: {verdict}")
        ok &= code == 0
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
