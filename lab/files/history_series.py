"""How an experiment file holds a run's history: the ``state.history`` part of its schema, packed and kept in part.

Format version 2 stores each history series (``state.history.loss``, ``accuracy``, ``heldout_loss``,
``heldout_accuracy``) as one string: the base64 of the values as little-endian float64, nan for an epoch without
held-out rows. That is 10.7 bytes a value instead of about 20 as JSON numbers, exact, and decodes in one NumPy
call. Version 1 files (each series a JSON list, null for nan) still load. ``state.history.stride`` and ``tail``
describe a history kept in part (the autosave of a very long run): every ``stride``-th epoch of the first
``epoch - tail`` epochs (the value of epochs stride, 2 stride, ...), then each of the last ``tail``; read back, each
kept value stands for its whole stretch of ``stride`` epochs. A full history has stride 1 and leaves both out.
"""

from __future__ import annotations

import base64
import binascii
import math

import msgspec
import numpy as np

from lab.core.errors import LabError
from lab.core.state import SERIES, FrozenHistory

Series = str | list[float | None]  # packed (base64 of float64, version 2) or listed (version 1; null for nan)


class HistorySpec(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """One value per epoch (see the module docstring for ``stride`` and ``tail``); a held-out value is nan (null in
    a list) for an epoch without held-out rows."""

    loss: Series = []
    accuracy: Series = []
    heldout_loss: Series = []
    heldout_accuracy: Series = []
    stride: int = 1
    tail: int = 0


def history_spec(h: FrozenHistory, points: int | None) -> HistorySpec:
    """The history as plain lists; with ``points``, a history longer than ``2 * points`` epochs keeps every
    ``stride``-th epoch of its start (at most ``points`` values) and the last ``points`` to ``points + stride``
    epochs exactly (see the module docstring). Slicing copies only what is kept: a 10-million-epoch history is
    reduced in about a millisecond."""
    n = len(h)
    if points is None or n <= 2 * points:
        loss, accuracy, heldout_loss, heldout_accuracy = (list(getattr(h, key)) for key in SERIES)
        return HistorySpec(loss, accuracy, heldout_loss, heldout_accuracy)
    stride = -(-(n - points) // points)
    head = (n - points) // stride * stride
    kept = [getattr(h, key) for key in SERIES]
    loss, accuracy, heldout_loss, heldout_accuracy = (list(s[stride - 1:head:stride] + s[head:]) if s else []
                                                      for s in kept)
    return HistorySpec(loss, accuracy, heldout_loss, heldout_accuracy, stride=stride, tail=n - head)


def _pack(values: Series) -> Series:
    """A series as the base64 of its little-endian float64 bytes (an empty one stays an empty list)."""
    if isinstance(values, str) or not values:
        return values
    array = np.array(values, dtype="<f8")  # a null (a listed held-out value) becomes nan
    return base64.b64encode(array.tobytes()).decode("ascii")


def _unpack(values: Series, key: str) -> np.ndarray:
    """A series read back as a float64 array (null or a packed nan as nan).

    Raises:
        LabError: not base64 of float64 values, or a null training loss or accuracy.
    """
    if isinstance(values, str):
        try:
            raw = base64.b64decode(values, validate=True)
        except (binascii.Error, ValueError):
            raise LabError(f"state.history.{key}: not base64 of float64 values") from None
        if len(raw) % 8:
            raise LabError(f"state.history.{key}: {len(raw)} bytes is not a whole number of float64 values")
        return np.frombuffer(raw, dtype="<f8")
    if not key.startswith("heldout") and None in values:
        raise LabError(f"state.history.{key}[{values.index(None)}]: expected a number, got null")
    return np.array([math.nan if v is None else v for v in values], dtype=np.float64)


def history_of(h: HistorySpec, epoch: int) -> FrozenHistory:
    """The history a file's ``state.history`` holds for ``epoch`` epochs, a kept-in-part history spread back over
    every epoch (a full history's length against the epoch is ``Trainer.from_state``'s check; a kept-in-part one is
    checked here, before spreading).

    Raises:
        LabError: a bad stride or tail, or a kept-in-part series of the wrong length.
    """
    series = {key: _unpack(getattr(h, key), key) for key in SERIES}
    if h.stride == 1 and not h.tail:
        return FrozenHistory.of(*(series[key].tolist() for key in SERIES))
    if h.stride < 1:
        raise LabError(f"state.history.stride: expected at least 1, got {h.stride}")
    if not 0 <= h.tail <= epoch or (epoch - h.tail) % h.stride:
        raise LabError(f"state.history.tail: expected 0 to {epoch} with the epochs before it a whole number "
                       f"of strides ({h.stride}), got {h.tail}")
    kept = (epoch - h.tail) // h.stride + h.tail
    held = kept if len(series["heldout_loss"]) or len(series["heldout_accuracy"]) else 0
    for key, want in (("loss", kept), ("accuracy", kept), ("heldout_loss", held), ("heldout_accuracy", held)):
        n = len(series[key])
        if n != want:
            raise LabError(f"state.history.{key}: expected {want} values for {epoch} epochs kept every "
                           f"{h.stride}, got {n}")
    head = kept - h.tail
    return FrozenHistory.of(*(np.concatenate([np.repeat(v[:head], h.stride), v[head:]]).tolist() if len(v) else ()
                              for v in (series[key] for key in SERIES)))


def packed(h: HistorySpec) -> HistorySpec:
    """``h`` with every series packed (version 2's form)."""
    return msgspec.structs.replace(h, **{key: _pack(getattr(h, key)) for key in SERIES})
