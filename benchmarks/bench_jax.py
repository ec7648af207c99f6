#!/usr/bin/env python3
"""Optional: network-epochs per second of nnlab's batched sweep (NumPy) against the same training written in JAX
(``jax.vmap`` over the members of a ``jax.lax.scan`` of the whole run, compiled by XLA, on the CPU), in float64 and
in float32, measured side by side in one run, with their ratios.

The training: keras-xor (2 -> 16 relu -> 1 sigmoid, mse, Adam lr 0.001, full batch, Glorot-uniform weights from each
seed's NumPy generator, as nnlab draws them), K members for 1,000 epochs, no history. Both compute each epoch's loss
and accuracy and keep each member's solved epoch (the first with every row right), as a sweep does; JAX's program
does so inside the scan. Each precision is the same arithmetic on both sides (``training.precision`` for nnlab,
the arrays' dtype for JAX, with ``jax_enable_x64`` so float64 is float64); JAX's compile time is reported apart and
left out of its speed.

JAX is not a dependency of nnlab. To run this: ``pip install jax jaxlib`` (CPU). Without JAX it says so and exits.

    python benchmarks/bench_jax.py [--seeds 1000] [--epochs 1000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import sys
import time

from lab.core.blas import blas_threads
from lab.core.recipes import recipe
from lab.core.sweep import Sweep


def numpy_rate(seeds: int, epochs: int, repeats: int, precision: str) -> float:
    """The best network-epochs per second of ``Sweep.run`` without history, in ``precision``."""
    experiment = recipe("keras-xor").with_training(epochs=epochs, precision=precision)
    best = 0.0
    with blas_threads():
        for _ in range(repeats):
            sweep = Sweep(experiment, seeds, keep_history=False)
            start = time.perf_counter()
            sweep.run()
            best = max(best, seeds * epochs / (time.perf_counter() - start))
    return best


def jax_rate(seeds: int, epochs: int, repeats: int, precision: str) -> tuple[float, float]:
    """The best network-epochs per second of the JAX program in ``precision``, and its compile seconds."""
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    experiment = recipe("keras-xor").with_training(precision=precision)
    sweep = Sweep(experiment, seeds, keep_history=False)  # the same initial weights nnlab draws
    dtype = experiment.dtype
    theta = jnp.asarray(sweep.weights(), dtype=dtype)  # (K, P): W1 (2x16) + b1, W2 (16x1) + b2, as Network.theta
    x = jnp.asarray(experiment.table.inputs, dtype=dtype)
    t = jnp.asarray(experiment.table.targets, dtype=dtype)
    lr, b1, b2, eps = 0.001, 0.9, 0.999, 1e-7

    def loss(p):
        w1, c1 = p[:32].reshape(2, 16), p[32:48]
        w2, c2 = p[48:64].reshape(16, 1), p[64:65]
        y = jax.nn.sigmoid(jax.nn.relu(x @ w1 + c1) @ w2 + c2)
        return jnp.mean((y - t) ** 2), y

    both = jax.value_and_grad(loss, has_aux=True)

    def step(state, i):
        p, m, v, solved = state
        (value, y), g = both(p)
        accuracy = jnp.mean(jnp.all((y > 0.5) == (t > 0.5), axis=1))  # every row right: solved this epoch
        solved = jnp.where((solved == 0) & (accuracy == 1.0), i + 1, solved)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        k = i + 1.0
        p = p - lr * (m / (1 - b1**k)) / (jnp.sqrt(v / (1 - b2**k)) + eps)
        return (p, m, v, solved), value

    def train(p):
        start = (p, jnp.zeros_like(p), jnp.zeros_like(p), jnp.asarray(0, p.dtype))
        (p, _, _, solved), losses = jax.lax.scan(step, start, jnp.arange(epochs, dtype=p.dtype))
        return p, solved, losses[-1]

    run = jax.jit(jax.vmap(train))
    start = time.perf_counter()
    jax.block_until_ready(run(theta))
    compile_s = time.perf_counter() - start
    best = 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        jax.block_until_ready(run(theta))
        best = max(best, seeds * epochs / (time.perf_counter() - start))
    return best, compile_s


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=1000)
    p.add_argument("--epochs", type=int, default=1000)
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args()
    try:
        import jax  # noqa: F401
    except ImportError:
        print("bench_jax: JAX is not installed (it is not a dependency of nnlab); to compare, run "
              "'pip install jax jaxlib' and try again.")
        return
    print(f"keras-xor, K = {args.seeds:,}, {args.epochs:,} epochs, best of {args.repeats}, one process, M "
          "network-epochs/s (the machine is shared: figures vary)")
    for precision in ("float64", "float32"):
        ours = numpy_rate(args.seeds, args.epochs, args.repeats, precision)
        theirs, compile_s = jax_rate(args.seeds, args.epochs, args.repeats, precision)
        print(f"  {precision}: nnlab Sweep (NumPy) {ours / 1e6:.2f} · JAX vmap(scan) (XLA) {theirs / 1e6:.2f} "
              f"(compile {compile_s:.1f} s, not counted) · nnlab / JAX {ours / theirs:.2f}")


if __name__ == "__main__":
    sys.exit(main())
