"""The experiment file: JSON with a format version, read through a declared msgspec schema.

A file holds the table, the architecture, the training settings and, optionally, the trained state (weights,
optimizer state, epoch, history, shuffle generator) so a run can be resumed exactly. Every problem with a file
becomes one ``LabError`` line naming the field: ``architecture.layers[1].units: expected int, got str``.

Example::

    {"format": "nnlab-experiment", "version": 1, "name": "xor",
     "table": {"inputs": 2, "outputs": ["0110"], "heldout": []},
     "architecture": {"layers": [{"units": 16, "activation": "relu"}], "output_activation": "sigmoid"},
     "training": {"loss": "mse", "optimizer": "adam", "lr": 0.001, ...}}

The history's form (packed, kept in part) is ``lab.files.history_series``'s.

Reading is bounded: at most ``MAX_FILE_BYTES`` are read (``lab.files.safe_io``), and a file holding more JSON
values than its version allows (``MAX_VALUES``) is refused before they are built, so a malformed file costs at most
a small multiple of its size in memory.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TypeVar

import msgspec
import numpy as np

from lab.core.errors import LabError, RunFailure, at
from lab.core.experiment import Architecture, Experiment, Layer, Training
from lab.core.gates import TruthTable
from lab.core.nn import Shape
from lab.core.state import TrainingState, make_state
from lab.core.train import Trainer
from lab.files.history_series import HistorySpec, history_of, history_spec, packed
from lab.files.safe_io import FILE_MODE, read_limited, size_text, write_atomic

__all__ = ["FILE_MODE", "FORMAT", "VERSION", "capture", "dumps", "encode", "loads", "read", "write", "write_atomic"]

FORMAT = "nnlab-experiment"
VERSION = 2
# A packed history takes 10.7 bytes a value, so 1 GiB holds 25 million epochs with held-out rows (50 million
# without): more than twice the largest budget (MAX_EPOCHS), and more than the app can hold in memory as lists.
MAX_FILE_BYTES = 1 << 30
# JSON values (counted by their commas) a file may hold, by format version: a version 1 file spells its history as
# numbers (8 million values: what a 64 MiB version 1 file, the old limit, holds at about 8 bytes a value); a version
# 2 file's numbers are its weights and optimizer state, tens of thousands at most. Each value costs about 32 bytes
# as a Python float, so this bounds what decoding a malformed file can cost.
MAX_VALUES = {1: 8_000_000, 2: 1_000_000}
# Objects and strings cost more each (a decoded object 100 bytes or more) and a file written by nnlab has a few
# dozen of each: a file with more is refused, counted (by braces and quotes) before decoding as well.
MAX_OBJECTS = 10_000
MAX_STRINGS = 100_000


class TableSpec(msgspec.Struct, forbid_unknown_fields=True):
    """``outputs``: one bit string per output column in row order (``"0110"`` is XOR)."""

    inputs: int
    outputs: list[str]
    heldout: list[int] = []
    name: str = "custom"
    output_names: list[str] = []


class LayerSpec(msgspec.Struct, forbid_unknown_fields=True):
    units: int
    activation: str = "relu"


class ArchitectureSpec(msgspec.Struct, forbid_unknown_fields=True):
    layers: list[LayerSpec] = []
    output_activation: str = "sigmoid"
    bias: bool = True


_TRAINING = Training()  # a field a file leaves out takes the engine's own default


class TrainingSpec(msgspec.Struct, forbid_unknown_fields=True):
    loss: str = _TRAINING.loss
    optimizer: str = _TRAINING.optimizer
    lr: float = _TRAINING.lr
    batch_size: int = _TRAINING.batch_size
    init: str = _TRAINING.init
    seed: int = _TRAINING.seed
    epochs: int = _TRAINING.epochs
    stop: str = _TRAINING.stop
    precision: str | msgspec.UnsetType = msgspec.UNSET  # written only when not float64, so older files stay as they are


class StateSpec(msgspec.Struct, forbid_unknown_fields=True):
    """A trained network: ``weights`` maps W1, b1, ... to nested lists of the layer's shape."""

    epoch: int
    lr: float
    weights: dict[str, list[list[float] | float]]
    optimizer: dict[str, list[float] | float] = {}
    solved_epoch: int | None = None
    history: HistorySpec = msgspec.field(default_factory=HistorySpec)
    shuffle: dict[str, str] = {}
    diverged_epoch: int | msgspec.UnsetType = msgspec.UNSET
    """Written only for a run that diverged (the epoch after its last): a file without it is a run that did not."""


class ExperimentSpec(msgspec.Struct, forbid_unknown_fields=True):
    format: str
    version: int
    table: TableSpec
    architecture: ArchitectureSpec = msgspec.field(default_factory=ArchitectureSpec)
    training: TrainingSpec = msgspec.field(default_factory=TrainingSpec)
    name: str = "experiment"
    state: StateSpec | None = None


class _Header(msgspec.Struct):
    format: str = ""
    version: int = 0


def _field_error(err: msgspec.ValidationError) -> LabError:
    """Turn msgspec's ``Expected `int`, got `str` - at `$.a.b[1]``` into ``a.b[1]: expected int, got str``."""
    text = str(err)
    m = re.match(r"(.*?) - at `\$\.?(.*)`$", text)
    message, where = (m.group(1), m.group(2)) if m else (text, "")
    message = message.replace("`", "")
    unknown = re.match(r"Object contains unknown field (\S+)", message)
    if unknown:
        return LabError(f"{where + '.' if where else ''}{unknown.group(1)}: unknown field")
    message = message[0].lower() + message[1:] if message else message
    return LabError(f"{where}: {message}" if where else message)


def _not_utf8(data: bytes | str) -> LabError:
    """The error for a file that is not UTF-8 text, with the offset of the first bad byte."""
    try:
        data.encode("utf-8") if isinstance(data, str) else bytes(data).decode("utf-8")
    except (UnicodeDecodeError, UnicodeEncodeError) as e:
        return LabError(f"not valid JSON (not UTF-8 text at byte {e.start})")
    return LabError("not valid JSON (not UTF-8 text)")


_T = TypeVar("_T")


def _decode(data: bytes | str, kind: type[_T]) -> _T:
    """Decode ``data`` as ``kind``; every way decoding can fail becomes one LabError line, here and only here.

    msgspec reports bad UTF-8 as ``UnicodeError`` in some versions and as a ``DecodeError`` ("Invalid UTF-8
    encoded string") in others (0.19 and later), so both are mapped to the same message with the byte offset.
    """
    try:
        return msgspec.json.decode(data, type=kind)
    except UnicodeError:
        raise _not_utf8(data) from None
    except RecursionError:  # msgspec skips an unknown field's value recursively
        raise LabError("not valid JSON for an experiment (nested too deeply)") from None
    except msgspec.ValidationError as e:
        raise _field_error(e) from None
    except msgspec.DecodeError as e:
        detail = str(e)
        if "utf-8" in detail.lower():
            raise _not_utf8(data) from None
        detail = detail[0].lower() + detail[1:] if detail[1:2].islower() else detail  # keep "JSON is malformed"
        raise LabError(f"not valid JSON ({detail})") from None


# --- experiment <-> spec -------------------------------------------------------------------------------------------
def _state_spec(state: TrainingState, points: int | None) -> StateSpec:
    """The file's ``state`` for a training state (a long history kept in part with ``points``)."""
    return StateSpec(
        epoch=state.epoch, lr=state.lr,
        weights={name: view.tolist() for name, view in state.params().items()},
        optimizer={k: (v.tolist() if v.ndim else float(v)) for k, v in state.optimizer.items()},
        solved_epoch=state.solved_epoch,
        history=history_spec(state.history, points),
        shuffle={k: str(v) for k, v in state.shuffle.items()},
        diverged_epoch=msgspec.UNSET if state.diverged_epoch is None else state.diverged_epoch,
    )


def _spec_of(experiment: Experiment, state: TrainingState | None, points: int | None = None) -> ExperimentSpec:
    t, a, tr = experiment.table, experiment.architecture, experiment.training
    return ExperimentSpec(
        format=FORMAT, version=VERSION, name=experiment.name,
        table=TableSpec(t.n_inputs, list(t.columns), sorted(t.heldout), t.name, list(t.output_names)),
        architecture=ArchitectureSpec([LayerSpec(l.units, l.activation) for l in a.layers], a.output_activation,
                                      a.bias),
        training=TrainingSpec(tr.loss, tr.optimizer, tr.lr, tr.batch_size, tr.init, tr.seed, tr.epochs, tr.stop,
                              msgspec.UNSET if tr.precision == _TRAINING.precision else tr.precision),
        state=None if state is None else _state_spec(state, points),
    )


def _experiment_of(spec: ExperimentSpec) -> Experiment:
    t = spec.table
    try:
        table = TruthTable(t.inputs, tuple(t.outputs), frozenset(t.heldout), t.name, tuple(t.output_names))
    except LabError as e:
        raise LabError(f"table: {e}") from None
    a = spec.architecture
    try:
        arch = Architecture(tuple(Layer(l.units, l.activation) for l in a.layers), a.output_activation, a.bias)
    except LabError as e:
        raise LabError(f"architecture.{e}") from None
    tr = spec.training
    try:
        training = Training(tr.loss, tr.optimizer, tr.lr, tr.batch_size, tr.init, tr.seed, tr.epochs, tr.stop,
                            _TRAINING.precision if tr.precision is msgspec.UNSET else tr.precision)
    except LabError as e:
        raise LabError(f"training.{e}") from None
    return Experiment(table, arch, training, spec.name)


def _theta_of(shape: Shape, weights: dict[str, list[list[float] | float]]) -> np.ndarray:
    """The file's named weights laid end to end as theta (P,), each checked against its layer's shape."""
    theta = []
    for name, dims in shape.param_shapes():
        if name not in weights:
            raise LabError(f"state.weights: missing {name} for a network of sizes {shape.sizes}")
        try:
            value = np.asarray(weights[name], dtype=np.float64)
        except ValueError:
            raise LabError(f"state.weights.{name}: rows of different lengths") from None
        if value.shape != dims:
            raise LabError(f"state.weights.{name}: expected shape {dims}, got {value.shape}")
        theta.append(value.ravel())
    extra = sorted(set(weights) - {n for n, _ in shape.param_shapes()})
    if extra:
        raise LabError(f"state.weights.{extra[0]}: not a parameter of a network of sizes {shape.sizes}")
    return np.concatenate(theta) if theta else np.zeros(0)


def _trainer_of(experiment: Experiment, spec: StateSpec) -> Trainer:
    """The trainer continuing the run a file's ``state`` holds: the schema mapped to a ``TrainingState``, which
    ``Trainer.from_state`` checks against the experiment."""
    shape = experiment.shape
    try:
        shuffle = {k: int(v) for k, v in spec.shuffle.items()}
    except ValueError:
        raise LabError("state.shuffle: not a saved random generator state") from None
    state = make_state(shape, _theta_of(shape, spec.weights),
                       {k: np.asarray(v, dtype=np.float64) for k, v in spec.optimizer.items()}, shuffle,
                       spec.epoch, history_of(spec.history, spec.epoch), spec.lr, spec.solved_epoch,
                       None if isinstance(spec.diverged_epoch, msgspec.UnsetType) else spec.diverged_epoch)
    try:
        return Trainer.from_state(experiment, state)
    except LabError as e:
        raise LabError(f"state.{e}") from None


# --- bytes and files -----------------------------------------------------------------------------------------------
def capture(experiment: Experiment, state: TrainingState | None = None,
            history_points: int | None = None) -> ExperimentSpec:
    """What the file will hold of the experiment and a training state (``Trainer.state()``), as plain lists ready
    to ``encode``. With ``history_points`` a long history is kept in part (``history_series.history_spec``): the
    autosave's choice."""
    return _spec_of(experiment, state, history_points)


def encode(spec: ExperimentSpec, indent: bool = True) -> bytes:
    """A captured experiment as JSON bytes, its history packed (see the module docstring), indented unless
    ``indent`` is False."""
    if spec.state is not None:
        spec = msgspec.structs.replace(spec, state=msgspec.structs.replace(spec.state,
                                                                           history=packed(spec.state.history)))
    data = msgspec.json.encode(spec)
    return (msgspec.json.format(data, indent=2) if indent else data) + b"\n"


def dumps(experiment: Experiment, state: TrainingState | None = None, indent: bool = True) -> bytes:
    """The experiment (and a training state, when given) as JSON bytes, indented unless ``indent`` is False."""
    return encode(capture(experiment, state), indent)


def _check_counts(data: bytes | str, version: int) -> None:
    """Refuse a file holding more JSON values, objects or strings than nnlab writes (``MAX_VALUES``,
    ``MAX_OBJECTS``, ``MAX_STRINGS``), counted in the bytes before anything is decoded: commas for values (base64
    has none, so a packed history counts once), braces for objects, quotes for strings (over-counting escaped
    quotes, which only a hand-made file holds in numbers).

    Raises:
        LabError: naming the count and the most allowed.
    """
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    for what, count, most in (("JSON values", raw.count(b",") + 1, MAX_VALUES[version]),
                              ("JSON objects", raw.count(b"{"), MAX_OBJECTS),
                              ("strings", raw.count(b'"') // 2, MAX_STRINGS)):
        if count > most:
            raise LabError(f"holds about {count:,} {what}, more than a format version {version} experiment file "
                           f"has ({most:,} at most)")


def loads(data: bytes | str) -> tuple[Experiment, Trainer | None]:
    """Read an experiment and, if the file holds one, a trainer restored to its saved state.

    Raises:
        LabError: one line naming the field for any problem (bad JSON, wrong type, unknown key, wrong length,
            unsupported version).
    """
    if len(data) > MAX_FILE_BYTES:
        raise LabError(f"larger than {size_text(MAX_FILE_BYTES)}, not an experiment file")
    header = _decode(data, _Header)
    if header.format != FORMAT:
        raise LabError(f"format: expected \"{FORMAT}\", got \"{header.format}\": this is not an nnlab experiment")
    if header.version > VERSION:
        raise RunFailure(f"version: the file is format version {header.version}, newer than this nnlab reads "
                       f"({VERSION}); upgrade nnlab to open it")
    if header.version < 1:
        raise LabError(f"version: expected 1 to {VERSION}, got {header.version}")
    _check_counts(data, header.version)
    spec = _decode(data, ExperimentSpec)
    experiment = _experiment_of(spec)
    if spec.state is None:
        return experiment, None
    trainer = _trainer_of(experiment, spec.state)
    return trainer.experiment, trainer  # with the learning rate the run had reached (state.lr)


def read(path: str | os.PathLike) -> tuple[Experiment, Trainer | None]:
    """Read an experiment file (see ``loads``); a missing or unreadable file is a LabError naming the path."""
    p = Path(path)
    data = read_limited(p, MAX_FILE_BYTES, "an experiment file")
    try:
        return loads(data)
    except LabError as e:
        raise at(str(p), e) from None


def write(path: str | os.PathLike, experiment: Experiment, state: TrainingState | None = None) -> None:
    """Save the experiment (with a training state when given) atomically to ``path``."""
    write_atomic(path, dumps(experiment, state))
