#!/usr/bin/env python3
"""Would a mixed precision keep float64's solved epochs? An experiment behind docs/performance.md's float32 section.

keras-xor's network (inputs -> 16 relu -> outputs sigmoid, mse, Adam in Keras' form, lr 0.001, full batch, nnlab's
Glorot draw of each seed) on a gate, trained three ways by one small loop written here: float64 throughout;
float32 throughout; and mixed, the forward and backward passes in float32 from the weights rounded each epoch, the
weights and Adam's moments kept and updated in float64. For each seed, the first epoch with every row right
(Keras' rule, exactly 0.5 a 0, in the passes' own precision); the script prints the share of seeds whose solved
epoch is float64's, as ``benchmarks/bench_precision.py`` does for nnlab's own float32 path (the bar: 99%).

    python benchmarks/bench_mixed_precision.py [--seeds 300] [--gates xor,parity3,parity4,full-adder,mux2]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lab.core.gates import preset  # noqa: E402
from lab.core.nn import Network  # noqa: E402
from lab.core.recipes import recipe  # noqa: E402

Array = np.ndarray
MODES = ("float64", "float32", "mixed")


def solved_epoch(x: Array, t: Array, layers: list[Array], mode: str, epochs: int = 1000, lr: float = 0.001) -> int:
    """The first epoch (1-based) whose outputs are right on every row, 0 for none within ``epochs``.

    Args:
        x: (n, i + 1) inputs with a column of ones; t: (n, o) targets.
        layers: [W1 (i + 1, 16) with b1 as its last row, W2 (17, o) with b2 as its last row], float64.
    """
    master = np.float64 if mode != "float32" else np.float32
    passes = np.float64 if mode == "float64" else np.float32
    theta = [w.astype(master) for w in layers]
    m = [np.zeros_like(w) for w in theta]
    v = [np.zeros_like(w) for w in theta]
    x, t, n = x.astype(passes), t.astype(passes), len(x)
    above = np.nextafter(passes(0.5), passes(1.0))
    ones = np.ones((n, 1), passes)
    for epoch in range(1, epochs + 1):
        w1, w2 = (w.astype(passes) for w in theta)
        z1 = x @ w1
        a1 = np.hstack([np.maximum(z1, 0), ones])
        y = 1 / (1 + np.exp(-(a1 @ w2)))
        if np.where(t > 0.5, y > 0.5, y < above).all():
            return epoch
        dz2 = (2 / n) * (y - t) * y * (1 - y)
        dz1 = (dz2 @ w2[:-1].T) * (z1 > 0)
        grads = [(x.T @ dz1).astype(master), (a1.T @ dz2).astype(master)]
        alpha = master(lr * np.sqrt(1 - 0.999**epoch) / (1 - 0.9**epoch))
        for i, g in enumerate(grads):
            m[i] += master(0.1) * (g - m[i])
            v[i] += master(0.001) * (g * g - v[i])
            theta[i] = theta[i] - alpha * m[i] / (np.sqrt(v[i]) + master(1e-7))
    return 0


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=300)
    p.add_argument("--gates", default="xor,parity3,parity4,full-adder,mux2")
    args = p.parse_args()
    print(f"keras-xor's network, {args.seeds} seeds, 1000 epochs: share of seeds whose solved epoch is float64's")
    print(f"  {'gate':12} {'float32':>8} {'mixed':>8}   solved: float64 float32 mixed")
    for gate in args.gates.split(","):
        experiment = recipe("keras-xor").with_table(preset(gate))
        table = experiment.table
        x = np.hstack([table.inputs, np.ones((len(table.inputs), 1))])
        epochs: dict[str, list[int]] = {mode: [] for mode in MODES}
        for seed in range(args.seeds):
            net = Network.initialise(experiment.shape, "glorot_uniform", np.random.default_rng(seed))
            layers = [np.vstack([net.params[f"W{l}"], net.params[f"b{l}"][None]]) for l in (1, 2)]
            for mode in MODES:
                epochs[mode].append(solved_epoch(x, table.targets, layers, mode))
        base = np.array(epochs["float64"])
        same = {mode: np.mean(np.array(epochs[mode]) == base) for mode in MODES[1:]}
        solved = " ".join(f"{np.count_nonzero(epochs[mode]):>7}" for mode in MODES)
        print(f"  {gate:12} {same['float32']:8.1%} {same['mixed']:8.1%}   {solved}")


if __name__ == "__main__":
    main()
