"""The options every way of opening the lab shares (``nnlab``, ``nnlab serve`` and the lab each served tab runs):
what it opens (FILE, ``--recipe`` or ``--gate``), ``--fps`` and ``--theme``, and the experiment they name."""

from __future__ import annotations

import argparse
import os
from collections.abc import MutableMapping
from typing import TYPE_CHECKING

from lab.commands.parser import Parser, bounded
from lab.core.errors import LabError
from lab.core.presets import PRESETS
from lab.core.recipes import RECIPES
from lab.tuning import Tuning

if TYPE_CHECKING:
    from lab.core.experiment import Experiment
    from lab.core.train import Trainer

DEFAULT_FPS = Tuning.default_fps
FPS = bounded(Tuning.min_fps, Tuning.max_fps, "updates a second")
FPS_HELP = (f"training updates per second on screen, {Tuning.min_fps:g} to {Tuning.max_fps:g} (default: the NNLAB_FPS "
            f"setting, else {Tuning.default_fps:g}; lower it on slow links)")


def add_app_options(p: Parser) -> None:
    """What the lab opens with (FILE, --recipe or --gate) and --fps: ``nnlab`` and ``nnlab serve`` share them."""
    p.add_argument("file", nargs="?", help="an experiment file to open")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--recipe", choices=list(RECIPES), metavar="NAME", help="open a recipe: " + ", ".join(RECIPES))
    group.add_argument("--gate", choices=list(PRESETS), metavar="NAME", help="open a preset gate")
    p.add_argument("--fps", type=FPS, default=None, metavar="N", help=FPS_HELP)
    p.add_argument("--theme", metavar="NAME", help="the colour theme, e.g. textual-light (default: the last one chosen "
                   "in the command palette; in 16 colours, ansi-dark)")


def app_options_parser(prog: str = "nnlab") -> Parser:
    """A parser of the app options alone (the lab a served tab runs takes them as ``nnlab`` does)."""
    p = Parser(prog=prog, description="Open the lab.")
    add_app_options(p)
    return p


def plain_colours(environ: MutableMapping[str, str] = os.environ) -> None:
    """On ``TERM=dumb``, ask Textual (before it is imported: it reads the setting once) for the terminal's 16 colours
    unless the person chose a colour system (``TEXTUAL_COLOR_SYSTEM``): Textual alone writes 24-bit colour there,
    the lab then draws in its ANSI theme. ``NO_COLOR`` is Textual's to honour (it draws in greys, never 24-bit).
    For a process's entry point only."""
    if environ.get("TERM", "").strip().lower() == "dumb":
        environ.setdefault("TEXTUAL_COLOR_SYSTEM", "standard")


def fps_setting(flag: float | None) -> float:
    """Screen updates a second while training: ``--fps`` (checked by the parser), else the ``NNLAB_FPS`` setting,
    else 10."""
    if flag is not None:
        return flag
    text = os.environ.get("NNLAB_FPS", "").strip()
    if not text:
        return DEFAULT_FPS
    try:
        return FPS(text)
    except argparse.ArgumentTypeError as e:
        raise LabError(f"NNLAB_FPS: {e}") from None


def opening(args: argparse.Namespace) -> tuple[Experiment, Trainer | None, float]:
    """The experiment (and a file's saved trainer) the app options name, and the checked --fps (--theme is checked
    too); LabError if bad."""
    from lab.core.experiment import Experiment
    from lab.core.gates import preset
    from lab.core.recipes import recipe

    if getattr(args, "theme", None) is not None:
        from lab.ui.settings import check_theme

        check_theme(args.theme)
    trainer = None
    if args.file:
        from lab.files.experiment_file import read

        experiment, trainer = read(args.file)
    elif getattr(args, "recipe", None):
        experiment = recipe(args.recipe)
    elif getattr(args, "gate", None):
        experiment = recipe("keras-xor").with_table(preset(args.gate))
        experiment = Experiment(experiment.table, experiment.architecture, experiment.training, args.gate)
    else:
        experiment = recipe("keras-xor")
    return experiment, trainer, fps_setting(getattr(args, "fps", None))
