"""The command line: argument parsing only. Every command drives the same core API as the app.

    nnlab [FILE] [--recipe NAME | --gate NAME]   open the lab (the default experiment is keras-xor)
    nnlab open FILE                              open the lab on a saved experiment
    nnlab serve [FILE] [--host H] [--port P]     serve the lab in a web browser (the serve extra)
    nnlab train [gate] [network] [output]        train headless; see ``nnlab train --help``
    nnlab sweep [gate] [network] --seeds K       train from K seeds at once; see ``nnlab sweep --help``
    nnlab tune [gate] [axes] --seeds K           search configurations; see ``nnlab tune --help``
    nnlab predict FILE BITS...                   ask a saved network about any input
    nnlab show FILE --view NAME [--row R]        print a view of a saved experiment as text (--json: numbers)
    nnlab demo [--fps N] [--hold SECONDS]        attract mode: the lab plays on its own until a key is pressed
    nnlab learn [LESSON] [--play [--fast]]       the lab with the lesson pane open; --play plays it by its solutions
    nnlab gates | nnlab recipes                  list what exists
    nnlab completion bash|zsh|fish               a shell completion script
    nnlab --version                              the installed version

Each command is registered once, in ``COMMANDS`` (its summary, its parser and its entry point), and everything else
is derived from that table: the usage line and the commands ``nnlab --help`` lists, the "invalid choice" error (with
the nearest command) for a word that is neither a command nor a file, and the completion scripts.
"""

from __future__ import annotations

import difflib
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Any

from lab.commands.app_options import FPS, FPS_HELP, add_app_options, fps_setting, opening, plain_colours
from lab.commands.parser import Parser, bounded
from lab.commands.text_width import fit_line, output_width
from lab.core.errors import LabError, RunFailure
from lab.core.presets import PRESETS
from lab.core.recipes import RECIPES

if TYPE_CHECKING:
    pass

DISTRIBUTION = "neural-gate-lab"  # the name the package is installed under (pyproject.toml's project.name)


def version() -> str:
    """``nnlab 0.1.0``, from the installed package's metadata (``unknown`` when run from a source tree that was never
    installed)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return f"nnlab {installed(DISTRIBUTION)}"
    except PackageNotFoundError:
        return "nnlab (version unknown: not installed)"


def _app_parser(with_commands: bool = False) -> Parser:
    """``nnlab [FILE] [--recipe NAME | --gate NAME] [--fps N]``; ``with_commands`` adds the commands as
    subcommands, for the help, the "invalid choice" error and the completion scripts (the lab's own options are
    parsed without them: argparse cannot take an optional FILE beside a command)."""
    p = Parser(prog="nnlab", description="A terminal learning lab for neural networks. With no arguments it opens "
               "the lab on the default experiment (keras-xor); with a FILE, on that experiment.",
               usage="nnlab [-h] [--version] [FILE] [--recipe NAME | --gate NAME]\n"  # within 80 columns
                     "             [--fps N] [--theme NAME]\n"
                     "       nnlab COMMAND [options]   (nnlab COMMAND --help for each)",
               epilog="each command has --help; completion: nnlab completion bash|zsh|fish")
    p.add_argument("--version", action="version", version=version())
    if with_commands:
        sub = p.add_subparsers(dest="command", title="commands", metavar="COMMAND")
        for name, command in COMMANDS.items():
            sub.add_parser(name, help=command.summary, add_help=False)  # the summary alone: no command loads
    add_app_options(p)
    return p


def _serve_parser() -> Parser:
    p = Parser(prog="nnlab serve", description="Serve the lab in a web browser (textual-serve); each browser tab "
               "gets its own lab, running as you. Every request needs the token in the printed address; the labs "
               "read and write files only in one folder (--files). It listens on 127.0.0.1 unless --host says "
               "otherwise.")
    add_app_options(p)
    p.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1, this machine "
                   "only; 0.0.0.0 for every interface, which needs a token)")
    p.add_argument("--port", type=int, default=8000, help="the port to listen on (default 8000)")
    p.add_argument("--public-url", metavar="URL", help="the address browsers use to reach the server, when it "
                   "differs from http://HOST:PORT (behind a proxy; default with --host 0.0.0.0: this machine's name)")
    p.add_argument("--token", metavar="TEXT", help="the secret every request needs (default: the "
                   "NNLAB_SERVE_TOKEN setting, which keeps it out of the process list, else a new random one)")
    p.add_argument("--no-token", action="store_true", help="no token (loopback --host only: any local user "
                   "or program can then use the lab)")
    p.add_argument("--allow-host", action="append", metavar="NAME", help="a host name browsers may use to reach "
                   "the server besides its address and the --public-url host (repeatable)")
    p.add_argument("--files", metavar="DIR", help="the folder the labs read and write files in, created if "
                   "missing (default: a new folder under nnlab's state directory); nothing outside it is reachable")
    p.add_argument("--max-sessions", type=bounded(1, 256, "labs", int), default=8, metavar="N",
                   help="how many labs (browser tabs) may run at once, 1 to 256 (default 8; fewer when the machine's "
                   "memory cannot hold that many at their largest)")
    p.add_argument("--memory", type=bounded(1, 1 << 30, "MiB", int), metavar="MIB",
                   help="the memory the labs may use together, in MiB (default: what the machine has available "
                   "at start); tabs beyond what fits are refused")
    return p


def _open_parser() -> Parser:
    p = Parser(prog="nnlab open", description="Open the lab on a saved experiment.")
    p.add_argument("file", help="the experiment file")
    return p


def _gates_parser() -> Parser:
    return Parser(prog="nnlab gates", description="List the preset gates.")


def _recipes_parser() -> Parser:
    return Parser(prog="nnlab recipes", description="List the tutorial recipes.")


def _gates(argv: Sequence[str]) -> int:
    _gates_parser().parse_args(argv)
    width, terminal = max(map(len, PRESETS)), output_width()
    for name, p in PRESETS.items():  # on a terminal a long line goes on under the description
        print(fit_line(f"{name:<{width}}  {p.n_inputs} in  {p.description}  [{p.expression}]", terminal, width + 8))
    return 0


def _recipes(argv: Sequence[str]) -> int:
    _recipes_parser().parse_args(argv)
    width, terminal = max(map(len, RECIPES)), output_width()
    for name, r in RECIPES.items():  # on a terminal a long line goes on under its own text
        print(fit_line(f"{name:<{width}}  {r.description}", terminal, width + 2))
        print(fit_line(f"{'':<{width}}  from: {r.source}", terminal, width + 8))
        print(fit_line(f"{'':<{width}}  watch: {r.watch}", terminal, width + 9))
    return 0


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


def prepare_interface(command: str) -> None:
    """On the way to drawing: refuse without a terminal (``_need_terminal``), then ask for Textual's frame rate
    and, on a dumb terminal, no colour (``plain_colours``) before Textual loads (it reads them once, at import).
    Call before importing anything of ``lab.ui`` but the package itself."""
    _need_terminal(command)
    from lab.ui import use_frame_rate

    use_frame_rate()
    plain_colours()


def _app(argv: Sequence[str], open_only: bool = False) -> int:
    args = (_open_parser() if open_only else _app_parser()).parse_args(argv)
    experiment, trainer, fps = opening(args)
    prepare_interface("nnlab open" if open_only else "nnlab")
    from lab.files.autosave import default_path
    from lab.files.lesson_progress import default_path as progress_path
    from lab.ui import settings
    from lab.ui.app import LabApp  # imported late: the headless commands never load Textual
    from lab.ui.process import run_app

    return run_app(LabApp(experiment, trainer=trainer, path=args.file, autosave_path=default_path(), fps=fps,
                          progress_path=progress_path(), theme=getattr(args, "theme", None),
                          settings_path=settings.default_path()), default_path().parent)


def _demo_parser() -> Parser:
    p = Parser(prog="nnlab demo", description="Attract mode: the lab plays a few gates and recipes on its own, "
               "each with a one-line caption, in a loop. Any key or click hands it to you (that key does nothing "
               "else; ctrl+c quits).")
    p.add_argument("--fps", type=FPS, default=None, metavar="N", help=FPS_HELP)
    p.add_argument("--hold", type=bounded(0.5, 600, "seconds"), default=4.0, metavar="SECONDS",
                   help="how long each result stays on screen, 0.5 to 600 (default 4)")
    return p


def _demo(argv: Sequence[str]) -> int:
    args = _demo_parser().parse_args(argv)
    fps = fps_setting(args.fps)
    prepare_interface("nnlab demo")
    from lab.files.autosave import default_path
    from lab.ui.demo import DemoApp  # imported late: the headless commands never load Textual
    from lab.ui.process import run_app

    return run_app(DemoApp(hold=args.hold, fps=fps), default_path().parent)


def _learn_parser() -> Parser:
    from lab.core.lessons import shipped_lessons

    lessons = shipped_lessons()
    p = Parser(prog="nnlab learn", description="Open the lab with the lesson pane: short lessons, each a few steps "
               "done in the lab itself and checked as you go. Progress is kept between runs (NNLAB_STATE_DIR moves "
               "it). L in the lab opens and closes the pane.",
               epilog="lessons: " + " · ".join(f"{i + 1} {l.title}" for i, l in enumerate(lessons)))
    p.add_argument("lesson", nargs="?", help="a lesson's number or name (default: the list, where you left off)")
    p.add_argument("--play", action="store_true",
                   help="play the course (or LESSON) by the solutions written beside its steps, the keys shown as "
                        "they are pressed; exit 0 when every step's checks passed, 1 naming the step that did not "
                        "(progress is neither read nor written)")
    p.add_argument("--fast", action="store_true", help="with --play: train every run unthrottled")
    p.add_argument("--fps", type=FPS, default=None, metavar="N", help=FPS_HELP)
    return p


def _learn(argv: Sequence[str]) -> int:
    from lab.core.lessons import find_lesson, shipped_lessons

    args = _learn_parser().parse_args(argv)
    lessons = shipped_lessons()
    name = find_lesson(lessons, args.lesson).id if args.lesson else ""
    fps = fps_setting(args.fps)
    if args.fast and not args.play:
        raise LabError("--fast: only with --play")
    prepare_interface("nnlab learn")
    if args.play:
        from lab.ui.lesson_play import PlayApp  # imported late: the headless commands never load Textual

        play = PlayApp([find_lesson(lessons, name)] if name else None, fast=args.fast, fps=fps)
        play.run()
        steps = sum(len(l.steps) for l in play.playing)
        if play.verdict == "passed":
            print(f"nnlab learn --play: passed, {len(play.playing)} lesson(s), {steps} steps, every check")
            return 0
        print(f"nnlab learn --play: {play.verdict or 'stopped before the end'}", file=sys.stderr)
        return 1
    from lab.files.autosave import default_path
    from lab.files.lesson_progress import default_path as progress_path
    from lab.ui import settings
    from lab.ui.app import LabApp  # imported late: the headless commands never load Textual
    from lab.ui.process import run_app

    return run_app(LabApp(autosave_path=default_path(), fps=fps, lesson=name, progress_path=progress_path(),
                          settings_path=settings.default_path()), default_path().parent)


def _serve(argv: Sequence[str]) -> int:
    from lab.commands.serve import serve_main

    args = _serve_parser().parse_args(argv)
    opening(args)  # a bad file or flag fails here in one line, not later inside the browser
    return serve_main(args)


def _completion(argv: Sequence[str]) -> int:
    from lab.commands import completion

    args = completion.parser().parse_args(argv)
    parsers = {name: (c.summary, c.parser()) for name, c in COMMANDS.items()}
    print(completion.SCRIPTS[args.shell](completion.commands(_app_parser(), parsers)), end="")
    return 0


def _lazy(module: str, name: str) -> Callable[..., Any]:
    """``module.name``, imported only when it is called: a command loads neither Textual nor another command's
    modules until it runs."""
    return lambda *args: getattr(import_module(module), name)(*args)


@dataclass(frozen=True)
class Command:
    """A command of ``nnlab``: its one-line summary, a function that builds its parser, and its entry point (the
    arguments after the command's name -> the exit status)."""

    summary: str
    parser: Callable[[], Parser]
    run: Callable[[Sequence[str]], int]


COMMANDS: dict[str, Command] = {
    "train": Command("train headless, report like Keras' fit", _lazy("lab.commands.train", "parser"),
                     _lazy("lab.commands.train", "train_main")),
    "sweep": Command("train from many seeds at once", _lazy("lab.commands.sweep", "parser"),
                     _lazy("lab.commands.sweep", "sweep_main")),
    "tune": Command("search layers, units, learning rate... for the most reliable network",
                    _lazy("lab.commands.tune", "parser"), _lazy("lab.commands.tune", "tune_main")),
    "predict": Command("ask a saved network about an input", _lazy("lab.commands.predict", "parser"),
                       _lazy("lab.commands.predict", "predict_main")),
    "show": Command("print a view of a saved experiment (picture, trace, step...) as text",
                    _lazy("lab.commands.show", "parser"), _lazy("lab.commands.show", "show_main")),
    "open": Command("open the lab on a saved experiment", lambda: _open_parser(),
                    lambda argv: _app(argv, open_only=True)),
    "learn": Command("the lab with a lesson beside it", lambda: _learn_parser(), lambda argv: _learn(argv)),
    "demo": Command("attract mode: the lab plays on its own", lambda: _demo_parser(), lambda argv: _demo(argv)),
    "serve": Command("serve the lab in a web browser", lambda: _serve_parser(), lambda argv: _serve(argv)),
    "gates": Command("list the preset gates", lambda: _gates_parser(), lambda argv: _gates(argv)),
    "recipes": Command("list the tutorial recipes", lambda: _recipes_parser(), lambda argv: _recipes(argv)),
    "completion": Command("print a shell completion script (bash, zsh, fish)",
                          _lazy("lab.commands.completion", "parser"), lambda argv: _completion(argv)),
}


def _looks_like_a_command(word: str) -> bool:
    """A first word that is no file here and reads as a mistyped command (no path separator, no extension), so it
    gets "invalid choice" with the nearest command rather than "no such file"."""
    return not os.path.lexists(word) and os.sep not in word and "/" not in word and "." not in word


def _not_a_command(word: str) -> LabError:
    near = difflib.get_close_matches(word, list(COMMANDS), n=1, cutoff=0.5)
    hint = f"; did you mean '{near[0]}'?" if near else ""
    return LabError(f"argument COMMAND: invalid choice: '{word}' (choose from {', '.join(COMMANDS)}{hint}; "
                    "to open an experiment file, give its path)")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``nnlab`` command. Returns the exit status: 0; 2 for bad input (a usage error); 1 for a
    failure while running (``RunFailure``: a missing folder, a file from a newer nnlab, a missing extra); 130 when
    interrupted."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] in COMMANDS:
            return COMMANDS[argv[0]].run(argv[1:])
        if argv and argv[0] in ("-h", "--help"):
            _app_parser(with_commands=True).parse_args(argv)  # prints the help with the commands, exits 0
        if argv and not argv[0].startswith("-") and _looks_like_a_command(argv[0]):
            raise _not_a_command(argv[0])
        return _app(argv)
    except LabError as e:
        print(f"nnlab: error: {e}", file=sys.stderr)
        return 1 if isinstance(e, RunFailure) else 2
    except KeyboardInterrupt:
        print("nnlab: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
