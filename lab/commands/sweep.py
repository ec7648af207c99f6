"""``nnlab sweep``: train one experiment from many seeds at once and report how reliably it learns the gate.

For each configuration (the flags given, and optionally a second one, ``--vs "FLAGS"``, on the same gate) it prints
the success rate within the epoch budget, the epochs to solve (median, 10th and 90th percentile over the seeds that
solved), the spread of the final loss, a histogram of the solved epochs drawn with plain ``#`` bars, and the speed.
``--json`` prints exactly one JSON object instead::

    {"gate": "xor", "configurations": [{"label": "base", "flags": "...", "seeds": 100, "solved": 97, ...}, ...]}
"""

from __future__ import annotations

import argparse
import json
import math
import shlex
import shutil
import sys
import time
from collections.abc import Sequence

from lab.commands.options import add_gate_args, add_network_args, experiment_from_args
from lab.commands.parser import Parser, bounded
from lab.commands.progress import Progress
from lab.commands.text_width import fit_line, output_width
from lab.core.errors import LabError
from lab.core.experiment import Experiment
from lab.core.numbers import percent, seconds_text
from lab.core.sweep import Sweep, seed_list
from lab.core.sweep_jobs import check_memory, run_sweep, usable_cpus, worker_count
from lab.core.sweep_summary import rate_text, solve_histogram, sweep_stats

MAX_SEEDS = 100_000
DEFAULT_SEEDS = 100
BAR_WIDTH = 40
NETWORK_FLAGS = ("hidden", "output", "loss", "optimizer", "lr", "batch_size", "init", "no_bias", "epochs", "seed",
                 "stop", "precision")


def parser() -> Parser:
    """The ``nnlab sweep`` argument parser."""
    p = Parser(prog="nnlab sweep", description="Train the same network from many seeds at once and report how "
               "often, and how fast, it learns the gate. A file's saved weights are not used: every seed starts "
               "afresh.",
               epilog='examples: nnlab sweep --gate xor --seeds 1000 | '
                      'nnlab sweep --hidden 16:relu --vs "--hidden 16:relu,16:relu" --json')
    add_gate_args(p)
    add_network_args(p)
    s = p.add_argument_group("sweep")
    s.add_argument("--seeds", type=int, default=DEFAULT_SEEDS, metavar="K",
                   help=f"networks to train, seeds --seed to --seed + K - 1 (1 to {MAX_SEEDS:,}; "
                        f"default {DEFAULT_SEEDS})")
    cpus = usable_cpus()
    s.add_argument("--jobs", type=bounded(1, cpus, "processes", int), metavar="N",
                   help=f"processes to train on, each taking a share of the seeds (1 to {cpus}, the CPUs nnlab may "
                        f"use; default {cpus}); a small sweep trains in one")
    s.add_argument("--vs", metavar='"FLAGS"', help='a second configuration on the same gate: network and training '
                   'flags applied on top of this one\'s, e.g. --vs "--hidden 4:tanh --lr 0.1"')
    s.add_argument("--json", action="store_true", help="print one JSON object with the results, nothing else")
    return p


class _VsParser(Parser):
    """Parses the ``--vs`` string; its errors are LabErrors naming ``--vs``."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise LabError(f"--vs: {message} (it takes network and training flags)")


def _flag_text(args: argparse.Namespace) -> str:
    """The network and training flags set in ``args``, as they would be typed."""
    words: list[str] = []
    for name in NETWORK_FLAGS:
        value = getattr(args, name)
        if value is None or value is False:
            continue
        words.append("--" + name.replace("_", "-"))
        if value is not True:
            words.append(str(value))
    return shlex.join(words)


def configurations(args: argparse.Namespace) -> list[tuple[str, str, Experiment]]:
    """``(label, flags, experiment)`` for the base configuration and, with ``--vs``, the second one.

    Raises:
        LabError: for a bad flag in either, naming it.
    """
    experiment, _ = experiment_from_args(args)
    configs = [("base", _flag_text(args), experiment)]
    if args.vs is not None:
        try:
            words = shlex.split(args.vs)
        except ValueError as e:
            raise LabError(f"--vs: {e}") from None
        vs_parser = _VsParser(prog="nnlab sweep --vs", add_help=False)
        add_network_args(vs_parser)
        overrides = vs_parser.parse_args(words)
        merged = argparse.Namespace(**vars(args))
        for name in NETWORK_FLAGS:
            if getattr(overrides, name) is not None:
                setattr(merged, name, getattr(overrides, name))
        try:
            configs.append(("vs", _flag_text(merged), experiment_from_args(merged)[0]))
        except LabError as e:
            raise LabError(f"--vs: {e}") from None
    return configs


def network_text(experiment: Experiment) -> str:
    """``2 -> 16 relu -> 1 sigmoid`` (and ``no bias`` when the layers have none)."""
    shape = experiment.shape
    parts = [f"{shape.sizes[0]}"] + [f"{u} {a}" for u, a in zip(shape.sizes[1:], shape.activations, strict=True)]
    return " -> ".join(parts) + ("" if shape.bias else " (no bias)")


def sweep_result(label: str, flags: str, experiment: Experiment, sweep: Sweep, seconds: float, jobs: int) -> dict:
    """One configuration's JSON object; it took ``seconds`` on ``jobs`` processes."""
    stats = sweep_stats(sweep, seconds)
    t = experiment.training
    per_s = stats.network_epochs_per_s
    return {
        "label": label,
        "flags": flags,
        "network": network_text(experiment),
        "loss": t.loss, "optimizer": t.optimizer, "lr": t.lr, "batch_size": t.batch_size, "init": t.init,
        "bias": experiment.architecture.bias, "epochs": t.epochs, "stop": t.stop, "precision": t.precision,
        "first_seed": int(sweep.seeds[0]),
        "seeds": stats.seeds,
        "solved": stats.solved,
        "success_rate": stats.success_rate,
        "solved_epochs": [int(e) or None for e in sweep.solved_epoch],
        "median_solved_epoch": stats.median_solved_epoch,
        "p10_solved_epoch": stats.p10_solved_epoch,
        "p90_solved_epoch": stats.p90_solved_epoch,
        "final_loss": dict(zip(("min", "median", "max"), stats.final_loss, strict=True)) if stats.final_loss else None,
        "diverged": stats.diverged,
        "network_epochs": stats.network_epochs,
        "seconds": round(seconds, 6),
        "jobs": jobs,
        "network_epochs_per_s": round(per_s, 1) if per_s is not None else None,
    }


def histogram_lines(epochs: list[int | None], top: int) -> list[str]:
    """Plain-text bars of solved epochs in bins of equal width up to ``top`` (shared by the configurations so they
    compare), then the unsolved seeds."""
    histogram = solve_histogram([e or 0 for e in epochs], top)
    peak = max(*histogram.counts, histogram.unsolved, 1)
    labels = [*histogram.labels(), "not solved"]
    pad = max(map(len, labels))
    lines = []
    for label, count in zip(labels, [*histogram.counts, histogram.unsolved], strict=True):
        bar = "#" * math.ceil(count * BAR_WIDTH / peak)
        lines.append(f"    {label:>{pad}} | {bar:<{BAR_WIDTH}} {count}")
    return lines


def report_lines(result: dict, top: int) -> list[str]:
    """The text report of one configuration."""
    r = result
    k = r["seeds"]
    lines = [f"{r['label']}: {r['network']} · {r['loss']} · {r['optimizer']} lr {r['lr']:g} · "
             + ("full batch" if r["batch_size"] == 0 else f"batch {r['batch_size']}") + f" · {r['init']}",
             f"  flags            {r['flags'] or '(none)'}",
             f"  seeds            {r['first_seed']} to {r['first_seed'] + k - 1} · stop {r['stop']}"
             + ("" if r["precision"] == "float64" else f" · {r['precision']}"),
             f"  solved           {r['solved']}/{k} ({percent(r['solved'], k, 1)}) within {r['epochs']:,} epochs"
             f" · {r['diverged']} diverged"]
    if r["solved"]:
        lines.append(f"  epochs to solve  median {r['median_solved_epoch']:g} · 10th percentile "
                     f"{r['p10_solved_epoch']:g} · 90th percentile {r['p90_solved_epoch']:g}")
    else:
        lines.append("  epochs to solve  none solved")
    if r["final_loss"] is not None:
        f = r["final_loss"]
        lines.append(f"  final loss       min {f['min']:.4g} · median {f['median']:.4g} · max {f['max']:.4g}")
    lines.append("  solved at epoch")
    lines += histogram_lines(r["solved_epochs"], top)
    lines.append(f"  {k:,} networks, {r['network_epochs']:,} network-epochs in {seconds_text(r['seconds'])} "
                 f"({rate_text(r['network_epochs_per_s'])} network-epochs/s)")
    return lines


def _attach_vs(argv: Sequence[str]) -> list[str]:
    """``--vs FLAGS`` as ``--vs=FLAGS``, so argparse takes a lone flag such as ``--vs --no-bias`` as the value."""
    out: list[str] = []
    words = iter(argv)
    for word in words:
        value = next(words, None) if word == "--vs" else None
        out.append(word if value is None else f"--vs={value}")
    return out


PROGRESS_FRAME = len(" 100% · ") + len(" · 0:00:00 in all")  # what a progress line holds beside its count and detail


def terminal_width() -> int:
    """The columns a progress line may take (the last would wrap on some terminals)."""
    return shutil.get_terminal_size((80, 24)).columns - 1


def progress_detail(solved: int, k: int, rate: float, total: int, width: int) -> str:
    """The sweep's part of its progress line: ``812/1,000 solved · 1.2M net-ep/s``, without the rate when the line
    would not fit ``width`` whole (100,000 seeds on 80 columns)."""
    detail = f"{solved:,}/{k:,} solved"
    with_rate = f"{detail} · {rate_text(rate)} net-ep/s"
    room = width - len(f"epoch {total:,}/{total:,}") - PROGRESS_FRAME
    return with_rate if len(with_rate) <= room else detail


def sweep_main(argv: Sequence[str]) -> int:
    """Run ``nnlab sweep``; returns 0, or 130 after Ctrl-C with the configurations done reported (``--json``:
    ``"interrupted": true``). Bad input raises LabError, shown as one line with status 2."""
    args = parser().parse_args(_attach_vs(argv))
    if not 1 <= args.seeds <= MAX_SEEDS:
        raise LabError(f"--seeds: expected 1 to {MAX_SEEDS:,}, got {args.seeds}")
    configs = configurations(args)
    for label, _, experiment in configs:  # every configuration checked before any trains
        try:
            seed_list(experiment.training.seed, args.seeds)
            check_memory(experiment, args.seeds)
        except LabError as e:
            where = "--seeds" if label == "base" else "--vs"
            raise LabError(f"{where}: {str(e).partition(': ')[2] if str(e).startswith('seeds:') else e}") from None
    results: list[dict] = []
    try:
        run_configurations(args, configs, results)
    except KeyboardInterrupt:  # Ctrl-C: report the configurations done (the one under way is dropped)
        interrupted = True
    else:
        interrupted = False
    table = configs[0][2].table
    if args.json:
        print(json.dumps({"gate": table.name, "interrupted": interrupted, "configurations": results}))
        return 130 if interrupted else 0
    held = f" · rows {', '.join(map(str, sorted(table.heldout)))} held out" if table.heldout else ""
    width = output_width()
    print(fit_line(f"sweep: {table.name} · {args.seeds:,} seeds per configuration{held}", width))
    if interrupted:
        print(f"interrupted: {len(results)} of {len(configs)} configurations done")
    if not results:
        return 130 if interrupted else 0
    top = max(max((e for e in r["solved_epochs"] if e is not None), default=0) for r in results) or max(
        r["epochs"] for r in results)
    for r in results:
        print()
        print("\n".join(fit_line(line, width) for line in report_lines(r, top)))
    return 130 if interrupted else 0


def run_configurations(args: argparse.Namespace, configs: list, results: list[dict]) -> None:
    """Sweep each configuration in turn, appending its result to ``results`` as it finishes (so a Ctrl-C leaves
    the ones done there)."""
    for label, flags, experiment in configs:
        seeds = seed_list(experiment.training.seed, args.seeds)
        start = time.perf_counter()
        progress = Progress(sys.stderr, experiment.training.budget, unit="epoch", show_rate=False)

        def report(epoch: int, solved: int, k: int = len(seeds), t0: float = start,
                   progress: Progress = progress) -> None:
            rate = epoch * k / max(time.perf_counter() - t0, 1e-9)
            progress.update(epoch, progress_detail(solved, k, rate, progress.total, terminal_width()))

        try:
            sweep = run_sweep(experiment, seeds, jobs=args.jobs, progress=report if progress.enabled else None)
        finally:
            progress.close()
        results.append(sweep_result(label, flags, experiment, sweep, time.perf_counter() - start,
                                    worker_count(experiment, len(seeds), args.jobs)))


__all__ = ["sweep_main"]
