#!/usr/bin/env python3
"""float32 against float64 for sweeps and searches: does training in float32 keep the results right, and how much
faster is it?

For each case (every recipe, and each recipe's network on harder gates: parity3, parity4, full-adder, mux2, with
Adam and with SGD), K seeds train in one process in both precisions (``Sweep``, ``training.precision``), and the
script prints each case's speed in both, the share of seeds whose solved epoch (0 for never) is the same, and the
success rates. The bar (issue 27): over every case, each seed's solved epoch equal to float64's for at least 99% of
seeds, and the success rates within one seed in a hundred. It also checks, for the first ``--trainer`` seeds of
each case, that ``nnlab train --seed k --precision float32`` (``Trainer``) gives member k's solved epoch and status.

    python benchmarks/bench_precision.py [--seeds 1000] [--epochs 1000] [--trainer 20]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lab.core.blas import blas_threads  # noqa: E402
from lab.core.experiment import Experiment  # noqa: E402
from lab.core.gates import preset  # noqa: E402
from lab.core.recipes import RECIPES, recipe  # noqa: E402
from lab.core.sweep import Sweep  # noqa: E402
from lab.core.train import Trainer  # noqa: E402

AGREEMENT = 0.99  # each seed's solved epoch equal to float64's for at least this share of seeds
RATE_GAP = 0.01  # success rates within this


def cases(epochs: int) -> dict[str, Experiment]:
    """The recipes as they are, and keras-xor's and keras-xor-deeper's networks on harder gates."""
    out = {name: recipe(name).with_training(epochs=epochs) for name in RECIPES}
    for gate in ("parity3", "parity4", "full-adder", "mux2"):
        for name in ("keras-xor", "keras-xor-deeper"):
            out[f"{name} on {gate}"] = recipe(name).with_table(preset(gate)).with_training(epochs=epochs)
    out["keras-xor, sgd lr 0.5"] = recipe("keras-xor").with_training(epochs=epochs, optimizer="sgd", lr=0.5)
    out["keras-xor, batch 2, lr 0.01"] = recipe("keras-xor").with_training(epochs=epochs, batch_size=2, lr=0.01)
    return out


def timed(experiment: Experiment, seeds: int) -> tuple[float, Sweep]:
    started = time.perf_counter()
    sweep = Sweep(experiment, seeds, keep_history=False)
    sweep.run()
    return time.perf_counter() - started, sweep


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=1000)
    parser.add_argument("--trainer", type=int, default=20, help="seeds per case checked against nnlab train")
    args = parser.parse_args()
    print(f"float32 against float64: {args.seeds} seeds x {args.epochs} epochs per case, one process, "
          "M network-epochs/s (the machine is shared: speeds vary)")
    print(f"  {'case':<34} {'f64':>6} {'f32':>6} {'same solved epoch':>18} {'success f64':>11} {'f32':>6} "
          f"{'train = member':>14}")
    total = same = 0
    worst_gap = 0.0
    trained = reproduced = 0
    with blas_threads():
        for name, experiment in cases(args.epochs).items():
            t64, s64 = timed(experiment, args.seeds)
            f32 = experiment.with_training(precision="float32")
            t32, s32 = timed(f32, args.seeds)
            agree = int(np.count_nonzero(s64.solved_epoch == s32.solved_epoch))
            total, same = total + args.seeds, same + agree
            gap = abs(s64.solved - s32.solved) / args.seeds
            worst_gap = max(worst_gap, gap)
            ok = 0
            for k in range(min(args.trainer, args.seeds)):
                trainer = Trainer(f32.with_training(seed=int(s32.seeds[k])))
                trainer.run()
                ok += (trainer.solved_epoch or 0) == s32.solved_epoch[k] and trainer.status == s32.status(k)
            trained, reproduced = trained + min(args.trainer, args.seeds), reproduced + ok
            rate = args.seeds * args.epochs / 1e6
            print(f"  {name:<34} {rate / t64:>6.2f} {rate / t32:>6.2f} {agree / args.seeds:>17.1%} "
                  f"{s64.solved / args.seeds:>11.1%} {s32.solved / args.seeds:>6.1%} "
                  f"{f'{ok}/{min(args.trainer, args.seeds)}':>14}")
    met = same / total >= AGREEMENT and worst_gap <= RATE_GAP
    print(f"over every case: solved epoch the same for {same / total:.2%} of seeds (bar {AGREEMENT:.0%}); success "
          f"rates at most {worst_gap:.1%} apart (bar {RATE_GAP:.0%}); nnlab train --precision float32 gave the "
          f"member's solved epoch and status for {reproduced}/{trained}: {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
