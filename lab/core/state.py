"""A frozen training state: everything a trainer needs to continue a run exactly, as values nobody can change.

``Trainer.state()`` copies one out of a live trainer (under the app's lock: a few copies of small arrays and the
history's lists); files, exports and views read it from then on, in any thread, while the trainer goes on.
``Trainer.from_state(experiment, state)`` builds a trainer that continues the run bit for bit, after
``check_state`` has held the state against the experiment: this module is the one place a state is validated.

Shapes, for a network of P parameters (``Shape.param_shapes``: W1 (n_in, u_1), b1 (u_1,), W2 (u_1, u_2), ...,
laid end to end in that order):

- ``theta`` (P,) float64, read-only;
- ``optimizer``: the optimizer's state arrays by name, read-only: Adam's ``m`` (P,), ``v`` (P,) and step count ``t``
  (a 0-d array), momentum's ``velocity`` (P,) and step count ``t`` (absent from files saved before it was kept),
  nothing for SGD; empty means a fresh optimizer (only before the first epoch);
- ``history``: one value per completed epoch in each series (``FrozenSeries``, read-only sequences of floats), the
  held-out ones empty or as long.
"""

from __future__ import annotations

import bisect
import itertools
import math
from array import array
from collections.abc import Iterable, Iterator, Mapping, MutableSequence, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Protocol, overload

import numpy as np

from lab.core.errors import LabError
from lab.core.experiment import Experiment
from lab.core.nn import Network, Shape
from lab.core.optim import OPTIMIZERS

Array = np.ndarray
SHUFFLE_KEYS = ("state", "inc", "has_uint32", "uinteger")  # a PCG64 generator's state, as four integers
MAX_STEPS = 2**53  # an optimizer's step count, exact as a float64


def frozen(values: Array | float) -> Array:
    """A read-only float64 copy of ``values`` (any shape)."""
    copy = np.array(values, dtype=np.float64)
    copy.flags.writeable = False
    return copy


class Floats(array):  # type: ignore[type-arg]  # array's parameter is its typecode's type: float here
    """A live history series of one network: a packed ``array('d')`` (8 bytes an epoch, where a list of Python
    floats holds 32) that compares equal to any sequence of the same floats, as a list would.

    Append-only (the trainer only appends), so a frozen state shares its first values instead of copying them
    (``Prefix``). Never hand out its buffer (``np.asarray``, ``memoryview``): an array exporting its buffer cannot
    grow, and the next epoch's append would fail; ``np.array`` (a copy) is fine.
    """

    def __new__(cls, values: Iterable[float] = ()) -> Floats:
        return super().__new__(cls, "d", values)  # type: ignore[return-value]  # a Floats, made by array's __new__

    def __eq__(self, other: object) -> bool:
        if isinstance(other, array | list | tuple | FrozenSeries):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # it grows, as a list

    def _append_only(self, *args: object, **kwargs: object) -> None:
        raise TypeError("a history series only grows: an epoch once recorded is never changed")

    # Every way to change a value already there is refused, so a frozen state that shares them stays as it was.
    __setitem__ = __delitem__ = pop = remove = insert = reverse = byteswap = _append_only  # type: ignore[assignment]


class Prefix(Sequence[float]):
    """The first ``n`` values of an append-only ``Floats``, read in place: those values never change, so a frozen
    state can share them with the live series instead of copying them (the trainer's history then costs 8 bytes an
    epoch a series once, not twice). Read by item, slice (a copy) or iteration, never through the buffer, so the
    live series can go on growing in another thread (each read and each append holds the GIL).

    Attributes:
        source: the live series.
        n: how many of its values this holds.
    """

    __slots__ = ("source", "n")

    def __init__(self, source: Floats, n: int) -> None:
        self.source, self.n = source, n

    def __len__(self) -> int:
        return self.n

    def __iter__(self) -> Iterator[float]:
        return itertools.islice(self.source, self.n)

    @overload
    def __getitem__(self, index: int) -> float: ...

    @overload
    def __getitem__(self, index: slice) -> array[float]: ...

    def __getitem__(self, index: int | slice) -> float | array[float]:
        if isinstance(index, slice):
            start, stop, step = index.indices(self.n)
            if step > 0:
                return self.source[start:stop:step]
            return array("d", (self.source[i] for i in range(start, stop, step)))
        i = index + self.n if index < 0 else index
        if not 0 <= i < self.n:
            raise IndexError("history index out of range")
        return float(self.source[i])

    def __reduce__(self) -> tuple[type, tuple[str, array[float]]]:
        return array, ("d", self.source[:self.n])  # pickled as its values alone


class FrozenSeries(Sequence[float]):
    """One history series, immutable: a sequence of floats held as a few packed ``array('d')`` chunks (8 bytes a
    value; never handed out, so never changed) so that taking a state again after more epochs copies only the new
    epochs (``extended``), not the whole run; or, frozen from a trainer's append-only ``Floats``, one ``Prefix`` of
    it, which copies nothing.

    The chunks shrink by more than half from the first to the last (a longer chunk absorbs the ones after it when
    that would break), so a series of n values has at most log2(n) + 1 chunks and each value is copied O(log n)
    times over a whole run.
    """

    __slots__ = ("_chunks", "_ends")

    def __init__(self, values: Iterable[float] = (), chunks: tuple[Sequence[float], ...] | None = None) -> None:
        if chunks is None:
            first = array("d", values)
            chunks = (first,) if first else ()
        self._chunks = chunks
        self._ends = tuple(itertools.accumulate(len(c) for c in chunks))

    def extended(self, values: Sequence[float]) -> FrozenSeries:
        """This series followed by ``values[len(self):]``: the values a live, append-only list gained since. A
        trainer's ``Floats`` is shared, not copied (``Prefix``)."""
        if isinstance(values, Floats):
            n = len(values)
            return self if n == len(self) else FrozenSeries(chunks=(Prefix(values, n),))
        new = array("d", values[len(self):])
        if not new:
            return self
        chunks: list[Sequence[float]] = [*self._chunks, new]
        while len(chunks) > 1 and len(chunks[-2]) <= 2 * len(chunks[-1]):
            last = chunks.pop()
            chunks[-1] = array("d", chunks[-1]) + array("d", last)
        return FrozenSeries(chunks=tuple(chunks))

    def __len__(self) -> int:
        return self._ends[-1] if self._ends else 0

    @property
    def chunk_count(self) -> int:
        """How many frozen chunks hold the values (at most log2(n) + 1 for n values)."""
        return len(self._chunks)

    def __iter__(self) -> Iterator[float]:
        return itertools.chain.from_iterable(self._chunks)

    @overload
    def __getitem__(self, index: int) -> float: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[float, ...]: ...

    def __getitem__(self, index: int | slice) -> float | tuple[float, ...]:
        """A value, or a slice as a tuple (a step slice reads only the chunks it touches)."""
        if isinstance(index, slice):
            return self._slice(index)
        n = len(self)
        i = index + n if index < 0 else index
        if not 0 <= i < n:
            raise IndexError("history index out of range")
        k = bisect.bisect_right(self._ends, i)
        return self._chunks[k][i - (self._ends[k - 1] if k else 0)]

    def _slice(self, index: slice) -> tuple[float, ...]:
        start, stop, step = index.indices(len(self))
        if step < 0:
            return tuple(self)[index]
        out: list[float] = []
        offset = 0
        for chunk, end in zip(self._chunks, self._ends, strict=True):
            if start >= stop:
                break
            if start < end:
                part = chunk[start - offset : min(stop, end) - offset : step]
                out += part
                start += len(part) * step
            offset = end
        return tuple(out)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FrozenSeries | tuple | list | array):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"FrozenSeries({len(self)} values)"


SERIES = ("loss", "accuracy", "heldout_loss", "heldout_accuracy")


@dataclass(frozen=True)
class FrozenHistory:
    """Per-epoch metrics, immutable; index i is epoch i + 1 (see ``lab.core.train.History``). The held-out series
    are empty until a row is held out, then as long as ``loss`` with nan for epochs without a held-out row."""

    loss: FrozenSeries = field(default_factory=FrozenSeries)
    accuracy: FrozenSeries = field(default_factory=FrozenSeries)
    heldout_loss: FrozenSeries = field(default_factory=FrozenSeries)
    heldout_accuracy: FrozenSeries = field(default_factory=FrozenSeries)

    @classmethod
    def of(cls, *series: Iterable[float]) -> FrozenHistory:
        """A history of the four series in the order of ``SERIES`` (any iterables of floats, copied)."""
        return cls(*(FrozenSeries(values) for values in series))

    def extended(self, live: HistoryLike) -> FrozenHistory:
        """This history followed by what the append-only ``live`` history (``lab.core.train.History``) gained
        since: only the new epochs are copied."""
        return FrozenHistory(*(getattr(self, key).extended(getattr(live, key)) for key in SERIES))

    def __len__(self) -> int:
        return len(self.loss)


class HistoryLike(Protocol):
    """The four series of a live history (``lab.core.train.History``)."""

    loss: MutableSequence[float]
    accuracy: MutableSequence[float]
    heldout_loss: MutableSequence[float]
    heldout_accuracy: MutableSequence[float]


@dataclass(frozen=True, eq=False)
class TrainingState:
    """One moment of a run (see the module docstring for the shapes).

    Attributes:
        shape: the network's sizes, activations and bias.
        theta: every weight and bias, (P,) read-only.
        optimizer: the optimizer's state arrays by name, read-only.
        shuffle: the mini-batch shuffler's PCG64 state (``SHUFFLE_KEYS``), or empty for the one the seed gives.
        epoch: epochs completed.
        history: the metrics of every completed epoch.
        lr: the learning rate the run had reached.
        solved_epoch: the first epoch with every training row right, or None.
        diverged_epoch: the epoch that produced a non-finite value (``epoch + 1``: it did not count), or None.
    """

    shape: Shape
    theta: Array
    optimizer: Mapping[str, Array] = field(default_factory=lambda: MappingProxyType({}))
    shuffle: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    epoch: int = 0
    history: FrozenHistory = field(default_factory=FrozenHistory)
    lr: float = math.nan
    solved_epoch: int | None = None
    diverged_epoch: int | None = None

    def params(self) -> dict[str, Array]:
        """W1, b1, W2, ... as read-only views of ``theta``, each of its layer's shape."""
        views: dict[str, Array] = {}
        offset = 0
        for name, dims in self.shape.param_shapes():
            size = math.prod(dims)
            views[name] = self.theta[offset : offset + size].reshape(dims)
            offset += size
        return views

    def network(self) -> Network:
        """A network of its own holding these weights (to run forward passes on)."""
        return Network(self.shape, self.theta)


def make_state(shape: Shape, theta: Array, optimizer: Mapping[str, Array | float], shuffle: Mapping[str, int],
               epoch: int, history: FrozenHistory, lr: float, solved_epoch: int | None = None,
               diverged_epoch: int | None = None) -> TrainingState:
    """A state holding read-only copies of ``theta`` and the ``optimizer`` arrays (nothing shared with the caller)."""
    return TrainingState(shape, frozen(theta), MappingProxyType({k: frozen(v) for k, v in optimizer.items()}),
                         MappingProxyType(dict(shuffle)), epoch, history, lr, solved_epoch, diverged_epoch)


def _first_bad_param(shape: Shape, theta: Array) -> str:
    """The name of the parameter holding ``theta``'s first value that is not finite."""
    index = int(np.flatnonzero(~np.isfinite(theta))[0])
    offset = 0
    for name, dims in shape.param_shapes():
        offset += math.prod(dims)
        if index < offset:
            return name
    return "theta"


def check_state(experiment: Experiment, state: TrainingState, expected_optimizer: Mapping[str, Array]) -> None:
    """Hold ``state`` against ``experiment``: the network's shape, finite weights whose outputs are finite on every
    row, a valid learning rate, the epoch against the history and the solved and diverged epochs, the optimizer's
    arrays (``expected_optimizer``: a fresh optimizer's, for the names and shapes) and the shuffler's state.

    Raises:
        LabError: one line naming the field (``weights.W1: ...``, ``epoch: ...``, ``optimizer.m: ...``).
    """
    shape = experiment.shape
    if state.shape != shape:
        raise LabError(f"weights: the saved network has layer sizes {state.shape.sizes}, the experiment needs "
                       f"{shape.sizes}")
    theta = state.theta
    if theta.shape != (shape.n_params,):
        raise LabError(f"weights: expected {shape.n_params} parameters for a network of sizes {shape.sizes}, got "
                       f"{theta.size}")
    if not np.isfinite(theta).all():
        raise LabError(f"weights.{_first_bad_param(shape, theta)}: holds a value that is not a finite number")
    with np.errstate(all="ignore"):
        outputs = state.network().forward(experiment.table.inputs)
    bad = np.flatnonzero(~np.isfinite(outputs).all(axis=1))
    if bad.size:  # nnlab never keeps such weights: its trainer falls back to weights whose outputs are finite
        raise LabError(f"weights: the network's output for row {bad[0]} is not a finite number "
                       "(the weights are too large)")
    experiment.with_training(lr=state.lr)  # raises ``lr: ...`` for a learning rate the settings refuse
    _check_epochs(state)
    _check_optimizer(experiment, state, expected_optimizer)
    if state.shuffle and set(state.shuffle) != set(SHUFFLE_KEYS):
        raise LabError("shuffle: not a saved random generator state")


def _check_epochs(state: TrainingState) -> None:
    """The epoch against the history's lengths and the solved and diverged epochs."""
    epoch, h = state.epoch, state.history
    if epoch < 0:
        raise LabError(f"epoch: expected 0 or more, got {epoch}")
    if len(h.loss) != epoch:
        raise LabError(f"epoch: {epoch} does not match the {len(h.loss)} epochs of history")
    held = epoch if h.heldout_loss or h.heldout_accuracy else 0
    for key, want in (("accuracy", epoch), ("heldout_loss", held), ("heldout_accuracy", held)):
        n = len(getattr(h, key))
        if n != want:
            raise LabError(f"history.{key}: expected {want} values (one per epoch), got {n}")
    if state.solved_epoch is not None and not 1 <= state.solved_epoch <= epoch:
        raise LabError(f"solved_epoch: expected 1 to {epoch} or null, got {state.solved_epoch}")
    if state.diverged_epoch is not None and state.diverged_epoch != epoch + 1:
        raise LabError(f"diverged_epoch: expected {epoch + 1} (the epoch after the last) or null, got "
                       f"{state.diverged_epoch}")


def _check_optimizer(experiment: Experiment, state: TrainingState, expected: Mapping[str, Array]) -> None:
    """Every array the optimizer keeps, of its shape, finite, a step count whole; none only before epoch 1."""
    saved = state.optimizer
    extra = sorted(set(saved) - set(expected))
    if extra:
        raise LabError(f"optimizer.{extra[0]}: not part of {experiment.training.optimizer}'s state")
    optional = OPTIMIZERS[experiment.training.optimizer].optional
    for key, value in expected.items():
        if key not in saved:
            if state.epoch and key not in optional:
                raise LabError(f"optimizer: missing '{key}' for {experiment.training.optimizer}")
            continue
        got = saved[key]
        if got.shape != value.shape:
            raise LabError(f"optimizer.{key}: expected shape {value.shape}, got {got.shape}")
        if not got.shape:  # a step count (Adam's t), exact as a float
            count = float(got)
            if not (0 <= count <= MAX_STEPS and count == math.floor(count)):
                raise LabError(f"optimizer.{key}: expected a whole number of steps from 0 to 2**53, got {count:g}")
        elif not np.isfinite(got).all():
            raise LabError(f"optimizer.{key}: holds a value that is not a finite number")
