"""One step of backpropagation with every number, worked out by the trainer's own passes.

For the rows of a step (one table row, or every training row: the whole batch) it keeps, layer by layer, what the
two-layer NumPy tutorial computes by hand, in its order::

    forward     z_l = a_{l-1} @ W_l + b_l        a_l = f_l(z_l)          a_0 = x, output o = a_L
    error       o - target
    slope       f'(z_l), from the activation's own derivative (``o (1 - o)`` for the sigmoid)
    delta       output: dL/dz_L from the loss (for ``sse``: error * slope)
                hidden: (delta_{l+1} @ W_{l+1}.T) * f'_l(z_l)
    gradient    dL/dW_l = a_{l-1}.T @ delta_l     dL/db_l = the sum of delta_l over the rows
    update      the optimizer's change to each weight (for ``sgd``: - lr * gradient), and the new weight

Nothing here restates the maths: the forward and backward passes are ``lab.core.nn.forward`` and ``backward`` over
the same views of theta the trainer uses (its first layer's bias riding in the product), the output's delta is the
loss's ``grad_z``, and the update is the trainer's optimizer, copied with its state, stepped once. So a whole-batch
step's new weights are the weights ``Trainer.step`` gives next when the run trains full batch (a test holds them
to 1e-12), and the gradients pass the gradient check.

The tutorial writes the error as ``target - output`` and *adds* ``X.T @ delta``; the lab writes the gradient of the
loss (``output - target``) and *subtracts* it: the same step, the signs swapped twice. With the tutorial's loss
(``sse``), ``sgd`` and learning rate 1, every number is the tutorial's up to that sign.

For ``momentum`` and ``adam`` the change is not ``- lr * gradient``: the step keeps the optimizer's state before and
after (the velocity; adam's moments ``m``, ``v`` and its count ``t``) so a view can say what the optimizer did.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lab.core.errors import LabError
from lab.core.experiment import Experiment
from lab.core.inspect.common import frozen, hidden_label
from lab.core.nn import Network, Pass, backward, dense_layers, forward
from lab.core.optim import OPTIMIZERS
from lab.core.state import TrainingState
from lab.core.train import Trainer, widen

Array = np.ndarray

SLOPE_NAMES = {"sigmoid": "o(1 - o)", "tanh": "1 - o²", "relu": "1 if z > 0 else 0",
               "leaky_relu": "1 if z > 0 else 0.01", "linear": "1"}
"""How each activation's slope reads, in words (the numbers come from ``Activation.grad``)."""

DELTA_NAMES = {"sse": "error × slope", "mse": "2 × error × slope / N", "bce": "error / N (sigmoid output)"}
"""How each loss's output delta reads, in words (the numbers come from ``Loss.grad_z``); N counts rows × outputs.
Binary cross-entropy after an output other than the sigmoid reads ``dL/do × slope``."""


def unit_names(net: Network, output_names: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """The names of every column's units: the inputs ``a b c ...``, hidden units ``h1`` (or ``h2.3`` with several
    hidden layers), the outputs by the table's names."""
    sizes = net.shape.sizes
    n_hidden = len(sizes) - 2
    names: list[tuple[str, ...]] = [tuple("abcdefghijklmnop"[: sizes[0]])]
    for l in range(n_hidden):
        names.append(tuple(hidden_label(l, j, n_hidden) for j in range(sizes[l + 1])))
    names.append(tuple(output_names))
    return tuple(names)


@dataclass(frozen=True, eq=False)
class LayerStep:
    """One dense layer's numbers in a step. Shapes: n rows, i units below, u units in the layer.

    Attributes:
        weight_name, bias_name: the parameters' names in the experiment file (``W1``, ``b1``).
        activation: the layer's activation.
        inputs: a_{l-1}, the layer's input, (n, i).
        z: the sums ``a_{l-1} @ W + b``, (n, u).
        a: the activations, (n, u).
        slope: f'(z), (n, u).
        delta: dL/dz, (n, u).
        weights: W before the step, (i, u); ``bias`` b before, (u,), or None without biases.
        grad_w: dL/dW, (i, u); ``grad_b``: dL/db, (u,) or None.
        new_weights, new_bias: after the step.
    """

    weight_name: str
    bias_name: str
    activation: str
    inputs: Array
    z: Array
    a: Array
    slope: Array
    delta: Array
    weights: Array
    bias: Array | None
    grad_w: Array
    grad_b: Array | None
    new_weights: Array
    new_bias: Array | None

    @property
    def change_w(self) -> Array:
        """The step's change to each weight, new minus old, (i, u)."""
        return self.new_weights - self.weights

    @property
    def change_b(self) -> Array | None:
        """The step's change to each bias, (u,), or None."""
        return None if self.bias is None or self.new_bias is None else self.new_bias - self.bias


@dataclass(frozen=True, eq=False)
class BackpropStep:
    """One update with every number.

    Attributes:
        rows: the table rows the step learns from.
        whole_batch: whether they are every training row (the step the trainer takes next when it trains full batch).
        x: their inputs, (n, n_inputs); ``targets``: (n, n_outputs); ``outputs``: the network's, (n, n_outputs).
        loss_name: the loss; ``loss``: its value on these rows before the step.
        lr: the learning rate; ``optimizer``: its name.
        optimizer_before, optimizer_after: the optimizer's state around the step (empty for ``sgd``).
        layers: one per dense layer, the input side first.
        names: every column's unit names (``unit_names``).
        theta_after: every parameter after the step, (P,), in the file's order.
    """

    rows: tuple[int, ...]
    whole_batch: bool
    x: Array
    targets: Array
    outputs: Array
    loss_name: str
    loss: float
    lr: float
    optimizer: str
    optimizer_before: dict[str, Array]
    optimizer_after: dict[str, Array]
    layers: tuple[LayerStep, ...]
    names: tuple[tuple[str, ...], ...]
    theta_after: Array

    @property
    def error(self) -> Array:
        """output - target, (n, n_outputs)."""
        return self.outputs - self.targets

    @property
    def plain_sgd(self) -> bool:
        """Whether the change is ``- lr * gradient`` (plain gradient descent)."""
        return self.optimizer == "sgd"


def backprop_step(trainer: Trainer, row: int | None = None) -> BackpropStep:
    """The next update of ``trainer``'s network with every number: on its training rows (``row`` None: the whole
    batch) or on one table row. The trainer is only read.

    Raises:
        LabError: when the row does not exist, is held out, or every row is held out.
    """
    table = trainer.experiment.table
    if row is None:
        rows = tuple(int(r) for r in table.train_rows)
        if not rows:
            raise LabError("every row is held out: keep at least one row to train on")
    else:
        if not 0 <= row < table.n_rows:
            raise LabError(f"row {row} does not exist: rows are 0 to {table.n_rows - 1}")
        if row in table.heldout:
            raise LabError(f"row {row} is held out: the network never learns from it")
        rows = (row,)
    shape = trainer.net.shape
    x, t = np.ascontiguousarray(table.inputs[list(rows)]), np.ascontiguousarray(table.targets[list(rows)])
    net = Network(shape, trainer.net.theta)  # a copy: the step never writes the trainer's weights
    layers = dense_layers(shape, net.theta, net.grad, widened=True)  # as the trainer's
    buffers = Pass.new(len(rows), shape.sizes[1:])
    inputs = widen(x, shape.bias)
    with np.errstate(all="ignore"):
        y = forward(layers, inputs, buffers.zs, buffers.acts)
        out = net.acts[-1]
        loss = float(trainer.loss.value(buffers.zs[-1], y, t, out))
        zs, acts = [z.copy() for z in buffers.zs], [a.copy() for a in buffers.acts]
        dz = trainer.loss.grad_z(buffers.zs[-1], y, t, out, buffers.dz)
        backward(layers, buffers.zs, [inputs, *buffers.acts], dz, buffers.dA, buffers.slope)
        deltas = [*buffers.dA[:-1], buffers.dz]  # backward leaves each hidden layer's dL/dz in its dA
        slopes = [*buffers.slope[:-1], out.grad(zs[-1], acts[-1])]  # the output's slope is fused in the loss's
        optimizer = OPTIMIZERS[trainer.experiment.training.optimizer](shape.n_params)
        if trainer.optimizer.state():
            optimizer.load_state(trainer.optimizer.state())
        before = optimizer.state()
        theta = net.theta.copy()
        optimizer.step(theta, net.grad, trainer.lr)
    after_net = Network(shape, theta)
    steps = []
    for l in range(shape.n_layers):
        b, nb, gb = net.b[l], after_net.b[l], net.gb[l]
        steps.append(LayerStep(
            f"W{l + 1}", f"b{l + 1}", shape.activations[l], frozen(x if l == 0 else acts[l - 1]), frozen(zs[l]),
            frozen(acts[l]), frozen(slopes[l]), frozen(deltas[l]), frozen(net.W[l]), None if b is None else frozen(b),
            frozen(net.gW[l]), None if gb is None else frozen(gb), frozen(after_net.W[l]),
            None if nb is None else frozen(nb)))
    return BackpropStep(rows, row is None, frozen(x), frozen(t), frozen(acts[-1]), trainer.loss.name, loss,
                        float(trainer.lr), optimizer.name, {k: frozen(v) for k, v in before.items()},
                        {k: frozen(v) for k, v in optimizer.state().items()}, tuple(steps),
                        unit_names(net, table.output_names), frozen(theta))


def step_gradient(step: BackpropStep) -> Array:
    """The step's gradient laid out as theta, (P,): W1, b1, W2, b2, ... (for the gradient check)."""
    parts: list[Array] = []
    for layer in step.layers:
        parts.append(layer.grad_w.ravel())
        if layer.grad_b is not None:
            parts.append(layer.grad_b.ravel())
    return np.concatenate(parts)


def step_json(step: BackpropStep) -> dict:
    """The step as plain data: per parameter named as in the experiment file, the weights before, their gradients
    and the weights after; the rows, outputs, errors, loss and optimizer around them."""
    params: dict[str, dict] = {}
    for layer in step.layers:
        params[layer.weight_name] = {"before": layer.weights.tolist(), "gradient": layer.grad_w.tolist(),
                                     "after": layer.new_weights.tolist()}
        if layer.bias is not None and layer.grad_b is not None and layer.new_bias is not None:
            params[layer.bias_name] = {"before": layer.bias.tolist(), "gradient": layer.grad_b.tolist(),
                                       "after": layer.new_bias.tolist()}
    return {
        "rows": list(step.rows), "whole_batch": step.whole_batch, "loss": step.loss_name,
        "loss_before": step.loss, "optimizer": step.optimizer, "lr": step.lr,
        "outputs": step.outputs.tolist(), "targets": step.targets.tolist(), "errors": step.error.tolist(),
        "layers": [{"weights": layer.weight_name, "bias": layer.bias_name if layer.bias is not None else None,
                    "activation": layer.activation, "z": layer.z.tolist(), "a": layer.a.tolist(),
                    "slope": layer.slope.tolist(), "delta": layer.delta.tolist()} for layer in step.layers],
        "params": params,
        "optimizer_state_after": {k: v.tolist() for k, v in step.optimizer_after.items()},
    }


# --- the step in words and numbers, in the tutorial's order ----------------------------------------------------------
SECTIONS = ("forward pass", "error", "slope", "delta", "gradient and update")
"""The parts of ``step_sections``, in the order the tutorial computes them."""


def number(v: float) -> str:
    """A value as the step shows it: signed, four decimals."""
    return f"{v:+.4f}"


def _values(column: Array) -> str:
    """One value per row: ``+0.1234`` for one row, ``[+0.1, ...]`` for several."""
    return number(float(column[0])) if column.size == 1 else "[" + " ".join(number(float(v)) for v in column) + "]"


def weight_name(names: tuple[tuple[str, ...], ...], layer: int, i: int, j: int) -> str:
    """``w(a→h1)``: the weight from unit i of column ``layer`` to unit j of the next."""
    return f"w({names[layer][i]}→{names[layer + 1][j]})"


def bias_name(names: tuple[tuple[str, ...], ...], layer: int, j: int) -> str:
    """``bias(h1)``: the bias of unit j of dense layer ``layer`` (0-based)."""
    return f"bias({names[layer + 1][j]})"


def _forward(step: BackpropStep) -> list[str]:
    one = len(step.rows) == 1
    lines = []
    for l, layer in enumerate(step.layers):
        for j, unit in enumerate(step.names[l + 1]):
            if one:
                terms = " + ".join(f"{step.names[l][i]} {number(float(layer.inputs[0, i]))} × "
                                   f"{number(float(layer.weights[i, j]))}" for i in range(layer.weights.shape[0]))
                bias = "" if layer.bias is None else f" + bias {number(float(layer.bias[j]))}"
                lines.append(f"{unit}: sum z = {terms}{bias} = {number(float(layer.z[0, j]))}")
            else:
                lines.append(f"{unit}: sum z by row = {_values(layer.z[:, j])}")
            lines.append(f"{unit}: output = {layer.activation}(z) = {_values(layer.a[:, j])}")
    return lines


def _error(step: BackpropStep) -> list[str]:
    lines = []
    for k, name in enumerate(step.names[-1]):
        lines.append(f"{name}: output - target = {_values(step.outputs[:, k])} - {_values(step.targets[:, k])} = "
                     f"{_values(step.error[:, k])}")
    lines.append("(the tutorial writes target - output and adds its update; the lab subtracts the gradient: the "
                 "same step)")
    return lines


def _slope(step: BackpropStep) -> list[str]:
    lines = []
    for l in range(len(step.layers) - 1, -1, -1):
        layer = step.layers[l]
        words = SLOPE_NAMES.get(layer.activation, "f'(z)")
        for j, unit in enumerate(step.names[l + 1]):
            lines.append(f"{unit}: slope {words} = {_values(layer.slope[:, j])}")
    return lines


def _delta(step: BackpropStep) -> list[str]:
    out = step.layers[-1]
    words = DELTA_NAMES.get(step.loss_name, "dL/dz") if step.loss_name != "bce" or out.activation == "sigmoid" \
        else "dL/do × slope"
    lines = [f"{unit}: delta = {words} = {_values(out.delta[:, k])}" for k, unit in enumerate(step.names[-1])]
    for l in range(len(step.layers) - 2, -1, -1):
        layer, above = step.layers[l], step.layers[l + 1]
        for j, unit in enumerate(step.names[l + 1]):
            terms = " + ".join(f"delta({step.names[l + 2][k]}) × {weight_name(step.names, l + 1, j, k)}"
                               for k in range(above.weights.shape[1]))
            if len(step.rows) == 1:
                sums = " + ".join(f"{number(float(above.delta[0, k]))} × {number(float(above.weights[j, k]))}"
                                  for k in range(above.weights.shape[1]))
                lines.append(f"{unit}: delta = ({terms}) × slope = ({sums}) × {number(float(layer.slope[0, j]))} "
                             f"= {number(float(layer.delta[0, j]))}")
            else:
                lines.append(f"{unit}: delta = ({terms}) × slope = {_values(layer.delta[:, j])}")
    return lines


def _update(step: BackpropStep) -> list[str]:
    one = len(step.rows) == 1
    lines = []
    if not step.plain_sgd:
        state = ", ".join(sorted(name for name, v in step.optimizer_after.items() if np.ndim(v)))
        lines.append(f"{step.optimizer} moves each weight by its own rule from the gradient and its state ({state},"
                     f" shown after the step): the change below is what {step.optimizer} did, not lr × gradient")
    flat = 0  # each parameter's place in theta, for the optimizer's state
    for l, layer in enumerate(step.layers):
        n_in, units = layer.weights.shape
        params = [(weight_name(step.names, l, i, j), layer.inputs[:, i], i, j) for j in range(units)
                  for i in range(n_in)]
        for name, below, i, j in params:
            delta = layer.delta[:, j]
            how = (f"{number(float(below[0]))} × {number(float(delta[0]))}" if one
                   else f"sum over rows of {step.names[l][i]} × delta({step.names[l + 1][j]})")
            lines.append(_param_line(step, name, how, float(layer.grad_w[i, j]), float(layer.weights[i, j]),
                                     float(layer.new_weights[i, j]), flat + i * units + j))
        flat += n_in * units
        if layer.bias is not None and layer.grad_b is not None and layer.new_bias is not None:
            for j in range(units):
                how = "delta" if one else "sum over rows of delta"
                lines.append(_param_line(step, bias_name(step.names, l, j), how, float(layer.grad_b[j]),
                                         float(layer.bias[j]), float(layer.new_bias[j]), flat + j))
            flat += units
    return lines


def _param_line(step: BackpropStep, name: str, how: str, grad: float, old: float, new: float, at: int) -> str:
    """One parameter's gradient, change and new value; for an optimizer with state, its state there after the
    step (adam's m and v, momentum's velocity)."""
    change = new - old
    if step.plain_sgd:
        return (f"{name}: gradient = {how} = {number(grad)} · lr × gradient = {number(step.lr * grad)} · "
                f"new = {number(old)} - {number(step.lr * grad)} = {number(new)}")
    state = " ".join(f"{key} {float(values[at]):+.3g}" for key, values in sorted(step.optimizer_after.items())
                     if np.ndim(values))
    return (f"{name}: gradient = {how} = {number(grad)} · {state} · {step.optimizer} change = {number(change)} · "
            f"new = {number(old)} + {number(change)} = {number(new)}")


def step_sections(step: BackpropStep) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The step as text, one section per part of ``SECTIONS``: (title, lines)."""
    parts = (_forward, _error, _slope, _delta, _update)
    return tuple((title, tuple(part(step))) for title, part in zip(SECTIONS, parts, strict=True))


def step_heading(step: BackpropStep, row_labels: tuple[str, ...]) -> str:
    """``one step on row 3 (011) · loss sse 0.1234 · sgd lr 1``."""
    what = (f"the whole batch ({len(step.rows)} rows)" if step.whole_batch
            else f"row {step.rows[0]} ({row_labels[0]})")
    return (f"one step of backpropagation on {what} · loss {step.loss_name} {step.loss:.6g} · "
            f"{step.optimizer} lr {step.lr:g}")


# --- for the interface: a step from a frozen state, and what applying it changes ----------------------------------
def step_from_state(experiment: Experiment, state: TrainingState, row: int | None = None) -> BackpropStep:
    """``backprop_step`` of the run ``state`` froze under ``experiment`` (a trainer of its own, never the live one):
    what the interface asks for, holding only frozen values."""
    return backprop_step(Trainer.from_state(experiment, state), row)


def changed_parameters(step: BackpropStep) -> list[tuple[int, int, int | None, float]]:
    """Every parameter the step changes as ``(layer, i, j, value)`` (layer from 0; ``j`` None for the bias of unit
    ``i``): what setting the weights by hand to the step's result takes. The optimizer's state does not follow (for
    ``sgd`` it has none); training an epoch applies a whole-batch step with it."""
    changes: list[tuple[int, int, int | None, float]] = []
    for l, layer in enumerate(step.layers):
        for i, j in zip(*np.nonzero(layer.new_weights != layer.weights), strict=True):
            changes.append((l, int(i), int(j), float(layer.new_weights[i, j])))
        if layer.bias is not None and layer.new_bias is not None:
            for i in np.flatnonzero(layer.new_bias != layer.bias):
                changes.append((l, int(i), None, float(layer.new_bias[i])))
    return changes
