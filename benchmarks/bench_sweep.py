#!/usr/bin/env python3
"""Network-epochs per second of a sweep on the keras-xor recipe at K = 1, 100, 1000 and 10000 seeds, and its memory:
in one process (``Sweep.run``) and as ``nnlab sweep`` runs it (``run_sweep`` with the default jobs).

Every member is the recipe's network (2 -> 16 relu -> 1 sigmoid, mse, Adam lr 0.001, full batch) from its own seed,
trained for the recipe's 1000 epochs.

- One process, ``Sweep.run``: every epoch's metrics kept (``keep_history=True``, as the interface would); the speed
  is the best of several repeats of ``Sweep.run`` alone (drawing the K networks is timed separately).
- ``nnlab sweep``: ``run_sweep(experiment, K)`` as the command calls it (no history, jobs = the usable CPUs, one
  process below ``MIN_PARALLEL_WORK``); the seconds are the whole call: drawing the networks, starting the worker
  processes, training, sending the results back and merging them. Best and median of the repeats.

Memory is measured in a fresh interpreter per K and way, over building and running the sweep: the tracemalloc peak
of this process (every NumPy and Python allocation made after tracing starts) and its resident set's high-water
mark (``ru_maxrss``: growth for one process, which includes what tracemalloc cannot see, such as BLAS buffers and
freed-but-kept pages). With worker processes, the largest worker's ``ru_maxrss`` too (``RUSAGE_CHILDREN``; a forked
worker's count includes the pages it shares with its parent), and the sum: the parent's whole peak plus every
worker at the largest worker's, which counts shared pages twice and so bounds the total from above.
Targets on the project's 2-core machine: at least 1,000,000 network-epochs/s at K = 1000, and K = 10000 within
1 GiB, both judged on what ``nnlab sweep`` does.

    python benchmarks/bench_sweep.py [--repeats 5] [--epochs 1000] [--sizes 1,100,1000,10000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
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
from lab.core.sweep_jobs import run_sweep, usable_cpus, worker_count  # noqa: E402
from lab.core.train import Trainer  # noqa: E402

RATE_TARGET = 1_000_000  # network-epochs/s at K = 1000
MEMORY_TARGET = 1 << 30  # bytes at K = 10000
ONE, JOBS = "one", "jobs"


def experiment(epochs: int):
    """The keras-xor recipe with ``epochs`` epochs."""
    return recipe("keras-xor").with_training(epochs=epochs)


def timed_run(k: int, epochs: int) -> tuple[float, float, Sweep]:
    """Build a sweep of ``k`` seeds and run it in this process; returns (seconds to build, seconds to run, sweep)."""
    start = time.perf_counter()
    sweep = Sweep(experiment(epochs), k)
    built = time.perf_counter()
    sweep.run()
    return built - start, time.perf_counter() - built, sweep


def timed_jobs(k: int, epochs: int) -> tuple[float, Sweep]:
    """``run_sweep`` as ``nnlab sweep`` calls it; returns (seconds for the whole call, the sweep)."""
    start = time.perf_counter()
    sweep = run_sweep(experiment(epochs), k)
    return time.perf_counter() - start, sweep


def rss() -> tuple[int, int]:
    """Peak resident set in bytes of this process and of its largest finished child (Linux reports KiB)."""
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)


def memory(k: int, epochs: int, way: str) -> dict:
    """Peak memory of building and running a sweep of ``k`` seeds one ``way``, measured in this (fresh) process."""
    before, _ = rss()
    tracemalloc.start()
    if way == ONE:
        sweep = Sweep(experiment(epochs), k)
        sweep.run()
    else:
        sweep = run_sweep(experiment(epochs), k)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    after, worker = rss()
    return {"tracemalloc_peak": peak, "maxrss_growth": after - before, "maxrss": after, "worker_maxrss": worker,
            "workers": worker_count(experiment(epochs), k) if way == JOBS else 1, "solved": sweep.solved}


def memory_in_child(k: int, epochs: int, way: str) -> dict:
    """``memory(k, way)`` in a fresh interpreter, so the high-water marks start from an idle process."""
    out = subprocess.run([sys.executable, __file__, "--memory-child", str(k), "--way", way, "--epochs", str(epochs)],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout)


def cpu_seconds() -> tuple[float, float, float]:
    """(the machine's busy CPU-seconds from /proc/stat, this process's and its finished children's, wall seconds),
    to tell how much of a run's machine other processes took; busy is nan where there is no /proc/stat."""
    try:
        with open("/proc/stat") as f:
            ticks = [int(v) for v in f.readline().split()[1:]]
        busy = (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")  # all but idle and iowait
    except OSError:
        busy = float("nan")
    own = sum(getattr(resource.getrusage(who), f) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
              for f in ("ru_utime", "ru_stime"))
    return busy, own, time.perf_counter()


def mib(n: float) -> str:
    return f"{n / 2**20:7.1f} MiB"


def one_process(sizes: list[int], repeats: int, epochs: int, peaks: dict[int, dict]) -> None:
    """The figures of ``Sweep.run`` in this process, history kept, with the ``peaks`` measured in children."""
    print(f"one process, Sweep.run (history kept); speed: best of {repeats} (1 at K >= 10000), training alone")
    for k in sizes:
        best_run = best_build = float("inf")
        for _ in range(1 if k >= 10_000 else repeats):
            build, run, sweep = timed_run(k, epochs)
            best_run, best_build = min(best_run, run), min(best_build, build)
        rate = int(sweep.epochs_run.sum()) / best_run
        print(f"  K = {k:>6,}: {rate:12,.0f} network-epochs/s  ({best_run:7.3f} s to train, {best_build:6.3f} s "
              f"to draw the networks; {sweep.solved:,} solved)")
        print(f"             memory: tracemalloc peak {mib(peaks[k]['tracemalloc_peak'])}, "
              f"ru_maxrss growth {mib(peaks[k]['maxrss_growth'])}")


def with_jobs(sizes: list[int], repeats: int, epochs: int,
              peaks: dict[int, dict]) -> tuple[dict[int, float], dict[int, int]]:
    """The figures of ``run_sweep`` as ``nnlab sweep`` runs it, with the ``peaks`` measured in children; returns
    (best rate, bytes at most) per K."""
    print(f"nnlab sweep: run_sweep, default jobs (usable CPUs: {usable_cpus()}), no history; seconds for the whole "
          f"call (drawing, start-up, training, merging); best and median of {repeats} (1 at K >= 10000)")
    rates, totals = {}, {}
    for k in sizes:
        seconds = []
        for _ in range(1 if k >= 10_000 else repeats):
            took, sweep = timed_jobs(k, epochs)
            seconds.append(took)
        network_epochs = int(sweep.epochs_run.sum())
        rates[k] = network_epochs / min(seconds)
        p = peaks[k]
        workers = p["workers"]
        median = network_epochs / statistics.median(seconds)
        print(f"  K = {k:>6,}: {rates[k]:12,.0f} network-epochs/s, median {median:12,.0f}  ({min(seconds):7.3f} s; "
              f"{workers} process{'es' if workers > 1 else ''}; {sweep.solved:,} solved)")
        if workers > 1:
            totals[k] = p["maxrss"] + workers * p["worker_maxrss"]
            print(f"             memory: parent tracemalloc peak {mib(p['tracemalloc_peak'])}, ru_maxrss "
                  f"{mib(p['maxrss'])} (growth {mib(p['maxrss_growth'])}); each worker ru_maxrss at most "
                  f"{mib(p['worker_maxrss'])}; sum at most {mib(totals[k])}")
        else:
            totals[k] = p["maxrss"]
            print(f"             memory: tracemalloc peak {mib(p['tracemalloc_peak'])}, ru_maxrss "
                  f"{mib(p['maxrss'])} (growth {mib(p['maxrss_growth'])}), in this process alone")
    return rates, totals


def main() -> int:
    """Time each K both ways, measure memory, and print the figures and the targets."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=5, help="runs per K below 10000 (default 5)")
    p.add_argument("--epochs", type=int, default=1000, help="epochs per run (default 1000, the recipe's budget)")
    p.add_argument("--sizes", default="1,100,1000,10000", help="the K to measure, comma-separated")
    p.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    p.add_argument("--way", choices=(ONE, JOBS), default=ONE, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.memory_child:
        print(json.dumps(memory(args.memory_child, args.epochs, args.way)))
        return 0
    sizes = [int(k) for k in args.sizes.split(",")]
    print(f"command: python {' '.join(sys.argv)}")
    print(f"python {platform.python_version()}, numpy {np.__version__}, {platform.machine()} {platform.system()}")
    print(f"keras-xor (2 -> 16 relu -> 1 sigmoid, mse, adam, full batch), {args.epochs} epochs per network")
    single = 0.0
    for _ in range(args.repeats):
        trainer = Trainer(experiment(args.epochs))
        start = time.perf_counter()
        trainer.run()
        single = max(single, args.epochs / (time.perf_counter() - start))
    print(f"  reference: Trainer.run, one network: {single:12,.0f} network-epochs/s")
    before = cpu_seconds()
    # Memory first, each K and way in a fresh child: a child inherits its parent's high-water mark, so the parent
    # must still be small when it starts them.
    peaks = {way: {k: memory_in_child(k, args.epochs, way) for k in sizes} for way in (ONE, JOBS)}
    one_process(sizes, args.repeats, args.epochs, peaks[ONE])
    rates, totals = with_jobs(sizes, args.repeats, args.epochs, peaks[JOBS])
    busy, own, wall = (b - a for a, b in zip(before, cpu_seconds(), strict=True))
    print(f"  other processes kept {(busy - own) / wall:.2f} of the {os.cpu_count()} CPUs busy during the timings "
          f"(from /proc/stat; this benchmark used {own / wall:.2f})")
    if 1000 in rates:
        met = rates[1000] >= RATE_TARGET
        print(f"  target >= {RATE_TARGET:,} network-epochs/s at K = 1000 (nnlab sweep, start-up included): "
              f"{'met' if met else 'NOT met'} ({rates[1000]:,.0f})")
    if 10_000 in totals:
        print(f"  target K = 10,000 within 1 GiB (nnlab sweep, every process): "
              f"{'met' if totals[10_000] <= MEMORY_TARGET else 'NOT met'} (at most {totals[10_000] / 2**20:.1f} MiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
