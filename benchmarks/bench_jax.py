#!/usr/bin/env python3
"""Optional: network-epochs per second of nnlab's batched sweep (NumPy, float64) against the same training written in
JAX (``jax.vmap`` over the members of a ``jax.lax.scan`` of the whole run, compiled by XLA, on the CPU), measured
side by side in one run, with their ratio.

The training: keras-xor (2 -> 16 relu -> 1 sigmoid, mse, Adam lr 0.001, full batch, Glorot-uniform weights from each
seed's NumPy generator, as nnlab draws them), K members for 1,000 epochs, no history. JAX computes in float64 too
(``jax_enable_x64``), so both do the same arithmetic; JAX's compile time is reported apart and left out of its speed.

JAX is not a dependency of nnlab. To run this: ``pip install jax jaxlib`` (CPU). Without JAX it says so and exits.

    python benchmarks/bench_jax.py [--seeds 1000] [--epochs 1000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import sys
import time

from lab.core.recipes import recipe
from lab.core.sweep import Sweep


def numpy_rate(seeds: int, epochs: int, repeats: int) -> float:
    """The best network-epochs per second of ``Sweep.run`` without history."""
    experiment = recipe("keras-xor").with_training(epochs=epochs)
    best = 0.0
    for _ in range(repeats):
        sweep = Sweep(experiment, seeds, keep_history=False)
        start = time.perf_counter()
        sweep.run()
        best = max(best, seeds * epochs / (time.perf_counter() - start))
    return best


def jax_rate(seeds: int, epochs: int, repeats: int) -> tuple[float, float]:
    """The best network-epochs per second of the JAX program, and its compile seconds."""
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    experiment = recipe("keras-xor")
    sweep = Sweep(experiment, seeds, keep_history=False)  # the same initial weights nnlab draws
    theta = jnp.asarray(sweep.weights())  # (K, P): W1 (2x16) + b1 then W2 (16x1) + b2, as Network.theta lays out
    x = jnp.asarray(experiment.table.inputs)
    t = jnp.asarray(experiment.table.targets)
    lr, b1, b2, eps = 0.001, 0.9, 0.999, 1e-7

    def loss(p):
        w1, c1 = p[:32].reshape(2, 16), p[32:48]
        w2, c2 = p[48:64].reshape(16, 1), p[64:65]
        y = jax.nn.sigmoid(jax.nn.relu(x @ w1 + c1) @ w2 + c2)
        return jnp.mean((y - t) ** 2)

    grad = jax.grad(loss)

    def step(state, i):
        p, m, v = state
        g = grad(p)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        k = i + 1.0
        p = p - lr * (m / (1 - b1**k)) / (jnp.sqrt(v / (1 - b2**k)) + eps)
        return (p, m, v), None

    def train(p):
        (p, _, _), _ = jax.lax.scan(step, (p, jnp.zeros_like(p), jnp.zeros_like(p)), jnp.arange(epochs, dtype=p.dtype))
        return p

    run = jax.jit(jax.vmap(train))
    start = time.perf_counter()
    run(theta).block_until_ready()
    compile_s = time.perf_counter() - start
    best = 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        run(theta).block_until_ready()
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
    ours = numpy_rate(args.seeds, args.epochs, args.repeats)
    theirs, compile_s = jax_rate(args.seeds, args.epochs, args.repeats)
    print(f"keras-xor, K = {args.seeds:,}, {args.epochs:,} epochs, float64, best of {args.repeats}")
    print(f"  nnlab Sweep (NumPy):  {ours / 1e6:.2f} M network-epochs/s")
    print(f"  JAX vmap(scan) (XLA): {theirs / 1e6:.2f} M network-epochs/s (compile {compile_s:.1f} s, not counted)")
    print(f"  ratio nnlab / JAX:    {ours / theirs:.2f}")


if __name__ == "__main__":
    sys.exit(main())
