"""The command line: argument parsing only. Every command drives the same core API as the app.

    nnlab [FILE] [--recipe NAME | --gate NAME]   open the lab (the default experiment is keras-xor)
    nnlab open FILE                              open the lab on a saved experiment
    nnlab serve [FILE] [--host H] [--port P]     serve the lab in a web browser (the serve extra)
    nnlab train [gate] [network] [output]        train headless; see ``nnlab train --help``
    nnlab sweep [gate] [network] --seeds K       train from K seeds at once; see ``nnlab sweep --help``
    nnlab predict FILE BITS...                   ask a saved network about any input
    nnlab demo [--fps N] [--hold SECONDS]        attract mode: the lab plays on its own until a key is pressed
    nnlab gates | nnlab recipes                  list what exists
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from lab.commands.parser import Parser, bounded
from lab.core.errors import LabError
from lab.core.gates import PRESETS
from lab.core.recipes import RECIPES

if TYPE_CHECKING:
    from lab.core.experiment import Experiment
    from lab.core.train import Trainer

DEFAULT_FPS = 10.0
COMMANDS = ("train", "sweep", "predict", "gates", "recipes", "open", "demo", "serve")


FPS = bounded(0.5, 30, "updates a second")
FPS_HELP = "training updates per second on screen, 0.5 to 30 (default: the NNLAB_FPS setting, else 10; lower it on " \
    "slow links)"


def _app_parser() -> Parser:
    p = Parser(prog="nnlab", description="A terminal learning lab for neural networks. With no arguments it opens "
               "the lab on the default experiment (keras-xor).",
               epilog="commands: nnlab train | sweep | predict | gates | recipes | open FILE | demo | serve (each "
               "has --help)")
    _add_app_options(p)
    return p


def _add_app_options(p: Parser) -> None:
    """What the lab opens with (FILE, --recipe or --gate) and --fps: ``nnlab`` and ``nnlab serve`` share them."""
    p.add_argument("file", nargs="?", help="an experiment file to open")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--recipe", choices=list(RECIPES), metavar="NAME", help="open a recipe: " + ", ".join(RECIPES))
    group.add_argument("--gate", choices=list(PRESETS), metavar="NAME", help="open a preset gate")
    p.add_argument("--fps", type=FPS, default=None, metavar="N", help=FPS_HELP)


def _serve_parser() -> Parser:
    p = Parser(prog="nnlab serve", description="Serve the lab in a web browser (textual-serve); each browser tab "
               "gets its own lab. It has no login: whoever reaches the address drives a lab that reads and writes "
               "files as you, so it listens on 127.0.0.1 unless --host says otherwise.")
    _add_app_options(p)
    p.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1, this machine "
                   "only; 0.0.0.0 for every interface)")
    p.add_argument("--port", type=int, default=8000, help="the port to listen on (default 8000)")
    p.add_argument("--public-url", metavar="URL", help="the address browsers use to reach the server, when it "
                   "differs from http://HOST:PORT (behind a proxy; default with --host 0.0.0.0: this machine's name)")
    return p


def _open_parser() -> Parser:
    p = Parser(prog="nnlab open", description="Open the lab on a saved experiment.")
    p.add_argument("file", help="the experiment file")
    return p


def _gates(argv: Sequence[str]) -> int:
    Parser(prog="nnlab gates", description="List the preset gates.").parse_args(argv)
    width = max(map(len, PRESETS))
    for name, p in PRESETS.items():
        print(f"{name:<{width}}  {p.n_inputs} in  {p.description}  [{p.expression}]")
    return 0


def _recipes(argv: Sequence[str]) -> int:
    Parser(prog="nnlab recipes", description="List the tutorial recipes.").parse_args(argv)
    width = max(map(len, RECIPES))
    for name, r in RECIPES.items():
        print(f"{name:<{width}}  {r.description}")
        print(f"{'':<{width}}  from: {r.source}")
        print(f"{'':<{width}}  watch: {r.watch}")
    return 0


def _fps(flag: float | None) -> float:
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


def _opening(args: argparse.Namespace) -> tuple[Experiment, Trainer | None, float]:
    """The experiment (and a file's saved trainer) the app options name, and the checked --fps; LabError if bad."""
    from lab.core.experiment import Experiment
    from lab.core.gates import preset
    from lab.core.recipes import recipe

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
    return experiment, trainer, _fps(getattr(args, "fps", None))


def _need_terminal(command: str) -> None:
    """Refuse to start the interface (LabError) unless stdin and stdout are a terminal: drawn into a file or a pipe,
    it would write escape codes for ever, and with no terminal to read keys from nothing could stop it. A lab run
    by a driver of its own (``TEXTUAL_DRIVER``: ``nnlab serve``'s browser tabs, which have no terminal) is let
    through."""
    if os.environ.get("TEXTUAL_DRIVER"):
        return
    missing = [name for name, stream in (("input", sys.stdin), ("output", sys.stdout))
               if stream is None or not stream.isatty()]
    if missing:
        raise LabError(f"{command} draws an interactive screen: its {' and '.join(missing)} must be a terminal, "
                       "not a file or a pipe (for scripts: nnlab train, nnlab sweep, nnlab predict)")


def _app(argv: Sequence[str], open_only: bool = False) -> int:
    args = (_open_parser() if open_only else _app_parser()).parse_args(argv)
    experiment, trainer, fps = _opening(args)
    _need_terminal("nnlab open" if open_only else "nnlab")
    from lab.files.autosave import default_path
    from lab.ui.app import LabApp  # imported late: the headless commands never load Textual

    LabApp(experiment, trainer=trainer, path=args.file, autosave_path=default_path(), fps=fps).run()
    return 0


def _demo(argv: Sequence[str]) -> int:
    p = Parser(prog="nnlab demo", description="Attract mode: the lab plays a few gates and recipes on its own, "
               "each with a one-line caption, in a loop. Any key or click hands it to you (that key does nothing "
               "else; ctrl+c quits).")
    p.add_argument("--fps", type=FPS, default=None, metavar="N", help=FPS_HELP)
    p.add_argument("--hold", type=bounded(0.5, 600, "seconds"), default=4.0, metavar="SECONDS",
                   help="how long each result stays on screen, 0.5 to 600 (default 4)")
    args = p.parse_args(argv)
    fps = _fps(args.fps)
    _need_terminal("nnlab demo")
    from lab.ui.demo import DemoApp  # imported late: the headless commands never load Textual

    DemoApp(hold=args.hold, fps=fps).run()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``nnlab`` command. Returns the exit status: 0, 2 for bad input, 130 when interrupted."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] in COMMANDS:
            command, rest = argv[0], argv[1:]
            if command == "train":
                from lab.commands.train import train_main

                return train_main(rest)
            if command == "sweep":
                from lab.commands.sweep import sweep_main

                return sweep_main(rest)
            if command == "predict":
                from lab.commands.predict import predict_main

                return predict_main(rest)
            if command == "gates":
                return _gates(rest)
            if command == "recipes":
                return _recipes(rest)
            if command == "demo":
                return _demo(rest)
            if command == "serve":
                from lab.commands.serve import serve_main

                args = _serve_parser().parse_args(rest)
                _opening(args)  # a bad file or flag fails here in one line, not later inside the browser
                return serve_main(args)
            return _app(rest, open_only=True)
        return _app(argv)
    except LabError as e:
        print(f"nnlab: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("nnlab: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0

