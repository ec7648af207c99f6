"""``nnlab predict FILE 1 0 0``: ask a saved network about any input, real values in [0, 1] allowed."""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np

from lab.commands.parser import Parser
from lab.core.errors import LabError
from lab.core.gates import parse_inputs
from lab.core.numbers import four
from lab.files.experiment_file import read


def parser() -> Parser:
    """The ``nnlab predict`` argument parser."""
    p = Parser(prog="nnlab predict", description="Answer for one input from a saved experiment's network.",
               epilog="example: nnlab predict xor.json 1 0   (or one bit string: nnlab predict xor.json 10)")
    p.add_argument("file", help="an experiment file saved with trained weights (nnlab train --save)")
    p.add_argument("values", nargs="+", help="one value per input, 0/1 or any real in [0, 1]; or one bit string")
    p.add_argument("--json", action="store_true", help="print the outputs as one JSON object")
    return p


def predict_main(argv: Sequence[str]) -> int:
    """Run ``nnlab predict``; returns 0 (bad input raises LabError)."""
    args = parser().parse_args(argv)
    experiment, trainer = read(args.file)
    if trainer is None:
        raise LabError(f"{args.file}: holds no trained weights; save one with 'nnlab train ... --save FILE'")
    x = parse_inputs(args.values, experiment.table.n_inputs)
    y = trainer.predict(x)[0]
    if not np.isfinite(y).all():  # never print NaN as an answer (nor as JSON, which has no NaN)
        raise LabError(f"{args.file}: the network's output for this input is not a finite number "
                       "(its weights are too large)")
    names = experiment.table.output_names
    if args.json:
        print(json.dumps({"inputs": x[0].tolist(), "outputs": dict(zip(names, map(float, y), strict=True))}))
    else:
        for name, v in zip(names, y, strict=True):
            print(f"{name} = {four(v)}  (rounds to {int(v > 0.5)})")
    return 0


__all__ = ["predict_main"]
