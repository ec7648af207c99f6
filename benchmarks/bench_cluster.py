#!/usr/bin/env python3
"""``nnlab tune --cluster`` on one Dask worker against two: the speed-up of a search big enough to need it.

A ``distributed.LocalCluster`` of worker processes (one thread each, as ``dask worker --nthreads 1`` starts them) on
this machine stands in for machines of a lab room: the same scheduler, workers and ``--cluster`` path, over TCP
on localhost. The search: keras-xor, one or two hidden layers of 2, 4, 8, 12, 16, 24, 32 or 48 relu units x
learning rates 0.01 and 0.1 x 300 seeds x 1,000 epochs (32 configurations in 16 batches of two learning rates, every
seed running the whole budget). Each
run is the command as a person types it, in a fresh interpreter (``python -m lab tune ... --cluster ADDRESS
--json``), timed from start to exit; the cluster is started before and is not counted. The JSON of every run must
be the same but for its seconds (checked). Skips, saying so, without Dask.

    python benchmarks/bench_cluster.py [--repeats 2] [--seeds 300] [--epochs 1000]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AXES = ["--recipe", "keras-xor", "--layers", "1,2", "--units", "2,4,8,12,16,24,32,48", "--lr", "0.01,0.1"]


def without_seconds(report: dict) -> dict:
    """A ``--json`` report less its timings."""
    report = dict(report, seconds=None)
    for c in [*report["configurations"], report["best"]]:
        c["seconds"] = None
    return report


def run(address: str, seeds: int, epochs: int) -> tuple[float, dict]:
    """One ``nnlab tune --cluster`` in a fresh interpreter: its wall seconds and its JSON."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    argv = [sys.executable, "-m", "lab", "tune", *AXES, "--seeds", str(seeds), "--epochs", str(epochs),
            "--json", "--cluster", address]
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=3600, check=True)
    return time.perf_counter() - started, without_seconds(json.loads(done.stdout))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--seeds", type=int, default=300)
    parser.add_argument("--epochs", type=int, default=1000)
    args = parser.parse_args()
    try:
        import distributed
    except ImportError:
        print("skipped: Dask distributed is not installed (pip install \"neural-gate-lab[cluster]\")")
        return
    logging.getLogger("distributed").setLevel(logging.CRITICAL)  # the cluster's own chatter as it closes
    print(f"nnlab tune --cluster: 32 keras-xor configurations x {args.seeds} seeds x {args.epochs:,} epochs, "
          f"{os.cpu_count()} CPUs here (shared: figures vary)")
    reports, best = [], {}
    for workers in (1, 2):
        with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                      dashboard_address=None) as cluster:
            times = []
            for _ in range(args.repeats):
                seconds, report = run(cluster.scheduler_address, args.seeds, args.epochs)
                times.append(seconds)
                reports.append(report)
        best[workers] = min(times)
        print(f"  {workers} worker{'s' if workers > 1 else ' '}: " + ", ".join(f"{t:.2f}" for t in times)
              + f" s (best {best[workers]:.2f} s)")
    same = all(r == reports[0] for r in reports)
    print(f"  speed-up, 1 -> 2 workers (best runs): {best[1] / best[2]:.2f}x · every run's numbers the same: {same}")
    if not same:
        sys.exit("the cluster runs disagree")


if __name__ == "__main__":
    main()
