"""``nnlab show FILE --view NAME [--row R] [--json]``: print one of the lab's views of a saved experiment as text,
for handouts, the README and scripts; ``--json`` gives the view's numbers instead.

Views: ``picture`` (the network drawn), ``trace`` (one row through every layer, every number named), ``units``
(hidden units as gates), ``surface`` (the output over the unit square, or Karnaugh maps), ``step`` (one step of
backpropagation with every number: on ``--row R``, else the whole batch) and ``summary``. A file saved without
weights shows the network as the experiment's seed starts it.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Sequence

import numpy as np
from rich.text import Text

from lab.commands.parser import Parser, bounded
from lab.commands.text_width import fit_line, output_width
from lab.core import inspect as ins
from lab.core.errors import LabError, one_line
from lab.core.experiment import Experiment
from lab.core.train import Trainer
from lab.drawings import views
from lab.files.experiment_file import read

VIEW_NAMES = ("picture", "trace", "units", "surface", "step", "summary")


def parser() -> Parser:
    """The ``nnlab show`` argument parser."""
    p = Parser(prog="nnlab show", description="Print one of the lab's views of a saved experiment, as the lab "
               "draws it (or its numbers with --json).",
               epilog="example: nnlab show xor.json --view step --row 2 | nnlab show xor.json --view picture")
    p.add_argument("file", help="an experiment file (with trained weights, or the seed's starting weights)")
    p.add_argument("--view", choices=VIEW_NAMES, default="picture", help="which view (default picture)")
    p.add_argument("--row", type=bounded(0, 1 << 20, "a row number", int), default=None, metavar="R",
                   help="the table row (default 0; for the step, the whole batch)")
    p.add_argument("--width", type=bounded(40, 400, "columns", int), default=None, metavar="N",
                   help="the width to draw for (default the terminal's, at most 120)")
    p.add_argument("--height", type=bounded(10, 200, "lines", int), default=None, metavar="N",
                   help="the height the picture may take (default 40)")
    p.add_argument("--json", action="store_true", help="print the view's numbers as one JSON object")
    return p


def _row(experiment: Experiment, row: int | None) -> int:
    table = experiment.table
    if row is not None and row >= table.n_rows:
        raise LabError(f"--row: row {row} does not exist: rows are 0 to {table.n_rows - 1}")
    return 0 if row is None else row


def _array(values: np.ndarray) -> list:
    return np.asarray(values, dtype=float).tolist()


def picture_json(diagram: ins.Diagram) -> dict:
    """The picture's numbers: every node (its activation, sum and bias) and every drawn line (its weight, class
    and sign)."""
    return {
        "row": diagram.row, "outputs": _array(diagram.outputs), "targets": _array(diagram.targets),
        "nodes": [{"name": n.name, "column": n.column, "unit": n.unit, "output": n.value,
                   "sum_z": None if np.isnan(n.z) else n.z, "bias": None if np.isnan(n.bias) else n.bias}
                  for n in diagram.nodes],
        "lines": [{"name": e.name, "weight": e.weight, "class": e.kind, "sign": e.sign} for e in diagram.edges],
        "folded": list(diagram.folded),
    }


def trace_json(trainer: Trainer, row: int) -> dict:
    """One row through every layer: per layer its weights, biases, sums and outputs."""
    trace = ins.trace_row(trainer.net, trainer.experiment.table, row)
    return {"row": row, "inputs": _array(trace.x), "outputs": _array(trace.output),
            "layers": [{"weights": f"W{l + 1}", "activation": layer.weights.activation,
                        "W": _array(layer.weights.weights), "b": _array(layer.weights.bias),
                        "sum_z": _array(layer.z), "output": _array(layer.a)}
                       for l, layer in enumerate(trace.layers)]}


def show_main(argv: Sequence[str]) -> int:
    """Run ``nnlab show``; returns 0 (bad input raises LabError)."""
    args = parser().parse_args(argv)
    experiment, trainer = read(args.file)
    trainer = trainer or Trainer(experiment)
    row = _row(experiment, args.row)
    width = args.width or min(shutil.get_terminal_size((100, 40)).columns, 120)
    height = args.height or 40
    net, table = trainer.net, experiment.table
    if args.view == "step":
        step = ins.backprop_step(trainer, args.row)
        if args.json:
            return _print_json(ins.step_json(step))
        # on a terminal a line breaks before an operator as in the lab; a file or a pipe gets each line whole
        return _print(views.draw_step(step, tuple(table.row_label(r) for r in step.rows),
                                      width=args.width or output_width()), width)
    drawings: dict[str, Callable[[], tuple[dict, Text]]] = {
        "picture": lambda: _picture(experiment, trainer, row, width, height),
        "trace": lambda: (trace_json(trainer, row), views.draw_trace(experiment, net, row, width)),
        "units": lambda: ({"units": [{"name": g.label, "bits": g.bits, "gate": g.name, "dead": g.dead}
                                     for g in ins.hidden_gates(net, table)]}, views.draw_units(experiment, net)),
        "surface": lambda: _surface(experiment, trainer, width),
        "summary": lambda: ({"layers": [{"name": r.name, "activation": r.activation, "units": r.units,
                                         "params": r.params}
                                        for r in ins.summary_rows(net.shape)]},
                            views.draw_summary(experiment, net, width)),
    }
    numbers, text = drawings[args.view]()
    return _print_json(numbers) if args.json else _print(text, width)


def _picture(experiment: Experiment, trainer: Trainer, row: int, width: int, height: int) -> tuple[dict, Text]:
    diagram, text = views.draw_picture(experiment, trainer.net, row, width, height, monochrome=True)
    return picture_json(diagram), text


def _surface(experiment: Experiment, trainer: Trainer, width: int) -> tuple[dict, Text]:
    text = views.draw_surface(experiment, trainer.net, width, 20, monochrome=True)
    numbers: dict = {"outputs": _array(trainer.predict())}
    if experiment.table.n_inputs == 2:
        surface = ins.decision_surface(trainer.net, experiment.table, rows=11, cols=11)
        numbers["grid"] = {"a": _array(np.linspace(0, 1, 11)), "b": _array(np.linspace(1, 0, 11)),
                           "values": _array(surface.values)}
    return numbers, text


def _print_json(numbers: dict) -> int:
    print(json.dumps(numbers))
    return 0


def _print(text: Text, width: int) -> int:
    """Print the drawing's characters as plain text, without escape codes (``width`` is what it was laid out
    for: the trace is not wrapped, nor the step into a file or a pipe, so a script reads one line per number)."""
    terminal = output_width()  # a line still wider than a terminal breaks at spaces; a file or a pipe gets it whole
    for line in text.split("\n", allow_blank=True):
        print(fit_line(one_line(line.plain.rstrip()), terminal))  # a control character in a name shows escaped
    return 0


__all__ = ["show_main"]
