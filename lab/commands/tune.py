"""``nnlab tune``: search over configurations, each trained from K seeds, for the one that learns the gate most
reliably, then fastest, then smallest (``lab.core.tune``).

It prints a ranked table (the top N), a heatmap of two axes (each cell the success rate and the median epochs to
solve of the best configuration with those two values, readable without colour), and the best configuration as the
``nnlab train`` flags that reproduce it. While it runs, and only when stderr is a terminal, a progress line there
says how many configurations are done, the best so far and about how long is left. Ctrl-C stops it and prints what
is done (exit status 130); a configuration or a cluster that fails once some are done prints those, and the
failure in one line on stderr (exit status 1). ``--cluster ADDRESS`` (or ``NNLAB_CLUSTER``) trains on a Dask
cluster (``lab.core.tune_cluster``), with the same numbers. ``--json`` prints one JSON object instead, with every
configuration's numbers::

    {"gate": "xor", "strategy": "grid", "objective": "reliable", "interrupted": false, "failed": null,
     "configurations": [{"rank": 1, "label": "...", "flags": "...", "success_rate": 1.0, ...}, ...], "best": {...}}
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import sys
import threading
import time
from collections.abc import Sequence

from lab.commands.options import PRECISION_HELP, add_gate_args, experiment_from_args
from lab.commands.parser import Parser, bounded
from lab.commands.progress import clock, plain_terminal
from lab.commands.text_width import command_lines, fit_line, output_width
from lab.core.activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from lab.core.errors import LabError
from lab.core.numbers import seconds_text
from lab.core.sweep_jobs import usable_cpus
from lab.core.tune import OBJECTIVES, STRATEGIES, Plan, Stopped, TuneResult, check_budget, search
from lab.core.tune_cluster import ENV, INSTALL, cluster_address, cluster_executor, explain, require_dask
from lab.core.tune_space import AXES, FLAG, SearchSpace, parse_axis, value_text
from lab.core.tune_table import heatmap_lines, table_lines

MAX_SEEDS = 10_000
DEFAULT_SEEDS = 100
DEFAULT_TOP = 10
AXIS_HELP = {
    "layers": "hidden layers, e.g. 1,2 (0 to 8)",
    "units": "neurons in each hidden layer, e.g. 2,4,8,16,32 (1 to 64)",
    "activation": f"hidden activations: {', '.join(HIDDEN_ACTIVATIONS)}",
    "lr": "learning rates, e.g. 0.001,0.01,0.1",
    "optimizer": "optimizers, e.g. sgd,adam",
    "loss": "losses, e.g. mse,bce",
    "batch_size": "rows per update, e.g. 0,2 (0 = full batch)",
    "init": "initialisers, e.g. glorot_uniform,he_normal",
}
GATE_FLAGS = ("gate", "expr", "table", "recipe", "holdout")
BASE_FLAGS = ("hidden", "output", "no_bias", "epochs", "seed", "stop", "precision")


def parser() -> Parser:
    """The ``nnlab tune`` argument parser."""
    p = Parser(prog="nnlab tune", description="Search for the configuration that learns the gate most reliably: "
               "train each from many seeds, rank them, and show the best as nnlab train flags.",
               epilog="examples: nnlab tune --recipe keras-xor --layers 1,2 --units 16,32 --seeds 100 | "
                      "nnlab tune --gate parity3 --layers 1,2 --units 2,4,8 --lr 0.01,0.1 --strategy halving")
    add_gate_args(p)
    b = p.add_argument_group("base network and training (kept unless an axis varies it)")
    b.add_argument("--hidden", metavar="SPEC", help="hidden layers when no architecture axis is given, e.g. 16:relu")
    b.add_argument("--output", metavar="ACT", help=f"output activation: {', '.join(OUTPUT_ACTIVATIONS)}")
    b.add_argument("--no-bias", action="store_true", default=None, help="dense layers without biases")
    b.add_argument("--epochs", type=int, metavar="N", help="the epoch budget")
    b.add_argument("--seed", type=int, metavar="N", help="the first seed, and the random draw's seed")
    b.add_argument("--stop", metavar="RULE", help="budget (run every epoch), solved, or loss<X")
    b.add_argument("--precision", metavar="TYPE", help=PRECISION_HELP)
    a = p.add_argument_group("axes (each a comma-separated list; one value fixes the setting)")
    for name in AXES:
        a.add_argument(FLAG[name], dest=name, metavar="LIST", help=AXIS_HELP[name])
    s = p.add_argument_group("search")
    s.add_argument("--strategy", default="grid", metavar="NAME",
                   help=f"{', '.join(STRATEGIES)} (default grid)")
    s.add_argument("--samples", type=int, metavar="N", help="configurations to draw (random; halving optionally)")
    s.add_argument("--seeds", type=int, default=DEFAULT_SEEDS, metavar="K",
                   help=f"seeds per configuration (1 to {MAX_SEEDS:,}; default {DEFAULT_SEEDS})")
    s.add_argument("--objective", default="reliable", metavar="NAME",
                   help=f"how to rank: {', '.join(OBJECTIVES)} (default reliable: success rate, then median epochs "
                        "to solve, then parameters)")
    cpus = usable_cpus()
    s.add_argument("--jobs", type=bounded(1, cpus, "processes", int), metavar="N",
                   help=f"processes to train on (1 to {cpus}; default {cpus})")
    s.add_argument("--cluster", metavar="ADDRESS", help="train on the Dask cluster whose scheduler is at ADDRESS, "
                   f"e.g. tcp://10.0.0.5:8786 (default ${ENV}; needs {INSTALL} here and on every worker)")
    o = p.add_argument_group("output")
    o.add_argument("--top", type=int, default=DEFAULT_TOP, metavar="N",
                   help=f"configurations in the table (default {DEFAULT_TOP})")
    o.add_argument("--heatmap", metavar="AXIS,AXIS", help="the heatmap's rows and columns (default: the first two "
                   f"axes searched); axes: {', '.join(AXES)}")
    o.add_argument("--json", action="store_true", help="print one JSON object with every configuration, nothing else")
    return p


def space_from_args(args: argparse.Namespace) -> SearchSpace:
    """The base experiment (gate and base flags) and the axes given.

    Raises:
        LabError: for a bad flag or axis, in one line naming it.
    """
    base_args = argparse.Namespace(**vars(args))
    for name in ("lr", "optimizer", "loss", "batch_size", "init"):
        setattr(base_args, name, None)  # axes, applied per configuration
    base, _ = experiment_from_args(base_args)
    axes = {name: parse_axis(name, getattr(args, name)) for name in AXES if getattr(args, name) is not None}
    if args.hidden is not None and any(name in axes for name in ("layers", "units", "activation")):
        raise LabError("--hidden: give either --hidden or the axes --layers, --units, --activation, not both")
    return SearchSpace(base, axes)


def heatmap_axes(text: str | None, space: SearchSpace) -> tuple[str, str]:
    """The heatmap's two axes: ``--heatmap`` or the first two axes searched (layers and units by default).

    Raises:
        LabError: for a malformed or unknown axis.
    """
    if text is None:
        varied = space.varied()
        picks = (varied + [a for a in ("layers", "units", "lr") if a not in varied])[:2]
        return picks[0], picks[1]
    names = [n.strip().replace("-", "_") for n in text.split(",")]
    if len(names) != 2 or names[0] == names[1]:
        raise LabError(f"--heatmap: expected two different axes such as layers,units, got '{text}'")
    for n in names:
        if n not in AXES:
            raise LabError(f"--heatmap: unknown axis '{n}', choose from {', '.join(AXES)}")
    return names[0], names[1]


def gate_words(args: argparse.Namespace) -> list[str]:
    """The gate flags as typed, and the base flags given, to repeat in the reproducing command."""
    words: list[str] = [args.file] if args.file else []
    for name in GATE_FLAGS + BASE_FLAGS:
        value = getattr(args, name)
        if name == "hidden" or value is None or value is False:
            continue
        words.append("--" + name.replace("_", "-"))
        if value is not True:
            words.append(str(value))
    return words


def train_flags(result: TuneResult, base_words: Sequence[str], epochs: int) -> str:
    """The ``nnlab train`` command that trains seed ``--seed`` of ``result``'s configuration (``epochs`` is the
    base's budget: a halving round that trained fewer says so)."""
    c = result.config
    words = [*base_words, "--hidden", c.hidden_text(), "--lr", f"{c.lr:g}", "--optimizer", c.optimizer,
             "--loss", c.loss, "--batch-size", str(c.batch_size), "--init", c.init]
    if result.experiment.training.epochs != epochs:
        words += ["--epochs", str(result.experiment.training.epochs)]
    return "nnlab train " + shlex.join(words)


def result_json(rank: int, result: TuneResult, base_words: Sequence[str], epochs: int) -> dict:
    """One configuration's JSON object."""
    s, c = result.stats, result.config
    return {
        "rank": rank, "label": result.label, "flags": train_flags(result, base_words, epochs),
        **{axis: c.value(axis) for axis in AXES},
        "rung": result.rung, "epochs": result.experiment.training.epochs, "first_seed": result.experiment.training.seed,
        "seeds": s.seeds, "solved": s.solved, "success_rate": s.success_rate,
        "median_solved_epoch": s.median_solved_epoch, "p10_solved_epoch": s.p10_solved_epoch,
        "p90_solved_epoch": s.p90_solved_epoch,
        "final_loss": dict(zip(("min", "median", "max"), s.final_loss, strict=True)) if s.final_loss else None,
        "diverged": s.diverged, "params": result.n_params, "seconds": round(s.seconds, 6),
    }


class Progress:
    """The progress line on stderr (only when it is a terminal): done, best so far, time left. It is drawn from the
    start and redrawn ``rate`` times a second by a thread of its own (``start``), so the time spent shows before the
    first configuration finishes; results update what it says. No escape codes on a plain terminal
    (``progress.plain_terminal``)."""

    def __init__(self, objective: str, enabled: bool, candidates: int, rate: float = 4.0) -> None:
        self.objective = objective
        self.enabled = enabled
        self.candidates = candidates
        self.interval = 1.0 / rate
        self.plain = plain_terminal()
        self.started = time.perf_counter()
        self.results: list[TuneResult] = []
        self.done = 0
        self.total = 0  # the sweeps to do in all, known from the first result (a halving search has rounds)
        self.shown = False
        self._drawn = 0  # the length of the line on screen
        self._lock = threading.Lock()  # one writer at a time: the ticker or a result
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def start(self) -> None:
        """Draw the line now and keep it ticking until ``clear``."""
        if not self.enabled:
            return
        self._draw()
        ticker = threading.Thread(target=self._tick, name="nnlab-tune-progress", daemon=True)
        ticker.start()
        self._ticker = ticker  # once started: a Ctrl-C within start() leaves nothing to join (the stop ends it)

    def _tick(self) -> None:
        while not self._stop.wait(self.interval):
            self._draw()

    def __call__(self, result: TuneResult, done: int, total: int) -> None:
        with self._lock:
            self.results.append(result)
            self.done, self.total = done, total
        self._draw()

    def line(self) -> str:
        """What the line says now."""
        elapsed = time.perf_counter() - self.started
        if not self.results:
            return f"0/{self.candidates:,} configurations · {clock(elapsed)} · training the first"
        from lab.core.tune import ranked

        best = ranked(self.results, self.objective)[0]
        left = elapsed / self.done * (self.total - self.done)
        return (f"{self.done}/{self.total} configurations · best {best.label}: {100 * best.success_rate:.0f}% "
                f"median {value_text(None if best.stats.median_solved_epoch is None else best.median)}"
                f" · about {left:.0f} s left")

    def _draw(self) -> None:
        if not self.enabled:
            return
        with self._lock:
            if self._stop.is_set():
                return
            width = shutil.get_terminal_size((80, 24)).columns - 1
            text = self.line()[:width]
            sys.stderr.write("\r" + (text.ljust(self._drawn) if self.plain else "\x1b[2K" + text))
            sys.stderr.flush()
            self._drawn = len(text)
            self.shown = True

    def clear(self) -> None:
        """Stop the ticking and wipe the line."""
        with self._lock:
            self._stop.set()
            if self.shown:
                sys.stderr.write("\r" + " " * self._drawn + "\r" if self.plain else "\r\x1b[2K")
                sys.stderr.flush()
                self.shown = False
        if self._ticker is not None:
            self._ticker.join()


def header(args: argparse.Namespace, space: SearchSpace, candidates: int) -> str:
    """The line that says what the search does, printed before it starts."""
    base = space.base
    return (f"tune: {base.table.name} · {args.strategy} of {candidates:,} configurations · {args.seeds:,} seeds each · "
            f"{base.training.epochs:,} epochs · stop {base.training.stop} · objective {args.objective}"
            + ("" if base.training.precision == "float64" else f" · {base.training.precision}"))


def tune_main(argv: Sequence[str]) -> int:
    """Run ``nnlab tune``; returns 0, 130 when interrupted, 1 when a configuration or the cluster failed once
    training began (the configurations done before it are printed, the failure in one line on stderr); bad input
    raises LabError: one line, status 2."""
    args = parser().parse_args(argv)
    if not 1 <= args.seeds <= MAX_SEEDS:
        raise LabError(f"--seeds: expected 1 to {MAX_SEEDS:,}, got {args.seeds}")
    if args.top < 1:
        raise LabError(f"--top: expected at least 1, got {args.top}")
    space = space_from_args(args)
    rows, cols = heatmap_axes(args.heatmap, space)
    plan = Plan(space, args.strategy, args.seeds, args.samples, None, args.objective)
    base_words = gate_words(args)
    n = len(plan.candidates)
    # The search's own up-front refusal, before the header: bad input prints nothing on stdout.
    check_budget(plan.all_tasks(plan.candidates), usable_cpus() if args.jobs is None else args.jobs)
    address = cluster_address(args.cluster)
    if address is not None:
        require_dask()  # before the header: a missing extra is said alone
    width = output_width()
    if not args.json:  # at once: the search may take a while before anything else can be said
        print(fit_line(header(args, space, n), width), flush=True)
    progress = Progress(args.objective, sys.stderr.isatty() and not args.json, n)
    started = time.perf_counter()
    interrupted = False
    failure: str | None = None
    try:
        progress.start()
        if address is None:
            results = search(plan, progress, jobs=args.jobs)
        else:
            with cluster_executor(address) as cluster:
                results = search(plan, progress, jobs=max(cluster.threads, 1), executor=cluster.executor,
                                 alive=cluster.alive)
    except (KeyboardInterrupt, Stopped) as e:
        results = getattr(e, "results", [])
        interrupted = True
    except LabError as e:
        results = getattr(e, "results", [])
        if not results:  # refused up front, or failed before any result: nothing to show
            raise
        failure = explain(str(e), address or "")
    finally:
        progress.clear()
    seconds = time.perf_counter() - started
    if failure is not None:
        print(f"nnlab: error: {failure} ({len(results)} of {n:,} configurations done, shown below)", file=sys.stderr)
    status = 130 if interrupted else 1 if failure is not None else 0
    if args.json:
        print(json.dumps({
            "gate": space.base.table.name, "strategy": args.strategy, "objective": args.objective,
            "seeds": args.seeds, "candidates": n, "precision": space.base.training.precision,
            "interrupted": interrupted, "failed": failure,
            "seconds": round(seconds, 3),
            "configurations": [result_json(i + 1, r, base_words, space.base.training.epochs)
                               for i, r in enumerate(results)],
            "best": result_json(1, results[0], base_words, space.base.training.epochs) if results else None}))
        return status
    base = space.base
    if interrupted or failure is not None:
        print(f"{'interrupted' if interrupted else 'failed'}: {len(results)} of {n:,} configurations done")
    if not results:
        return status
    print()
    print("\n".join(table_lines(results[: args.top], width)))
    if len(results) > args.top:
        print(f"  ... and {len(results) - args.top:,} more (--top N shows more)")
    print()
    caption, *heatmap = heatmap_lines(results, rows, cols, space, args.objective)
    print("\n".join([fit_line(caption, width), *heatmap]))
    print()
    best = results[0]
    print(f"best: {best.label}")
    print(command_lines(train_flags(best, base_words, base.training.epochs), width))
    print(f"\n{len(results):,} configurations in {seconds_text(seconds)}")
    return status


__all__ = ["tune_main"]
