"""Activation functions and their derivatives, side by side, in one registry.

Each activation maps pre-activations ``z`` (any shape: ``(n, units)`` for one network, ``(n, units, K)`` for a stack
of K) to ``a = f(z)``; ``grad(z, a)`` returns ``f'(z)`` with the same shape, using whichever of ``z`` and ``a`` is
cheaper (sigmoid' = a(1-a) needs no second exponential). Both take an optional ``out`` array of that shape and write
into it instead of allocating (the trainers keep one per layer); either way the operations, and so the values, are
the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

Array = np.ndarray
LEAKY_SLOPE = 0.01


class Fn(Protocol):
    """``f(z, out=None)``: the activation of ``z``, into ``out`` when given."""

    def __call__(self, z: Array, out: Array | None = None, /) -> Array: ...


class Grad(Protocol):
    """``f'(z, a, out=None)``: the derivative at ``z`` (whose activation is ``a``), into ``out`` when given."""

    def __call__(self, z: Array, a: Array, out: Array | None = None, /) -> Array: ...


@dataclass(frozen=True)
class Activation:
    """An elementwise function ``fn(z, out=None)`` and its derivative ``grad(z, a, out=None)``, with a one-line
    description."""

    name: str
    fn: Fn
    grad: Grad
    description: str


def _buffer(like: Array, out: Array | None) -> Array:
    """``out``, or a new array shaped as ``like`` when none is given."""
    return np.empty_like(like) if out is None else out


def sigmoid(z: Array, out: Array | None = None) -> Array:
    """s(z) = 1 / (1 + e^-z), computed as (1 + tanh(z/2)) / 2, which never overflows."""
    out = np.multiply(z, 0.5, out=out)
    np.tanh(out, out=out)
    out += 1.0
    out *= 0.5
    return out


def sigmoid_grad(z: Array, a: Array, out: Array | None = None) -> Array:
    """s'(z) = a (1 - a)."""
    out = np.subtract(1.0, a, out=out)
    out *= a
    return out


def tanh(z: Array, out: Array | None = None) -> Array:
    """tanh(z)."""
    return np.tanh(z, out=out)


def tanh_grad(z: Array, a: Array, out: Array | None = None) -> Array:
    """tanh'(z) = 1 - a^2."""
    out = np.multiply(a, a, out=out)
    return np.subtract(1.0, out, out=out)


def relu(z: Array, out: Array | None = None) -> Array:
    """max(z, 0)."""
    return np.maximum(z, 0.0, out=out)


def relu_grad(z: Array, a: Array, out: Array | None = None) -> Array:
    """1 where z > 0, else 0 (0 at the kink, as Keras)."""
    return np.greater(z, 0.0, out=np.empty_like(z) if out is None else out)


def leaky_relu(z: Array, out: Array | None = None) -> Array:
    """z where z > 0, else LEAKY_SLOPE z."""
    out = np.multiply(z, LEAKY_SLOPE, out=out)
    np.copyto(out, z, where=z > 0)
    return out


def leaky_relu_grad(z: Array, a: Array, out: Array | None = None) -> Array:
    """1 where z > 0, else LEAKY_SLOPE."""
    positive = z > 0  # (before ``out`` is written: it may be z's own array)
    out = _buffer(z, out)
    out[...] = LEAKY_SLOPE
    np.copyto(out, 1.0, where=positive)
    return out


def linear(z: Array, out: Array | None = None) -> Array:
    """z unchanged (a copy)."""
    out = _buffer(z, out)
    np.copyto(out, z)
    return out


def linear_grad(z: Array, a: Array, out: Array | None = None) -> Array:
    """1 everywhere."""
    out = _buffer(z, out)
    out[...] = 1.0
    return out


ACTIVATIONS: dict[str, Activation] = {a.name: a for a in (
    Activation("sigmoid", sigmoid, sigmoid_grad, "1/(1+e^-z), squashes to (0, 1)"),
    Activation("tanh", tanh, tanh_grad, "tanh(z), squashes to (-1, 1)"),
    Activation("relu", relu, relu_grad, "max(z, 0)"),
    Activation("leaky_relu", leaky_relu, leaky_relu_grad, f"z if z > 0 else {LEAKY_SLOPE}*z"),
    Activation("linear", linear, linear_grad, "z unchanged"),
)}

HIDDEN_ACTIVATIONS: tuple[str, ...] = tuple(ACTIVATIONS)
OUTPUT_ACTIVATIONS: tuple[str, ...] = ("sigmoid", "tanh", "linear")
