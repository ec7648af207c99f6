"""The gate and network flags shared by ``nnlab train`` and ``nnlab sweep``, and the experiment they describe.

A flag that is not given leaves the base experiment's value: the recipe's or file's when one is named, else the
Keras XOR tutorial's defaults.
"""

from __future__ import annotations

import argparse
from dataclasses import replace

from lab.core.activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from lab.core.errors import LabError
from lab.core.experiment import Experiment, parse_hidden
from lab.core.gates import PRESETS, parse_rows, preset, table_from_bits, table_from_expression
from lab.core.init import INITIALISERS
from lab.core.losses import LOSSES
from lab.core.optim import OPTIMIZERS
from lab.core.recipes import RECIPES, recipe
from lab.core.train import Trainer

FLAG_OF = {"output_activation": "output", "batch_size": "batch-size", "bias": "no-bias"}


PRECISION_HELP = ("the floating-point type training runs in: float64 (default) or float32 (about 1.5-2x faster in "
                  "sweeps; solved epochs can differ from float64's on harder gates)")


def _choices(names) -> str:
    return ", ".join(names)


def add_gate_args(p: argparse.ArgumentParser) -> None:
    """``--gate | --expr | --table | --recipe | FILE`` and ``--holdout``."""
    g = p.add_argument_group("gate (one of; default: the keras-xor recipe)")
    src = g.add_mutually_exclusive_group()
    src.add_argument("file", nargs="?", help="an experiment file saved by nnlab")
    src.add_argument("--gate", metavar="NAME", help=f"a preset: {_choices(PRESETS)}")
    src.add_argument("--expr", metavar="EXPR", help="a boolean expression, outputs separated by ';' ('a ^ b')")
    src.add_argument("--table", metavar="BITS[,BITS]", help="output bits in row order, one column per comma (0110)")
    src.add_argument("--recipe", metavar="NAME", help=f"a tutorial recipe: {_choices(RECIPES)}")
    g.add_argument("--holdout", metavar="ROW[,ROW]", help="rows not trained on: indices (4) or bit patterns (100)")


def add_network_args(p: argparse.ArgumentParser) -> None:
    """The architecture and training flags, each defaulting to None (keep the base experiment's value)."""
    n = p.add_argument_group("network and training (default: the recipe's, file's or keras-xor's)")
    n.add_argument("--hidden", metavar="SPEC", help="hidden layers, e.g. 16:relu,8:tanh, or none; "
                   f"activations: {_choices(HIDDEN_ACTIVATIONS)}")
    n.add_argument("--output", metavar="ACT", help=f"output activation: {_choices(OUTPUT_ACTIVATIONS)}")
    n.add_argument("--loss", metavar="NAME", help=f"loss: {_choices(LOSSES)}")
    n.add_argument("--optimizer", metavar="NAME", help=f"optimizer: {_choices(OPTIMIZERS)}")
    n.add_argument("--lr", type=float, metavar="X", help="learning rate, above 0")
    n.add_argument("--batch-size", type=int, metavar="N", help="rows per update; 0 = full batch")
    n.add_argument("--init", metavar="NAME", help=f"initialiser: {_choices(INITIALISERS)}")
    n.add_argument("--no-bias", action="store_true", default=None, help="dense layers without biases")
    n.add_argument("--epochs", type=int, metavar="N", help="the epoch budget")
    n.add_argument("--seed", type=int, metavar="N", help="seeds initialisation and shuffling")
    n.add_argument("--stop", metavar="RULE", help="budget (run every epoch), solved, or loss<X")
    n.add_argument("--precision", metavar="TYPE", help=PRECISION_HELP)


def base_experiment(args: argparse.Namespace) -> tuple[Experiment, Trainer | None]:
    """The experiment the gate flags name (and a saved trainer when a file holds one), before network flags."""
    default = recipe("keras-xor")
    if args.file:
        from lab.files.experiment_file import read

        return read(args.file)
    if args.recipe:
        return recipe(args.recipe), None
    if args.gate:
        return replace(default.with_table(preset(args.gate)), name=args.gate), None
    if args.expr is not None:
        return replace(default.with_table(table_from_expression(args.expr, name="expr")), name="expr"), None
    if args.table is not None:
        return replace(default.with_table(table_from_bits(args.table.split(","))), name="table"), None
    return default, None


def experiment_from_args(args: argparse.Namespace) -> tuple[Experiment, Trainer | None]:
    """The experiment the flags describe. A saved trainer is kept only when no flag changes what it trained.

    Raises:
        LabError: for any bad value, naming the flag.
    """
    experiment, trainer = base_experiment(args)
    if args.holdout is not None:
        experiment = experiment.with_table(
            experiment.table.with_heldout(parse_rows(args.holdout, experiment.table.n_inputs)))
    arch: dict = {}
    if args.hidden is not None:
        arch["layers"] = parse_hidden(args.hidden)
    if args.output is not None:
        arch["output_activation"] = args.output
    if args.no_bias:
        arch["bias"] = False
    training = {name: getattr(args, name) for name in
                ("loss", "optimizer", "lr", "batch_size", "init", "epochs", "seed", "stop", "precision")
                if getattr(args, name) is not None}
    try:
        if arch:
            experiment = experiment.with_architecture(**arch)
        if training:
            experiment = experiment.with_training(**training)
    except LabError as e:
        field, _, rest = str(e).partition(":")
        raise LabError(f"--{FLAG_OF.get(field, field)}:{rest}") from None
    if trainer is not None:
        if trainer.can_continue(experiment) and experiment.table == trainer.experiment.table:
            trainer.set_experiment(experiment)
        else:
            trainer = None  # the flags changed what was trained: start afresh
    return experiment, trainer
