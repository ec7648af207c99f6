"""The network: dense layers over one flat parameter vector, with forward and backward passes.

Notation for a network of L dense layers (hidden ones and the output), layer l = 1..L::

    a_0 = X                                   (n, n_inputs)
    z_l = a_{l-1} @ W_l + b_l                 (n, units_l)    W_l (units_{l-1}, units_l), b_l (units_l,)
    a_l = f_l(z_l)                            (n, units_l)    y = a_L, (n, n_outputs)

and backward, from dL/dz_L given by the loss::

    dL/dW_l = a_{l-1}.T @ dL/dz_l             dL/db_l = sum over rows of dL/dz_l
    dL/dz_{l-1} = (dL/dz_l @ W_l.T) * f'_{l-1}(z_{l-1})

Every W_l and b_l is a view into one vector ``theta`` (P,), and every gradient a view into ``grad`` (P,), so an
optimizer updates the whole network in a few vector operations and a file stores it as one array.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lab.core.activations import ACTIVATIONS, Activation
from lab.core.init import INITIALISERS

Array = np.ndarray


@dataclass(frozen=True)
class Shape:
    """The sizes and activations of a network: ``sizes[0]`` inputs, then one entry per dense layer.

    Attributes:
        sizes: units per layer, inputs first: ``(2, 16, 1)`` for the Keras XOR network.
        activations: one activation name per dense layer (``len(sizes) - 1`` of them).
        bias: whether every dense layer has a bias vector.
    """

    sizes: tuple[int, ...]
    activations: tuple[str, ...]
    bias: bool = True

    @property
    def n_layers(self) -> int:
        """Number of dense layers (hidden ones plus the output)."""
        return len(self.sizes) - 1

    def param_shapes(self) -> list[tuple[str, tuple[int, ...]]]:
        """Names and shapes in the order they sit in ``theta``: W1, b1, W2, b2, ... (no b without bias)."""
        out: list[tuple[str, tuple[int, ...]]] = []
        for l in range(self.n_layers):
            out.append((f"W{l + 1}", (self.sizes[l], self.sizes[l + 1])))
            if self.bias:
                out.append((f"b{l + 1}", (self.sizes[l + 1],)))
        return out

    def layer_params(self) -> list[int]:
        """Parameter count per dense layer, as Keras' summary counts it (weights plus biases)."""
        return [self.sizes[l] * self.sizes[l + 1] + (self.sizes[l + 1] if self.bias else 0)
                for l in range(self.n_layers)]

    @property
    def n_params(self) -> int:
        """Total number of parameters P."""
        return sum(self.layer_params())


def _views(flat: Array, shape: Shape) -> dict[str, Array]:
    """Name -> view into ``flat`` for every parameter of ``shape``."""
    views: dict[str, Array] = {}
    offset = 0
    for name, dims in shape.param_shapes():
        size = int(np.prod(dims))
        views[name] = flat[offset : offset + size].reshape(dims)
        offset += size
    return views


class Network:
    """A dense network whose parameters are views of one flat vector.

    Attributes:
        shape: sizes, activations and bias.
        theta: all parameters, (P,) float64; ``params[name]`` are views of it.
        grad: the gradient from the last ``backward``, (P,); ``grads[name]`` are views of it.
    """

    def __init__(self, shape: Shape, theta: Array | None = None) -> None:
        self.shape = shape
        self.theta = np.zeros(shape.n_params) if theta is None else np.array(theta, dtype=np.float64).ravel()
        if self.theta.shape != (shape.n_params,):
            raise ValueError(f"expected {shape.n_params} parameters, got {self.theta.size}")
        self.grad = np.zeros(shape.n_params)
        self.params = _views(self.theta, shape)
        self.grads = _views(self.grad, shape)
        n = shape.n_layers
        self.W = [self.params[f"W{l + 1}"] for l in range(n)]
        self.b = [self.params[f"b{l + 1}"] for l in range(n)] if shape.bias else [None] * n
        self.gW = [self.grads[f"W{l + 1}"] for l in range(n)]
        self.gb = [self.grads[f"b{l + 1}"] for l in range(n)] if shape.bias else [None] * n
        self.acts: list[Activation] = [ACTIVATIONS[name] for name in shape.activations]

    @classmethod
    def initialise(cls, shape: Shape, init: str, rng: np.random.Generator) -> Network:
        """A new network drawn layer by layer (W then b) by initialiser ``init`` from ``rng``."""
        net = cls(shape)
        draw = INITIALISERS[init].draw
        for l in range(shape.n_layers):
            w, b = draw(rng, shape.sizes[l], shape.sizes[l + 1])
            net.W[l][...] = w
            if shape.bias:
                net.b[l][...] = b
        return net

    def copy(self) -> Network:
        """An independent network with the same parameters."""
        return Network(self.shape, self.theta.copy())

    def forward(self, x: Array) -> Array:
        """Outputs for inputs ``x`` (n, n_inputs) -> (n, n_outputs)."""
        return self.forward_trace(x)[1][-1]

    def forward_trace(self, x: Array) -> tuple[list[Array], list[Array]]:
        """Forward pass keeping every layer's values.

        Returns:
            ``(zs, acts)``: ``zs[l]`` is z_{l+1} (n, units), ``acts[0]`` is ``x`` and ``acts[l+1]`` is a_{l+1}.
        """
        zs: list[Array] = []
        acts = [x]
        a = x
        for W, b, act in zip(self.W, self.b, self.acts):
            z = a @ W
            if b is not None:
                z += b
            a = act.fn(z)
            zs.append(z)
            acts.append(a)
        return zs, acts

    def backward(self, zs: list[Array], acts: list[Array], dz: Array) -> Array:
        """Fill ``self.grad`` with dL/dtheta, given dL/dz of the output layer ``dz`` (n, n_outputs).

        Returns:
            ``self.grad`` (P,).
        """
        for l in range(self.shape.n_layers - 1, -1, -1):
            np.matmul(acts[l].T, dz, out=self.gW[l])
            if self.gb[l] is not None:
                np.sum(dz, axis=0, out=self.gb[l])
            if l:
                dz = (dz @ self.W[l].T) * self.acts[l - 1].grad(zs[l - 1], acts[l])
        return self.grad
