"""Loss functions of the network's output and their gradients with respect to the output layer's pre-activation.

Shapes: ``z``, ``y`` (the output after its activation) and ``t`` (targets) are ``(n_rows, n_outputs)`` for one
network, or ``(n_rows, n_outputs, K)`` for a stack of K networks (``t`` may then be ``(n_rows, n_outputs, 1)``,
shared). ``value`` reduces over rows and outputs and keeps any trailing member axis: a float for one network, ``(K,)``
for K. ``grad_z`` returns dL/dz shaped as ``z``, into ``out`` when given: the loss's derivative times the output
activation's, fused where that is more stable (binary cross-entropy of a sigmoid is ``(y - t) / N``). N is
``n_rows * n_outputs``, one network's count, whatever K is.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from lab.core.activations import Activation

Array = np.ndarray
BCE_EPSILON = 1e-7  # Keras' clip for probabilities that do not come from a sigmoid


class LossGrad(Protocol):
    """``grad_z(z, y, t, f, out=None)``: dL/dz, into ``out`` when given."""

    def __call__(self, z: Array, y: Array, t: Array, f: Activation, out: Array | None = None, /) -> Array: ...


class LossBoth(Protocol):
    """``both(z, y, t, f, out=None)``: (the value, dL/dz into ``out`` when given), sharing what the two have in
    common (the residual ``y - t``)."""

    def __call__(self, z: Array, y: Array, t: Array, f: Activation, out: Array | None = None, /) -> tuple[Array, Array]:
        ...


@dataclass(frozen=True)
class Loss:
    """A loss ``value(z, y, t, f) -> float or (K,)``, its gradient ``grad_z(z, y, t, f, out=None) -> dL/dz``, and
    ``both`` (the two at once, for an epoch that needs both from the same outputs), where ``f`` is the output
    activation (so binary cross-entropy can work from a sigmoid's logits)."""

    name: str
    value: Callable[[Array, Array, Array, Activation], Array]
    grad_z: LossGrad
    both: LossBoth
    description: str


@functools.cache
def ones(n: int, dtype: str = "d") -> Array:
    """A read-only vector of n ones of type ``dtype`` (a type code: ``d`` float64, ``f`` float32): a sum over rows as
    a product, which NumPy does faster than ``sum(axis=0)``."""
    vector = np.ones(n, dtype)
    vector.flags.writeable = False
    return vector


def _per_network(y: Array) -> int:
    """N, the rows times outputs of one network's ``y``."""
    return y.shape[0] * y.shape[1]


def _rows_first(x: Array) -> Array:
    """``x`` (n, o, ...) as (n o, ...): rows and outputs on one axis (a view of a contiguous array)."""
    return x.ravel() if x.ndim == 2 else x.reshape(x.shape[0] * x.shape[1], -1)


def sum_squares(d: Array) -> Array:
    """sum over rows and outputs of d^2: a float for (n, o), (K,) for (n, o, K)."""
    if d.ndim == 2:
        flat = d.ravel()
        return np.dot(flat, flat)
    return np.einsum("nok,nok->k", d, d)


def total(x: Array) -> Array:
    """sum over rows and outputs of x: a float for (n, o), (K,) for (n, o, K). A stack's sums run down each member's
    column in row order (not as a BLAS product of ones, whose kernel, and so whose order of summing, depends on K):
    a member's loss is the same bits beside any number of others."""
    flat = _rows_first(x)
    if flat.ndim == 1:
        return ones(flat.shape[0], flat.dtype.char) @ flat
    return np.add.reduce(flat, axis=0)


def _squared_grad(z: Array, y: Array, d: Array, f: Activation, scale: float, out: Array | None) -> Array:
    """dL/dz = scale (y - t) f'(z) for a loss of squared residuals ``d = y - t`` (``d`` is scaled in place)."""
    out = f.grad(z, y, out)
    if scale != 1.0:
        d *= scale
    out *= d
    return out


def _mse(z: Array, y: Array, t: Array, f: Activation) -> Array:
    """L = mean((y - t)^2) over every row and output (Keras' mean_squared_error)."""
    return sum_squares(y - t) / _per_network(y)


def _mse_grad(z: Array, y: Array, t: Array, f: Activation, out: Array | None = None) -> Array:
    """dL/dz = 2 (y - t) / N * f'(z)."""
    return _squared_grad(z, y, np.subtract(y, t), f, 2.0 / _per_network(y), out)


def _mse_both(z: Array, y: Array, t: Array, f: Activation, out: Array | None = None) -> tuple[Array, Array]:
    """``_mse`` and ``_mse_grad`` from one residual."""
    d = np.subtract(y, t)
    value = sum_squares(d) / _per_network(y)
    return value, _squared_grad(z, y, d, f, 2.0 / _per_network(y), out)


def _sse(z: Array, y: Array, t: Array, f: Activation) -> Array:
    """L = 1/2 sum((y - t)^2): the tutorials' rule ``W += X.T @ (error * s'(o))`` is SGD on this loss with lr 1."""
    return 0.5 * sum_squares(y - t)


def _sse_grad(z: Array, y: Array, t: Array, f: Activation, out: Array | None = None) -> Array:
    """dL/dz = (y - t) * f'(z)."""
    return _squared_grad(z, y, np.subtract(y, t), f, 1.0, out)


def _sse_both(z: Array, y: Array, t: Array, f: Activation, out: Array | None = None) -> tuple[Array, Array]:
    """``_sse`` and ``_sse_grad`` from one residual."""
    d = np.subtract(y, t)
    return 0.5 * sum_squares(d), _squared_grad(z, y, d, f, 1.0, out)


def _bce(z: Array, y: Array, t: Array, f: Activation) -> Array:
    """L = -mean(t log y + (1 - t) log(1 - y)).

    For a sigmoid output it is computed from the logits as mean(max(z, 0) - z t + log(1 + e^-|z|)), which is exact
    and finite for any z; for other outputs ``y`` is clipped to [eps, 1 - eps] as Keras does.
    """
    if f.name == "sigmoid":
        return total(np.maximum(z, 0.0) - z * t + np.log1p(np.exp(-np.abs(z)))) / _per_network(y)
    p = np.clip(y, BCE_EPSILON, 1.0 - BCE_EPSILON)
    return -total(t * np.log(p) + (1.0 - t) * np.log(1.0 - p)) / _per_network(y)


def _bce_grad(z: Array, y: Array, t: Array, f: Activation, out: Array | None = None) -> Array:
    """dL/dz = (y - t) / N for a sigmoid output; else dL/dy * f'(z) with dL/dy = (p - t) / (p (1 - p) N), zero where
    the clip is active (the clipped loss is flat there)."""
    size = _per_network(y)
    if f.name == "sigmoid":
        out = np.subtract(y, t, out=out)
        out /= size
        return out
    p = np.clip(y, BCE_EPSILON, 1.0 - BCE_EPSILON)
    inside = (y > BCE_EPSILON) & (y < 1.0 - BCE_EPSILON)
    out = f.grad(z, y, out)
    out *= np.where(inside, (p - t) / (p * (1.0 - p) * size), 0.0)
    return out


def _bce_both(z: Array, y: Array, t: Array, f: Activation, out: Array | None = None) -> tuple[Array, Array]:
    """``_bce`` and ``_bce_grad`` (they share no intermediate worth keeping)."""
    return _bce(z, y, t, f), _bce_grad(z, y, t, f, out)


LOSSES: dict[str, Loss] = {l.name: l for l in (
    Loss("mse", _mse, _mse_grad, _mse_both, "mean squared error (Keras' default in the XOR tutorial)"),
    Loss("sse", _sse, _sse_grad, _sse_both, "half the sum of squared errors (the NumPy tutorials' update rule)"),
    Loss("bce", _bce, _bce_grad, _bce_both, "binary cross-entropy, computed stably from the logits of a sigmoid"),
)}
