"""The trainer: one network, one optimizer, one history, stepped an epoch at a time.

One file, about 400 lines, because it is one object: the epoch paths, the divergence fallback and the state in and
out share the trainer's buffers, while the maths and the rules live in ``nn``, ``losses`` and ``rules``.

An epoch visits every training row once: one update in full-batch mode (``batch_size`` 0), or one update per
mini-batch of rows shuffled by the seed. The metrics recorded for epoch e are those Keras reports: the loss and
accuracy of the predictions made during the epoch, before each update (for full batch, the network as it stood at
the start of the epoch). Held-out rows are scored with the same weights in full-batch mode and with the end-of-epoch
weights in mini-batch mode.

A row is right when every output reads as its target, by Keras' rule (``lab.core.rules.THRESHOLD``: class 1 when
y > 0.5, so exactly 0.5 is a 0; nan is wrong). The solved epoch is the first at which every training row is right.
A loss (on the training or held-out rows) or a parameter that stops being finite ends the run as ``diverged`` and
restores the last finite weights whose outputs are finite on every row of the table (and restarts the optimizer if
the failed update left inf or nan in its state, so the run can be saved and continued); nothing is raised to the
caller.

A run's state leaves and enters a trainer only as a frozen ``lab.core.state.TrainingState`` (``state``,
``from_state``), so a resumed run continues exactly and nothing else sets a trainer's epoch or history.

The maths (activations, losses, the forward and backward passes, right rows) and the rules (run states, the stop
rule, the finite-weights fallback, the run loop) are the ones ``lab/core/sweep.py`` runs on K networks at once; this
is the thin driver for one, kept lean because an epoch of a small network is a few dozen NumPy calls.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, MutableSequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import numpy as np

from lab.core.blas import blas_threads
from lab.core.errors import LabError
from lab.core.experiment import Experiment, StopRule
from lab.core.gates import TruthTable
from lab.core.losses import LOSSES
from lab.core.nn import Dense, DType, Network, Pass, backward, dense_layers, forward, stack_products, twin, twinned
from lab.core.optim import OPTIMIZERS, Optimizer
from lab.core.rules import (
    BUDGET,
    DIVERGED,
    LOSS_REACHED,
    READY,
    SAFE_SQUARES,
    SAFE_WEIGHT,
    SOLVED,
    THRESHOLD,
    Targets,
    ended,
    endings,
    finite_fallback,
    not_finite,
    require_training_rows,
    right,
    row_accuracy,
    run_epochs,
    squares,
    status,
)
from lab.core.state import Floats, FrozenHistory, TrainingState, check_state, make_state

__all__ = ["BUDGET", "DIVERGED", "LOSS_REACHED", "READY", "SAFE_WEIGHT", "SOLVED", "THRESHOLD", "History", "Trainer",
           "right", "row_accuracy", "widen"]

Array = np.ndarray


Entry = TypeVar("Entry")


@dataclass
class History(Generic[Entry]):
    """Per-epoch metrics; index i is epoch i + 1 in every list. The held-out lists stay empty until a row is held
    out; from then on they are as long as ``loss``, with nan for the epochs that had no held-out row. An entry is a
    float for one network, an array (K,) for a sweep's K (``lab.core.sweep.SweepHistory``)."""

    loss: MutableSequence[Entry] = field(default_factory=list)
    accuracy: MutableSequence[Entry] = field(default_factory=list)
    heldout_loss: MutableSequence[Entry] = field(default_factory=list)
    heldout_accuracy: MutableSequence[Entry] = field(default_factory=list)

    @classmethod
    def of_floats(cls, *series: Iterable[float]) -> History[float]:
        """A history of one network: each series packed (``Floats``: 8 bytes an epoch; a list of floats holds 32),
        from ``series`` in the order of ``lab.core.state.SERIES`` (empty when not given)."""
        arrays = [Floats(values) for values in series]
        return History(*arrays, *(Floats() for _ in range(4 - len(arrays))))

    def __len__(self) -> int:
        return len(self.loss)

    def since(self, start: int) -> History[Entry]:
        """The epochs after the first ``start`` (a slice to send to the interface)."""
        return type(self)(self.loss[start:], self.accuracy[start:], self.heldout_loss[start:],
                          self.heldout_accuracy[start:])

    def extend(self, more: History[Entry]) -> None:
        """Append another slice."""
        self.loss += more.loss
        self.accuracy += more.accuracy
        self.heldout_loss += more.heldout_loss
        self.heldout_accuracy += more.heldout_accuracy


def widen(x: Array, bias: bool, dtype: DType = np.float64) -> Array:
    """``x`` (n, n_in) with a column of ones appended when ``bias``: (n, n_in + 1), so the first layer's bias rides
    in its product (see ``lab.core.nn``); as ``dtype``."""
    return np.ascontiguousarray(np.hstack([x, np.ones((x.shape[0], 1))]) if bias else x, dtype=dtype)


@dataclass(frozen=True)
class Scores:
    """The loss and accuracy of a network on a table (``Trainer.scores_now``); the held-out ones None when no row
    is held out, the training ones nan when every row is."""

    loss: float
    accuracy: float
    heldout_loss: float | None
    heldout_accuracy: float | None


class Trainer:
    """Trains one network on one experiment.

    Attributes:
        experiment: the experiment (its table may be swapped while training: ``set_table``).
        net: the network being trained.
        optimizer: its optimizer, holding its state.
        lr: the current learning rate (``set_lr`` changes it without resetting anything).
        epoch: epochs completed.
        history: metrics per completed epoch.
        solved_epoch: first epoch with every training row right, or None.
        diverged_epoch: the epoch that produced a non-finite value, or None.
    """

    def __init__(self, experiment: Experiment, net: Network | None = None) -> None:
        self.experiment = experiment
        training = experiment.training
        self.lr = training.lr
        self.loss = LOSSES[training.loss]
        self.stop_rule: StopRule = training.stop_rule
        shape = experiment.shape
        dtype = self.dtype = experiment.dtype
        if net is not None and net.theta.dtype != dtype:
            net = Network(net.shape, net.theta, dtype)  # a saved network, trained on in this run's precision
        self.net = net if net is not None else Network.initialise(
            shape, training.init, np.random.default_rng(training.seed), dtype)
        if self.net.shape != shape:
            raise LabError(f"the saved network has layer sizes {self.net.shape.sizes}, the experiment needs "
                           f"{shape.sizes}")
        self.optimizer: Optimizer = OPTIMIZERS[training.optimizer](shape.n_params, dtype)
        self._shuffle = np.random.default_rng([training.seed, 1])
        self._backup = self.net.theta.copy()  # the weights before the latest update
        self._epoch_start = self.net.theta.copy()  # the weights a mini-batch epoch started from
        self._large_weights = False  # whether a weight may be large enough to overflow the outputs (SAFE_WEIGHT)
        # The network's layers as views of its theta, the inputs widened so the first bias rides in its product;
        # ``_mini_layers`` for mini-batches (the same, except in float32: ``_float32_layers``).
        self._layers, self._mini_layers = self._float32_layers() if dtype == np.float32 else (
            (layers := dense_layers(shape, self.net.theta, self.net.grad, widened=True)), layers)
        self._theta, self._grad = self.net.theta, self.net.grad  # the network's arrays, updated in place
        self._out = self.net.acts[-1]
        self._passes: dict[tuple[str, int], Pass] = {}
        self.epoch = 0
        self.history: History[float] = History.of_floats()  # append-only: ``state`` freezes only what is new
        self._frozen = FrozenHistory()  # the history as the last ``state`` froze it
        self.solved_epoch: int | None = None
        self.diverged_epoch: int | None = None
        self._load_table(experiment.table)

    def _float32_layers(self) -> tuple[list[Dense], list[Dense]]:
        """The layers for the whole batch and for mini-batches in float32, multiplied as a sweep multiplies each of
        its members (``nn.stack_products``, each ``nn.twinned``), so ``nnlab train --precision float32 --seed k``
        is member k of a float32 sweep bit for bit, not only to float32's rounding."""
        shape, theta, grad = self.net.shape, self.net.theta, self.net.grad
        full, mini = stack_products(shape)
        return (dense_layers(shape, theta, grad, True, [twinned(p) for p in full]),
                dense_layers(shape, theta, grad, True, [twinned(p) for p in mini]))

    def _loss_value(self, z: Array, y: Array, t: Array) -> Array | float:
        """The loss of outputs ``y`` (from ``z``) against targets ``t``; in float32 summed as a sweep sums each
        member's (on the arrays twinned, ``nn.twin``), so the history too is a float32 member's bit for bit."""
        if self.dtype != np.float32:
            return self.loss.value(z, y, t, self._out)
        return self.loss.value(twin(z), twin(y), t[..., None], self._out)[0]

    def _loss_both(self, z: Array, y: Array, t: Array, out: Array) -> tuple[Array | float, Array]:
        """``loss.both``: the loss (as ``_loss_value`` takes it) and dL/dz into ``out``."""
        if self.dtype != np.float32:
            return self.loss.both(z, y, t, self._out, out)
        value, dz = self.loss.both(twin(z), twin(y), t[..., None], self._out)
        out[...] = dz[..., 0]
        return value[0], out

    # --- data ------------------------------------------------------------------------------------------------------
    def _load_table(self, table: TruthTable) -> None:
        bias = self.net.shape.bias
        self.x_train = np.ascontiguousarray(table.inputs[table.train_rows])
        self.t_train = np.ascontiguousarray(table.targets[table.train_rows])
        self.x_held = np.ascontiguousarray(table.inputs[table.heldout_rows])
        self.t_held = np.ascontiguousarray(table.targets[table.heldout_rows])
        dtype = self.dtype
        self._x_train, self._x_held = widen(self.x_train, bias, dtype), widen(self.x_held, bias, dtype)
        self._train, self._held = Targets.of(self.t_train, dtype), Targets.of(self.t_held, dtype)
        self._train_pass = self._pass("train", self._train.n)
        self._held_pass = self._pass("held", self._held.n)
        self._train_inputs = [self._x_train, *self._train_pass.acts]  # every layer's input, for ``backward``
        size = self.experiment.training.batch_size  # the same for the whole run (``can_continue``)
        self._full_batch = size == 0 or size >= self._train.n

    def _pass(self, key: str, n: int) -> Pass:
        """The arrays of a pass over ``n`` rows, kept under ``key`` (the held-out pass never overwrites the
        training pass the update still needs)."""
        buffers = self._passes.get((key, n))
        if buffers is None:
            buffers = self._passes[key, n] = Pass.new(n, self.net.shape.sizes[1:], dtype=self.dtype)
        return buffers

    def set_table(self, table: TruthTable) -> None:
        """Train on ``table`` from the next step on. It must have the same number of inputs and outputs.

        Raises:
            LabError: when the table's shape differs (the network would need rebuilding).
        """
        self.set_experiment(self.experiment.with_table(table))

    def can_continue(self, experiment: Experiment) -> bool:
        """Whether ``experiment`` can take over this run without new weights: the same network shape, initialiser,
        seed, batch size and precision, which made the weights, order the rows and size the arrays (the table's
        bits, the loss, the optimizer, the learning rate, the budget and the stop rule may differ)."""
        old, new = self.experiment.training, experiment.training
        return (experiment.shape == self.net.shape
                and (old.init, old.seed, old.batch_size, old.precision)
                == (new.init, new.seed, new.batch_size, new.precision))

    def set_experiment(self, experiment: Experiment) -> None:
        """Continue this run under ``experiment`` from the next step: new table bits, loss, learning rate, budget or
        stop rule apply at once; the weights and history are kept, and the optimizer's state too unless the
        optimizer changes (a new one starts from its own first step).

        Raises:
            LabError: when ``can_continue`` is false (the network would need rebuilding).
        """
        if experiment.shape != self.net.shape:
            raise LabError(f"the network has layer sizes {self.net.shape.sizes}; the change needs "
                           f"{experiment.shape.sizes}: reset to rebuild it")
        if not self.can_continue(experiment):
            raise LabError("a new initialiser, seed, batch size or precision needs a reset")
        table_changed = experiment.table != self.experiment.table
        if experiment.training.optimizer != self.experiment.training.optimizer:
            self.optimizer = OPTIMIZERS[experiment.training.optimizer](self.net.shape.n_params, self.dtype)
        self.experiment = experiment
        self.lr = experiment.training.lr
        self.loss = LOSSES[experiment.training.loss]
        self.stop_rule = experiment.training.stop_rule
        if table_changed:
            self._load_table(experiment.table)
            self.solved_epoch = None

    def set_lr(self, lr: float) -> None:
        """Change the learning rate from the next update on; nothing else is reset. The experiment records it, so a
        saved run resumes with it."""
        self.experiment = self.experiment.with_training(lr=lr)  # validates
        self.lr = self.experiment.training.lr

    # --- state -----------------------------------------------------------------------------------------------------
    @property
    def status(self) -> str:
        """``diverged``, ``solved``/``loss-reached`` when the stop rule has fired, ``budget`` when the budget is
        spent, else ``ready`` (``lab.core.rules.endings``)."""
        return str(status(self._endings()))

    @property
    def done(self) -> bool:
        """True when the run has ended (stop rule, budget or divergence)."""
        return self._ended()

    def _ended(self) -> bool:
        loss = self.history.loss  # (``_run_values`` inlined: this runs before every epoch)
        return bool(ended(self.stop_rule, self.experiment.training.budget, self.epoch, self.solved_epoch or 0,
                          self.diverged_epoch or 0, loss[-1] if loss else math.nan))

    def _endings(self) -> tuple[Array | bool, ...]:
        return endings(*self._run_values())

    def _run_values(self) -> tuple[StopRule, int, int, int, int, float]:
        """What the run rules read (``lab.core.rules.endings``)."""
        loss = self.history.loss
        return (self.stop_rule, self.experiment.training.budget, self.epoch, self.solved_epoch or 0,
                self.diverged_epoch or 0, loss[-1] if loss else math.nan)

    def state(self) -> TrainingState:
        """The run as it stands, frozen (``lab.core.state``): copies, so it shares nothing with this trainer and can
        be read in any thread while training goes on. ``Trainer.from_state`` continues from it exactly."""
        st = self._shuffle.bit_generator.state
        self._frozen = self._frozen.extended(self.history)  # copies only the epochs since the last state
        return make_state(
            self.net.shape, self.net.theta, self.optimizer.state(),
            {"state": st["state"]["state"], "inc": st["state"]["inc"], "has_uint32": st["has_uint32"],
             "uinteger": st["uinteger"]},
            self.epoch, self._frozen, self.lr, self.solved_epoch, self.diverged_epoch)

    @classmethod
    def from_state(cls, experiment: Experiment, state: TrainingState) -> Trainer:
        """A trainer that continues the run ``state`` froze, under ``experiment`` (whose learning rate becomes
        ``state.lr``): the next epochs give exactly the numbers the uninterrupted run would have.

        Raises:
            LabError: the state does not fit the experiment (``lab.core.state.check_state`` names the field).
        """
        fresh = OPTIMIZERS[experiment.training.optimizer](experiment.shape.n_params)
        check_state(experiment, state, fresh.state())
        trainer = cls(experiment.with_training(lr=state.lr), Network(state.shape, state.theta))
        if set(state.optimizer) >= set(fresh.state()) - fresh.optional:  # else a fresh optimizer (epoch 0)
            trainer.optimizer.load_state(dict(state.optimizer))
        if state.shuffle:
            values = state.shuffle
            try:
                trainer._shuffle.bit_generator.state = {
                    "bit_generator": "PCG64", "state": {"state": values["state"], "inc": values["inc"]},
                    "has_uint32": values["has_uint32"], "uinteger": values["uinteger"]}
            except (ValueError, KeyError, TypeError, OverflowError):
                raise LabError("shuffle: not a saved random generator state") from None
        h = state.history
        trainer.epoch = state.epoch
        trainer.history = History.of_floats(h.loss, h.accuracy, h.heldout_loss, h.heldout_accuracy)
        trainer._frozen = h
        trainer.solved_epoch = state.solved_epoch
        trainer.diverged_epoch = state.diverged_epoch
        return trainer

    def predict(self, x: Array | None = None) -> Array:
        """Outputs for ``x`` (n, n_inputs), by default every row of the table -> (n, n_outputs)."""
        with np.errstate(all="ignore"):
            return self.net.forward(self.experiment.table.inputs if x is None else x)

    def scores_now(self) -> Scores:
        """The loss and accuracy of the network as it stands on the table as it stands: on the training rows, and
        on the held-out rows when there are any. A recorded epoch scored the table it trained on (before its last
        update, as Keras); after an edit of the table these are the figures that belong to it."""
        table = self.experiment.table
        with np.errstate(all="ignore"):
            zs, acts = self.net.forward_trace(table.inputs)
        z, y, t = zs[-1], acts[-1], table.targets

        def on(rows: Array) -> tuple[float, float] | None:
            if not len(rows):
                return None
            return float(self.loss.value(z[rows], y[rows], t[rows], self._out)), row_accuracy(y[rows], t[rows])

        train, held = on(table.train_rows), on(table.heldout_rows)
        return Scores(*(train or (math.nan, math.nan)), *(held or (None, None)))

    # --- training --------------------------------------------------------------------------------------------------
    def step(self) -> bool:
        """Train one epoch and record its metrics.

        Returns:
            False when the epoch diverged (the weights are restored to their last finite values and a non-finite
            optimizer state is restarted), else True. When the epoch's last update leaves weights whose outputs are
            not finite, the epoch counts but the run is marked diverged at the next one, which would have found it,
            and the weights are restored the same way.

        Raises:
            LabError: when every row is held out, so there is nothing to train on.
        """
        with np.errstate(all="ignore"), blas_threads():
            return self._step()

    def _step(self) -> bool:
        """``step`` with floating-point warnings already off (``run`` turns them off once for every epoch)."""
        if not self._train.n:
            require_training_rows(0)
        self.diverged_epoch = None
        full = self._full_batch
        if full:
            start = self._full_batch_epoch()
        else:
            np.copyto(self._epoch_start, self._theta)
            start = self._mini_batch_epoch(self.experiment.training.batch_size)
        if start is not None:
            self._diverge(start)
            return False
        self.epoch += 1
        if self.solved_epoch is None and self.history.accuracy[-1] == 1.0:
            self.solved_epoch = self.epoch
        if self._large_weights and not np.isfinite(self.predict()).all():
            # Found now, not by a next epoch that may never run (the budget may end here).
            self._diverge(self._backup if full else self._epoch_start)
        return True

    def _diverge(self, start: Array) -> None:
        """Mark epoch ``epoch + 1`` as diverged, keep weights whose outputs are finite on every row
        (``rules.finite_fallback``: the weights now, before the latest update, or ``start``, those the epoch started
        from), and restart an optimizer whose state is no longer finite."""
        self.diverged_epoch = self.epoch + 1
        theta = self.net.theta
        candidates = (theta.copy(), self._backup, start)
        inputs = self.experiment.table.inputs
        np.copyto(theta, candidates[finite_fallback(lambda w: Network(self.net.shape, w).forward(inputs),
                                                    candidates)])
        if not all(np.isfinite(v).all() for v in self.optimizer.state().values()):
            self.optimizer = OPTIMIZERS[self.experiment.training.optimizer](self.net.shape.n_params, self.dtype)

    def _update(self, inputs: list[Array], buffers: Pass, t: Array, dz: Array | None = None,
                layers: list[Dense] | None = None) -> bool:
        """Backpropagate from the forward pass in ``buffers`` (``inputs``: each layer's input, the data first)
        against targets ``t`` (or from ``dz``, dL/dz of the output layer when already worked out) and apply one
        update; False, with the weights put back, when it leaves a parameter that is not finite."""
        zs = buffers.zs
        if dz is None:
            dz = self.loss.grad_z(zs[-1], inputs[-1], t, self._out, buffers.dz)
        backward(self._layers if layers is None else layers, zs, inputs, dz, buffers.dA, buffers.slope)
        theta, backup = self._theta, self._backup
        np.copyto(backup, theta)
        self.optimizer.step(theta, self._grad, self.lr)
        sums = squares(theta)
        small = sums < SAFE_SQUARES  # False when a weight is nan, inf or large: one fast pass
        if not small and not_finite(theta, sums):
            np.copyto(theta, backup)
            return False
        self._large_weights = not small
        return True

    def _score(self, x: Array, targets: Targets, buffers: Pass) -> tuple[Array | float, Array | float]:
        """Loss and right-row count on inputs ``x`` against ``targets`` with the current weights."""
        y = forward(self._layers, x, buffers.zs, buffers.acts)
        return self._loss_value(buffers.zs[-1], y, targets.t), targets.right(y)

    def _score_heldout(self) -> tuple[Array | float, Array | float] | None:
        """Loss and accuracy on the held-out rows with the current weights, or None when none are held out."""
        held = self._held
        if not held.n:
            return None
        loss, right = self._score(self._x_held, held, self._held_pass)
        return loss, right / held.n

    def _record(self, loss: Array | float, accuracy: Array | float,
                held: tuple[Array | float, Array | float] | None) -> None:
        h = self.history
        h.loss.append(float(loss))
        h.accuracy.append(float(accuracy))
        if held is not None or h.heldout_loss:
            # Rows held out (now or earlier in the run): keep the held-out lists aligned with ``loss``.
            missing = len(h.loss) - 1 - len(h.heldout_loss)
            h.heldout_loss.extend([math.nan] * missing)
            h.heldout_accuracy.extend([math.nan] * missing)
            h.heldout_loss.append(float(held[0]) if held is not None else math.nan)
            h.heldout_accuracy.append(float(held[1]) if held is not None else math.nan)

    def _full_batch_epoch(self) -> Array | None:
        """One update on every training row. Returns None when the epoch counted, else the weights it started from
        (for the fallback)."""
        train, buffers = self._train, self._train_pass
        y = forward(self._layers, self._x_train, buffers.zs, buffers.acts)
        loss, dz = self._loss_both(buffers.zs[-1], y, train.t, buffers.dz)
        right = train.right(y)
        held = self._score_heldout() if self._held.n else None  # the same weights the training loss saw
        if not math.isfinite(loss) or held is not None and not math.isfinite(held[0]):
            return self.net.theta.copy()
        if not self._update(self._train_inputs, self._train_pass, train.t, dz):
            return self._backup
        self._record(loss, right / train.n, held)
        return None

    def _mini_batch_epoch(self, size: int) -> Array | None:
        """One update per mini-batch of ``size`` shuffled rows. Returns None when the epoch counted, else the weights
        it started from."""
        train = self._train
        n = train.n
        order = self._shuffle.permutation(n)
        z_all = np.empty_like(train.t)
        y_all = np.empty_like(train.t)
        for start in range(0, n, size):
            rows = order[start : start + size]
            x = self._x_train[rows]
            buffers = self._pass("batch", len(rows))
            forward(self._mini_layers, x, buffers.zs, buffers.acts)
            z_all[rows], y_all[rows] = buffers.zs[-1], buffers.acts[-1]
            if not self._update([x, *buffers.acts], buffers, train.t[rows], layers=self._mini_layers):
                return self._epoch_start
        loss = self._loss_value(z_all, y_all, train.t)
        held = self._score_heldout()
        if not math.isfinite(loss) or (held is not None and not math.isfinite(held[0])):
            return self._epoch_start
        self._record(loss, train.right(y_all) / n, held)
        return None

    def run(self, epochs: int | None = None, should_stop: Callable[[], bool] | None = None,
            on_epoch: Callable[[Trainer], None] | None = None) -> str:
        """Step until the run is done, ``epochs`` more have run, or ``should_stop()`` is true
        (``lab.core.rules.run_epochs``).

        Args:
            epochs: at most this many more epochs (default: until the budget or the stop rule).
            should_stop: polled before every epoch (a worker's cancellation check).
            on_epoch: called after every epoch (for logging).

        Returns:
            The status afterwards.
        """
        with np.errstate(all="ignore"), blas_threads():  # one BLAS thread for training: see lab.core.blas
            run_epochs(self._step, self._ended, self.experiment.training.budget if epochs is None else epochs,
                       should_stop, None if on_epoch is None else lambda: on_epoch(self))
        return self.status
