"""How big each layer's weights and gradients are now, and which hidden units have died: one sample for a chart of
weights over time (the interface keeps the history).

For dense layer l with weights W_l (n_in, units) and the loss L over the training rows (full batch, whatever batch
size the trainer uses)::

    weight_norm = ||W_l||_F = sqrt(sum W_l**2)        grad_norm = ||dL/dW_l||_F
    bias_norm   = ||b_l||_2                           bias_grad_norm = ||dL/db_l||_2

A hidden unit is dead when its activation is the same, within ``DEAD_TOLERANCE``, on every row of the table (held-out
rows included): it then passes nothing about the input on, and no gradient reaches its incoming weights through
a relu.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from lab.core.inspect.common import layer_names
from lab.core.inspect.units import dead_units
from lab.core.losses import LOSSES, Loss
from lab.core.nn import Network
from lab.core.train import Trainer

Array = np.ndarray


@dataclass(frozen=True)
class LayerHealth:
    """One dense layer's norms and dead units.

    Attributes:
        name: Keras' name of the layer (``dense``, ``dense_1``, ...).
        weight_norm: ``||W||_F``.
        grad_norm: ``||dL/dW||_F`` on the training rows; nan when there are none.
        bias_norm: ``||b||``, or None without biases.
        bias_grad_norm: ``||dL/db||``, or None without biases; nan when there are no training rows.
        dead: the 0-based indices of this layer's dead units (always empty for the output layer).
    """

    name: str
    weight_norm: float
    grad_norm: float
    bias_norm: float | None
    bias_grad_norm: float | None
    dead: tuple[int, ...]


@dataclass(frozen=True)
class WeightHealth:
    """A sample of every layer's norms, taken at one epoch.

    Attributes:
        epoch: the epochs completed when it was taken.
        loss: the loss on the training rows (nan when every row is held out).
        layers: one entry per dense layer, input side first.
    """

    epoch: int
    loss: float
    layers: tuple[LayerHealth, ...]

    @property
    def n_dead(self) -> int:
        """Dead hidden units over all layers."""
        return sum(len(layer.dead) for layer in self.layers)


def weight_health(net: Network, loss: Loss | str, x: Array, t: Array, probe: Array | None = None,
                  epoch: int = 0) -> WeightHealth:
    """Norms of every layer's parameters and of the gradient of ``loss`` on rows ``x``, ``t``, and dead units.

    Args:
        net: the network; it is only read (the gradient is taken on a copy, so a trainer's ``grad`` is untouched).
        loss: a loss or its name in ``LOSSES``.
        x: the training inputs, (n, n_inputs); n may be 0.
        t: their targets, (n, n_outputs).
        probe: the rows that decide which units are dead, (m, n_inputs); by default ``x``.
        epoch: recorded in the result.
    """
    loss = LOSSES[loss] if isinstance(loss, str) else loss
    work = net.copy()
    with np.errstate(all="ignore"):
        if x.shape[0]:
            zs, acts = work.forward_trace(x)
            value = float(loss.value(zs[-1], acts[-1], t, work.acts[-1]))
            work.backward(zs, acts, loss.grad_z(zs[-1], acts[-1], t, work.acts[-1]))
        else:
            value = math.nan
            work.grad[:] = math.nan
        _, probe_acts = work.forward_trace(x if probe is None else probe)
    n_hidden = net.shape.n_layers - 1
    dead = dead_units(probe_acts, n_hidden) if probe_acts[0].shape[0] else tuple(np.zeros(0, bool)
                                                                                  for _ in range(n_hidden))
    layers = []
    for l, name in enumerate(layer_names(net.shape)):
        b, gb = work.b[l], work.gb[l]
        with np.errstate(all="ignore"):  # the norm of huge weights before a divergence overflows to inf
            norms = (float(np.linalg.norm(work.W[l])), float(np.linalg.norm(work.gW[l])),
                     float(np.linalg.norm(b)) if b is not None else None,
                     float(np.linalg.norm(gb)) if gb is not None else None)
        layers.append(LayerHealth(name, *norms,
                                  tuple(int(j) for j in np.flatnonzero(dead[l])) if l < n_hidden else ()))
    return WeightHealth(epoch, float(value), tuple(layers))


def trainer_health(trainer: Trainer) -> WeightHealth:
    """``weight_health`` of a trainer's network, loss and training rows, with every table row deciding dead units,
    at the trainer's epoch. Call it where the trainer is safe to read (the app's session lock)."""
    return weight_health(trainer.net, trainer.loss, trainer.x_train, trainer.t_train,
                         trainer.experiment.table.inputs, trainer.epoch)


HEALTH_SAMPLES = 64  # an even number: thinning keeps the first and the latest sample


class HealthHistory:
    """``WeightHealth`` samples over a whole run, in bounded memory: at most ``cap + 1`` samples, spread over
    every epoch since the start.

    A sample is taken when the epoch has moved at least ``stride`` epochs past the last one (or when asked to
    ``force`` it: the end of a run, a step by hand). When the samples exceed ``cap``, every other one is dropped and
    the stride doubles, so a run of any length keeps between ``cap / 2`` and ``cap + 1`` samples from its first
    epoch to its latest. Not thread-safe: the caller holds the lock that guards the trainer.
    """

    def __init__(self, cap: int = HEALTH_SAMPLES) -> None:
        self.cap = cap
        self.stride = 1
        self._samples: list[WeightHealth] = []

    def __len__(self) -> int:
        return len(self._samples)

    def __iter__(self):
        return iter(self._samples)

    def __getitem__(self, index: int) -> WeightHealth:
        return self._samples[index]

    def due(self, epoch: int) -> bool:
        """Whether a sample at ``epoch`` would be kept (without ``force``)."""
        return not self._samples or epoch >= self._samples[-1].epoch + self.stride

    def offer(self, trainer: Trainer, force: bool = False) -> bool:
        """Take a sample of ``trainer`` now when it is due (or, with ``force``, whenever its epoch is new); whether
        one was taken. Nothing is taken when every row is held out (there is no gradient to measure)."""
        if not len(trainer.experiment.table.train_rows):
            return False
        if self._samples and self._samples[-1].epoch == trainer.epoch:
            return False
        if not (force or self.due(trainer.epoch)):
            return False
        self.add(trainer_health(trainer))
        return True

    def add(self, sample: WeightHealth) -> None:
        """Keep ``sample`` (thinning the history when it is full)."""
        self._samples.append(sample)
        if len(self._samples) > self.cap:
            self._samples = self._samples[::2]  # cap + 1 samples, an odd count: the first and the latest stay
            self.stride *= 2
