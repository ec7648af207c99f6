"""The trainer: one network, one optimizer, one history, stepped an epoch at a time.

An epoch visits every training row once: one update in full-batch mode (``batch_size`` 0), or one update per
mini-batch of rows shuffled by the seed. The metrics recorded for epoch e are those Keras reports: the loss and
accuracy of the predictions made during the epoch, before each update (for full batch, the network as it stood at
the start of the epoch). Held-out rows are scored with the same weights in full-batch mode and with the end-of-epoch
weights in mini-batch mode.

A row is right when every output is on its target's side of 0.5: above it for a 1, below it for a 0 (``right``).
An output of exactly 0.5 is neither, so it is wrong whatever the target (Keras' binary accuracy would count it a
0). The solved
epoch is the first at which every training row is right. A loss (on the training or held-out rows) or a parameter
that stops being finite ends the run as ``diverged`` and restores the last finite weights whose outputs are finite on
every row of the table (and restarts the optimizer if the failed update left inf or nan in its state, so the run can
be saved and continued); nothing is raised to the caller.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from lab.core.errors import LabError
from lab.core.experiment import Experiment, StopRule
from lab.core.gates import TruthTable
from lab.core.losses import LOSSES
from lab.core.nn import Network
from lab.core.optim import OPTIMIZERS, Optimizer

Array = np.ndarray
THRESHOLD = 0.5
# Below this size no weight can overflow a forward pass of inputs in [0, 1]: at most 9 dense layers of at most 64
# units and a bias, so |z| <= (65 * 1e30) ** 9, about 2e286, below the largest float, 1.8e308. The trainer checks the
# outputs of every row after an epoch only when the weights' sum of squares reaches SAFE_WEIGHT ** 2.
SAFE_WEIGHT = 1e30

# Run states. READY: nothing run yet or more to run. The rest end a run.
READY, SOLVED, BUDGET, LOSS_REACHED, DIVERGED = "ready", "solved", "budget", "loss-reached", "diverged"


@dataclass
class History:
    """Per-epoch metrics; index i is epoch i + 1 in every list. The held-out lists stay empty until a row is held
    out; from then on they are as long as ``loss``, with nan for the epochs that had no held-out row."""

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    heldout_loss: list[float] = field(default_factory=list)
    heldout_accuracy: list[float] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.loss)

    def since(self, start: int) -> History:
        """The epochs after the first ``start`` (a slice to send to the interface)."""
        return History(self.loss[start:], self.accuracy[start:], self.heldout_loss[start:],
                       self.heldout_accuracy[start:])

    def extend(self, more: History) -> None:
        """Append another slice."""
        self.loss += more.loss
        self.accuracy += more.accuracy
        self.heldout_loss += more.heldout_loss
        self.heldout_accuracy += more.heldout_accuracy


def right(y: Array | float, t: Array | float) -> Array:
    """Whether each output ``y`` is on its target ``t``'s side of ``THRESHOLD``: ``y > 0.5`` for a target 1,
    ``y < 0.5`` for a target 0; exactly 0.5 (and nan) is never right. Any shapes that broadcast; a bool array.

    The one rule for training rows, held-out rows, the truth table's marks and the Karnaugh maps.
    """
    y, t = np.asarray(y), np.asarray(t)
    return np.where(t > THRESHOLD, y > THRESHOLD, y < THRESHOLD)


def row_accuracy(y: Array, t: Array) -> float:
    """Fraction of rows whose every output is right (``right``). ``y``, ``t``: (n, n_outputs); nan when n is 0."""
    if y.shape[0] == 0:
        return float("nan")
    return float(np.mean(np.all(right(y, t), axis=1)))


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
        self.net = net if net is not None else Network.initialise(
            shape, training.init, np.random.default_rng(training.seed))
        if self.net.shape != shape:
            raise LabError(f"the saved network has layer sizes {self.net.shape.sizes}, the experiment needs "
                           f"{shape.sizes}")
        self.optimizer: Optimizer = OPTIMIZERS[training.optimizer](shape.n_params)
        self._shuffle = np.random.default_rng([training.seed, 1])
        self._backup = self.net.theta.copy()  # the weights before the latest update
        self._epoch_start = self.net.theta.copy()  # the weights the current epoch started from
        self._large_weights = False  # whether a weight may be large enough to overflow the outputs (SAFE_WEIGHT)
        self.epoch = 0
        self.history = History()
        self.solved_epoch: int | None = None
        self.diverged_epoch: int | None = None
        self._load_table(experiment.table)

    # --- data ------------------------------------------------------------------------------------------------------
    def _load_table(self, table: TruthTable) -> None:
        self.x_train = np.ascontiguousarray(table.inputs[table.train_rows])
        self.t_train = np.ascontiguousarray(table.targets[table.train_rows])
        self.x_held = np.ascontiguousarray(table.inputs[table.heldout_rows])
        self.t_held = np.ascontiguousarray(table.targets[table.heldout_rows])

    def set_table(self, table: TruthTable) -> None:
        """Train on ``table`` from the next step on. It must have the same number of inputs and outputs.

        Raises:
            LabError: when the table's shape differs (the network would need rebuilding).
        """
        self.set_experiment(self.experiment.with_table(table))

    def can_continue(self, experiment: Experiment) -> bool:
        """Whether ``experiment`` can take over this run without new weights: the same network shape, optimizer,
        initialiser, seed and batch size (the table's bits, the learning rate, the budget and the stop rule may
        differ)."""
        old, new = self.experiment.training, experiment.training
        return (experiment.shape == self.net.shape
                and (old.optimizer, old.init, old.seed, old.batch_size, old.loss)
                == (new.optimizer, new.init, new.seed, new.batch_size, new.loss))

    def set_experiment(self, experiment: Experiment) -> None:
        """Continue this run under ``experiment`` from the next step: new table bits, learning rate, budget or stop
        rule apply at once; the weights, optimizer state and history are kept.

        Raises:
            LabError: when ``can_continue`` is false (the network would need rebuilding).
        """
        if experiment.shape != self.net.shape:
            raise LabError(f"the network has layer sizes {self.net.shape.sizes}; the change needs "
                           f"{experiment.shape.sizes}: reset to rebuild it")
        if not self.can_continue(experiment):
            raise LabError("a new loss, optimizer, initialiser, seed or batch size needs a reset")
        table_changed = experiment.table != self.experiment.table
        self.experiment = experiment
        self.lr = experiment.training.lr
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
        spent, else ``ready``."""
        if self.diverged_epoch is not None:
            return DIVERGED
        if self.stop_rule.kind == "solved" and self.solved_epoch is not None:
            return SOLVED
        if (self.stop_rule.kind == "loss" and self.history.loss
                and self.history.loss[-1] < self.stop_rule.threshold):
            return LOSS_REACHED
        if self.epoch >= self.experiment.training.epochs:
            return BUDGET
        return READY

    @property
    def done(self) -> bool:
        """True when the run has ended (stop rule, budget or divergence)."""
        return self.status != READY

    def shuffle_state(self) -> dict[str, int]:
        """The mini-batch shuffler's generator state as four integers (saved so a resumed run shuffles the same)."""
        st = self._shuffle.bit_generator.state
        return {"state": st["state"]["state"], "inc": st["state"]["inc"], "has_uint32": st["has_uint32"],
                "uinteger": st["uinteger"]}

    def load_shuffle_state(self, values: dict[str, int]) -> None:
        """Restore a state from ``shuffle_state``."""
        self._shuffle.bit_generator.state = {
            "bit_generator": "PCG64", "state": {"state": values["state"], "inc": values["inc"]},
            "has_uint32": values["has_uint32"], "uinteger": values["uinteger"]}

    def predict(self, x: Array | None = None) -> Array:
        """Outputs for ``x`` (n, n_inputs), by default every row of the table -> (n, n_outputs)."""
        with np.errstate(all="ignore"):
            return self.net.forward(self.experiment.table.inputs if x is None else x)

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
        if self.x_train.shape[0] == 0:
            raise LabError("every row is held out: keep at least one row to train on")
        self.diverged_epoch = None
        np.copyto(self._epoch_start, self.net.theta)
        with np.errstate(all="ignore"):
            size = self.experiment.training.batch_size
            if size == 0 or size >= self.x_train.shape[0]:
                ok = self._full_batch_epoch()
            else:
                ok = self._mini_batch_epoch(size)
        if not ok:
            self._diverge()
            return False
        self.epoch += 1
        if self.solved_epoch is None and self.history.accuracy[-1] == 1.0:
            self.solved_epoch = self.epoch
        if self._large_weights and not np.isfinite(self.predict()).all():
            self._diverge()  # found now, not by a next epoch that may never run (the budget may end here)
        return True

    def _diverge(self) -> None:
        """Mark epoch ``epoch + 1`` as diverged, keep weights whose outputs are finite on every row, and restart an
        optimizer whose state is no longer finite."""
        self.diverged_epoch = self.epoch + 1
        self._restore_finite_outputs()
        if not all(np.isfinite(v).all() for v in self.optimizer.state().values()):
            self.optimizer = OPTIMIZERS[self.experiment.training.optimizer](self.net.shape.n_params)

    def _restore_finite_outputs(self) -> None:
        """Keep weights whose outputs are finite on every row: the weights now (finite, but a large finite weight can
        still overflow a forward pass), else those before the latest update, else those the epoch started from.
        Weights whose outputs were never finite (set from outside) are left as the epoch started with them."""
        theta = self.net.theta
        for candidate in (None, self._backup, self._epoch_start):
            if candidate is not None:
                np.copyto(theta, candidate)
            if np.isfinite(self.predict()).all():
                return

    def _update(self, zs: list[Array], acts: list[Array], t: Array) -> bool:
        """Backpropagate from the output of a forward trace against targets ``t`` and apply one update."""
        out = self.net.acts[-1]
        dz = self.loss.grad_z(zs[-1], acts[-1], t, out)
        theta = self.net.theta
        np.copyto(self._backup, theta)
        self.optimizer.step(theta, self.net.backward(zs, acts, dz), self.lr)
        small = theta.dot(theta) < SAFE_WEIGHT**2  # False when a weight is nan, inf or large: one fast pass
        if not small and not np.isfinite(theta).all():
            np.copyto(theta, self._backup)
            return False
        self._large_weights = not small
        return True

    def _score_heldout(self) -> tuple[float, float] | None:
        """Loss and accuracy on the held-out rows with the current weights, or None when none are held out."""
        if not self.x_held.shape[0]:
            return None
        zs, acts = self.net.forward_trace(self.x_held)
        return (self.loss.value(zs[-1], acts[-1], self.t_held, self.net.acts[-1]),
                row_accuracy(acts[-1], self.t_held))

    def _record(self, loss: float, accuracy: float, held: tuple[float, float] | None) -> None:
        h = self.history
        h.loss.append(loss)
        h.accuracy.append(accuracy)
        if held is not None or h.heldout_loss:
            # Rows held out (now or earlier in the run): keep the held-out lists aligned with ``loss``.
            missing = len(h.loss) - 1 - len(h.heldout_loss)
            h.heldout_loss += [math.nan] * missing
            h.heldout_accuracy += [math.nan] * missing
            h.heldout_loss.append(held[0] if held is not None else math.nan)
            h.heldout_accuracy.append(held[1] if held is not None else math.nan)

    def _full_batch_epoch(self) -> bool:
        zs, acts = self.net.forward_trace(self.x_train)
        loss = self.loss.value(zs[-1], acts[-1], self.t_train, self.net.acts[-1])
        if not np.isfinite(loss):
            return False
        held = self._score_heldout()  # the same weights the training loss saw
        if held is not None and not np.isfinite(held[0]):
            return False
        accuracy = row_accuracy(acts[-1], self.t_train)
        if not self._update(zs, acts, self.t_train):
            return False
        self._record(loss, accuracy, held)
        return True

    def _mini_batch_epoch(self, size: int) -> bool:
        n = self.x_train.shape[0]
        order = self._shuffle.permutation(n)
        z_all = np.empty_like(self.t_train)
        y_all = np.empty_like(self.t_train)
        for start in range(0, n, size):
            rows = order[start : start + size]
            zs, acts = self.net.forward_trace(self.x_train[rows])
            z_all[rows], y_all[rows] = zs[-1], acts[-1]
            if not self._update(zs, acts, self.t_train[rows]):
                return False
        loss = self.loss.value(z_all, y_all, self.t_train, self.net.acts[-1])
        held = self._score_heldout()
        if not np.isfinite(loss) or (held is not None and not np.isfinite(held[0])):
            return False
        self._record(loss, row_accuracy(y_all, self.t_train), held)
        return True

    def run(self, epochs: int | None = None, should_stop: Callable[[], bool] | None = None,
            on_epoch: Callable[[Trainer], None] | None = None) -> str:
        """Step until the run is done, ``epochs`` more have run, or ``should_stop()`` is true.

        Args:
            epochs: at most this many more epochs (default: until the budget or the stop rule).
            should_stop: polled before every epoch (a worker's cancellation check).
            on_epoch: called after every epoch (for logging).

        Returns:
            The status afterwards.
        """
        remaining = epochs if epochs is not None else self.experiment.training.epochs
        while remaining > 0 and not self.done:
            if should_stop is not None and should_stop():
                break
            if not self.step():
                break
            remaining -= 1
            if on_epoch is not None:
                on_epoch(self)
        return self.status
