"""``nnlab predict FILE 1 0 0``: ask a saved network about any input, real values in [0, 1] allowed."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence

import numpy as np

from lab.commands.parser import Parser
from lab.core.errors import LabError
from lab.core.expr import VARIABLES
from lab.files.experiment_file import read


def parser() -> Parser:
    """The ``nnlab predict`` argument parser."""
    p = Parser(prog="nnlab predict", description="Answer for one input from a saved experiment's network.",
               epilog="example: nnlab predict xor.json 1 0   (or one bit string: nnlab predict xor.json 10)")
    p.add_argument("file", help="an experiment file saved with trained weights (nnlab train --save)")
    p.add_argument("values", nargs="+", help="one value per input, 0/1 or any real in [0, 1]; or one bit string")
    p.add_argument("--json", action="store_true", help="print the outputs as one JSON object")
    return p


def parse_inputs(values: Sequence[str], n_inputs: int) -> np.ndarray:
    """Parse one value per input (or one bit string) into an array of shape ``(1, n_inputs)``.

    Raises:
        LabError: naming the input that is not a number in [0, 1], or the wrong count.
    """
    values = list(values)
    if len(values) == 1 and len(values[0]) == n_inputs > 1 and set(values[0]) <= {"0", "1"}:
        values = list(values[0])
    if len(values) != n_inputs:
        names = " ".join(VARIABLES[:n_inputs])
        raise LabError(f"expected {n_inputs} input value{'s' * (n_inputs > 1)} ({names}), got {len(values)}")
    out = []
    for name, text in zip(VARIABLES, values):
        try:
            v = float(text)
        except ValueError:
            v = math.nan
        if not (0.0 <= v <= 1.0):
            raise LabError(f"input {name}: expected a number from 0 to 1, got '{text}'")
        out.append(v)
    return np.array([out])


def predict_main(argv: Sequence[str]) -> int:
    """Run ``nnlab predict``; returns 0 (bad input raises LabError)."""
    args = parser().parse_args(argv)
    experiment, trainer = read(args.file)
    if trainer is None:
        raise LabError(f"{args.file}: holds no trained weights; save one with 'nnlab train ... --save FILE'")
    x = parse_inputs(args.values, experiment.table.n_inputs)
    y = trainer.predict(x)[0]
    names = experiment.table.output_names
    if args.json:
        print(json.dumps({"inputs": x[0].tolist(), "outputs": dict(zip(names, map(float, y)))}))
    else:
        for name, v in zip(names, y):
            print(f"{name} = {v:.4f}  (rounds to {int(v > 0.5)})")
    return 0


__all__ = ["predict_main", "parse_inputs"]
