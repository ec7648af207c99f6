"""What a trained network leaves the lab as: a loss-history CSV, weights as .npz or the tutorials' text files, the
two-layer tutorial's own three files (``write_tutorial_files``), and a standalone Python script that needs only
NumPy. Each reads a frozen ``TrainingState`` (``Trainer.state()``), so
the files are written while the trainer goes on."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from lab.core.errors import LabError
from lab.core.experiment import Experiment
from lab.core.state import FrozenHistory, TrainingState
from lab.files.safe_io import write_atomic


def history_csv(h: FrozenHistory) -> str:
    """The loss history as CSV text: ``epoch,loss,accuracy`` and, with held-out rows, ``heldout_loss,
    heldout_accuracy`` (the two-layer tutorial's per-epoch loss log)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    held = bool(h.heldout_loss)
    writer.writerow(["epoch", "loss", "accuracy"] + (["heldout_loss", "heldout_accuracy"] if held else []))
    columns = (h.loss, h.accuracy, h.heldout_loss, h.heldout_accuracy) if held else (h.loss, h.accuracy)
    for epoch, values in enumerate(zip(*columns, strict=True), 1):
        writer.writerow([epoch, *map(repr, values)])
    return out.getvalue()


def write_history_csv(path: str | os.PathLike, history: FrozenHistory) -> None:
    """Write ``history_csv`` to ``path`` atomically."""
    write_atomic(path, history_csv(history).encode())


def weight_paths(path: str | os.PathLike, n_layers: int) -> list[Path]:
    """The files ``write_weights`` writes for a network of ``n_layers`` dense layers: ``path`` itself for ``.npz``
    (and any other name, which it refuses), ``NAME_layer1.txt`` ... for ``.txt``."""
    p = Path(path)
    if p.suffix == ".txt":
        return [p.with_name(f"{p.stem}_layer{l + 1}.txt") for l in range(n_layers)]
    return [p]


def write_weights(path: str | os.PathLike, state: TrainingState) -> list[Path]:
    """Save the weights: ``.npz`` holds W1, b1, W2, ... in one file; ``.txt`` writes the tutorials' form, one text
    file per layer (``NAME_layer1.txt``...) with W's rows and, when the layer has one, the bias as a last row.

    Returns:
        The files written.
    """
    p = Path(path)
    params = state.params()
    if p.suffix == ".npz":
        buf = io.BytesIO()
        # Float arrays only, so nothing is pickled. No ``allow_pickle=False``: NumPy 2.0's savez (within the bounds)
        # takes no such flag and would save it as an array named allow_pickle.
        np.savez(buf, **params)  # type: ignore[arg-type]  # (NumPy's stubs: a ** dict could be allow_pickle)
        write_atomic(p, buf.getvalue())
        return [p]
    if p.suffix == ".txt":
        written = []
        n_layers = state.shape.n_layers
        targets = weight_paths(p, n_layers)
        for l in range(n_layers):
            w = params[f"W{l + 1}"]
            b = params.get(f"b{l + 1}")
            rows, cols = w.shape
            header = f"layer {l + 1}: W ({rows}x{cols})" + (" then the bias as the last row" if b is not None else "")
            body = w if b is None else np.vstack([w, b[None, :]])
            text = io.StringIO()
            np.savetxt(text, body, header=header, fmt="%.17g")
            target = targets[l]
            write_atomic(target, text.getvalue().encode())
            written.append(target)
        return written
    raise LabError(f"{p}: weights are saved as .npz or .txt, got '{p.suffix or 'no extension'}'")


TUTORIAL_FILES = ("SumSquaredLossList.csv", "weightsLayer1.txt", "weightsLayer2.txt")
"""The files the two-layer NumPy tutorial writes, by its own names."""


def tutorial_loss(loss_name: str, n_values: int, losses: Iterable[float]) -> list[float]:
    """The loss history as the tutorial logs it, the mean of the squared errors over the rows and outputs
    (``n_values`` of them): ``mse`` as it is, ``sse`` (half their sum) times 2 / n_values.

    Raises:
        LabError: for any other loss (its history does not give the squared errors).
    """
    if loss_name == "mse":
        return [float(v) for v in losses]
    if loss_name == "sse":
        return [float(v) * 2.0 / n_values for v in losses]
    raise LabError(f"the tutorial's files log the mean squared error, which a {loss_name} run does not record: "
                   "train with the sse or mse loss")


def tutorial_files(exp: Experiment, state: TrainingState) -> dict[str, bytes]:
    """The two-layer tutorial's files for ``state``: ``SumSquaredLossList.csv`` (no header, ``i,loss`` per epoch
    from 0, the mean of the squared errors, as the tutorial logs it) and ``weightsLayer1.txt``,
    ``weightsLayer2.txt`` (its ``np.savetxt`` matrices, W1 (inputs, hidden) and W2 (hidden, outputs)).

    Raises:
        LabError: the network is not one hidden layer without biases (the tutorial's shape), or the loss is not
            sse or mse.
    """
    shape = state.shape
    if shape.n_layers != 2 or shape.bias:
        raise LabError("the tutorial's files hold a network of one hidden layer without biases (as the two-layer "
                       "recipe): this one has " + f"{shape.n_layers - 1} hidden layer(s)"
                       + (" and biases" if shape.bias else ""))
    losses = tutorial_loss(exp.training.loss, len(exp.table.train_rows) * exp.table.n_outputs,
                           state.history.loss)
    csv_text = "".join(f"{i},{v!r}\n" for i, v in enumerate(losses))
    params = state.params()
    out = {TUTORIAL_FILES[0]: csv_text.encode()}
    for name, key in zip(TUTORIAL_FILES[1:], ("W1", "W2"), strict=True):
        text = io.StringIO()
        np.savetxt(text, params[key])
        out[name] = text.getvalue().encode()
    return out


def write_tutorial_files(folder: str | os.PathLike, exp: Experiment, state: TrainingState) -> list[Path]:
    """Write ``tutorial_files`` into ``folder`` (made when missing), each atomically.

    Returns:
        The files written.

    Raises:
        LabError: as ``tutorial_files``, or the folder cannot be made.
    """
    files = tutorial_files(exp, state)
    target = Path(folder)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise LabError(f"{target}: cannot make the folder ({e.strerror or e})") from None
    written = []
    for name, data in files.items():
        write_atomic(target / name, data)
        written.append(target / name)
    return written


SCRIPT_TEMPLATE = '''#!/usr/bin/env python3
"""{name}: a network trained by nnlab ({epochs} epochs), standalone: it needs only NumPy.

Gate: {gate} with {n_inputs} inputs and {n_outputs} outputs. Layers: {sizes}. Prints the output for every row.
"""
import numpy as np

ACTIVATIONS = {{
    "sigmoid": lambda z: 0.5 * (1.0 + np.tanh(0.5 * z)),
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0.0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "linear": lambda z: z,
}}
LAYERS = {layers}  # (W, b or None, activation) per dense layer


def predict(x):
    """Outputs for inputs x of shape (n, {n_inputs}) -> (n, {n_outputs})."""
    a = np.asarray(x, dtype=np.float64)
    for w, b, act in LAYERS:
        z = a @ np.array(w)
        if b is not None:
            z = z + np.array(b)
        a = ACTIVATIONS[act](z)
    return a


if __name__ == "__main__":
    rows = np.array([[(i >> (({n_inputs} - 1) - j)) & 1 for j in range({n_inputs})] for i in range(2 ** {n_inputs})],
                    dtype=np.float64)
    for row, out in zip(rows, predict(rows)):
        print(" ".join(str(int(v)) for v in row), "->", " ".join(repr(float(v)) for v in out))
'''


def _docstring_text(text: str) -> str:
    """``text`` escaped so that, inside the script's docstring, it reads back unchanged and cannot end it early."""
    return text.encode("unicode_escape").decode("ascii").replace('"', '\\"')


def standalone_script(exp: Experiment, state: TrainingState) -> str:
    """A Python script holding the trained weights of ``state`` that prints ``bits -> outputs`` for every row of
    ``exp``'s table."""
    params, shape = state.params(), state.shape

    def bias(l: int) -> list[float] | None:
        b = params.get(f"b{l + 1}")
        return None if b is None else b.tolist()

    layers = "[\n" + "".join(
        f"    ({params[f'W{l + 1}'].tolist()!r}, {bias(l)!r}, {shape.activations[l]!r}),\n"
        for l in range(shape.n_layers)) + "]"
    return SCRIPT_TEMPLATE.format(name=_docstring_text(exp.name), epochs=state.epoch,
                                  gate=_docstring_text(exp.table.name),
                                  n_inputs=exp.table.n_inputs, n_outputs=exp.table.n_outputs,
                                  sizes=" -> ".join(map(str, shape.sizes)), layers=layers)


def write_script(path: str | os.PathLike, exp: Experiment, state: TrainingState) -> None:
    """Write ``standalone_script`` to ``path`` atomically."""
    write_atomic(path, standalone_script(exp, state).encode())
