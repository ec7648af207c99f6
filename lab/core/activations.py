"""Activation functions and their derivatives, side by side, in one registry.

Each activation maps pre-activations ``z`` (any shape) to ``a = f(z)``; ``grad(z, a)`` returns ``f'(z)`` with the
same shape, using whichever of ``z`` and ``a`` is cheaper (sigmoid' = a(1-a) needs no second exponential).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

Array = np.ndarray
LEAKY_SLOPE = 0.01


@dataclass(frozen=True)
class Activation:
    """An elementwise function ``fn`` and its derivative ``grad(z, a)``, with a one-line description."""

    name: str
    fn: Callable[[Array], Array]
    grad: Callable[[Array, Array], Array]
    description: str


def sigmoid(z: Array) -> Array:
    """s(z) = 1 / (1 + e^-z), computed as (1 + tanh(z/2)) / 2, which never overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * z))


ACTIVATIONS: dict[str, Activation] = {a.name: a for a in (
    Activation("sigmoid", sigmoid, lambda z, a: a * (1.0 - a), "1/(1+e^-z), squashes to (0, 1)"),
    Activation("tanh", np.tanh, lambda z, a: 1.0 - a * a, "tanh(z), squashes to (-1, 1)"),
    Activation("relu", lambda z: np.maximum(z, 0.0), lambda z, a: (z > 0).astype(z.dtype), "max(z, 0)"),
    Activation("leaky_relu", lambda z: np.where(z > 0, z, LEAKY_SLOPE * z),
               lambda z, a: np.where(z > 0, 1.0, LEAKY_SLOPE), f"z if z > 0 else {LEAKY_SLOPE}*z"),
    Activation("linear", lambda z: z, lambda z, a: np.ones_like(z), "z unchanged"),
)}

HIDDEN_ACTIVATIONS: tuple[str, ...] = tuple(ACTIVATIONS)
OUTPUT_ACTIVATIONS: tuple[str, ...] = ("sigmoid", "tanh", "linear")
