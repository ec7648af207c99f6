#!/usr/bin/env python3
"""Processor time per epoch of a long sweep, window by window, with the optimizers' subnormal flush
(``lab.core.optim.flush_subnormal``, every ``FLUSH_EVERY`` steps) and without it (``--without``, the flush's period
set past the run), beside the count of subnormal values in the optimizer's state at the end of each window.

Why: a moment whose gradient is exactly zero (a dead relu unit) decays into the subnormal range and stays there,
where x86 processors compute slowly; keras-xor's sweeps slowed 2 to 4 times from about epoch 800 in float32 and
6,700 in float64. This shows the slow-down and that the flush removes it.

    python benchmarks/bench_subnormal.py [--precision float32] [--epochs 2000] [--window 200] [--seeds 1000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import lab.core.optim as optim
from lab.core.blas import blas_threads
from lab.core.recipes import recipe
from lab.core.sweep import Sweep


def subnormal_count(sweep: Sweep, tiny: float) -> int:
    """Subnormal values in every block's optimizer state (m, v, velocity) now."""
    count = 0
    for block in sweep.blocks:
        for optimizer in block.optimizers:
            for values in optimizer.state().values():
                if values.ndim:
                    count += int(np.count_nonzero((values != 0) & (np.abs(values) < tiny)))
    return count


def windows(precision: str, epochs: int, window: int, seeds: int) -> list[tuple[int, float, int]]:
    """(epochs done, processor µs per epoch over the window, subnormal values at its end) for each window."""
    # one epoch more than is stepped, so the last window's blocks are still there to count
    experiment = recipe("keras-xor").with_training(epochs=epochs + 1, precision=precision)
    tiny = float(np.finfo(precision).tiny)
    rows = []
    with blas_threads():
        sweep = Sweep(experiment, seeds, keep_history=False)
        done = 0
        while done < epochs:
            start = time.process_time()
            for _ in range(window):
                sweep.step()
            done += window
            rows.append((done, (time.process_time() - start) / window * 1e6, subnormal_count(sweep, tiny)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--precision", default="float32", choices=["float32", "float64"])
    parser.add_argument("--epochs", type=int, default=2000)
    parser.add_argument("--window", type=int, default=200)
    parser.add_argument("--seeds", type=int, default=1000)
    parser.add_argument("--without", action="store_true", help="run without the flush too, side by side")
    args = parser.parse_args()
    runs = {"flushed": windows(args.precision, args.epochs, args.window, args.seeds)}
    if args.without:
        every = optim.FLUSH_EVERY
        optim.FLUSH_EVERY = 1 << 62  # never within the run
        try:
            runs["not flushed"] = windows(args.precision, args.epochs, args.window, args.seeds)
        finally:
            optim.FLUSH_EVERY = every
    print(f"keras-xor, {args.seeds} seeds, {args.precision}, processor µs per epoch (subnormal moments at the end)")
    print("epochs  " + "  ".join(f"{name:>22}" for name in runs))
    for i, (done, *_rest) in enumerate(runs["flushed"]):
        cells = [f"{rows[i][1]:10.1f} ({rows[i][2]:>7,})" for rows in runs.values()]
        print(f"{done:6,}  " + "  ".join(f"{cell:>22}" for cell in cells))
    for name, rows in runs.items():
        total = sum(us for _, us, _ in rows) / len(rows)
        print(f"{name}: {total:.1f} µs per epoch over the run, {args.seeds / total:.2f} M network-epochs/s")


if __name__ == "__main__":
    main()
