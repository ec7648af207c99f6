"""Loss functions of the network's output and their gradients with respect to the output layer's pre-activation.

Shapes: ``z``, ``y`` (the output after its activation) and ``t`` (targets) are all ``(n_rows, n_outputs)``.
``grad_z`` returns dL/dz, shape ``(n_rows, n_outputs)``: the loss's derivative times the output activation's, fused
where that is more stable (binary cross-entropy of a sigmoid is ``(y - t) / N``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from lab.core.activations import Activation

Array = np.ndarray
BCE_EPSILON = 1e-7  # Keras' clip for probabilities that do not come from a sigmoid


@dataclass(frozen=True)
class Loss:
    """A loss ``value(z, y, t, out) -> float`` and its gradient ``grad_z(z, y, t, out) -> dL/dz``, where ``out`` is
    the output activation (so binary cross-entropy can work from a sigmoid's logits)."""

    name: str
    value: Callable[[Array, Array, Array, Activation], float]
    grad_z: Callable[[Array, Array, Array, Activation], Array]
    description: str


def _mse(z: Array, y: Array, t: Array, out: Activation) -> float:
    """L = mean((y - t)^2) over every row and output (Keras' mean_squared_error)."""
    d = y - t
    return float(np.vdot(d, d)) / d.size


def _mse_grad(z: Array, y: Array, t: Array, out: Activation) -> Array:
    """dL/dz = 2 (y - t) / N * f'(z)."""
    return (2.0 / y.size) * (y - t) * out.grad(z, y)


def _sse(z: Array, y: Array, t: Array, out: Activation) -> float:
    """L = 1/2 sum((y - t)^2): the tutorials' rule ``W += X.T @ (error * s'(o))`` is SGD on this loss with lr 1."""
    d = y - t
    return 0.5 * float(np.vdot(d, d))


def _sse_grad(z: Array, y: Array, t: Array, out: Activation) -> Array:
    """dL/dz = (y - t) * f'(z)."""
    return (y - t) * out.grad(z, y)


def _bce(z: Array, y: Array, t: Array, out: Activation) -> float:
    """L = -mean(t log y + (1 - t) log(1 - y)).

    For a sigmoid output it is computed from the logits as mean(max(z, 0) - z t + log(1 + e^-|z|)), which is exact
    and finite for any z; for other outputs ``y`` is clipped to [eps, 1 - eps] as Keras does.
    """
    if out.name == "sigmoid":
        return float(np.mean(np.maximum(z, 0.0) - z * t + np.log1p(np.exp(-np.abs(z)))))
    p = np.clip(y, BCE_EPSILON, 1.0 - BCE_EPSILON)
    return float(-np.mean(t * np.log(p) + (1.0 - t) * np.log(1.0 - p)))


def _bce_grad(z: Array, y: Array, t: Array, out: Activation) -> Array:
    """dL/dz = (y - t) / N for a sigmoid output; else dL/dy * f'(z) with dL/dy = (p - t) / (p (1 - p) N), zero where
    the clip is active (the clipped loss is flat there)."""
    if out.name == "sigmoid":
        return (y - t) / y.size
    p = np.clip(y, BCE_EPSILON, 1.0 - BCE_EPSILON)
    inside = (y > BCE_EPSILON) & (y < 1.0 - BCE_EPSILON)
    return np.where(inside, (p - t) / (p * (1.0 - p) * y.size), 0.0) * out.grad(z, y)


LOSSES: dict[str, Loss] = {l.name: l for l in (
    Loss("mse", _mse, _mse_grad, "mean squared error (Keras' default in the XOR tutorial)"),
    Loss("sse", _sse, _sse_grad, "half the sum of squared errors (the NumPy tutorials' update rule)"),
    Loss("bce", _bce, _bce_grad, "binary cross-entropy, computed stably from the logits of a sigmoid"),
)}
