"""Helpers the inspection views share: read-only copies of arrays and the names of layers and hidden units."""

from __future__ import annotations

import numpy as np

from lab.core.nn import Shape
from lab.core.summary import summary_rows

Array = np.ndarray


def frozen(values: Array | float | list | None, dtype: type = np.float64) -> Array:
    """A read-only copy of ``values`` (float64 unless ``dtype`` says otherwise): a view's arrays never change under
    it, whoever trains the network."""
    out: Array = np.array(values, dtype=dtype)
    out.flags.writeable = False
    return out


def layer_names(shape: Shape) -> tuple[str, ...]:
    """Keras' name of every dense layer (``dense``, ``dense_1``, ...), as the model summary prints them."""
    return tuple(row.name for row in summary_rows(shape))


def hidden_label(layer: int, unit: int, n_hidden: int) -> str:
    """The label of hidden unit ``unit`` of hidden layer ``layer`` (both 0-based) in a network with ``n_hidden``
    hidden layers: ``h3`` when there is one hidden layer, ``h2.3`` (layer 2, unit 3) when there are several."""
    return f"h{unit + 1}" if n_hidden == 1 else f"h{layer + 1}.{unit + 1}"
