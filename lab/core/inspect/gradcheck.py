"""A gradient check of the network as it stands: backpropagation against centred differences, as cs231n teaches.

For every parameter theta_i checked (all of them, or ``samples`` drawn per parameter array), in float64 with
h = 1e-5::

    D(s)      = (L(theta + s e_i) - L(theta - s e_i)) / (2 s)       the centred difference with step s
    numeric_i = (4 D(h) - D(2 h)) / 3                               error O(h^4) instead of O(h^2)
    error_i   = |analytic_i - numeric_i| / max(|analytic_i| + |numeric_i|, 1e-12)

and the verdict on the worst error is ``ok`` below 1e-6, ``wrong`` above 1e-4 and ``suspicious`` between.

Why two steps: ``D(h)`` alone is off by about ``h^2 / 6`` times the loss's third derivative, some 1e-10 here. Near a
minimum a correct gradient is 1e-7 or less, so ``D(h)`` would read as a relative error of 1e-3 and a trained network
would look broken. Combining the two steps cancels that term (Richardson extrapolation, the five-point centred
stencil) for four forward passes per coordinate instead of two.

Two kinds of coordinate are left out and counted:

* kinks: where one of the four steps moves a relu or leaky_relu unit's pre-activation across 0 on some row (or, for
  binary cross-entropy after a non-sigmoid output, moves an output across the clip at eps or 1 - eps), the loss is
  not smooth over the step and a difference measures neither side's slope;
* round-off: where ``|analytic| + |numeric|`` is below ``max(NOISE_FLOOR, eps |L| / (h OK_BELOW))``. The loss is known
  to about ``eps |L|``, so a difference carries an absolute error near ``eps |L| / h``, which below that floor could
  alone read as ``suspicious``; ``NOISE_FLOOR`` (1e-7) covers round-off that does not scale with the loss (in the
  pre-activations). A dead relu's weights, whose gradients are exactly 0 both ways, fall here too.

Known limit: binary cross-entropy after a tanh or linear output, with outputs a hair inside the clip, curves so
sharply that even the five-point stencil can read ``suspicious`` (never ``wrong`` in our sweeps) on a correct
gradient.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from lab.core.errors import LabError
from lab.core.losses import BCE_EPSILON, LOSSES, Loss
from lab.core.nn import Network
from lab.core.train import Trainer

Array = np.ndarray
GradFn = Callable[[Network, Loss, Array, Array], Array]

H = 1e-5
TINY = 1e-12  # the relative error's denominator floor
OK_BELOW = 1e-6
WRONG_ABOVE = 1e-4
NOISE_FLOOR = 1e-7  # |analytic| + |numeric| below this is round-off, not checked
EPS = float(np.finfo(np.float64).eps)
KINKED = ("relu", "leaky_relu")
OK, SUSPICIOUS, WRONG, UNCHECKED = "ok", "suspicious", "wrong", "unchecked"


def backprop_grad(net: Network, loss: Loss, x: Array, t: Array) -> Array:
    """dL/dtheta (P,) by ``Network.forward_trace`` and ``Network.backward`` (fills ``net.grad``; returns a copy)."""
    zs, acts = net.forward_trace(x)
    return net.backward(zs, acts, loss.grad_z(zs[-1], acts[-1], t, net.acts[-1])).copy()


def verdict(worst: float, checked: int) -> str:
    """``ok`` / ``suspicious`` / ``wrong`` for the worst relative error (nan is wrong), ``unchecked`` when nothing
    was compared."""
    if not checked:
        return UNCHECKED
    return OK if worst < OK_BELOW else WRONG if not worst <= WRONG_ABOVE else SUSPICIOUS


@dataclass(frozen=True)
class ParamCheck:
    """The check of one parameter array (``W1``, ``b1``, ...).

    Attributes:
        name: the array's name in ``Network.params``.
        checked: coordinates compared.
        kinks: coordinates skipped because a step crosses a kink.
        below_noise: coordinates skipped because both gradients are below the round-off floor.
        worst: the largest relative error among those compared (0.0 when none were, nan when not finite).
        worst_index: where it is in the array (``(i, j)`` for W, ``(j,)`` for b), or None.
        analytic: the gradient under test there (nan when none were compared).
        numeric: the centred-difference estimate there (nan when none were compared).
    """

    name: str
    checked: int
    kinks: int
    below_noise: int
    worst: float
    worst_index: tuple[int, ...] | None
    analytic: float
    numeric: float

    @property
    def verdict(self) -> str:
        """This array's verdict (see ``verdict``)."""
        return verdict(self.worst, self.checked)


@dataclass(frozen=True)
class GradCheck:
    """A gradient check of a whole network.

    Attributes:
        params: one check per parameter array, in ``theta`` order (W1, b1, W2, b2, ...).
        loss: the loss at the weights checked.
        h: the step.
    """

    params: tuple[ParamCheck, ...]
    loss: float
    h: float

    @property
    def worst(self) -> float:
        """The largest relative error compared anywhere (nan when a gradient was not finite)."""
        return float(np.max([p.worst for p in self.params])) if self.params else 0.0

    @property
    def checked(self) -> int:
        """Coordinates compared."""
        return sum(p.checked for p in self.params)

    @property
    def kinks(self) -> int:
        """Coordinates skipped at a kink."""
        return sum(p.kinks for p in self.params)

    @property
    def below_noise(self) -> int:
        """Coordinates skipped as round-off."""
        return sum(p.below_noise for p in self.params)

    @property
    def verdict(self) -> str:
        """``ok``, ``suspicious``, ``wrong`` or ``unchecked`` for the whole network."""
        return verdict(self.worst, self.checked)


def _branches(net: Network, loss: Loss, zs: list[Array], acts: list[Array]) -> Array:
    """Which side of every kink each value is on, flattened: relu-like pre-activations ``z > 0``, and clipped
    binary cross-entropy outputs inside ``(eps, 1 - eps)``."""
    parts = [z > 0 for z, name in zip(zs, net.shape.activations, strict=True) if name in KINKED]
    if loss.name == "bce" and net.acts[-1].name != "sigmoid":
        parts += [acts[-1] > BCE_EPSILON, acts[-1] < 1.0 - BCE_EPSILON]
    return np.concatenate([p.ravel() for p in parts]) if parts else np.zeros(0, bool)


def _check_array(work: Network, loss: Loss, x: Array, t: Array, base: Array, flat: Array,
                 h: float) -> tuple[Array, Array, Array]:
    """The estimate ``(4 D(h) - D(2h)) / 3``, the round-off floor, and whether a step crosses a kink, for every
    index of ``flat`` into ``work.theta`` (which is restored)."""
    numeric = np.empty(flat.size)
    floor = np.empty(flat.size)
    kinked = np.zeros(flat.size, bool)
    for k, i in enumerate(flat):
        old = work.theta[i]
        values: list[float] = []
        for step in (h, -h, 2 * h, -2 * h):
            work.theta[i] = old + step
            zs, acts = work.forward_trace(x)
            values.append(float(loss.value(zs[-1], acts[-1], t, work.acts[-1])))
            kinked[k] |= bool(np.any(_branches(work, loss, zs, acts) != base))
        work.theta[i] = old
        d1 = (values[0] - values[1]) / (2 * h)
        d2 = (values[2] - values[3]) / (4 * h)
        numeric[k] = (4 * d1 - d2) / 3
        floor[k] = max(NOISE_FLOOR, EPS * max(abs(v) for v in values) / (h * OK_BELOW))
    return numeric, floor, kinked


def gradient_check(net: Network, loss: Loss | str, x: Array, t: Array, grad_fn: GradFn = backprop_grad,
                   samples: int | None = None, seed: int = 0, h: float = H) -> GradCheck:
    """Check ``grad_fn``'s gradient of ``loss`` on rows ``x``, ``t`` at ``net``'s weights against centred differences.

    Args:
        net: the network; only read (every evaluation runs on a copy).
        loss: a loss or its name in ``LOSSES``.
        x: inputs, (n, n_inputs), n >= 1.
        t: targets, (n, n_outputs).
        grad_fn: ``grad_fn(net, loss, x, t) -> (P,)``, the gradient under test, given a copy of the network;
            backpropagation by default.
        samples: check at most this many coordinates of each parameter array, drawn without replacement by
            ``seed``; None checks every one (each costs four forward passes).
        seed: seeds the draw.
        h: the step.

    Raises:
        LabError: when there are no rows.
    """
    x = np.asarray(x, dtype=np.float64)
    t = np.asarray(t, dtype=np.float64)
    if x.shape[0] == 0:
        raise LabError("a gradient check needs at least one training row; every row is held out")
    loss = LOSSES[loss] if isinstance(loss, str) else loss
    work = net.copy()
    rng = np.random.default_rng(seed)
    checks = []
    with np.errstate(all="ignore"):
        analytic = np.asarray(grad_fn(work.copy(), loss, x, t), dtype=np.float64)
        zs, acts = work.forward_trace(x)
        base_loss = loss.value(zs[-1], acts[-1], t, work.acts[-1])
        base = _branches(work, loss, zs, acts)
        offset = 0
        for name, dims in net.shape.param_shapes():
            size = int(np.prod(dims))
            local = np.arange(size) if samples is None or samples >= size else np.sort(
                rng.choice(size, samples, replace=False))
            numeric, floor, kinked = _check_array(work, loss, x, t, base, offset + local, h)
            a = analytic[offset + local]
            quiet = ~kinked & (np.abs(a) + np.abs(numeric) < floor)  # a nan is not quiet: it is compared, and wrong
            compare = ~kinked & ~quiet
            error = np.abs(a - numeric) / np.maximum(np.abs(a) + np.abs(numeric), TINY)
            error[~compare] = -1.0
            worst: tuple[float, tuple[int, ...] | None, float, float]
            if compare.any():
                w = int(np.argmax(error))  # a nan error is picked first
                worst = (float(error[w]), tuple(int(v) for v in np.unravel_index(local[w], dims)), float(a[w]),
                         float(numeric[w]))
            else:
                worst = (0.0, None, float("nan"), float("nan"))
            checks.append(ParamCheck(name, int(compare.sum()), int(kinked.sum()), int(quiet.sum()), *worst))
            offset += size
    return GradCheck(tuple(checks), float(base_loss), h)


def trainer_gradient_check(trainer: Trainer, grad_fn: GradFn = backprop_grad, samples: int | None = None,
                           seed: int = 0) -> GradCheck:
    """``gradient_check`` of a trainer's network and loss on its training rows (full batch). Call it where the
    trainer is safe to read (the app's session lock)."""
    return gradient_check(trainer.net, trainer.loss, trainer.x_train, trainer.t_train, grad_fn, samples, seed)
