"""Hints that speak up when something worth understanding happens in a run (a divergence has its own message in the
app, with what to try): each a key (so the interface says it
once per occurrence), a title and one plain line saying what happened and what to try.

* ``bce-linear``: binary cross-entropy with a linear output, which is not a probability.
* ``dead-relu``: the loss has stalled while at least half of a relu layer's units are dead.
* ``one-neuron``: a network with no hidden layer has trained a while on a gate no straight line separates.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from lab.core.gates import TruthTable
from lab.core.inspect.units import dead_units
from lab.core.train import Trainer

STALL_WINDOW = 200  # epochs over which a loss that fell by less than STALL_DROP counts as stalled
STALL_DROP = 0.01
ONE_NEURON_AFTER = 100  # epochs a single neuron trains before the hint on an inseparable gate
PERCEPTRON_EPOCHS = 2000  # the separability test's passes; ample for up to 4 inputs (small integer weights)
MAX_SEPARABILITY_INPUTS = 4

Hint = tuple[str, str, str]


@lru_cache(maxsize=64)
def _separable(n_inputs: int, column: str, rows: tuple[int, ...]) -> bool:
    """Whether the rows ``rows`` of a table with output ``column`` can be split by one straight line (hyperplane):
    the perceptron rule, which converges exactly when they can, run for ``PERCEPTRON_EPOCHS`` passes."""
    x = np.array([[1.0, *((r >> (n_inputs - 1 - i)) & 1 for i in range(n_inputs))] for r in rows])
    t = np.array([1.0 if column[r] == "1" else -1.0 for r in rows])
    w = np.zeros(n_inputs + 1)
    for _ in range(PERCEPTRON_EPOCHS):
        wrong = False
        for xi, ti in zip(x, t, strict=True):
            if ti * (xi @ w) <= 0:
                w += ti * xi
                wrong = True
        if not wrong:
            return True
    return False


def linearly_separable(table: TruthTable) -> bool | None:
    """Whether every output of ``table`` over its training rows is split by one straight line; None when the
    table has more than ``MAX_SEPARABILITY_INPUTS`` inputs (not tested)."""
    if table.n_inputs > MAX_SEPARABILITY_INPUTS:
        return None
    rows = tuple(int(r) for r in table.train_rows)
    return all(_separable(table.n_inputs, c, rows) for c in table.columns)


def _stalled(loss: list[float]) -> bool:
    if len(loss) <= STALL_WINDOW:
        return False
    before, now = loss[-STALL_WINDOW - 1], loss[-1]
    return bool(np.isfinite(before) and np.isfinite(now) and before - now < STALL_DROP * abs(before))


def run_hints(trainer: Trainer) -> tuple[Hint, ...]:
    """The hints that hold for ``trainer`` now (cheap: one forward pass over the table at most)."""
    e = trainer.experiment
    out: list[Hint] = []
    if e.training.loss == "bce" and e.architecture.output_activation == "linear":
        out.append(("bce-linear", "bce with a linear output",
                    "bce reads each output as a probability, and a linear output can leave 0 to 1: choose a "
                    "sigmoid Output, or the mse loss."))
    unsolved = trainer.solved_epoch is None
    layers = e.architecture.layers
    if unsolved and any(l.activation == "relu" for l in layers) and _stalled(trainer.history.loss):
        with np.errstate(all="ignore"):
            _, acts = trainer.net.forward_trace(e.table.inputs[e.table.train_rows])
        for l, dead in enumerate(dead_units(acts, len(layers))):
            if layers[l].activation == "relu" and dead.sum() * 2 >= dead.size:
                out.append(("dead-relu", "Dead relu units",
                            f"The loss has stalled and {int(dead.sum())} of {dead.size} relu units in layer {l + 1} "
                            "are dead (0 on every row, so no gradient reaches them): try leaky_relu (c on the "
                            "layer), another seed (N) or a smaller learning rate."))
                break
    if not layers and unsolved and trainer.epoch >= ONE_NEURON_AFTER and linearly_separable(e.table) is False:
        out.append(("one-neuron", "One neuron, one line",
                    "A network with no hidden layer splits the inputs with one straight line, and no straight line "
                    "separates this gate's 1s from its 0s: add a hidden layer (a in the Architecture pane)."))
    return tuple(out)
