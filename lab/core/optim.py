"""Optimizers that update a network's flat parameter vector in place.

All parameters of a network live in one float64 vector ``theta`` of shape ``(P,)`` (the layers' W and b are views of
it) and the gradient in one vector ``g`` of the same shape, so one optimizer step is a handful of NumPy calls however
many layers there are. State arrays have shape ``(P,)`` too and are saved by name (``m``, ``v``, ``velocity``).
"""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np

Array = np.ndarray

FLUSH_EVERY = 16
"""Steps between two flushes of an optimizer's subnormal state to zero (``flush_subnormal``): at step t with
t % FLUSH_EVERY == 0, counted by the optimizer and saved with its state, so a resumed run and a sweep's member flush
at the same steps as the run they continue or reproduce."""


def flush_subnormal(state: Array, scratch: Array) -> None:
    """Set every subnormal value of ``state`` (0 < |x| < the smallest normal of its type: about 1.2e-38 in float32,
    2.2e-308 in float64) to a zero of its sign, in place; any shape. ``scratch``: an array of ``state``'s shape and
    type to work in (overwritten).

    Why: a moment whose gradient is exactly zero (a dead relu unit's weights) decays geometrically, m <- 0.9 m and
    v <- 0.999 v, into the subnormal range, where rounding then holds it still (0.1 x 5 x 2^-149 rounds to 0), and
    x86 processors compute on subnormal numbers by a slow path: with 9% of keras-xor's moments there, a sweep's epoch
    took 2 to 4 times as long, for good (float32 from about epoch 800, float64 from about 6,700). Three passes every
    ``FLUSH_EVERY`` steps keep them out. Nothing a run shows changes: a moment below the smallest normal moves a
    weight by less than its last bit unless the weight itself is within a few hundred thousand smallest normals of
    zero."""
    np.abs(state, out=scratch)
    np.greater_equal(scratch, np.finfo(state.dtype).tiny, out=scratch, casting="unsafe")  # 1 to keep, 0 to flush
    np.multiply(state, scratch, out=state)  # not ``where=``: a masked ufunc is ten times slower on scattered zeros


class Optimizer:
    """Base interface: ``step(theta, g, lr)`` updates ``theta`` in place; ``state()`` / ``load_state()`` round-trip."""

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    optional: ClassVar[frozenset[str]] = frozenset()  # state a file from an earlier nnlab may lack (a fresh value)

    def __init__(self, n_params: int | tuple[int, ...], dtype: type[np.floating] = np.float64) -> None:
        """``n_params``: P for one network, or the shape (P, K) of a stack's parameters (a sweep's block);
        ``dtype``: the parameters' type, which the state arrays share."""
        self.n_params = n_params
        self.dtype = dtype

    def step(self, theta: Array, g: Array, lr: float | Array, out: Array | None = None) -> None:
        """Apply one update to ``theta`` (P,) given the gradient ``g`` (P,) and learning rate ``lr`` (or, for a
        stack (P, K), one learning rate per member, (K,): the same arithmetic, member by member). The new weights
        go into ``out`` when given (theta's shape, sharing no memory with theta, g or the optimizer's state; theta
        is then left as it was: a sweep keeps the weights before the update so without copying them), else into
        ``theta``; the same numbers either way."""
        raise NotImplementedError

    def state(self) -> dict[str, Array]:
        """The optimizer's state as named arrays (copies)."""
        return {}

    def load_state(self, state: dict[str, Array]) -> None:
        """Restore state saved by ``state()``."""


class SGD(Optimizer):
    """theta <- theta - lr * g."""

    name = "sgd"
    description = "plain gradient descent: theta -= lr * g"

    def step(self, theta: Array, g: Array, lr: float | Array, out: Array | None = None) -> None:
        np.subtract(theta, lr * g, out=theta if out is None else out)


class Momentum(Optimizer):
    """Keras' SGD with momentum mu = 0.9: v <- mu v - lr g; theta <- theta + v. The step count ``t`` only times
    ``flush_subnormal`` (files from before it was kept start it at 0)."""

    name = "momentum"
    description = "gradient descent with momentum 0.9: v = 0.9 v - lr g; theta += v"
    optional = frozenset({"t"})
    MU = 0.9

    def __init__(self, n_params: int | tuple[int, ...], dtype: type[np.floating] = np.float64) -> None:
        super().__init__(n_params, dtype)
        self.velocity = np.zeros(n_params, dtype)
        self.t = 0

    def step(self, theta: Array, g: Array, lr: float | Array, out: Array | None = None) -> None:
        self.t += 1
        if self.t % FLUSH_EVERY == 0:
            flush_subnormal(self.velocity, np.empty_like(self.velocity) if out is None else out)
        self.velocity *= self.MU
        self.velocity -= lr * g
        np.add(theta, self.velocity, out=theta if out is None else out)

    def state(self) -> dict[str, Array]:
        return {"velocity": self.velocity.copy(), "t": np.array(self.t)}

    def load_state(self, state: dict[str, Array]) -> None:
        self.velocity[:] = state["velocity"]
        self.t = int(state["t"]) if "t" in state else 0


class Adam(Optimizer):
    """Adam with Keras' defaults (beta1 0.9, beta2 0.999, epsilon 1e-7) and Keras' form of the bias correction::

        t <- t + 1
        m <- m + (1 - beta1) (g - m)
        v <- v + (1 - beta2) (g^2 - v)
        theta <- theta - lr sqrt(1 - beta2^t) / (1 - beta1^t) * m / (sqrt(v) + epsilon)

    Every ``FLUSH_EVERY`` steps, m and v lose their subnormal values first (``flush_subnormal``).
    """

    name = "adam"
    description = "Adam (Keras defaults: beta1 0.9, beta2 0.999, epsilon 1e-7)"
    BETA1, BETA2, EPSILON = 0.9, 0.999, 1e-7
    DECAY1, DECAY2 = 1.0 - BETA1, 1.0 - BETA2  # the moments' rates, worked out once

    def __init__(self, n_params: int | tuple[int, ...], dtype: type[np.floating] = np.float64) -> None:
        super().__init__(n_params, dtype)
        self.m = np.zeros(n_params, dtype)
        self.v = np.zeros(n_params, dtype)
        self.t = 0
        self._tmp = np.zeros(n_params, dtype)

    def step(self, theta: Array, g: Array, lr: float | Array, out: Array | None = None) -> None:
        self.t = t = self.t + 1
        # The step's scratch is ``out`` when given (written last anyway): one array fewer for the cache to hold.
        m, v, tmp = self.m, self.v, self._tmp if out is None else out
        if t % FLUSH_EVERY == 0:
            flush_subnormal(m, tmp)
            flush_subnormal(v, tmp)
        alpha = lr * math.sqrt(1.0 - self.BETA2**t) / (1.0 - self.BETA1**t)
        np.subtract(g, m, out=tmp)
        tmp *= self.DECAY1
        m += tmp
        np.multiply(g, g, out=tmp)
        tmp -= v
        tmp *= self.DECAY2
        v += tmp
        np.sqrt(v, out=tmp)
        tmp += self.EPSILON
        np.divide(m, tmp, out=tmp)
        tmp *= alpha
        np.subtract(theta, tmp, out=theta if out is None else out)

    def state(self) -> dict[str, Array]:
        return {"m": self.m.copy(), "v": self.v.copy(), "t": np.array(self.t)}

    def load_state(self, state: dict[str, Array]) -> None:
        self.m[:] = state["m"]
        self.v[:] = state["v"]
        self.t = int(state["t"])


OPTIMIZERS: dict[str, type[Optimizer]] = {cls.name: cls for cls in (SGD, Momentum, Adam)}
