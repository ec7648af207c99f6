"""Weight initialisers: ``fn(rng, fan_in, fan_out) -> (W, b)`` with W ``(fan_in, fan_out)`` and b ``(fan_out,)``.

Each draws W first and then, where it draws biases at all, b, from the generator it is given, so the same seed gives
the same network in the CLI, the app and a sweep.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray


@dataclass(frozen=True)
class Initialiser:
    """A named way to draw a layer's weights and biases."""

    name: str
    draw: Callable[[np.random.Generator, int, int], tuple[Array, Array]]
    description: str


def _uniform(rng: np.random.Generator, fan_in: int, fan_out: int) -> tuple[Array, Array]:
    """W, b ~ U(-1, 1): the tutorials' ``2 * np.random.random((3, 1)) - 1``."""
    w = rng.uniform(-1.0, 1.0, (fan_in, fan_out))
    return w, rng.uniform(-1.0, 1.0, fan_out)


def _normal(rng: np.random.Generator, fan_in: int, fan_out: int) -> tuple[Array, Array]:
    """W, b ~ N(0, 1): ``np.random.randn``."""
    w = rng.standard_normal((fan_in, fan_out))
    return w, rng.standard_normal(fan_out)


def _glorot_uniform(rng: np.random.Generator, fan_in: int, fan_out: int) -> tuple[Array, Array]:
    """W ~ U(-l, l) with l = sqrt(6 / (fan_in + fan_out)), b = 0 (Keras' Dense default)."""
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, (fan_in, fan_out)), np.zeros(fan_out)


def _he_normal(rng: np.random.Generator, fan_in: int, fan_out: int) -> tuple[Array, Array]:
    """W ~ N(0, 2 / fan_in) truncated at two standard deviations (redrawn beyond, as Keras does), b = 0."""
    std = np.sqrt(2.0 / fan_in)
    w = rng.standard_normal((fan_in, fan_out))
    while np.any(far := np.abs(w) > 2.0):
        w[far] = rng.standard_normal(int(far.sum()))
    return w * std, np.zeros(fan_out)


INITIALISERS: dict[str, Initialiser] = {i.name: i for i in (
    Initialiser("uniform", _uniform, "weights and biases uniform in (-1, 1), as the NumPy tutorials do"),
    Initialiser("normal", _normal, "weights and biases from a standard normal (np.random.randn)"),
    Initialiser("glorot_uniform", _glorot_uniform, "Keras' default: uniform, scaled by fan in and out; zero biases"),
    Initialiser("he_normal", _he_normal, "truncated normal scaled by sqrt(2/fan_in), for ReLU; zero biases"),
)}
