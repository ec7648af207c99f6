"""One block of a sweep's members (``lab/core/sweep.py``): K networks' parameters stacked member-last, (P, a), trained
together one epoch at a time by the shared maths (``nn.forward``, ``nn.backward``, ``losses``, ``rules``), with
masks of which slots still train, the scratch arrays every block borrows in turn, and what an epoch produced for the
sweep to record.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import cast

import numpy as np

from lab.core import rules
from lab.core.activations import Activation
from lab.core.losses import Loss
from lab.core.nn import (
    Dense,
    Network,
    Pass,
    Shape,
    backward,
    dense_layers,
    forward,
    stack_products,
)
from lab.core.optim import OPTIMIZERS, Optimizer
from lab.core.rules import SAFE_SQUARES, Targets

Array = np.ndarray
OPTIMIZER_GROUP = 1 << 16  # parameters (members x weights) per optimizer call: 512 KB a state array


def with_twin(ids: Array, theta: Array, rngs: list[np.random.Generator] | None,
              live: Array) -> tuple[Array, Array, list[np.random.Generator] | None, Array]:
    """A lone slot's arrays with a dead twin beside it: ids (1,), theta (P, 1), rngs and live (1,) become (2,),
    (P, 2), two and (2,), the twin a copy that never trains (its own generator, never drawn from). NumPy contracts a
    stack of one member as a plain 2-D product (``einsum`` and ``matmul`` then sum in another order), so a member
    alone in its block, as the last of a sweep or the one left after the others stopped, would not get the numbers
    it gets beside others; with a twin it does, so every member's numbers are the same whatever K. Other sizes
    pass through."""
    if len(ids) != 1:
        return ids, theta, rngs, live
    twin_rngs = None if rngs is None else [rngs[0], copy.deepcopy(rngs[0])]
    return np.repeat(ids, 2), np.repeat(theta, 2, axis=1), twin_rngs, np.array([bool(live[0]), False])


# --- one block of members ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Plan:
    """What every block shares: the shape, output activation, loss, optimizer name and learning rate, and the data.
    The inputs (n, n_in + 1) are widened with a column of ones when the layers have biases, so the first layer's
    bias rides in its matrix product; targets are (n, o, 1) to broadcast over members."""

    shape: Shape
    out: Activation
    loss: Loss
    optimizer: str
    lr: float | Array  # one learning rate for every member, or one per member of the sweep, (K,)
    batch_size: int
    x_train: Array
    train: Targets
    x_held: Array
    held: Targets
    x_every: Array

    @property
    def full_batch(self) -> bool:
        """Whether an epoch is one update on every training row."""
        return self.batch_size == 0 or self.batch_size >= self.train.n


class Scratch:
    """The scratch arrays every block borrows in turn (blocks train one after another), one set per use and row
    count, so memory grows with the largest block, not with K. Training allocates nothing large per epoch: fresh
    arrays of a few hundred kilobytes cost page faults every time."""

    def __init__(self, units: Sequence[int], dtype: type[np.floating] = np.float64) -> None:
        self.units = tuple(units)
        self.dtype = dtype
        self._flat: dict[tuple[str, int], list[Array]] = {}
        self._views: dict[tuple[str, int, int], Pass] = {}

    def buffers(self, key: str, n: int, members: int) -> Pass:
        """The arrays of a pass of ``members`` members over ``n`` rows, kept under ``key`` (so scoring the held-out
        rows never overwrites what the update still needs).

        A hidden layer's dL/da and f'(z) have no arrays of their own: the backward pass writes them over the
        layer's a and z, spent by then (``nn.backward`` reads a layer's a and z before it writes its f'(z) and
        dL/da), so a pass touches half the memory (about 5% faster at 32 units and at K = 1,000, where an epoch's
        arrays outgrow the cache). ``block_size`` still counts the four arrays it had, so blocks (and every
        number) stay as they were. The output layer's z and a (the outputs) are never overwritten."""
        views = self._views.get((key, n, members))
        if views is None:
            sizes = [*self.units * 2, self.units[-1]]  # zs, acts, dz
            flat = self._flat.get((key, n))
            if flat is None or flat[0].size < n * self.units[0] * members:
                flat = self._flat[key, n] = [np.empty(n * u * members, self.dtype) for u in sizes]
                self._views = {k: v for k, v in self._views.items() if k[:2] != (key, n)}
            shaped = [f[: n * u * members].reshape(n, u, members) for f, u in zip(flat, sizes, strict=True)]
            L = len(self.units)
            zs, acts = shaped[:L], shaped[L : 2 * L]
            views = self._views[key, n, members] = Pass(zs, acts, acts, zs, shaped[-1])  # dA over a, slope over z
        return views


@dataclass
class EpochResult:
    """What one block's epoch produced, per slot (a,). ``recorded``: trained and scored this epoch. ``failed``: a
    loss (training or held-out) or a parameter stopped being finite, so the epoch did not count. ``overflowed``:
    recorded, but the weights it ended with overflow a forward pass, so the member diverges at the next epoch (as
    the trainer marks it). For both, ``candidates[slot]`` are the weights to fall back on, in the single trainer's
    order of preference (see ``rules.finite_fallback``). ``calm``: known to have no slot failed or overflowed (so
    the sweep need not look)."""

    recorded: Array
    loss: Array
    right: Array
    held_loss: Array | None
    held_right: Array | None
    failed: Array
    overflowed: Array
    candidates: dict[int, tuple[Array, Array, Array]]
    calm: bool = False


class Block:
    """A share of the members trained together (see ``block_size``).

    Slots (columns of ``theta``) of members that stopped stay in place as dead weight, ignored, until a quarter of
    the block is dead; then the block is compacted.

    ``theta`` and ``backup`` are two arrays that trade places at every update: the optimizer writes the new weights
    into the array that held the backup, and the weights it read become the backup, so keeping them costs no copy.
    Each array has its layers (views), and ``layers`` are always those of ``theta``.

    Attributes:
        ids: the sweep's member index of each slot, (a,).
        theta: the slots' parameters, (P, a): column s is member ``ids[s]``'s ``Network.theta``; ``grad`` likewise.
        backup: the parameters before the latest update, (P, a).
        live: which slots still train, (a,) bool.
    """

    def __init__(self, plan: Plan, scratch: Scratch, ids: Array, theta: Array,
                 rngs: list[np.random.Generator] | None) -> None:
        self.plan = plan
        self.scratch = scratch
        ids, theta, rngs, self.live = with_twin(ids, theta, rngs, np.ones(len(ids), dtype=bool))
        self.ids = ids
        self.theta = np.ascontiguousarray(theta)
        self.rngs = rngs
        self.optimizers = self._optimizers()
        self.backup = self.theta.copy()
        self._bind()

    def _bind(self) -> None:
        """(Re)create the gradient, the mini-batch epoch's starting weights, the slots' learning rates and the layers
        (views of ``theta`` and ``grad``, and of ``backup``, for when the two trade places) for the current slots:
        ``layers`` for the shared training inputs, ``mini_layers`` for per-member mini-batches."""
        shape = self.plan.shape
        lr = self.plan.lr
        # Per member: (a,), broadcast along each optimizer group's member axis; the same arithmetic as a scalar.
        self.lr = lr if isinstance(lr, float) else np.ascontiguousarray(lr[self.ids])
        self.grad = np.zeros_like(self.theta)
        self._mini_start = None if self.plan.full_batch else self.theta.copy()
        full, mini = stack_products(shape)

        def layers(theta: Array) -> tuple[list[Dense], list[Dense]]:
            return dense_layers(shape, theta, self.grad, True, full), dense_layers(shape, theta, self.grad, True, mini)

        self.layers, self.mini_layers = layers(self.theta)
        self._backup_layers = layers(self.backup)

    @property
    def epoch_start(self) -> Array:
        """The weights the current epoch started from, (P, a): for a full batch, those its one update backs up."""
        return self.backup if self._mini_start is None else self._mini_start

    def _trade(self) -> None:
        """After an update wrote the new weights into ``backup``'s array: that array becomes ``theta`` (with its
        layers) and the weights before the update ``backup``."""
        self.theta, self.backup = self.backup, self.theta
        (self.layers, self.mini_layers), self._backup_layers = self._backup_layers, (self.layers, self.mini_layers)

    # --- forward and backward ------------------------------------------------------------------------------------
    def _forward(self, layers: list[Dense], x: Array, key: str) -> Pass:
        """Every member's forward pass on the widened inputs ``x`` into the arrays kept under ``key``."""
        buffers = self.scratch.buffers(key, x.shape[0], len(self.ids))
        forward(layers, x, buffers.zs, buffers.acts)
        return buffers

    def _update(self, layers: list[Dense], x: Array, buffers: Pass, t: Array, failed: Array,
                candidates: dict[int, tuple[Array, Array, Array]], dz: Array | None = None) -> None:
        """One optimizer step for every slot, from the forward pass in ``buffers`` on inputs ``x`` against targets
        ``t`` (or from ``dz``, dL/dz of the output layer, when already worked out). A slot whose parameters stop
        being finite joins ``failed`` (a,), with the weights it had before the step (twice, as the trainer tries
        them) and at the start of the epoch as its ``candidates``."""
        plan, zs, acts = self.plan, buffers.zs, buffers.acts
        if dz is None:
            dz = plan.loss.grad_z(zs[-1], acts[-1], t, plan.out, buffers.dz)
        backward(layers, zs, [x, *acts], dz, buffers.dA, buffers.slope)
        for rows, optimizer in zip(self.groups, self.optimizers, strict=True):
            optimizer.step(self.theta[rows], self.grad[rows], self.lr, out=self.backup[rows])
        self._trade()  # the new weights are theta now, the ones the step read the backup
        # At SAFE_WEIGHT**2 or more a member's outputs are checked after the epoch (``_overflowed``), as the trainer.
        sums = rules.squares(self.theta)
        self.large = ~(sums < SAFE_SQUARES)  # nan, inf or large; usually none, checked in one call
        self.any_large = bool(np.count_nonzero(self.large))
        if not self.any_large:
            return
        for slot in np.flatnonzero(rules.not_finite(self.theta, sums) & self.live & ~failed):
            failed[slot] = True
            before = self.backup[:, slot].copy()
            candidates[int(slot)] = (before, before, self.epoch_start[:, slot].copy())

    def _overflowed(self, recorded: Array, candidates: dict[int, tuple[Array, Array, Array]]) -> Array:
        """The ``recorded`` slots whose weights, finite, still overflow a forward pass on some row of the table (the
        trainer's check after every epoch, made only when the weights' sum of squares reaches ``SAFE_WEIGHT ** 2``),
        with the weights now, before the last update and at the start of the epoch as their ``candidates``."""
        if not self.any_large:
            return np.zeros_like(recorded)
        big = recorded & self.large
        for slot in np.flatnonzero(big):
            theta = self.theta[:, slot]
            if np.isfinite(Network(self.plan.shape, theta).forward(self.plan.x_every)).all():
                big[slot] = False
            else:
                candidates[int(slot)] = (theta.copy(), self.backup[:, slot].copy(), self.epoch_start[:, slot].copy())
        return big

    def _score(self, x: Array, targets: Targets, key: str) -> tuple[Array, Array, Pass]:
        """Loss (a,), right-row counts (a,) and the pass of every slot on inputs ``x`` as it stands."""
        buffers = self._forward(self.layers, x, key)
        y = buffers.acts[-1]
        return self.plan.loss.value(buffers.zs[-1], y, targets.t, self.plan.out), cast(Array, targets.right(y)), buffers

    def _held(self) -> tuple[Array | None, Array | None]:
        plan = self.plan
        if not plan.held.n:
            return None, None
        loss, right, _ = self._score(plan.x_held, plan.held, "held")
        return loss, right

    # --- epochs --------------------------------------------------------------------------------------------------
    def epoch(self) -> EpochResult:
        """Train every live slot for one epoch (full batch or mini-batches, as the plan says)."""
        plan = self.plan
        with np.errstate(all="ignore"):
            if plan.full_batch:
                return self._full_batch_epoch()
            return self._mini_batch_epoch(plan.batch_size)

    def _full_batch_epoch(self) -> EpochResult:
        plan = self.plan
        buffers = self._forward(self.layers, plan.x_train, "train")
        y = buffers.acts[-1]
        loss, dz = plan.loss.both(buffers.zs[-1], y, plan.train.t, plan.out, buffers.dz)
        right = cast(Array, plan.train.right(y))
        held_loss, held_right = self._held()  # the same weights the training loss saw
        failed = ~np.isfinite(loss if held_loss is None else loss + held_loss)
        failed &= self.live
        candidates: dict[int, tuple[Array, Array, Array]] = {}
        calm = not np.count_nonzero(failed)
        if not calm:
            for slot in np.flatnonzero(failed):  # no update for these: the weights now, else before the last update
                now = self.theta[:, slot].copy()
                candidates[int(slot)] = (now, self.backup[:, slot].copy(), now)
        # (the backup becomes the epoch's start)
        self._update(self.layers, plan.x_train, buffers, plan.train.t, failed, candidates, dz)
        if calm and not self.any_large:  # nothing failed, before or by the update, and nothing can overflow
            return EpochResult(self.live.copy(), loss, right, held_loss, held_right, failed, failed, candidates, True)
        recorded = self.live & ~failed
        return EpochResult(recorded, loss, right, held_loss, held_right, failed,
                            self._overflowed(recorded, candidates), candidates)

    def _mini_batch_epoch(self, size: int) -> EpochResult:
        plan = self.plan
        a, n = len(self.ids), plan.train.n
        order = np.empty((n, a), dtype=np.intp)  # order[:, s] is slot s's row order
        order[:] = np.arange(n)[:, None]
        rngs = cast(list[np.random.Generator], self.rngs)  # a mini-batch block has every member's shuffler
        for slot in np.flatnonzero(self.live):  # the single trainer's shuffle, one call per member
            order[:, slot] = rngs[slot].permutation(n)
        targets = plan.train.t[:, :, 0]
        z_all = np.empty((n, targets.shape[1], a), self.theta.dtype)
        y_all = np.empty_like(z_all)
        slots = np.arange(a)
        failed = np.zeros(a, dtype=bool)
        candidates: dict[int, tuple[Array, Array, Array]] = {}
        np.copyto(self.epoch_start, self.theta)  # (the mini-batch epoch's own array)
        for start in range(0, n, size):
            rows = order[start : start + size]  # (b, a)
            x = np.ascontiguousarray(plan.x_train[rows].transpose(0, 2, 1))  # (b, n_in + 1, a)
            t = np.ascontiguousarray(targets[rows].transpose(0, 2, 1))  # (b, o, a)
            buffers = self._forward(self.mini_layers, x, "batch")
            z_all[rows, :, slots] = buffers.zs[-1].transpose(0, 2, 1)
            y_all[rows, :, slots] = buffers.acts[-1].transpose(0, 2, 1)
            self._update(self.mini_layers, x, buffers, t, failed, candidates)
        loss = plan.loss.value(z_all, y_all, plan.train.t, plan.out)
        held_loss, held_right = self._held()
        # Every update was finite, the epoch's loss (or the held-out loss) is not.
        late = ~np.isfinite(loss if held_loss is None else loss + held_loss) & self.live & ~failed
        for slot in np.flatnonzero(late):
            candidates[int(slot)] = (self.theta[:, slot].copy(), self.backup[:, slot].copy(),
                                     self.epoch_start[:, slot].copy())
        failed |= late
        recorded = self.live & ~failed
        return EpochResult(recorded, loss, cast(Array, plan.train.right(y_all)), held_loss, held_right, failed,
                            self._overflowed(recorded, candidates), candidates)

    # --- stopping ------------------------------------------------------------------------------------------------
    def weights(self, slots: Array) -> Array:
        """The parameters of ``slots`` (a mask or indices), one member per row: (s, P)."""
        return self.theta[:, slots].T

    def stop(self, slots: Array) -> None:
        """Freeze ``slots`` (a bool mask (a,)); compact the block once a quarter of its slots are dead."""
        self.live &= ~slots
        dead = len(self.ids) - int(np.count_nonzero(self.live))
        if dead * 4 >= len(self.ids):
            self._compact()

    def _compact(self) -> None:
        keep = np.flatnonzero(self.live)
        if len(keep) == 1:  # the last one keeps a dead slot beside it (``with_twin``'s reason)
            keep = np.append(keep, np.flatnonzero(~self.live)[0])
        states = [optimizer.state() for optimizer in self.optimizers]
        self.ids = self.ids[keep]
        self.theta = np.ascontiguousarray(self.theta[:, keep])
        self.backup = np.ascontiguousarray(self.backup[:, keep])
        self.live = self.live[keep]
        if self.rngs is not None:
            self.rngs = [self.rngs[i] for i in keep]
        self.optimizers = self._optimizers(self.groups)  # the same groups of rows, fewer members
        for optimizer, state in zip(self.optimizers, states, strict=True):
            optimizer.load_state({k: v[:, keep] if v.ndim == 2 else v for k, v in state.items()})
        self._bind()

    def _optimizers(self, groups: list[slice] | None = None) -> list[Optimizer]:
        """One optimizer per group of parameter rows (``self.groups``, made unless given), each group's arrays small
        enough to stay in cache through the optimizer's dozen passes (a fifth faster on large blocks); all step
        together."""
        P, a = self.theta.shape
        if groups is None:
            edges = np.linspace(0, P, min(P, -(-P * a // OPTIMIZER_GROUP)) + 1).astype(int)
            groups = [slice(lo, hi) for lo, hi in pairwise(edges)]
        self.groups = groups
        return [OPTIMIZERS[self.plan.optimizer]((g.stop - g.start, a), self.theta.dtype.type) for g in groups]
