"""Many seeds at once: K networks of one architecture, each trained exactly as ``Trainer`` trains it alone.

One file, about 430 lines, because it is one object, the sweep's bookkeeping; its blocks and its processes already
have their own modules (``sweep_block``, ``sweep_jobs``).

A block of members and its epochs are ``lab/core/sweep_block.py``; this module holds the sweep: its members'
bookkeeping, its history, the merge of finished shares, and the seeds.

Member k of a sweep is the run ``Trainer(experiment.with_training(seed=seeds[k]))`` would make: the same initial
weights (``nn.draw_theta`` from ``default_rng(seed)``, as ``Network.initialise``; drawn once per distinct seed), the
same mini-batch order (``default_rng([seed, 1])``, one ``permutation`` per epoch), the same optimizer arithmetic
(the core optimizers, run on stacked arrays) and the same per-epoch metrics, solved epoch, stop rule and divergence
handling. Only the summation order inside the matrix products differs, so the numbers agree to rounding (the tests
hold them to 1e-9; typically 1e-15), not bit for bit.

Nothing here restates the maths or the rules: the activations and losses (``activations.py``, ``losses.py``), the
forward and backward passes (``nn.forward``, ``nn.backward``), right rows, run states, the stop rule and the
finite-weights fallback (``rules.py``) are the single trainer's, run on arrays with a trailing member axis. This
module is the driver for K: blocks of members, their scratch, masks of who is still training, and the history.

The members' parameters are stacked member-last: ``theta`` (P, K) holds ``Network.theta`` of member k in column k,
so row p is parameter p of every member and each layer's weights are a view ``W_l`` (u_{l-1}, u_l, K). Activations
are (n, u, K) likewise. With the member axis last and contiguous, elementwise work runs along long vectors, and the
first layer, whose input X (n, n_in) every member shares, is one matrix product for all of them (``nn.SHARED``), its
bias riding in the product as in the single trainer. Later layers multiply per member along the member axis
(``nn.NARROW``, einsum) or, when wide, as a batched ``matmul`` (``nn.BATCHED``); no Python loop runs over K except
in a mini-batch epoch, one ``permutation`` call per member, to draw exactly what ``Trainer`` draws. A full-batch
epoch allocates nothing large: every intermediate has a buffer.

Members are trained in blocks of a bounded working set (for keras-xor about 3,000 members a block), one block after
another, sharing one set of scratch arrays: memory is about 6 P floats per member (parameters, gradient, optimizer
state, backup) plus one block's scratch, plus the history when it is kept. Members that stop (their stop rule fired,
the budget is spent, or they diverged) are frozen: their final weights are copied out and they take no further
updates. A member whose loss or parameters stop being finite keeps the weights the trainer would keep, is frozen and
counted in ``diverged``; its NaNs stay in its own column and never reach another member.

Members never interact, so a sweep can also be trained in shares of its seeds, each to the end, and the finished
shares joined (``Sweep.arrays``, ``Sweep.merged``): ``lab/core/sweep_jobs.py`` does that on several processes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, MutableSequence, Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np

from lab.core import rules
from lab.core.activations import ACTIVATIONS
from lab.core.blas import blas_threads
from lab.core.errors import LabError
from lab.core.experiment import MAX_SEED, Experiment, StopRule
from lab.core.losses import LOSSES
from lab.core.nn import (
    WIDE,
    Network,
    Shape,
    draw_theta,
)
from lab.core.rules import Targets
from lab.core.sweep_block import OPTIMIZER_GROUP, Block, Plan, Scratch
from lab.core.train import History, widen

__all__ = ["OPTIMIZER_GROUP", "WIDE", "Sweep", "SweepArrays", "SweepHistory", "block_size", "member_seeds", "seed_list",
           "sweep_bytes"]

Array = np.ndarray
BLOCK_BYTES = 16 << 20  # a block's working set: big enough to amortise each NumPy call, small enough to bound memory
MIN_BLOCK = 16  # members per block at the least, however large the network


# --- history -----------------------------------------------------------------------------------------------------
class SweepHistory(History[Array]):
    """Per-epoch metrics of every member: entry i of each list is epoch i + 1, an array (K,) holding nan for the
    members that did not train that epoch (stopped or diverged). The held-out lists stay empty without held-out
    rows, as ``History``'s do."""

    def member(self, k: int, epochs: int) -> History[float]:
        """Member ``k``'s first ``epochs`` epochs as the single trainer's ``History``."""
        def column(rows: MutableSequence[Array]) -> list[float]:
            return [float(row[k]) for row in rows[:epochs]]

        return History.of_floats(column(self.loss), column(self.accuracy), column(self.heldout_loss),
                                 column(self.heldout_accuracy))

    def matrix(self, name: str = "loss") -> Array:
        """One metric for every epoch and member, (epochs, K), nan where a member did not train."""
        rows = getattr(self, name)
        return np.array(rows) if rows else np.empty((0, 0))


def block_size(shape: Shape, n_rows: int) -> int:
    """Members per block: as many as keep a block's arrays (parameters, gradient, optimizer state, backup and the
    scratch for ``n_rows`` rows, about ``6 P + 4 n U`` floats per member for U units) within ``BLOCK_BYTES``. (The
    scratch is ``2 n U`` since the backward pass reuses it, ``Scratch.buffers``; the count keeps ``4 n U`` so that
    blocks are cut where they were, and a sweep's numbers stay bit for bit those they were.)

    Every NumPy call costs about a microsecond however small its arrays, and an epoch makes some sixty per block,
    so bigger blocks are faster (measured on keras-xor: blocks of 188 members ran at 0.82 M network-epochs/s, of
    1,000 at 1.13 M); the bound keeps the shared scratch of large networks on many rows from growing without end."""
    per_member = 8 * (6 * shape.n_params + 4 * max(n_rows, 1) * sum(shape.sizes[1:]))
    return max(MIN_BLOCK, BLOCK_BYTES // per_member)


def sweep_bytes(shape: Shape, n_rows: int, seeds: int) -> int:
    """About how many bytes a sweep of ``seeds`` members of ``shape`` on ``n_rows`` training rows takes at its peak
    without its history: 8 P floats per member (the initial draw, the stopped members' store, parameters, gradient,
    up to two optimizer states, backup) plus one block's scratch. Measured peaks lie within about 20% of it."""
    block = min(seeds, block_size(shape, n_rows))
    return 8 * (8 * shape.n_params * seeds + 4 * max(n_rows, 1) * sum(shape.sizes[1:]) * block)


def seed_list(base: int, count: int) -> list[int]:
    """``count`` seeds from ``base`` on, checked against the experiment file's seed range.

    Raises:
        LabError: when ``count`` is below 1 or the last seed would pass ``MAX_SEED``.
    """
    if count < 1:
        raise LabError(f"seeds: expected at least 1, got {count}")
    if base + count - 1 > MAX_SEED:
        raise LabError(f"seeds: {count} seeds from {base} would pass the largest seed, {MAX_SEED}")
    return list(range(base, base + count))


def member_seeds(experiment: Experiment, seeds: int | Sequence[int]) -> list[int]:
    """The seeds of a sweep's members: a count K is seeds ``training.seed`` to ``training.seed + K - 1``, a sequence
    is taken as given, in its order.

    Raises:
        LabError: for no seeds or a seed outside 0 to ``MAX_SEED``.
    """
    if isinstance(seeds, (int, np.integer)):
        return seed_list(experiment.training.seed, int(seeds))
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise LabError("seeds: expected at least one seed")
    if bad := [s for s in seeds if not 0 <= s <= MAX_SEED]:
        raise LabError(f"seeds: expected 0 to {MAX_SEED}, got {bad[0]}")
    return seeds


@dataclass(frozen=True)
class SweepArrays:
    """A sweep's results as plain arrays, members in the sweep's order: what a worker process trains and sends back
    (``Sweep.arrays``), a few arrays that pickle small, without the blocks' scratch and optimizer state, and what
    ``Sweep.merged`` joins.

    Attributes:
        seeds: (K,) int64. epoch: epochs stepped. weights: (K, P), row k as ``Network.theta``.
        epochs_run, solved_epoch, diverged_epoch: (K,) int64. active: (K,) bool.
        last: the ``last_*`` arrays (K,), in the order of ``METRICS``.
        history: one matrix (epoch, K) per metric in the order of ``METRICS`` (the held-out ones (0, K) without
            held-out rows), nan where a member did not train; None when the sweep kept no history.
    """

    METRICS = ("loss", "accuracy", "heldout_loss", "heldout_accuracy")

    seeds: Array
    epoch: int
    weights: Array
    epochs_run: Array
    solved_epoch: Array
    diverged_epoch: Array
    active: Array
    last: tuple[Array, ...]
    history: tuple[Array, ...] | None


    def members(self, lo: int, hi: int) -> SweepArrays:
        """Members ``lo`` to ``hi - 1`` alone, as the finished sweep of just them holds them (``epoch`` the last any
        of them stepped: the epochs it ran, or the epoch it diverged at, which did not count)."""
        history = None if self.history is None else tuple(h[:, lo:hi].copy() for h in self.history)
        last = max(int(self.epochs_run[lo:hi].max(initial=0)), int(self.diverged_epoch[lo:hi].max(initial=0)))
        return SweepArrays(self.seeds[lo:hi].copy(), last,
                           self.weights[lo:hi].copy(), self.epochs_run[lo:hi].copy(),
                           self.solved_epoch[lo:hi].copy(), self.diverged_epoch[lo:hi].copy(),
                           self.active[lo:hi].copy(), tuple(a[lo:hi].copy() for a in self.last), history)


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

    def __init__(self, experiment: Experiment, seeds: int | Sequence[int] = 100, *,
                 keep_history: bool = True, lrs: Sequence[float] | None = None) -> None:
        """Draw every member's network.

        Args:
            experiment: what to train.
            seeds: a count K (seeds ``training.seed`` to ``training.seed + K - 1``) or the seeds themselves.
            keep_history: keep every epoch's metrics (``history``); the latest are kept either way.
            lrs: a learning rate per member, (K,), in place of ``training.lr``: member k is then
                ``experiment.with_training(lr=lrs[k], seed=seeds[k])``, with the very arithmetic a sweep of that
                learning rate alone makes (a search trains the configurations that differ only in their learning
                rate as one sweep so: ``lab.core.tune``).

        Raises:
            LabError: for no seeds or a seed outside 0 to ``MAX_SEED``.
            ValueError: for ``lrs`` of another length than the seeds.
        """
        seeds = member_seeds(experiment, seeds)
        if lrs is not None and len(lrs) != len(seeds):
            raise ValueError(f"lrs: expected one learning rate per member ({len(seeds)}), got {len(lrs)}")
        self._begin(experiment, seeds, keep_history)
        training, shape, table = experiment.training, experiment.shape, experiment.table
        K = len(seeds)
        dtype = experiment.dtype
        theta = np.empty((K, shape.n_params), dtype)  # float64 draws, rounded to float32 when training in float32
        drawn: dict[int, int] = {}  # seed -> the first member drawn from it (a search repeats each seed per lr)
        for k, seed in enumerate(seeds):
            first = drawn.setdefault(seed, k)
            theta[k] = theta[first] if first < k else draw_theta(shape, training.init, np.random.default_rng(seed))
        self._store = theta.copy()  # final weights of stopped members
        train, held = table.train_rows, table.heldout_rows
        plan = Plan(
            shape, ACTIVATIONS[shape.activations[-1]], LOSSES[training.loss], training.optimizer,
            training.lr if lrs is None else np.array(lrs, dtype=np.float64),
            training.batch_size, widen(table.inputs[train], shape.bias, dtype),
            Targets.of(table.targets[train, :, None], dtype), widen(table.inputs[held], shape.bias, dtype),
            Targets.of(table.targets[held, :, None], dtype), table.inputs.astype(dtype))
        mini = 0 < training.batch_size < self.n_train
        rngs = [np.random.default_rng([seed, 1]) for seed in seeds] if mini else None
        size = block_size(shape, self.n_train)
        scratch = Scratch(shape.sizes[1:], dtype)
        self._blocks = [Block(plan, scratch, np.arange(lo, min(lo + size, K)), theta[lo : lo + size].T,
                               None if rngs is None else rngs[lo : lo + size]) for lo in range(0, K, size)]

    def _begin(self, experiment: Experiment, seeds: Sequence[int] | Array, keep_history: bool) -> None:
        """The state of a sweep of ``seeds`` before its first epoch, less the members' weights and blocks."""
        self.experiment = experiment
        self.seeds = np.array(seeds, dtype=np.int64)
        self.stop_rule: StopRule = experiment.training.stop_rule
        self.keep_history = keep_history
        self.n_train = len(experiment.table.train_rows)
        self.n_held = len(experiment.table.heldout_rows)
        K = len(seeds)
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

    # --- finished sweeps as plain arrays -------------------------------------------------------------------------
    def arrays(self) -> SweepArrays:
        """This sweep's results as plain arrays (what a worker process sends back; see ``SweepArrays``)."""
        h = self.history
        history = tuple(h.matrix(name).reshape(-1, self.size) for name in SweepArrays.METRICS) \
            if self.keep_history else None
        return SweepArrays(self.seeds.copy(), self.epoch, self.weights(), self.epochs_run.copy(),
                           self.solved_epoch.copy(), self.diverged_epoch.copy(), self.active.copy(),
                           tuple(getattr(self, f"last_{name}").copy() for name in SweepArrays.METRICS), history)

    @classmethod
    def merged(cls, experiment: Experiment, parts: Sequence[SweepArrays]) -> Sweep:
        """One finished sweep of ``experiment`` from finished sweeps of contiguous shares of its seeds, in order:
        everything it holds (members in the parts' order, ``epoch`` the longest part's, per-member arrays
        joined, the history padded with nan for the epochs after a part stopped, as a single sweep records its
        stopped members) is what ``Sweep(experiment, seeds).run()`` gives, since members train independently (the
        weights and losses to rounding: see ``lab/core/sweep_jobs.py``, which trains the shares in processes).

        Raises:
            ValueError: for no parts, a part still training, or parts that disagree on keeping the history.
        """
        if not parts:
            raise ValueError("merged: expected at least one part")
        if any(part.active.any() for part in parts):
            raise ValueError("merged: every part must have finished (no member still active)")
        kept = {part.history is not None for part in parts}
        if len(kept) > 1:
            raise ValueError("merged: either every part keeps its history or none does")
        sweep = cls.__new__(cls)
        sweep._begin(experiment, np.concatenate([part.seeds for part in parts]), kept.pop())
        sweep._store = np.vstack([part.weights for part in parts])
        sweep._blocks = []  # every member has stopped: its final weights are in the store
        sweep.epoch = max(part.epoch for part in parts)
        for name in ("epochs_run", "solved_epoch", "diverged_epoch", "active"):
            setattr(sweep, name, np.concatenate([getattr(part, name) for part in parts]))
        for i, name in enumerate(SweepArrays.METRICS):
            setattr(sweep, f"last_{name}", np.concatenate([part.last[i] for part in parts]))
        if sweep.keep_history:
            histories = [cast(tuple[Array, ...], part.history) for part in parts]  # every part kept one (checked)
            for i, name in enumerate(SweepArrays.METRICS):
                if histories[0][i].shape[0] == 0:  # no held-out rows: the lists stay empty, as a sweep's do
                    continue
                rows = np.full((sweep.epoch, sweep.size), math.nan)
                lo = 0
                for history in histories:
                    matrix = history[i]
                    rows[: matrix.shape[0], lo : lo + matrix.shape[1]] = matrix
                    lo += matrix.shape[1]
                setattr(sweep.history, name, list(rows))
        return sweep

    # --- what there is to see ------------------------------------------------------------------------------------
    @property
    def blocks(self) -> tuple[Block, ...]:
        """The blocks of members still training, each with its own buffers and optimizer groups (none once done)."""
        return tuple(self._blocks)

    @property
    def size(self) -> int:
        """K, the number of members."""
        return len(self.seeds)

    @property
    def done(self) -> bool:
        """True when every member has stopped (stop rule, budget or divergence)."""
        return not np.count_nonzero(self.active)  # (count_nonzero: a third of any()'s cost, polled every epoch)

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
            out[block.ids[live]] = block.weights(live)
        return out

    def network(self, k: int) -> Network:
        """Member ``k`` as a ``Network`` (a copy of its weights)."""
        return Network(self.experiment.shape, self.weights()[k])

    def member_history(self, k: int) -> History:
        """Member ``k``'s metrics as the single trainer's ``History`` (needs ``keep_history``)."""
        return self.history.member(k, int(self.epochs_run[k]))

    def status(self, k: int) -> str:
        """Member ``k``'s run state in the trainer's words: diverged, solved, loss-reached, budget or ready."""
        return str(rules.status(rules.endings(*self._run_values(k))))

    def _run_values(self, k: int | slice = slice(None)) -> tuple[StopRule, int, Array, Array, Array, Array]:
        """What the run rules read (``lab.core.rules.endings``), for member ``k`` or (by default) every member."""
        return (self.stop_rule, self.experiment.training.budget, self.epochs_run[k], self.solved_epoch[k],
                self.diverged_epoch[k], self.last_loss[k])

    def solved_counts(self, start: int = 0) -> Array:
        """How many members first solved the table at each epoch ``start + 1`` to ``epoch``, (epoch - start,) int."""
        counts = np.bincount(self.solved_epoch[self.solved_epoch > 0], minlength=self.epoch + 1)
        return counts[start + 1 : self.epoch + 1]

    def success_curve(self, start: int = 0) -> Array:
        """The fraction of members solved by the end of each epoch ``start + 1`` to ``epoch``, (epoch - start,)."""
        return np.cumsum(self.solved_counts())[start:] / self.size

    # --- training ------------------------------------------------------------------------------------------------
    def step(self) -> int:
        """Train every active member for one epoch and record its metrics.

        Returns:
            The number of members still active afterwards.

        Raises:
            LabError: when every row is held out, so there is nothing to train on.
        """
        rules.require_training_rows(self.n_train)
        if self.done:
            return 0
        blocks = [b for b in self._blocks if np.count_nonzero(b.live)]
        results = [block.epoch() for block in blocks]
        self.epoch += 1
        K, held = self.size, self.n_held > 0
        r = results[0]
        if len(blocks) == 1 and len(r.recorded) == K and np.count_nonzero(r.recorded) == K:
            # Every member trained this epoch in one block (its slots are the members in order): no scatter.
            rows = [r.loss, r.right / self.n_train]
            if held:
                rows += [cast(Array, r.held_loss), cast(Array, r.held_right) / self.n_held]
            every, recorded = True, r.recorded
        else:
            every = False
            rows = [np.full(K, math.nan) for _ in range(4 if held else 2)]
            for block, r in zip(blocks, results, strict=True):
                rec = block.ids[r.recorded]
                rows[0][rec] = r.loss[r.recorded]
                rows[1][rec] = r.right[r.recorded] / self.n_train
                if held:  # a block scores held-out rows whenever there are some
                    rows[2][rec] = cast(Array, r.held_loss)[r.recorded]
                    rows[3][rec] = cast(Array, r.held_right)[r.recorded] / self.n_held
            recorded = ~np.isnan(rows[0])
        for block, r in zip(blocks, results, strict=True):
            if r.calm:
                continue
            diverging = r.failed | r.overflowed
            if diverging.any():
                for slot in np.flatnonzero(diverging):
                    self._store[block.ids[slot]] = self._fall_back(r.candidates[int(slot)])
                # A failed epoch did not count; an overflowing one did, and the next would have found it.
                self.diverged_epoch[block.ids[r.failed]] = self.epoch
                self.diverged_epoch[block.ids[r.overflowed]] = self.epoch + 1
                self.active[block.ids[diverging]] = False
                block.stop(diverging)
        # Two rows without held-out rows, four with: the held-out series are left alone when there are none.
        for last, row in zip((self.last_loss, self.last_accuracy, self.last_heldout_loss,
                              self.last_heldout_accuracy), rows, strict=False):
            if every:
                last[...] = row
            else:
                np.copyto(last, row, where=recorded)
        if self.keep_history:
            h = self.history
            for lst, row in zip((h.loss, h.accuracy, h.heldout_loss, h.heldout_accuracy), rows, strict=False):
                lst.append(row)
        if every:
            self.epochs_run.fill(self.epoch)
        else:
            self.epochs_run[recorded] = self.epoch
        newly = (rows[1] == 1.0) & (self.solved_epoch == 0)  # (nan, not recorded, is never 1.0)
        self.solved_epoch[newly] = self.epoch
        # The trainer's stop rule, every member at once. When every member trained this epoch, each has run
        # ``epoch`` epochs and none has diverged before: the rule reads those as numbers (one comparison, not K).
        ended = rules.ended(self.stop_rule, self.experiment.training.budget, self.epoch, self.solved_epoch, 0,
                            self.last_loss) if every else rules.ended(*self._run_values())
        if ended if isinstance(ended, bool) else np.count_nonzero(ended):
            stopping = self.active & ended
            self.active &= ~stopping
            for block in self._blocks:
                slots = stopping[block.ids] & block.live
                if slots.any():
                    self._store[block.ids[slots]] = block.weights(slots)
                    block.stop(slots)
        return int(np.count_nonzero(self.active))

    def _fall_back(self, candidates: tuple[Array, ...]) -> Array:
        """The weights a diverged member keeps, as ``Trainer`` chooses them (``rules.finite_fallback``)."""
        inputs, shape = self.experiment.table.inputs, self.experiment.shape
        return candidates[rules.finite_fallback(lambda theta: Network(shape, theta).forward(inputs), candidates)]

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
        def step() -> bool:
            self.step()
            return True

        with blas_threads():  # one BLAS thread for training: see lab.core.blas
            return rules.run_epochs(step, lambda: self.done,
                                    self.experiment.training.budget if epochs is None else epochs,
                                    should_stop, None if on_epoch is None else lambda: on_epoch(self))
