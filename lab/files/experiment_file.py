"""The experiment file: JSON with a format version, read through a declared msgspec schema.

A file holds the table, the architecture, the training settings and, optionally, the trained state (weights,
optimizer state, epoch, history, shuffle generator) so a run can be resumed exactly. Every problem with a file
becomes one ``LabError`` line naming the field: ``architecture.layers[1].units: expected int, got str``.

Example::

    {"format": "nnlab-experiment", "version": 1, "name": "xor",
     "table": {"inputs": 2, "outputs": ["0110"], "heldout": []},
     "architecture": {"layers": [{"units": 16, "activation": "relu"}], "output_activation": "sigmoid"},
     "training": {"loss": "mse", "optimizer": "adam", "lr": 0.001, ...}}
"""

from __future__ import annotations

import math
import os
import re
import tempfile
from pathlib import Path
from typing import TypeVar

import msgspec
import numpy as np

from lab.core.errors import LabError
from lab.core.experiment import Architecture, Experiment, Layer, Training
from lab.core.gates import TruthTable
from lab.core.nn import Network
from lab.core.train import History, Trainer

def _read_umask() -> int:
    # os.umask can only be read by setting it; do it once, at import, before any thread exists.
    mask = os.umask(0)
    os.umask(mask)
    return mask


FILE_MODE = 0o666 & ~_read_umask()  # what open() would give a new file
FORMAT = "nnlab-experiment"
VERSION = 1
MAX_FILE_BYTES = 64 * 1024 * 1024


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


class HistorySpec(msgspec.Struct, forbid_unknown_fields=True):
    """One value per epoch; a held-out value is null for an epoch without held-out rows (JSON has no nan)."""

    loss: list[float] = []
    accuracy: list[float] = []
    heldout_loss: list[float | None] = []
    heldout_accuracy: list[float | None] = []


class StateSpec(msgspec.Struct, forbid_unknown_fields=True):
    """A trained network: ``weights`` maps W1, b1, ... to nested lists of the layer's shape."""

    epoch: int
    lr: float
    weights: dict[str, list[list[float] | float]]
    optimizer: dict[str, list[float] | float] = {}
    solved_epoch: int | None = None
    history: HistorySpec = msgspec.field(default_factory=HistorySpec)
    shuffle: dict[str, str] = {}


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
    except UnicodeError as e:
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
    except msgspec.ValidationError as e:
        raise _field_error(e) from None
    except msgspec.DecodeError as e:
        detail = str(e)
        if "utf-8" in detail.lower():
            raise _not_utf8(data) from None
        detail = detail[0].lower() + detail[1:] if detail[1:2].islower() else detail  # keep "JSON is malformed"
        raise LabError(f"not valid JSON ({detail})") from None


# --- experiment <-> spec -------------------------------------------------------------------------------------------
def _spec_of(experiment: Experiment, trainer: Trainer | None) -> ExperimentSpec:
    t, a, tr = experiment.table, experiment.architecture, experiment.training
    state = None
    if trainer is not None:
        h = trainer.history
        state = StateSpec(
            epoch=trainer.epoch, lr=trainer.lr,
            weights={name: view.tolist() for name, view in trainer.net.params.items()},
            optimizer={k: (v.tolist() if v.ndim else float(v)) for k, v in trainer.optimizer.state().items()},
            solved_epoch=trainer.solved_epoch,
            history=HistorySpec(list(h.loss), list(h.accuracy), list(h.heldout_loss), list(h.heldout_accuracy)),
            shuffle={k: str(v) for k, v in trainer.shuffle_state().items()},
        )
    return ExperimentSpec(
        format=FORMAT, version=VERSION, name=experiment.name,
        table=TableSpec(t.n_inputs, list(t.columns), sorted(t.heldout), t.name, list(t.output_names)),
        architecture=ArchitectureSpec([LayerSpec(l.units, l.activation) for l in a.layers], a.output_activation,
                                      a.bias),
        training=TrainingSpec(tr.loss, tr.optimizer, tr.lr, tr.batch_size, tr.init, tr.seed, tr.epochs, tr.stop),
        state=state,
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
        training = Training(tr.loss, tr.optimizer, tr.lr, tr.batch_size, tr.init, tr.seed, tr.epochs, tr.stop)
    except LabError as e:
        raise LabError(f"training.{e}") from None
    return Experiment(table, arch, training, spec.name)


def _trainer_of(experiment: Experiment, state: StateSpec) -> Trainer:
    shape = experiment.shape
    theta = []
    for name, dims in shape.param_shapes():
        if name not in state.weights:
            raise LabError(f"state.weights: missing {name} for a network of sizes {shape.sizes}")
        try:
            value = np.asarray(state.weights[name], dtype=np.float64)
        except ValueError:
            raise LabError(f"state.weights.{name}: rows of different lengths") from None
        if value.shape != dims:
            raise LabError(f"state.weights.{name}: expected shape {dims}, got {value.shape}")
        if not np.isfinite(value).all():
            raise LabError(f"state.weights.{name}: holds a value that is not a finite number")
        theta.append(value.ravel())
    extra = sorted(set(state.weights) - {n for n, _ in shape.param_shapes()})
    if extra:
        raise LabError(f"state.weights.{extra[0]}: not a parameter of a network of sizes {shape.sizes}")
    trainer = Trainer(experiment, Network(shape, np.concatenate(theta) if theta else np.zeros(0)))
    bad = np.flatnonzero(~np.isfinite(trainer.predict()).all(axis=1))
    if bad.size:  # nnlab never saves such weights: its trainer keeps weights whose outputs are finite
        raise LabError(f"state.weights: the network's output for row {bad[0]} is not a finite number "
                       "(the weights are too large)")
    try:
        trainer.set_lr(state.lr)
    except LabError as e:
        raise LabError(f"state.{e}") from None
    if state.epoch < 0 or state.epoch != len(state.history.loss):
        raise LabError(f"state.epoch: {state.epoch} does not match the {len(state.history.loss)} epochs of history")
    held = state.epoch if state.history.heldout_loss or state.history.heldout_accuracy else 0
    for key, want in (("accuracy", state.epoch), ("heldout_loss", held), ("heldout_accuracy", held)):
        n = len(getattr(state.history, key))
        if n != want:
            raise LabError(f"state.history.{key}: expected {want} values (one per epoch), got {n}")
    if state.solved_epoch is not None and not 1 <= state.solved_epoch <= state.epoch:
        raise LabError(f"state.solved_epoch: expected 1 to {state.epoch} or null, got {state.solved_epoch}")
    opt = {k: np.asarray(v, dtype=np.float64) for k, v in state.optimizer.items()}
    expected = trainer.optimizer.state()
    for key, value in expected.items():
        if key not in opt:
            if state.epoch:
                raise LabError(f"state.optimizer: missing '{key}' for {experiment.training.optimizer}")
            continue
        if opt[key].shape != value.shape:
            raise LabError(f"state.optimizer.{key}: expected shape {value.shape}, got {opt[key].shape}")
        count = float(opt[key]) if not value.shape else 0.0  # a step count (Adam's t), exact as a float
        if not (0 <= count <= 2**53 and count == math.floor(count)):
            raise LabError(f"state.optimizer.{key}: expected a whole number of steps from 0 to 2**53, "
                           f"got {count:g}")
    if set(opt) >= set(expected):
        trainer.optimizer.load_state(opt)
    trainer.epoch = state.epoch
    h = state.history
    trainer.history = History(list(h.loss), list(h.accuracy), [math.nan if v is None else v for v in h.heldout_loss],
                              [math.nan if v is None else v for v in h.heldout_accuracy])
    trainer.solved_epoch = state.solved_epoch
    if state.shuffle:
        try:
            trainer.load_shuffle_state({k: int(v) for k, v in state.shuffle.items()})
        except (ValueError, KeyError, TypeError, OverflowError):
            raise LabError("state.shuffle: not a saved random generator state") from None
    return trainer


# --- bytes and files -----------------------------------------------------------------------------------------------
def capture(experiment: Experiment, trainer: Trainer | None = None) -> ExperimentSpec:
    """What the file will hold, copied out of the trainer into plain lists (about a millisecond for 50,000 epochs
    of history), so it can be encoded later, in another thread, while the trainer goes on."""
    return _spec_of(experiment, trainer)


def encode(spec: ExperimentSpec, indent: bool = True) -> bytes:
    """A captured experiment as JSON bytes, indented unless ``indent`` is False (most of the cost of a save:
    about 8 ms for 50,000 epochs of history)."""
    data = msgspec.json.encode(spec)
    return (msgspec.json.format(data, indent=2) if indent else data) + b"\n"


def dumps(experiment: Experiment, trainer: Trainer | None = None, indent: bool = True) -> bytes:
    """The experiment (and the trainer's state, when given) as JSON bytes, indented unless ``indent`` is False."""
    return encode(capture(experiment, trainer), indent)


def loads(data: bytes | str) -> tuple[Experiment, Trainer | None]:
    """Read an experiment and, if the file holds one, a trainer restored to its saved state.

    Raises:
        LabError: one line naming the field for any problem (bad JSON, wrong type, unknown key, wrong length,
            unsupported version).
    """
    header = _decode(data, _Header)
    if header.format != FORMAT:
        raise LabError(f"format: expected \"{FORMAT}\", got \"{header.format}\": this is not an nnlab experiment")
    if header.version > VERSION:
        raise LabError(f"version: the file is format version {header.version}, newer than this nnlab reads "
                       f"({VERSION}); upgrade nnlab to open it")
    if header.version < 1:
        raise LabError(f"version: expected 1 to {VERSION}, got {header.version}")
    spec = _decode(data, ExperimentSpec)
    experiment = _experiment_of(spec)
    if spec.state is None:
        return experiment, None
    trainer = _trainer_of(experiment, spec.state)
    return trainer.experiment, trainer  # with the learning rate the run had reached (state.lr)


def read(path: str | os.PathLike) -> tuple[Experiment, Trainer | None]:
    """Read an experiment file (see ``loads``); a missing or unreadable file is a LabError naming the path."""
    p = Path(path)
    try:
        if p.is_dir():
            raise LabError(f"{p}: is a folder, not an experiment file")
        if p.stat().st_size > MAX_FILE_BYTES:
            raise LabError(f"{p}: larger than {MAX_FILE_BYTES // 2**20} MiB, not an experiment file")
        data = p.read_bytes()
    except FileNotFoundError:
        raise LabError(f"{p}: no such file") from None
    except PermissionError:
        raise LabError(f"{p}: permission denied") from None
    except OSError as e:
        raise LabError(f"{p}: cannot read ({e.strerror or e})") from None
    except LabError:
        raise
    except ValueError:  # a NUL byte or a character the file system cannot encode: no file has this name
        raise LabError(f"{p}: not a possible file name") from None
    try:
        return loads(data)
    except LabError as e:
        raise LabError(f"{p}: {e}") from None


def _missing_reason(folder: Path) -> str:
    """Why a file could not be created in ``folder`` when the system said "no such file or directory": the folder
    is missing, or it is there but takes no new files (a special file system such as /proc)."""
    if not folder.is_dir():
        return f"the folder {folder} does not exist"
    if not os.access(folder, os.W_OK):
        return f"the folder {folder} is not writable"
    return f"the folder {folder} does not take new files (a special or read-only file system)"


def write_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename, so a crash or a full
    disk leaves either the old file or the new one, never half of one.

    Raises:
        LabError: naming the path and the reason (folder missing, permission denied, disk full, ...).
    """
    p = Path(path)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent if str(p.parent) else ".")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, p.stat().st_mode & 0o7777 if p.exists() else FILE_MODE)
        os.replace(tmp, p)
        tmp = None
    except FileNotFoundError:
        raise LabError(f"{p}: {_missing_reason(p.parent)}") from None
    except PermissionError:
        raise LabError(f"{p}: permission denied") from None
    except OSError as e:
        raise LabError(f"{p}: cannot write ({e.strerror or e})") from None
    except ValueError:  # a NUL byte or a character the file system cannot encode
        raise LabError(f"{p}: not a possible file name") from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def write(path: str | os.PathLike, experiment: Experiment, trainer: Trainer | None = None) -> None:
    """Save the experiment (with the trainer's state when given) atomically to ``path``."""
    write_atomic(path, dumps(experiment, trainer))
