"""Many seeds at once: K networks of one architecture, each trained exactly as ``Trainer`` trains it alone.

Member k of a sweep is the run ``Trainer(experiment.with_training(seed=seeds[k]))`` would make: the same initial
weights (``Network.initialise`` from ``default_rng(seed)``), the same mini-batch order (``default_rng([seed, 1])``,
one ``permutation`` per epoch), the same optimizer arithmetic (the core optimizers, run on stacked arrays) and the
same per-epoch metrics, solved epoch, stop rule and divergence handling. Only the summation order inside the matrix
products differs, so the numbers agree to rounding (about 1e-12 after a thousand epochs), not bit for bit.

The K parameter vectors sit in one array ``theta`` (K, P), each row laid out as ``Network.theta`` is (W1, b1, W2,
...). Because a layer's bias follows its weights, rows ``W_l`` and ``b_l`` together form one matrix, so with the
layer's input widened by a column of ones the bias rides along in the product::

    Wb_l = [W_l; b_l]                            (K, u_{l-1} + 1, u_l)       a view of theta
    A_{l-1} = [a_{l-1}, 1]                       (K, n, u_{l-1} + 1)         A_0 = [X, 1] (n, n_in + 1), shared
    z_l = A_{l-1} @ Wb_l                         (K, n, u_l)                 = a_{l-1} W_l + b_l, per member
    a_l = f_l(z_l)

and backward, from dL/dz_L (K, n, u_L) given by the loss of each member::

    dL/dWb_l = A_{l-1}^T @ dL/dz_l               (K, u_{l-1} + 1, u_l)       rows W_l then b_l: a view of grad
    dL/dz_{l-1} = (dL/dz_l @ W_l^T) * f'_{l-1}(z_{l-1})

Every product is one batched ``np.matmul`` over the K members, with no Python loop over K (a mini-batch epoch does
loop over K for the per-member shuffles, one ``permutation`` call each, to draw exactly what ``Trainer`` draws).
Without bias the ones column and the b rows are simply absent.

Members that stop (their stop rule fired, the budget is spent, or they diverged) are frozen: their final weights are
copied out and they take no further updates. A member whose loss or parameters stop being finite is restored to its
last finite weights, frozen and counted in ``diverged``; its NaNs stay in its own row and never reach another
member. The work is split into blocks of members, one per thread (NumPy releases the interpreter lock in its loops);
every number is the same for any number of threads.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from lab.core.activations import ACTIVATIONS, Activation
from lab.core.errors import LabError
from lab.core.experiment import Experiment, StopRule
from lab.core.losses import BCE_EPSILON
from lab.core.nn import Network, Shape
from lab.core.optim import OPTIMIZERS
from lab.core.train import BUDGET, DIVERGED, LOSS_REACHED, READY, SOLVED, THRESHOLD, History

Array = np.ndarray
MAX_SEED = 2**32 - 1
MIN_BLOCK = 512  # members per thread below which a second thread costs more than it saves


# --- losses over stacked members ---------------------------------------------------------------------------------
# The core's losses (lab/core/losses.py) reduce over the whole array they are given; these are the same formulas
# reduced per member. Shapes: z, y, t are (K, n, o) (t may be (n, o), shared); values are (K,); N = n * o.

@dataclass(frozen=True)
class BatchedLoss:
    """A loss of every member at once: ``value(z, y, t, out) -> (K,)`` and ``grad_z(z, y, t, out) -> (K, n, o)``."""

    name: str
    value: Callable[[Array, Array, Array, Activation], Array]
    grad_z: Callable[[Array, Array, Array, Activation], Array]


def _per_member_size(y: Array) -> int:
    return y.shape[-2] * y.shape[-1]


def _mse(z: Array, y: Array, t: Array, out: Activation) -> Array:
    """L_k = mean over rows and outputs of (y - t)^2."""
    d = y - t
    return np.einsum("kno,kno->k", d, d) / _per_member_size(y)


def _mse_grad(z: Array, y: Array, t: Array, out: Activation) -> Array:
    """dL_k/dz = 2 (y - t) / N * f'(z)."""
    return (2.0 / _per_member_size(y)) * (y - t) * out.grad(z, y)


def _sse(z: Array, y: Array, t: Array, out: Activation) -> Array:
    """L_k = 1/2 sum over rows and outputs of (y - t)^2."""
    d = y - t
    return 0.5 * np.einsum("kno,kno->k", d, d)


def _sse_grad(z: Array, y: Array, t: Array, out: Activation) -> Array:
    """dL_k/dz = (y - t) * f'(z)."""
    return (y - t) * out.grad(z, y)


def _bce(z: Array, y: Array, t: Array, out: Activation) -> Array:
    """L_k = -mean(t log y + (1 - t) log(1 - y)); from the logits for a sigmoid output, else clipped as Keras does."""
    if out.name == "sigmoid":
        return np.mean(np.maximum(z, 0.0) - z * t + np.log1p(np.exp(-np.abs(z))), axis=(-2, -1))
    p = np.clip(y, BCE_EPSILON, 1.0 - BCE_EPSILON)
    return -np.mean(t * np.log(p) + (1.0 - t) * np.log(1.0 - p), axis=(-2, -1))


def _bce_grad(z: Array, y: Array, t: Array, out: Activation) -> Array:
    """dL_k/dz = (y - t) / N for a sigmoid output; else dL/dy * f'(z), zero where the clip is active."""
    size = _per_member_size(y)
    if out.name == "sigmoid":
        return (y - t) / size
    p = np.clip(y, BCE_EPSILON, 1.0 - BCE_EPSILON)
    inside = (y > BCE_EPSILON) & (y < 1.0 - BCE_EPSILON)
    return np.where(inside, (p - t) / (p * (1.0 - p) * size), 0.0) * out.grad(z, y)


BATCHED_LOSSES: dict[str, BatchedLoss] = {l.name: l for l in (
    BatchedLoss("mse", _mse, _mse_grad),
    BatchedLoss("sse", _sse, _sse_grad),
    BatchedLoss("bce", _bce, _bce_grad),
)}


def right_rows(y: Array, t: Array) -> Array:
    """Rows whose every output rounds to its target, per member: ``y`` (K, n, o), ``t`` (n, o) -> (K,) counts."""
    return np.count_nonzero(np.all((y > THRESHOLD) == (t > THRESHOLD), axis=-1), axis=-1)


# --- history -----------------------------------------------------------------------------------------------------
@dataclass
class SweepHistory:
    """Per-epoch metrics of every member: entry i of each list is epoch i + 1, an array (K,) holding nan for the
    members that did not train that epoch (stopped or diverged). The held-out lists stay empty without held-out
    rows, as ``History``'s do."""

    loss: list[Array] = field(default_factory=list)
    accuracy: list[Array] = field(default_factory=list)
    heldout_loss: list[Array] = field(default_factory=list)
    heldout_accuracy: list[Array] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.loss)

    def member(self, k: int, epochs: int) -> History:
        """Member ``k``'s first ``epochs`` epochs as the single trainer's ``History``."""
        def column(rows: list[Array]) -> list[float]:
            return [float(row[k]) for row in rows[:epochs]]

        return History(column(self.loss), column(self.accuracy), column(self.heldout_loss),
                       column(self.heldout_accuracy))

    def matrix(self, name: str = "loss") -> Array:
        """One metric for every epoch and member, (epochs, K), nan where a member did not train."""
        rows = getattr(self, name)
        return np.array(rows) if rows else np.empty((0, 0))


# --- one block of members ----------------------------------------------------------------------------------------
@dataclass
class _EpochResult:
    """What one block's epoch produced, per slot (a,). ``recorded``: trained and scored this epoch. ``failed``: a
    loss or a parameter stopped being finite; ``restore`` (a, P) holds the last finite weights of those slots."""

    recorded: Array
    loss: Array
    right: Array
    held_loss: Array | None
    held_right: Array | None
    failed: Array
    restore: Array


class _Block:
    """A contiguous share of the members, trained together on stacked arrays; one per thread.

    Slots (rows of ``theta``) of members that stopped stay in place as dead weight, ignored, until enough have
    piled up to make compacting them away worth a copy.

    Attributes:
        ids: the sweep's member index of each slot, (a,).
        theta: the slots' parameters, (a, P); ``grad`` likewise.
        live: which slots still train, (a,) bool.
    """

    def __init__(self, plan: _Plan, ids: Array, theta: Array, rngs: list[np.random.Generator] | None) -> None:
        self.plan = plan
        self.ids = ids
        self.theta = np.ascontiguousarray(theta)
        self.live = np.ones(len(ids), dtype=bool)
        self.rngs = rngs
        self.optimizer = OPTIMIZERS[plan.optimizer](self.theta.shape)
        self._bind()

    def _bind(self) -> None:
        """(Re)create the gradient, the backup and the per-layer views for the current slots."""
        a, shape = len(self.ids), self.plan.shape
        self.grad = np.zeros_like(self.theta)
        self.backup = np.empty_like(self.theta)
        self._ones = np.ones(self.theta.shape[1])
        self.Wb: list[Array] = []
        self.gWb: list[Array] = []
        offset = 0
        for l in range(shape.n_layers):
            rows, cols = shape.sizes[l] + shape.bias, shape.sizes[l + 1]
            end = offset + rows * cols
            self.Wb.append(self.theta[:, offset:end].reshape(a, rows, cols))
            self.gWb.append(self.grad[:, offset:end].reshape(a, rows, cols))
            offset = end
        # The weights alone, without the bias row: (a, u_{l-1}, u_l).
        self.W = [wb[:, : shape.sizes[l], :] for l, wb in enumerate(self.Wb)]
        self._buffers: dict[tuple[str, int], tuple[list[Array], list[Array]]] = {}

    # --- forward and backward ------------------------------------------------------------------------------------
    def _buffers_for(self, key: str, n: int) -> tuple[list[Array], list[Array]]:
        """Preallocated ``z_l`` (a, n, u_l) and widened hidden activations ``A_l`` (a, n, u_l + 1) for n rows, one
        set per use (``key``), so scoring the held-out rows never overwrites what the update still needs."""
        if (key, n) not in self._buffers:
            a, shape = len(self.ids), self.plan.shape
            zs = [np.empty((a, n, u)) for u in shape.sizes[1:]]
            hidden = [np.ones((a, n, u + shape.bias)) for u in shape.sizes[1:-1]]
            self._buffers[key, n] = zs, hidden
        return self._buffers[key, n]

    def forward(self, x: Array, key: str) -> tuple[list[Array], list[Array]]:
        """Every member's forward pass on the widened inputs ``x``: (n, n_in + bias) shared, or (a, n, n_in + bias),
        into the buffers kept under ``key``.

        Returns:
            ``(zs, acts)``: ``zs[l]`` is z_{l+1} (a, n, u); ``acts[0]`` is ``x``, ``acts[l]`` the widened A_l
            for hidden layers and ``acts[-1]`` the output y (a, n, n_out).
        """
        plan = self.plan
        zs, hidden = self._buffers_for(key, x.shape[-2])
        acts = [x]
        a_prev = x
        for l, act in enumerate(plan.acts):
            np.matmul(a_prev, self.Wb[l], out=zs[l])
            if l < len(hidden):
                np.copyto(hidden[l][..., : zs[l].shape[-1]], act.fn(zs[l]))
                a_prev = hidden[l]
            else:
                a_prev = act.fn(zs[l])
            acts.append(a_prev)
        return zs, acts

    def backward(self, zs: list[Array], acts: list[Array], dz: Array) -> None:
        """Fill ``self.grad`` with every member's dL/dtheta, given dL/dz of the output layer ``dz`` (a, n, n_out)."""
        plan = self.plan
        for l in range(plan.shape.n_layers - 1, -1, -1):
            np.matmul(np.swapaxes(acts[l], -1, -2), dz, out=self.gWb[l])
            if l:
                units = zs[l - 1].shape[-1]
                dz = np.matmul(dz, np.swapaxes(self.W[l], -1, -2)) * plan.acts[l - 1].grad(
                    zs[l - 1], acts[l][..., :units])

    def _update(self, zs: list[Array], acts: list[Array], t: Array, failed: Array, restore: Array) -> None:
        """One optimizer step for every slot; slots whose parameters stop being finite join ``failed`` and their
        weights before the step go to ``restore``."""
        plan = self.plan
        dz = plan.loss.grad_z(zs[-1], acts[-1], t, plan.acts[-1])
        self.backward(zs, acts, dz)
        np.copyto(self.backup, self.theta)
        self.optimizer.step(self.theta, self.grad, plan.lr)
        # A row sum is finite unless the row holds inf or nan (or overflows: those rows are checked exactly).
        suspect = ~np.isfinite(self.theta @ self._ones) & self.live & ~failed
        if suspect.any():
            rows = np.flatnonzero(suspect)
            bad = rows[~np.isfinite(self.theta[rows]).all(axis=1)]
            failed[bad] = True
            restore[bad] = self.backup[bad]

    def _score(self, x: Array, t: Array) -> tuple[Array, Array]:
        """Loss (a,) and right-row counts (a,) of every slot on inputs ``x`` and targets ``t`` as it stands."""
        zs, acts = self.forward(x, "score")
        return self.plan.loss.value(zs[-1], acts[-1], t, self.plan.acts[-1]), right_rows(acts[-1], t)

    # --- epochs --------------------------------------------------------------------------------------------------
    def epoch(self) -> _EpochResult:
        """Train every live slot for one epoch (full batch or mini-batches, as the plan says)."""
        plan = self.plan
        with np.errstate(all="ignore"):
            if plan.batch_size == 0 or plan.batch_size >= plan.x_train.shape[0]:
                return self._full_batch_epoch()
            return self._mini_batch_epoch(plan.batch_size)

    def _held(self) -> tuple[Array | None, Array | None]:
        plan = self.plan
        if plan.x_held is None:
            return None, None
        return self._score(plan.x_held, plan.t_held)

    def _full_batch_epoch(self) -> _EpochResult:
        plan = self.plan
        zs, acts = self.forward(plan.x_train, "train")
        loss = plan.loss.value(zs[-1], acts[-1], plan.t_train, plan.acts[-1])
        right = right_rows(acts[-1], plan.t_train)
        held_loss, held_right = self._held()  # the same weights the training loss saw
        failed = ~np.isfinite(loss) & self.live
        # Slots whose loss is not finite take no update: keep their weights as they are.
        restore = np.empty_like(self.theta)
        restore[failed] = self.theta[failed]
        self._update(zs, acts, plan.t_train, failed, restore)
        return _EpochResult(self.live & ~failed, loss, right, held_loss, held_right, failed, restore)

    def _mini_batch_epoch(self, size: int) -> _EpochResult:
        plan = self.plan
        a, n = len(self.ids), plan.x_train.shape[0]
        order = np.empty((a, n), dtype=np.intp)
        order[:] = np.arange(n)
        for slot in np.flatnonzero(self.live):  # the single trainer's shuffle, one call per member
            order[slot] = self.rngs[slot].permutation(n)
        z_all = np.empty((a, *plan.t_train.shape))
        y_all = np.empty_like(z_all)
        slots = np.arange(a)[:, None]
        failed = np.zeros(a, dtype=bool)
        restore = np.empty_like(self.theta)
        for start in range(0, n, size):
            rows = order[:, start : start + size]
            zs, acts = self.forward(plan.x_train[rows], "batch")
            z_all[slots, rows] = zs[-1]
            y_all[slots, rows] = acts[-1]
            self._update(zs, acts, plan.t_train[rows], failed, restore)
        loss = plan.loss.value(z_all, y_all, plan.t_train, plan.acts[-1])
        late = ~np.isfinite(loss) & self.live & ~failed  # the updates were finite: these weights are the last
        restore[late] = self.theta[late]
        failed |= late
        held_loss, held_right = self._held()
        return _EpochResult(self.live & ~failed, loss, right_rows(y_all, plan.t_train), held_loss, held_right,
                            failed, restore)

    # --- stopping ------------------------------------------------------------------------------------------------
    def stop(self, slots: Array, weights: Array, store: Array) -> None:
        """Freeze ``slots`` (a bool mask) with final ``weights`` (a, P) (rows of the mask), copied into ``store``
        (K, P); compact the block once a quarter of its slots are dead."""
        store[self.ids[slots]] = weights[slots]
        self.live &= ~slots
        dead = len(self.ids) - int(self.live.sum())
        if dead and dead * 4 >= len(self.ids):
            self._compact()

    def _compact(self) -> None:
        keep = np.flatnonzero(self.live)
        state = self.optimizer.state()
        self.ids = self.ids[keep]
        self.theta = np.ascontiguousarray(self.theta[keep])
        self.live = np.ones(len(keep), dtype=bool)
        if self.rngs is not None:
            self.rngs = [self.rngs[i] for i in keep]
        self.optimizer = OPTIMIZERS[self.plan.optimizer](self.theta.shape)
        self.optimizer.load_state({k: v[keep] if v.ndim == 2 else v for k, v in state.items()})
        self._bind()


@dataclass(frozen=True)
class _Plan:
    """What every block shares: the shape, activations, loss, optimizer name, learning rate and the data, widened
    with a column of ones when the layers have biases."""

    shape: Shape
    acts: list[Activation]
    loss: BatchedLoss
    optimizer: str
    lr: float
    batch_size: int
    x_train: Array
    t_train: Array
    x_held: Array | None
    t_held: Array | None


def _widen(x: Array, bias: bool) -> Array:
    """``x`` (n, n_in) with a column of ones appended when ``bias``: (n, n_in + 1)."""
    return np.ascontiguousarray(np.hstack([x, np.ones((x.shape[0], 1))]) if bias else x)


def seed_list(base: int, count: int) -> list[int]:
    """``count`` seeds from ``base`` on, checked against the experiment file's seed range.

    Raises:
        LabError: when ``count`` is below 1 or the last seed would pass 2**32 - 1.
    """
    if count < 1:
        raise LabError(f"seeds: expected at least 1, got {count}")
    if base + count - 1 > MAX_SEED:
        raise LabError(f"seeds: {count} seeds from {base} would pass the largest seed, {MAX_SEED}")
    return list(range(base, base + count))


# --- the sweep ---------------------------------------------------------------------------------------------------
class Sweep:
    """K members of one experiment, differing only in their seed, trained together.

    Attributes:
        experiment: the experiment every member trains (its ``training.seed`` is ignored; ``seeds`` replace it).
        seeds: member k's seed, (K,) int64.
        epoch: epochs stepped so far (every member still training has run this many).
        epochs_run: epochs each member completed, (K,) int.
        solved_epoch: each member's first epoch with every training row right, 0 if none yet, (K,) int.
        diverged_epoch: the epoch at which each member stopped being finite, 0 if never, (K,) int.
        active: which members still train, (K,) bool.
        last_loss, last_accuracy: each member's latest recorded metrics, (K,) float, nan before its first epoch.
        last_heldout_loss, last_heldout_accuracy: likewise on the held-out rows (nan when none are held out).
        history: every epoch's metrics (``keep_history``), else empty.
    """

    def __init__(self, experiment: Experiment, seeds: int | Sequence[int] = 100, *, keep_history: bool = True,
                 threads: int | None = None) -> None:
        """Draw every member's network.

        Args:
            experiment: what to train.
            seeds: a count K (seeds ``training.seed`` to ``training.seed + K - 1``) or the seeds themselves.
            keep_history: keep every epoch's metrics (``history``); the latest are kept either way.
            threads: blocks trained in parallel (default: one per core, each of at least ``MIN_BLOCK`` members).

        Raises:
            LabError: for no seeds or a seed outside 0 to 2**32 - 1.
        """
        training = experiment.training
        if isinstance(seeds, (int, np.integer)):
            seeds = seed_list(training.seed, int(seeds))
        seeds = [int(s) for s in seeds]
        if not seeds:
            raise LabError("seeds: expected at least one seed")
        if bad := [s for s in seeds if not 0 <= s <= MAX_SEED]:
            raise LabError(f"seeds: expected 0 to {MAX_SEED}, got {bad[0]}")
        self.experiment = experiment
        self.seeds = np.array(seeds, dtype=np.int64)
        self.stop_rule: StopRule = training.stop_rule
        self.keep_history = keep_history
        shape = experiment.shape
        table = experiment.table
        K = len(seeds)
        theta = np.empty((K, shape.n_params))
        for k, seed in enumerate(seeds):
            theta[k] = Network.initialise(shape, training.init, np.random.default_rng(seed)).theta
        self._store = theta.copy()  # final weights of stopped members
        x_held = table.inputs[table.heldout_rows]
        self.n_train = len(table.train_rows)
        self.n_held = len(table.heldout_rows)
        self._plan = _Plan(
            shape, [ACTIVATIONS[name] for name in shape.activations], BATCHED_LOSSES[training.loss],
            training.optimizer, training.lr, training.batch_size,
            _widen(table.inputs[table.train_rows], shape.bias),
            np.ascontiguousarray(table.targets[table.train_rows]),
            _widen(x_held, shape.bias) if self.n_held else None,
            np.ascontiguousarray(table.targets[table.heldout_rows]) if self.n_held else None)
        mini = 0 < training.batch_size < self.n_train
        rngs = [np.random.default_rng([seed, 1]) for seed in seeds] if mini else None
        if threads is None:
            threads = min(os.cpu_count() or 1, max(1, K // MIN_BLOCK))
        threads = max(1, min(int(threads), K))
        edges = np.linspace(0, K, threads + 1).astype(int)
        self._blocks = [_Block(self._plan, np.arange(lo, hi), theta[lo:hi], None if rngs is None else rngs[lo:hi])
                        for lo, hi in zip(edges[:-1], edges[1:])]
        self._pool: ThreadPoolExecutor | None = None
        self.epoch = 0
        self.epochs_run = np.zeros(K, dtype=np.int64)
        self.solved_epoch = np.zeros(K, dtype=np.int64)
        self.diverged_epoch = np.zeros(K, dtype=np.int64)
        self.active = np.ones(K, dtype=bool)
        self.last_loss = np.full(K, math.nan)
        self.last_accuracy = np.full(K, math.nan)
        self.last_heldout_loss = np.full(K, math.nan)
        self.last_heldout_accuracy = np.full(K, math.nan)
        self.history = SweepHistory()

    # --- what there is to see ------------------------------------------------------------------------------------
    @property
    def size(self) -> int:
        """K, the number of members."""
        return len(self.seeds)

    @property
    def done(self) -> bool:
        """True when every member has stopped (stop rule, budget or divergence)."""
        return not self.active.any()

    @property
    def diverged(self) -> int:
        """How many members diverged."""
        return int(np.count_nonzero(self.diverged_epoch))

    @property
    def solved(self) -> int:
        """How many members have solved the table."""
        return int(np.count_nonzero(self.solved_epoch))

    def weights(self) -> Array:
        """Every member's current parameters (stopped members' final ones), (K, P), a copy; row k is laid out as
        ``Network.theta``."""
        out = self._store.copy()
        for block in self._blocks:
            live = block.live
            out[block.ids[live]] = block.theta[live]
        return out

    def network(self, k: int) -> Network:
        """Member ``k`` as a ``Network`` (a copy of its weights)."""
        return Network(self.experiment.shape, self.weights()[k])

    def member_history(self, k: int) -> History:
        """Member ``k``'s metrics as the single trainer's ``History`` (needs ``keep_history``)."""
        return self.history.member(k, int(self.epochs_run[k]))

    def status(self, k: int) -> str:
        """Member ``k``'s run state in the trainer's words: diverged, solved, loss-reached, budget or ready."""
        if self.diverged_epoch[k]:
            return DIVERGED
        if self.stop_rule.kind == "solved" and self.solved_epoch[k]:
            return SOLVED
        if self.stop_rule.kind == "loss" and self.last_loss[k] < self.stop_rule.threshold:
            return LOSS_REACHED
        if self.epochs_run[k] >= self.experiment.training.epochs:
            return BUDGET
        return READY

    def success_curve(self, start: int = 0) -> Array:
        """The fraction of members solved by the end of each epoch ``start + 1`` to ``epoch``, (epoch - start,)."""
        counts = np.bincount(self.solved_epoch[self.solved_epoch > 0], minlength=self.epoch + 1)
        return np.cumsum(counts)[start + 1 : self.epoch + 1] / self.size

    # --- training ------------------------------------------------------------------------------------------------
    def step(self) -> int:
        """Train every active member for one epoch and record its metrics.

        Returns:
            The number of members still active afterwards.

        Raises:
            LabError: when every row is held out, so there is nothing to train on.
        """
        if self.n_train == 0:
            raise LabError("every row is held out: keep at least one row to train on")
        if self.done:
            return 0
        blocks = [b for b in self._blocks if b.live.any()]
        if len(blocks) > 1:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(len(self._blocks), thread_name_prefix="nnlab-sweep")
            futures = [self._pool.submit(b.epoch) for b in blocks[1:]]
            results = [blocks[0].epoch()] + [f.result() for f in futures]
        else:
            results = [b.epoch() for b in blocks]
        self.epoch += 1
        K, held = self.size, self.n_held > 0
        rows = [np.full(K, math.nan) for _ in range(4 if held else 2)]
        for block, r in zip(blocks, results):
            rec = block.ids[r.recorded]
            rows[0][rec] = r.loss[r.recorded]
            rows[1][rec] = r.right[r.recorded] / self.n_train
            if held:
                rows[2][rec] = r.held_loss[r.recorded]
                rows[3][rec] = r.held_right[r.recorded] / self.n_held
            if r.failed.any():
                self.diverged_epoch[block.ids[r.failed]] = self.epoch
                self.active[block.ids[r.failed]] = False
                block.stop(r.failed, r.restore, self._store)
        recorded = ~np.isnan(rows[0])
        for last, row in zip((self.last_loss, self.last_accuracy, self.last_heldout_loss,
                              self.last_heldout_accuracy), rows):
            np.copyto(last, row, where=recorded)
        if self.keep_history:
            h = self.history
            for lst, row in zip((h.loss, h.accuracy, h.heldout_loss, h.heldout_accuracy), rows):
                lst.append(row)
        self.epochs_run[recorded] = self.epoch
        newly = recorded & (rows[1] == 1.0) & (self.solved_epoch == 0)
        self.solved_epoch[newly] = self.epoch
        rule = self.stop_rule
        stopping = recorded & (self.epochs_run >= self.experiment.training.epochs)
        if rule.kind == "solved":
            stopping |= recorded & (self.solved_epoch > 0)
        elif rule.kind == "loss":
            stopping |= recorded & (rows[0] < rule.threshold)
        if stopping.any():
            self.active &= ~stopping
            for block in self._blocks:
                slots = stopping[block.ids] & block.live
                if slots.any():
                    block.stop(slots, block.theta, self._store)
        return int(self.active.sum())

    def run(self, epochs: int | None = None, should_stop: Callable[[], bool] | None = None,
            on_epoch: Callable[[Sweep], None] | None = None) -> int:
        """Step until every member has stopped, ``epochs`` more have run, or ``should_stop()`` is true.

        Args:
            epochs: at most this many more epochs (default: until every member's budget or stop rule).
            should_stop: polled before every epoch (a worker's cancellation check).
            on_epoch: called after every epoch with the sweep (to stream ``success_curve`` to an interface).

        Returns:
            The number of epochs run.
        """
        remaining = epochs if epochs is not None else self.experiment.training.epochs
        ran = 0
        try:
            while remaining > 0 and not self.done:
                if should_stop is not None and should_stop():
                    break
                self.step()
                ran += 1
                remaining -= 1
                if on_epoch is not None:
                    on_epoch(self)
        finally:
            self.close()
        return ran

    def close(self) -> None:
        """Let the worker threads go (a later ``step`` starts them again)."""
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None
