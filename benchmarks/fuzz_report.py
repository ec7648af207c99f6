#!/usr/bin/env python3
"""How many cases the fuzz suite runs and how long it takes: runs ``tests/fuzz`` with pytest-xdist and prints the
case count per file (from the suite's own ``fuzz: N cases run`` summary), the test count and the wall time.

The deterministic CI profile by default; ``NNLAB_FUZZ=long`` in the environment selects the long one.

    python benchmarks/fuzz_report.py [--workers auto]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUMMARY = re.compile(r"-+ fuzz: ([\d,]+) cases run \(profile (\S+)\) -+")
PER_FILE = re.compile(r"^\s+([\d,]+)  (tests/fuzz/\S+)$")
RESULT = re.compile(r"^=* ?(\d+ passed.*) in [\d.]+s")


def main() -> int:
    """Run the suite and print its figures; returns pytest's exit status."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--workers", default="auto", help="pytest-xdist workers (-n), default auto")
    args = p.parse_args()
    command = [sys.executable, "-m", "pytest", "-n", args.workers, "-q", "-p", "no:cacheprovider", "tests/fuzz"]
    start = time.perf_counter()
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    lines = run.stdout.splitlines()
    profile = f"NNLAB_FUZZ={os.environ['NNLAB_FUZZ']} " if os.environ.get("NNLAB_FUZZ") else ""
    print(f"command: {profile}python {' '.join(command[1:])}")
    print(f"python {platform.python_version()}, {os.cpu_count()} cores, {platform.machine()} {platform.system()}")
    summary = next((m for m in map(SUMMARY.search, lines) if m), None)
    if summary is None:
        print(run.stdout[-2000:] + run.stderr[-2000:])
        print("no fuzz summary found: did the suite run?")
        return run.returncode or 1
    print(f"profile {summary.group(2)}: {summary.group(1)} cases")
    for m in filter(None, map(PER_FILE.match, lines)):
        print(f"  {m.group(1):>9}  {m.group(2)}")
    result = next((m.group(1) for m in map(RESULT.search, lines) if m), "no result line")
    print(f"{result}; {seconds:.1f} s wall time with -n {args.workers}")
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
