#!/usr/bin/env python3
"""The biggest network nnlab allows: milliseconds per epoch of 8-input parity (all 256 rows) through 8 hidden layers
of 64 relu units, full batch, mse, Adam lr 0.001, float64, against a PyTorch loop on one thread, on an idle and on
a busy machine, and what more BLAS threads would do.

Rows:

- ``nnlab Trainer``: ``Trainer.run`` as ``nnlab train`` and the lab run it (one BLAS thread: ``lab.core.blas``).
- ``NumPy, N BLAS threads``: the same epoch (the trainer's own forward and backward, ``lab.core.nn``, and Adam) with
  BLAS allowed N threads, to show what the one-thread rule costs or saves (N = 1 and the usable CPUs).
- ``PyTorch, 1 thread``: ``nn.Sequential`` of the same layers, ``MSELoss``, ``torch.optim.Adam(eps=1e-7)``, float64,
  ``torch.set_num_threads(1)``, loss and accuracy every epoch. Skipped, saying so, without torch.

Each is timed on the machine as it is ("idle": nothing of this script running besides) and again while one
busy-looping process per usable CPU runs ("busy"), as when other programs, or the lab's own interface, want the
cores. Wall-clock milliseconds per epoch, best of ``--repeats`` runs of ``--epochs`` epochs, and the processor
milliseconds the process spent per epoch (which a share of the cores does not inflate, but spinning threads do).
The machine is shared: when others are working, "idle" is not idle; say so beside any figure.

    python benchmarks/bench_deep.py [--epochs 100] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from lab.core.experiment import Architecture, Experiment, Layer, Training  # noqa: E402
from lab.core.gates import table_from_expression  # noqa: E402
from lab.core.nn import Network  # noqa: E402
from lab.core.optim import OPTIMIZERS  # noqa: E402
from lab.core.sweep_jobs import usable_cpus  # noqa: E402
from lab.core.train import Trainer  # noqa: E402

PARITY8 = table_from_expression("a ^ b ^ c ^ d ^ e ^ f ^ g ^ h", name="parity8")


def experiment(epochs: int) -> Experiment:
    return Experiment(PARITY8, Architecture((Layer(64, "relu"),) * 8), Training(epochs=epochs))


def best_ms(run: Callable[[], None], epochs: int, repeats: int) -> tuple[float, float]:
    """The best wall-clock milliseconds per epoch over ``repeats`` calls of ``run`` (each ``epochs`` epochs), and
    the processor milliseconds per epoch of that call (every thread of this process: BLAS threads that spin waiting
    for a core count here)."""
    best = (float("inf"), float("inf"))
    for _ in range(repeats):
        start, cpu = time.perf_counter(), time.process_time()
        run()
        best = min(best, ((time.perf_counter() - start) / epochs, (time.process_time() - cpu) / epochs))
    return best[0] * 1e3, best[1] * 1e3


def nnlab_trainer(epochs: int) -> Callable[[], None]:
    def run() -> None:
        Trainer(experiment(epochs)).run()
    return run


def numpy_epochs(epochs: int, threads: int) -> Callable[[], None]:
    """The trainer's maths (``Network.forward_trace``, the loss's gradient, ``Network.backward``, Adam) for
    ``epochs`` epochs with BLAS allowed ``threads`` threads."""
    exp = experiment(epochs)
    x, t = PARITY8.inputs, PARITY8.targets

    def run() -> None:
        net = Network.initialise(exp.shape, "glorot_uniform", np.random.default_rng(0))
        adam = OPTIMIZERS["adam"](exp.shape.n_params)
        with threadpool_limits(threads, user_api="blas"):
            for _ in range(epochs):
                zs, acts = net.forward_trace(x)
                y = acts[-1]
                dz = 2 * (y - t) * y * (1 - y) / y.size
                net.backward(zs, acts, dz)
                adam.step(net.theta, net.grad, 0.001)
                float(np.mean((y - t) ** 2)), float(np.mean((y > 0.5) == (t > 0.5)))
    return run


def torch_epochs(epochs: int) -> Callable[[], None] | None:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    x = torch.tensor(PARITY8.inputs, dtype=torch.float64)
    t = torch.tensor(PARITY8.targets, dtype=torch.float64)

    def run() -> None:
        torch.manual_seed(0)
        layers: list[torch.nn.Module] = []
        width = 8
        for _ in range(8):
            layers += [torch.nn.Linear(width, 64, dtype=torch.float64), torch.nn.ReLU()]
            width = 64
        model = torch.nn.Sequential(*layers, torch.nn.Linear(64, 1, dtype=torch.float64), torch.nn.Sigmoid())
        optimizer = torch.optim.Adam(model.parameters(), lr=0.001, eps=1e-7)
        loss_fn = torch.nn.MSELoss()
        for _ in range(epochs):
            optimizer.zero_grad()
            y = model(x)
            loss = loss_fn(y, t)
            loss.backward()
            optimizer.step()
            float(loss.detach()), float(((y.detach() > 0.5) == (t > 0.5)).double().mean())
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    cpus = usable_cpus()
    rows: dict[str, Callable[[], None] | None] = {
        "nnlab Trainer (1 BLAS thread)": nnlab_trainer(args.epochs),
        "NumPy, 1 BLAS thread": numpy_epochs(args.epochs, 1),
        f"NumPy, {cpus} BLAS threads": numpy_epochs(args.epochs, cpus),
        "PyTorch, 1 thread": torch_epochs(args.epochs),
    }
    print(f"8-input parity, 256 rows, 8 x 64 relu, full batch, Adam, float64: ms per epoch, best of {args.repeats} x "
          f"{args.epochs} epochs; {cpus} usable CPUs; load average now {os.getloadavg()[0]:.1f} (shared machine)")
    figures: dict[str, list[tuple[float, float] | None]] = {name: [] for name in rows}
    for state in ("idle", "busy"):
        hogs = [] if state == "idle" else [subprocess.Popen([sys.executable, "-c", "while True: pass"])
                                           for _ in range(cpus)]
        try:
            for name, run in rows.items():
                figures[name].append(None if run is None else best_ms(run, args.epochs, args.repeats))
        finally:
            for hog in hogs:
                hog.kill()
                hog.wait()
    print(f"  {'':<32} {'wall: idle':>10} {'busy':>8} {'busy/idle':>9}   {'CPU: idle':>9} {'busy':>8} "
          f"{'busy/idle':>9}")
    for name, (idle, busy) in figures.items():
        if idle is None or busy is None:
            print(f"  {name:<32} skipped: PyTorch is not installed")
            continue
        print(f"  {name:<32} {idle[0]:>10.2f} {busy[0]:>8.2f} {busy[0] / idle[0]:>9.2f}   {idle[1]:>9.2f} "
              f"{busy[1]:>8.2f} {busy[1] / idle[1]:>9.2f}")


if __name__ == "__main__":
    main()
