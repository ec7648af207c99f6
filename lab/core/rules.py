"""The rules of a run, written once for one network and for a stack of K: which rows are right, when a run ends and
in which state, which weights a diverged run keeps, that there must be a row to train on, and the run loop.

Shapes: ``y`` and targets ``t`` are (n, o) for one network or (n, o, K) for K (targets then (n, o, 1), shared);
per-run values are Python numbers for one network and (K,) arrays for K, and the rules are elementwise either way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from lab.core.errors import LabError
from lab.core.experiment import StopRule
from lab.core.gates import TruthTable
from lab.core.losses import ones

Array = np.ndarray
THRESHOLD = 0.5
"""The one rule for "right", everywhere (the table, its marks, every accuracy, the solved epoch, the held-out rows,
``nnlab train``'s table and the lessons): Keras' binary accuracy. An output ``y`` is read as class 1 when
``y > THRESHOLD`` and as class 0 otherwise, so an output of exactly 0.5 is class 0 (right for a target 0, wrong for
a target 1). A nan output is no answer and is wrong for either target (Keras would read it as 0)."""
# Below this size no weight can overflow a forward pass of inputs in [0, 1]: at most 9 dense layers of at most 64
# units and a bias, so |z| <= (65 * 1e30) ** 9, about 2e286, below the largest float, 1.8e308. The trainers check the
# outputs of every row after an epoch only when the weights' sum of squares reaches SAFE_WEIGHT ** 2.
SAFE_WEIGHT = 1e30
SAFE_SQUARES = SAFE_WEIGHT**2  # the sum of squares below which every weight is finite and safe

# Run states. READY: nothing run yet or more to run. The rest end a run, in this order of precedence.
READY, SOLVED, BUDGET, LOSS_REACHED, DIVERGED = "ready", "solved", "budget", "loss-reached", "diverged"


def require_training_rows(rows: TruthTable | int) -> None:
    """The one rule about held-out rows that stops training: at least one row must be left to train on.

    Args:
        rows: a table, or how many of its rows are trained on.

    Raises:
        LabError: when every row is held out.
    """
    if not (rows if isinstance(rows, int) else len(rows.train_rows)):
        raise LabError("every row is held out: keep at least one row to train on")


# --- right rows --------------------------------------------------------------------------------------------------
def sides(t: Array, dtype: type[np.floating] = np.float64) -> tuple[Array, Array]:
    """For targets ``t`` (0 or 1 each, any shape): ``sign`` +1 for a 1 and -1 for a 0, and ``cut`` +0.5 for a 1 and
    minus the least ``dtype`` float above 0.5 for a 0, both as ``dtype`` (the outputs' type). An output ``y`` is right
    exactly when ``y * sign > cut``: ``y > 0.5`` for a 1, ``y <= 0.5`` for a 0 (``-y > -above``; no float of the type
    lies between 0.5 and ``above``, and negation is exact), nan for neither: the rule of ``THRESHOLD`` in one
    comparison. The cut is worked out in the outputs' own type: float64's least float above 0.5 rounds to 0.5 in
    float32, which would make an output of exactly 0.5 wrong for a 0."""
    one = np.asarray(t) > THRESHOLD
    above = np.nextafter(dtype(THRESHOLD), dtype(1.0))
    return (np.where(one, dtype(1.0), dtype(-1.0)).astype(dtype),
            np.where(one, dtype(THRESHOLD), -above).astype(dtype))


def right(y: Array | float, t: Array | float) -> Array:
    """Whether each output ``y`` is right for its target ``t`` (``THRESHOLD``'s rule: class 1 when y > 0.5, so
    exactly 0.5 is right for a 0; nan is never right). Any shapes that broadcast; a bool array. The one rule for
    training and held-out rows (``Targets.right`` counts it with ``sides`` worked out once), the truth table's marks
    and the Karnaugh maps."""
    sign, cut = sides(np.asarray(t))
    return np.greater(np.multiply(y, sign), cut)


@dataclass(frozen=True, slots=True)
class Targets:
    """Targets and what counts as right for them (``THRESHOLD``'s rule, Keras' binary accuracy): ``y > 0.5`` for a 1
    and ``y <= 0.5`` for a 0, so an output of exactly 0.5 is class 0; nan is wrong. Computed as ``y * sign > cut``
    (see ``sides``), one comparison whichever the target.

    Attributes:
        t: the targets, (n, o) or (n, o, 1) to broadcast over a stack.
        sign, cut: +1 / -1 and +0.5 / minus the least float above 0.5 per target, shaped as ``t``, of the outputs' type.
        n: the number of rows.
        ones: n ones, to count right rows by one product.
    """

    t: Array
    sign: Array
    cut: Array
    n: int
    ones: Array

    @classmethod
    def of(cls, t: Array, dtype: type[np.floating] = np.float64) -> Targets:
        """Targets ``t`` (0 or 1 each), as ``dtype`` (the outputs' type, float64 or float32)."""
        t = np.ascontiguousarray(t, dtype=dtype)
        sign, cut = sides(t, dtype)
        return cls(t, sign, cut, t.shape[0], ones(t.shape[0]))

    def right(self, y: Array) -> Array | float:
        """How many rows have every output right (``right``): a float for y (n, o), (K,) floats for (n, o, K) (whole
        numbers, exact in float64; accuracy is this over ``n``)."""
        right = np.greater(np.multiply(y, self.sign), self.cut)
        rows = right if right.shape[1] == 1 else right.all(axis=1, keepdims=True)  # (n, 1[, K])
        return float(np.count_nonzero(rows)) if y.ndim == 2 else self.ones @ rows[:, 0]


def row_accuracy(y: Array, t: Array) -> float:
    """Fraction of rows whose every output is right against targets ``t`` (see ``Targets``); nan when n is 0."""
    if y.shape[0] == 0:
        return float("nan")
    return float(np.mean(np.all(right(y, t), axis=1)))


# --- when a run ends ---------------------------------------------------------------------------------------------
def endings(rule: StopRule, budget: int, epochs_run: Array | int, solved_epoch: Array | int,
            diverged_epoch: Array | int, last_loss: Array | float) -> tuple[Array | bool, ...]:
    """Whether each reason to end holds, in the order of ``ENDINGS``: diverged, the stop rule ``solved`` fired, the
    stop rule ``loss<X`` fired on the latest loss, the budget is spent. Epochs are 0 for none; ``last_loss`` nan
    before the first epoch. Scalars for one run, (K,) masks for K."""
    return (diverged_epoch > 0,
            (solved_epoch > 0) if rule.kind == "solved" else False,
            (last_loss < rule.threshold) if rule.kind == "loss" else False,
            epochs_run >= budget)


ENDINGS = (DIVERGED, SOLVED, LOSS_REACHED, BUDGET)


def status(reasons: Sequence[Array | bool]) -> Array | str:
    """The run state from ``endings``: the first reason that holds, else READY; a string for one run, (K,) for K."""
    if np.ndim(reasons[0]) == 0:
        return next((state for state, holds in zip(ENDINGS, reasons, strict=True) if holds), READY)
    shape = np.shape(reasons[0])
    return np.select([np.broadcast_to(holds, shape) for holds in reasons], list(ENDINGS), READY)


def ended(rule: StopRule, budget: int, epochs_run: Array | int, solved_epoch: Array | int,
          diverged_epoch: Array | int, last_loss: Array | float) -> Array | bool:
    """Whether the run has ended: any of ``endings`` holds (the same arguments)."""
    diverged, solved, loss, spent = endings(rule, budget, epochs_run, solved_epoch, diverged_epoch, last_loss)
    return diverged | solved | loss | spent


# --- divergence ----------------------------------------------------------------------------------------------------
def squares(theta: Array) -> Array:
    """Each network's sum of squared parameters: theta (P,) -> float, (P, K) -> (K,). Finite and below
    SAFE_WEIGHT ** 2 means every parameter is finite and no forward pass can overflow; one fast pass."""
    return theta.dot(theta) if theta.ndim == 1 else np.einsum("pk,pk->k", theta, theta)


def not_finite(theta: Array, sums: Array) -> Array | bool:
    """Which networks hold an inf or nan parameter, given their ``squares``: only those whose sum is not finite
    (a sum can overflow with finite weights) are looked at. A bool for (P,), (K,) for (P, K)."""
    suspect = ~np.isfinite(sums)
    if theta.ndim == 1:
        return bool(suspect) and not np.isfinite(theta).all()
    bad = np.zeros_like(suspect)
    columns = np.flatnonzero(suspect)
    bad[columns] = ~np.isfinite(theta[:, columns]).all(axis=0)
    return bad


def finite_fallback(outputs: Callable[[Array], Array], candidates: Sequence[Array]) -> int:
    """Which weights a diverged run keeps: the index of the first of ``candidates`` (the weights now, before the
    latest update, at the start of the epoch) whose ``outputs`` on every row of the table are finite (a large finite
    weight can still overflow a forward pass), else the last."""
    with np.errstate(all="ignore"):
        for i, theta in enumerate(candidates):
            if np.isfinite(outputs(theta)).all():
                return i
    return len(candidates) - 1


# --- the run loop --------------------------------------------------------------------------------------------------
def run_epochs(step: Callable[[], bool], done: Callable[[], bool], epochs: int,
               should_stop: Callable[[], bool] | None = None, on_epoch: Callable[[], None] | None = None) -> int:
    """Step until ``done()``, ``epochs`` have run, ``should_stop()`` (polled before every epoch) is true, or a step
    returns False (an epoch that did not count); ``on_epoch()`` follows every epoch that counted.

    Returns:
        The number of epochs that counted.
    """
    ran = 0
    while ran < epochs and not done():
        if should_stop is not None and should_stop():
            break
        if not step():
            break
        ran += 1
        if on_epoch is not None:
            on_epoch()
    return ran
