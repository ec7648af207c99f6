#!/usr/bin/env python3
"""Nanoseconds per element of the NumPy passes a sweep's epoch is made of, in float64 and in float32, and the ratio:
what one pass over a float64 array costs against the same pass in float32 on this processor.

Why: an epoch of a sweep is a fixed number of such passes (Adam's twelve over the parameters, a hidden layer's few
over its activations), so its rate in either precision is about that count times these figures; the ratio says how
far the same passes in float64 can come to a float32 program's rate without fusing them (which needs a compiler).

The arrays hold 65,536 elements (keras-xor's 65 parameters x 1,000 members, 512 KiB in float64) and 4,096 (L1-sized);
each figure is the best of ``--repeats`` timings of as many calls as take about 0.2 s, the call's fixed cost
included (it is part of every pass too).

    python benchmarks/bench_elements.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

Array = np.ndarray

PASSES: dict[str, Callable[[Array, Array, Array], object]] = {
    "add (x + y)": lambda x, y, out: np.add(x, y, out=out),
    "multiply (x * y)": lambda x, y, out: np.multiply(x, y, out=out),
    "divide (x / y)": lambda x, y, out: np.divide(x, y, out=out),
    "sqrt": lambda x, y, out: np.sqrt(x, out=out),
    "maximum (relu)": lambda x, y, out: np.maximum(x, 0.0, out=out),
}


def ns_per_element(one_pass: Callable[[Array, Array, Array], object], n: int, dtype: type[np.floating],
                   repeats: int) -> float:
    """The best time of ``one_pass`` over ``n`` elements of ``dtype``, in nanoseconds an element."""
    rng = np.random.default_rng(0)
    x, y = (rng.uniform(0.5, 2.0, n).astype(dtype) for _ in range(2))
    out = np.empty_like(x)
    calls = max(20, int(0.2 / max(n * 2e-9, 1e-6)))
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            one_pass(x, y, out)
        best = min(best, (time.perf_counter() - start) / calls)
    return best / n * 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(f"ns per element, best of {args.repeats}; NumPy {np.__version__}")
    print(f"  {'pass':<18} {'n':>7} {'float64':>8} {'float32':>8} {'64/32':>6}")
    for name, one_pass in PASSES.items():
        for n in (65_536, 4_096):
            f64 = ns_per_element(one_pass, n, np.float64, args.repeats)
            f32 = ns_per_element(one_pass, n, np.float32, args.repeats)
            print(f"  {name:<18} {n:>7,} {f64:>8.3f} {f32:>8.3f} {f64 / f32:>6.2f}")


if __name__ == "__main__":
    main()
