"""The network: dense layers over one flat parameter vector, with forward and backward passes written once for one
network and for a stack of K networks.

Notation for a network of L dense layers (hidden ones and the output), layer l = 1..L::

    a_0 = X                                   (n, n_inputs)
    z_l = a_{l-1} @ W_l + b_l                 (n, units_l)    W_l (units_{l-1}, units_l), b_l (units_l,)
    a_l = f_l(z_l)                            (n, units_l)    y = a_L, (n, n_outputs)

and backward, from dL/dz_L given by the loss::

    dL/dW_l = a_{l-1}.T @ dL/dz_l             dL/db_l = sum over rows of dL/dz_l
    dL/dz_{l-1} = (dL/dz_l @ W_l.T) * f'_{l-1}(z_{l-1})

Every W_l and b_l is a view into one vector ``theta`` (P,), and every gradient a view into ``grad`` (P,), so an
optimizer updates the whole network in a few vector operations and a file stores it as one array.

A stack of K networks of one shape (``lab/core/sweep.py``) stores member k's ``theta`` in column k of ``theta``
(P, K): member last, so elementwise work runs along long contiguous vectors. Its layers are the same views with a
trailing member axis, W_l (u_{l-1}, u_l, K), and activations (n, u, K); the same ``forward`` and ``backward`` run
them, only the three products of a layer (``Products``) differ. Where the inputs are widened with a column of ones,
the first layer's bias rides in its product (``b_1`` follows ``W_1`` in theta, so ``[W_1; b_1]`` is one view)::

    z_1 = [X, 1] @ [W_1; b_1]                 one product; for a stack, one product for every member at once
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from lab.core.activations import ACTIVATIONS, Activation
from lab.core.init import INITIALISERS
from lab.core.losses import ones

Array = np.ndarray
DType = type[Any]  # np.float64 or np.float32 (``lab.core.experiment.PRECISIONS``)
WIDE = 64  # a stacked layer with at least this many weights per member multiplies by batched matmul, not einsum


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


# --- the three products of a dense layer -------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Products:
    """How a layer multiplies, for one shape of arrays.

    ``forward(a, W, out)``: out = a W, the pre-activation. ``weight_grad(a, dz, out)``: out = a^T dz, dL/dW.
    ``input_grad(dz, B, out)``: out = dz W^T, dL/da of the layer's input, given ``B = back(W)`` (made once per
    layer: W^T for one network, so the product is a plain ``dot``). ``bias_grad(dz, out)``: out = the sum of dz over
    rows, dL/db. Each writes into ``out`` and returns it.
    """

    forward: Callable[[Array, Array, Array], Array]
    weight_grad: Callable[[Array, Array, Array], Array]
    input_grad: Callable[[Array, Array, Array], Array]
    bias_grad: Callable[[Array, Array], Array] = lambda dz, out: np.add.reduce(dz, axis=0, out=out)
    back: Callable[[Array], Array] = lambda W: W


def _by_member(x: Array) -> Array:
    """A member-last array (..., K) seen member-first, (K, ...), for ``matmul``: a view."""
    return np.moveaxis(x, -1, 0)


def _flat_units(x: Array) -> Array:
    """(r, u, K) as (r, u K): a view of a contiguous array."""
    return x.reshape(x.shape[0], -1)


ONE = Products(
    np.dot,  # dot(a, W, out)
    lambda a, dz, out: np.dot(a.T, dz, out),
    np.dot,  # dot(dz, W^T, out)
    lambda dz, out: np.dot(ones(dz.shape[0], dz.dtype.char), dz, out),
    lambda W: W.T)
"""One network: a (n, i), W (i, u), dz (n, u). ``dot``, not ``matmul``: on arrays this small it is several times
faster (matmul's ufunc machinery costs more than the arithmetic)."""

SHARED = Products(
    lambda a, W, out: (np.matmul(a, _flat_units(W), out=_flat_units(out)), out)[1],
    lambda a, dz, out: (np.matmul(a.T, _flat_units(dz), out=_flat_units(out)), out)[1],
    lambda dz, W, out: out)  # never asked: a shared input is the data, not a layer
"""A stack whose input every member shares (the data): a (n, i), W (i, u, K), dz (n, u, K); one product for all."""

NARROW = Products(
    lambda a, W, out: np.einsum("rik,ijk->rjk", a, W, out=out),
    lambda a, dz, out: np.einsum("rik,rjk->ijk", a, dz, out=out),
    lambda dz, W, out: np.einsum("rjk,ijk->rik", dz, W, out=out))
"""A stack, per member, along the member axis: a (n, i, K), W (i, u, K), dz (n, u, K); for small layers."""

BATCHED = Products(
    lambda a, W, out: (np.matmul(_by_member(a), _by_member(W), out=_by_member(out)), out)[1],
    lambda a, dz, out: (np.matmul(np.swapaxes(_by_member(a), 1, 2), _by_member(dz), out=_by_member(out)), out)[1],
    lambda dz, W, out: (np.matmul(_by_member(dz), np.swapaxes(_by_member(W), 1, 2), out=_by_member(out)), out)[1])
"""A stack, per member, as a batched ``matmul`` over members: the same shapes as ``NARROW``; for wide layers."""


def stacked(fan_in: int, units: int) -> Products:
    """The products for a stacked layer of ``fan_in`` x ``units`` weights per member."""
    return BATCHED if fan_in * units >= WIDE else NARROW


def stack_products(shape: Shape) -> tuple[list[Products], list[Products]]:
    """A stack's products for each layer of ``shape`` (inputs widened): on the data every member shares (the whole
    training batch, the held-out rows), the first layer as ``SHARED``; on each member's own mini-batch, as a stacked
    layer; the later layers stacked either way. (full batch, mini-batch)."""
    sizes = shape.sizes
    later = [stacked(sizes[l], sizes[l + 1]) for l in range(1, shape.n_layers)]
    return [SHARED, *later], [stacked(sizes[0] + shape.bias, sizes[1]), *later]


def twin(x: Array) -> Array:
    """(...) as (..., 2): the array and a copy along a new trailing member axis (a stack of two equal members)."""
    return np.repeat(x[..., None], 2, axis=-1)


def _first(product: Callable[..., Array], out: Array, *operands: Array) -> Array:
    """``product(*operands, twin_out)`` into a stack of two, its first member's result copied into ``out``."""
    both = np.empty((*out.shape, 2), out.dtype)
    product(*operands, both)
    out[...] = both[..., 0]
    return out


def twinned(stack: Products) -> Products:
    """One network (arrays as ``ONE`` takes them) multiplied as ``stack`` (``SHARED``, ``NARROW`` or ``BATCHED``)
    multiplies each member of a sweep: its arrays get a trailing member axis of two, the network and a copy (a stack
    of one takes other kernels: ``sweep_block.with_twin``), and the first member's result is the network's. So a
    float32 network trained alone (``Trainer``) gets, bit for bit, the numbers it gets as a sweep's member; float64
    keeps ``ONE``, faster, where the two orders differ by about 1e-16. ``SHARED``'s first operand is the data,
    which a stack's members share, so it is not twinned."""
    data = (lambda x: x) if stack is SHARED else twin
    return Products(
        lambda a, W, out: _first(stack.forward, out, data(a), twin(W)),
        lambda a, dz, out: _first(stack.weight_grad, out, data(a), twin(dz)),
        lambda dz, W, out: _first(stack.input_grad, out, twin(dz), twin(W)),
        lambda dz, out: _first(stack.bias_grad, out, twin(dz)))


# --- layers as views of theta, and the passes through them ---------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Dense:
    """One dense layer as views of ``theta`` and ``grad``, for one network or (trailing axis K) a stack.

    Attributes:
        W: (fan_in, units[, K]); with ``widened`` inputs the first layer's W_1 and b_1 together, (n_in + 1, units[, K]).
        B: W as ``products.input_grad`` takes it (``products.back(W)``, a view).
        b: (units[, K]) added after the product, or None (no bias, or riding in W).
        gW, gb: the same views of ``grad``.
        act: the layer's activation.
        products: how it multiplies.
    """

    W: Array
    B: Array
    b: Array | None
    gW: Array
    gb: Array | None
    act: Activation
    products: Products


def dense_layers(shape: Shape, theta: Array, grad: Array, widened: bool,
                 products: Sequence[Products] | None = None) -> list[Dense]:
    """Every layer of ``shape`` as views of ``theta`` and ``grad``, (P,) for one network or (P, K) for a stack.

    Args:
        widened: whether the inputs carry a column of ones, so the first layer's bias is the last row of its W.
        products: one per layer (default ``ONE`` for every layer).
    """
    trailing = theta.shape[1:]
    layers: list[Dense] = []
    offset = 0
    for l in range(shape.n_layers):
        fan_in, units = shape.sizes[l], shape.sizes[l + 1]
        rows = fan_in + (shape.bias and widened and l == 0)
        end = offset + rows * units
        W, gW = (x[offset:end].reshape(rows, units, *trailing) for x in (theta, grad))
        offset = end
        b = gb = None
        if shape.bias and rows == fan_in:
            end = offset + units
            b, gb = theta[offset:end], grad[offset:end]
            offset = end
        kind = ONE if products is None else products[l]
        layers.append(Dense(W, kind.back(W), b, gW, gb, ACTIVATIONS[shape.activations[l]], kind))
    return layers


@dataclass(frozen=True)
class Pass:
    """The arrays of one pass over n rows, one per layer l: ``zs[l]`` z_l and ``acts[l]`` a_l (n, u_l[, K]);
    ``dA[l]`` and ``slope[l]`` the same shapes for dL/da_l and f'_l(z_l) on the way back; ``dz`` (n, o[, K])."""

    zs: list[Array]
    acts: list[Array]
    dA: list[Array]
    slope: list[Array]
    dz: Array

    @classmethod
    def new(cls, n: int, units: Sequence[int], members: tuple[int, ...] = (), dtype: DType = np.float64) -> Pass:
        """New arrays of ``dtype`` for ``n`` rows through layers of ``units``, with a trailing ``members`` axis for a
        stack."""
        def arrays() -> list[Array]:
            return [np.empty((n, u, *members), dtype) for u in units]

        return cls(arrays(), arrays(), arrays(), arrays(), np.empty((n, units[-1], *members), dtype))


def forward(layers: Sequence[Dense], x: Array, zs: Sequence[Array], acts: Sequence[Array]) -> Array:
    """The forward pass: z_l = a_{l-1} W_l + b_l into ``zs[l]``, a_l = f_l(z_l) into ``acts[l]``.

    Returns:
        The output y, ``acts[-1]``.
    """
    a = x
    for layer, z, out in zip(layers, zs, acts, strict=True):
        layer.products.forward(a, layer.W, z)
        if layer.b is not None:
            z += layer.b
        a = layer.act.fn(z, out)
    return a


def backward(layers: Sequence[Dense], zs: Sequence[Array], acts: Sequence[Array], dz: Array,
             dA: Sequence[Array], slope: Sequence[Array]) -> None:
    """The backward pass: fill every layer's ``gW`` and ``gb`` from dL/dz of the output layer ``dz``.

    Args:
        zs: z_l per layer; ``acts``: the layers' inputs, ``acts[0]`` the data and ``acts[l]`` a_l.
        dA, slope: scratch per layer for dL/da_l and f'_l(z_l) (the last layer's are not used). They may be the
            hidden layers' own a_l and z_l arrays (a sweep's scratch is): each layer's a and z are read before its
            f'(z) and then dL/da are written over them, and never after.
    """
    for l in range(len(layers) - 1, -1, -1):
        layer = layers[l]
        layer.products.weight_grad(acts[l], dz, layer.gW)
        if layer.gb is not None:
            layer.products.bias_grad(dz, layer.gb)
        if l:
            # f'(z) before dL/da: a caller may hand z's and a's own arrays as ``slope`` and ``dA`` (see Args).
            grad = layers[l - 1].act.grad(zs[l - 1], acts[l], slope[l - 1])
            da = layer.products.input_grad(dz, layer.B, dA[l - 1])
            dz = np.multiply(da, grad, out=da)


def draw_theta(shape: Shape, init: str, rng: np.random.Generator) -> Array:
    """A new network's parameters, (P,) float64 laid out as ``Network.theta``: drawn layer by layer (W then b) by
    initialiser ``init`` from ``rng`` (a layer's biases are drawn even without bias, so the generator moves on the
    same). The one draw of a network: ``Network.initialise`` and a sweep's members (``lab.core.sweep``) both take
    it."""
    theta = np.empty(shape.n_params)
    draw = INITIALISERS[init].draw
    offset = 0
    for l in range(shape.n_layers):
        fan_in, units = shape.sizes[l], shape.sizes[l + 1]
        w, b = draw(rng, fan_in, units)
        theta[offset : offset + fan_in * units] = w.ravel()
        offset += fan_in * units
        if shape.bias:
            theta[offset : offset + units] = b
            offset += units
    return theta


class Network:
    """A dense network whose parameters are views of one flat vector.

    Attributes:
        shape: sizes, activations and bias.
        theta: all parameters, (P,) float64 (float32 for a network trained in float32); ``params[name]`` are views
            of it.
        grad: the gradient from the last ``backward``, (P,) of theta's type; ``grads[name]`` are views of it.
    """

    def __init__(self, shape: Shape, theta: Array | None = None, dtype: DType | None = None) -> None:
        """A network of ``shape`` with parameters ``theta`` (a copy; zeros when None), in ``dtype`` (default: theta's
        own when it is float32, else float64)."""
        self.shape = shape
        if dtype is None:
            dtype = np.float32 if theta is not None and np.asarray(theta).dtype == np.float32 else np.float64
        self.theta = np.zeros(shape.n_params, dtype) if theta is None else np.array(theta, dtype=dtype).ravel()
        if self.theta.shape != (shape.n_params,):
            raise ValueError(f"expected {shape.n_params} parameters, got {self.theta.size}")
        self.grad = np.zeros(shape.n_params, dtype)
        self.params = _views(self.theta, shape)
        self.grads = _views(self.grad, shape)
        n = shape.n_layers
        self.W = [self.params[f"W{l + 1}"] for l in range(n)]
        self.b = [self.params[f"b{l + 1}"] for l in range(n)] if shape.bias else [None] * n
        self.gW = [self.grads[f"W{l + 1}"] for l in range(n)]
        self.gb = [self.grads[f"b{l + 1}"] for l in range(n)] if shape.bias else [None] * n
        self.acts: list[Activation] = [ACTIVATIONS[name] for name in shape.activations]
        self.layers = dense_layers(shape, self.theta, self.grad, widened=False)

    @classmethod
    def initialise(cls, shape: Shape, init: str, rng: np.random.Generator, dtype: DType = np.float64) -> Network:
        """A new network drawn by ``draw_theta`` (initialiser ``init``, generator ``rng``), in float64 and then
        rounded to ``dtype`` (so a float32 network starts from its float64 twin's weights, rounded)."""
        return cls(shape, draw_theta(shape, init, rng), dtype)

    def copy(self) -> Network:
        """An independent network with the same parameters (of the same type)."""
        return Network(self.shape, self.theta.copy(), self.theta.dtype.type)

    def forward(self, x: Array) -> Array:
        """Outputs for inputs ``x`` (n, n_inputs) -> (n, n_outputs)."""
        return self.forward_trace(x)[1][-1]

    def forward_trace(self, x: Array) -> tuple[list[Array], list[Array]]:
        """Forward pass keeping every layer's values (new arrays).

        Returns:
            ``(zs, acts)``: ``zs[l]`` is z_{l+1} (n, units), ``acts[0]`` is ``x`` and ``acts[l+1]`` is a_{l+1}.
        """
        x = x.astype(self.theta.dtype, copy=False)  # float inputs in the network's own type
        buffers = Pass.new(x.shape[0], self.shape.sizes[1:], dtype=self.theta.dtype.type)
        forward(self.layers, x, buffers.zs, buffers.acts)
        return buffers.zs, [x, *buffers.acts]

    def backward(self, zs: list[Array], acts: list[Array], dz: Array) -> Array:
        """Fill ``self.grad`` with dL/dtheta, given dL/dz of the output layer ``dz`` (n, n_outputs).

        Returns:
            ``self.grad`` (P,).
        """
        scratch = [np.empty_like(z) for z in zs]
        backward(self.layers, zs, acts, dz, scratch, [np.empty_like(z) for z in zs])
        return self.grad
