#!/usr/bin/env python3
"""Processor time per epoch of a sweep, in one process: the five sweeps of ``nnlab tune``'s 5 x 5 grid (keras-xor
with one hidden layer of 2, 4, 8, 16 or 32 relu units, each 5 learning rates x 100 seeds = 500 members trained as one
sweep, as ``lab.core.tune`` batches them) and keras-xor at K = 100 and K = 1,000, every one for 1,000 epochs.

Processor time (``time.process_time``) of ``Sweep.run`` alone, the best of the repeats: on a shared machine it is
disturbed far less than the clock (the figures still move by 5-10% under load). Drawing the networks is timed apart.
The sum of the five sweeps is the processor time the grid's training costs; on two cores the grid's wall time is
about its start-up plus the busier worker's share (the 32-unit sweep and the 2-unit one, scheduled largest first).

To compare two versions of the code, run it against each, one after the other, a few times (the figures of one run
are only comparable with those of a run made at the same load)::

    git archive COMMIT lab | tar -x -C /tmp/before
    PYTHONPATH=/tmp/before python benchmarks/bench_epoch.py; PYTHONPATH=. python benchmarks/bench_epoch.py

    python benchmarks/bench_epoch.py [--repeats 3] [--epochs 1000]
"""

from __future__ import annotations

import argparse
import os
import time

from lab.core.blas import blas_threads
from lab.core.experiment import Experiment, Layer
from lab.core.recipes import recipe
from lab.core.sweep import Sweep

RATES = (0.001, 0.003, 0.01, 0.03, 0.1)  # the grid's learning rates
UNITS = (2, 4, 8, 16, 32)  # the grid's hidden units


def timed(experiment: Experiment, seeds: list[int], lrs: list[float] | None, repeats: int) -> tuple[float, float]:
    """The best processor seconds of drawing the sweep and of ``Sweep.run`` without history."""
    draw = run = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        sweep = Sweep(experiment, seeds, keep_history=False, lrs=lrs)
        middle = time.process_time()
        sweep.run()
        draw, run = min(draw, middle - start), min(run, time.process_time() - middle)
    return draw, run


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--epochs", type=int, default=1000)
    args = p.parse_args()
    keras = recipe("keras-xor").with_training(epochs=args.epochs)
    print(f"processor time of Sweep.run, best of {args.repeats}, {args.epochs:,} epochs, one process; "
          f"load average {os.getloadavg()[0]:.1f} at the start")
    total = 0.0
    with blas_threads():
        for units in UNITS:
            experiment = keras.with_architecture(layers=(Layer(units, "relu"),))
            draw, run = timed(experiment, list(range(100)) * len(RATES), [lr for lr in RATES for _ in range(100)],
                              args.repeats)
            total += run
            print(f"  tune batch, {units:2d} units, 500 members: {run * 1e6 / args.epochs:6.1f} us an epoch "
                  f"({run:.3f} s; drawing {draw * 1e3:.1f} ms)")
        print(f"  the five batches: {total:.3f} s")
        for k in (100, 1000):
            _, run = timed(keras, list(range(k)), None, args.repeats)
            print(f"  keras-xor K = {k:,}: {run * 1e6 / args.epochs:6.1f} us an epoch, "
                  f"{k * args.epochs / run / 1e6:.2f} M network-epochs/s of processor time")


if __name__ == "__main__":
    main()
