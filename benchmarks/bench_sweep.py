#!/usr/bin/env python3
"""Network-epochs per second of ``Sweep`` on the keras-xor recipe at K = 1, 100, 1000 and 10000 seeds, and its memory.

Every member is the recipe's network (2 -> 16 relu -> 1 sigmoid, mse, Adam lr 0.001, full batch) from its own seed,
trained for the recipe's 1000 epochs with every epoch's metrics kept (``keep_history=True``, as the interface would).
Speed is the best of several repeats of ``Sweep.run`` alone (drawing the K networks is timed separately). Memory is
measured in a fresh interpreter per K, over building the sweep and running it: the tracemalloc peak (every NumPy and
Python allocation made after tracing starts) and the growth of the resident set's high-water mark (``ru_maxrss``
after minus before, which includes what tracemalloc cannot see, such as BLAS buffers and freed-but-kept pages).
Targets on the project's 2-core machine: at least 1,000,000 network-epochs/s at K = 1000, and K = 10000 within 1 GB.

    python benchmarks/bench_sweep.py [--repeats 5] [--epochs 1000] [--sizes 1,100,1000,10000]
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from lab.core.recipes import recipe  # noqa: E402
from lab.core.sweep import Sweep  # noqa: E402
from lab.core.train import Trainer  # noqa: E402

RATE_TARGET = 1_000_000  # network-epochs/s at K = 1000
MEMORY_TARGET = 1 << 30  # bytes at K = 10000


def experiment(epochs: int):
    """The keras-xor recipe with ``epochs`` epochs."""
    return recipe("keras-xor").with_training(epochs=epochs)


def timed_run(k: int, epochs: int) -> tuple[float, float, Sweep]:
    """Build a sweep of ``k`` seeds and run it; returns (seconds to build, seconds to run, the sweep)."""
    start = time.perf_counter()
    sweep = Sweep(experiment(epochs), k)
    built = time.perf_counter()
    sweep.run()
    return built - start, time.perf_counter() - built, sweep


def memory(k: int, epochs: int) -> dict:
    """Peak memory of building and running a sweep of ``k`` seeds, measured in this (fresh) process."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB
    tracemalloc.start()
    sweep = Sweep(experiment(epochs), k)
    sweep.run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {"tracemalloc_peak": peak, "maxrss_growth": after - before, "solved": sweep.solved}


def memory_in_child(k: int, epochs: int) -> dict:
    """``memory(k)`` in a fresh interpreter, so the high-water mark starts from an idle process."""
    out = subprocess.run([sys.executable, __file__, "--memory-child", str(k), "--epochs", str(epochs)],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout)


def mib(n: int) -> str:
    return f"{n / 2**20:8.1f} MiB"


def main() -> int:
    """Time each K, best of ``--repeats``, measure memory, and print the figures."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=5, help="runs per K below 10000; the best is reported (default 5)")
    p.add_argument("--epochs", type=int, default=1000, help="epochs per run (default 1000, the recipe's budget)")
    p.add_argument("--sizes", default="1,100,1000,10000", help="the K to measure, comma-separated")
    p.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.memory_child:
        print(json.dumps(memory(args.memory_child, args.epochs)))
        return 0
    sizes = [int(k) for k in args.sizes.split(",")]
    print(f"command: python {' '.join(sys.argv)}")
    print(f"python {platform.python_version()}, numpy {np.__version__}, {platform.machine()} {platform.system()}")
    print(f"keras-xor (2 -> 16 relu -> 1 sigmoid, mse, adam, full batch), {args.epochs} epochs per network, "
          f"history kept; speed: best of {args.repeats} (1 at K >= 10000)")
    single = 0.0
    for _ in range(args.repeats):
        trainer = Trainer(experiment(args.epochs))
        start = time.perf_counter()
        trainer.run()
        single = max(single, args.epochs / (time.perf_counter() - start))
    print(f"  reference: Trainer.run, one network: {single:12,.0f} network-epochs/s")
    # Memory first, each K in a fresh child: a child inherits its parent's high-water mark, so the parent must still
    # be small when it starts them.
    peaks = {k: memory_in_child(k, args.epochs) for k in sizes}
    rates: dict[int, float] = {}
    for k in sizes:
        best_run = best_build = float("inf")
        for _ in range(1 if k >= 10_000 else args.repeats):
            build, run, sweep = timed_run(k, args.epochs)
            best_run, best_build = min(best_run, run), min(best_build, build)
        network_epochs = int(sweep.epochs_run.sum())
        rates[k] = network_epochs / best_run
        print(f"  K = {k:>6,}: {rates[k]:12,.0f} network-epochs/s  ({best_run:7.3f} s to train, {best_build:6.3f} s "
              f"to draw the networks; {sweep.solved:,} solved)")
        print(f"             memory: tracemalloc peak {mib(peaks[k]['tracemalloc_peak'])}, "
              f"ru_maxrss growth {mib(peaks[k]['maxrss_growth'])}")
    if 1000 in rates:
        met = rates[1000] >= RATE_TARGET
        print(f"  target >= {RATE_TARGET:,} network-epochs/s at K = 1000: {'met' if met else 'NOT met'}")
    if 10_000 in peaks:
        worst = max(peaks[10_000]["tracemalloc_peak"], peaks[10_000]["maxrss_growth"])
        print(f"  target K = 10,000 within 1 GiB: {'met' if worst <= MEMORY_TARGET else 'NOT met'} "
              f"(larger of the two measures: {worst / 2**20:.1f} MiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
