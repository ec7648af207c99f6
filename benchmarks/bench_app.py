"""Benchmark: the app training at full speed, headless, against the bare trainer; and key-press latency.

For each terminal size (80x24, 200x50) and each batch mode (full batch, and batch size 1 whose loss is noisy), it
prints:
- the epochs per second the app reaches while training unthrottled, beside the headless trainer's in the same run
  (target: the app at least half);
- the time from a key press to the screen reflecting it while training, p50 and p95 over many presses (target: p95
  under 50 ms). A press is timed from posting the key event to the app until the first paint of the screen (the
  compositor's pass, seen through ``lab.ui.textual_adapter.watch_paints``) that shows its effect: the moved table
  cursor, or for the log-scale key the chart redrawn on the new scale. (Pilot's ``press`` is not used: it waits for
  the process to go idle, which a training process never does.)

Run: ``python benchmarks/bench_app.py`` (takes about three minutes); ``--view network`` opens the network view first
(at 200x50 the wide layout shows a network view beside the chart anyway); ``--sizes`` and ``--batches`` pick rows;
``--by-key`` prints each key's latencies apart (the log-scale key redraws the whole chart, the arrows a table line).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from lab.ui import use_frame_rate

use_frame_rate()  # before Textual loads, as nnlab's entry points do: the imports below come after it
from textual import events  # noqa: E402

from lab.core.recipes import recipe  # noqa: E402
from lab.core.train import Trainer  # noqa: E402
from lab.ui.app import LabApp  # noqa: E402
from lab.ui.textual_adapter import watch_paints  # noqa: E402
from lab.ui.widgets.chart import LossChart  # noqa: E402
from lab.ui.widgets.inspect_view import VIEWS  # noqa: E402
from lab.ui.widgets.truth_table import TruthTableView  # noqa: E402

WARM_UP = 0.5
SECONDS = 2.0
PRESSES = 40
PAUSE = 0.03  # between presses: about thirty keys a second, a key held down
ROUNDS = 3


class Paint(NamedTuple):
    """What one paint showed: when, the table's cursor row, the chart's scale and which lines it drew."""

    time: float
    row: int
    log_scale: bool
    lines: int


@dataclass(frozen=True)
class Run:
    """One app run's figures: epochs per second left alone (``watched``) and while keys came (``pressed``), each
    key's latency in seconds and name, and the share of the pressing time the trainer was held."""

    watched: float
    pressed: float
    latencies: list[float]
    keys: list[str]
    held: float


def shown_by(key: str, before: Paint) -> Callable[[Paint], bool]:
    """Whether a paint shows ``key``'s effect, the screen having been ``before``: the cursor moved, or for ``l``
    the chart redrawn on the other scale."""
    if key == "l":
        return lambda p: p.log_scale != before.log_scale and p.lines != before.lines
    return lambda p: p.row != before.row


def headless_rate(batch_size: int, seconds: float = 1.0) -> float:
    """Epochs per second of the bare trainer on keras-xor with a budget too big to end."""
    experiment = recipe("keras-xor").with_training(batch_size=batch_size, epochs=10_000_000)
    trainer = Trainer(experiment)
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        trainer.run(epochs=2000)
    return trainer.epoch / (time.perf_counter() - start)


async def app_run(size: tuple[int, int], batch_size: int, view: str | None = None) -> Run:
    """Measure the app at ``size`` training keras-xor unthrottled, with ``view`` open when given: the epochs per
    second over ``SECONDS`` left alone (someone watching), then ``PRESSES`` key presses with their latencies, the
    epochs per second meanwhile and the share of that time the trainer was held for the interface."""
    experiment = recipe("keras-xor").with_training(batch_size=batch_size, epochs=10_000_000)
    app = LabApp(experiment)
    latencies: list[float] = []
    pressed_keys: list[str] = []
    async with app.run_test(size=size) as pilot:
        app.lab_run.session.epochs_per_tick = 0
        if view is not None:
            app.show_view(view)
        await pilot.press("space")
        await asyncio.sleep(WARM_UP)
        start_epoch, start = app.lab_run.session.trainer.epoch, time.perf_counter()
        await asyncio.sleep(SECONDS)
        watched = (app.lab_run.session.trainer.epoch - start_epoch) / (time.perf_counter() - start)
        table = app.query_one(TruthTableView)
        chart = app.query_one(LossChart)

        def now() -> Paint:
            return Paint(time.perf_counter(), table.cursor_row, chart.log_scale, id(chart._built))

        paints: list[Paint] = []
        stop_watching = watch_paints(app, lambda: paints.append(now()))
        start_epoch, start, held = app.lab_run.session.trainer.epoch, time.perf_counter(), app.scheduler.held_seconds
        keys = ("down", "up", "l") if chart.display else ("down", "up")  # l shows nothing with the chart hidden
        for i in range(PRESSES):
            key = keys[i % len(keys)]
            shown = shown_by(key, now())
            seen = len(paints)
            event = events.Key(key, None)
            t0 = time.perf_counter()
            app.post_message(event)
            while not any(shown(p) for p in paints[seen:]):
                await asyncio.sleep(0.0005)
            latencies.append(next(p.time for p in paints[seen:] if shown(p)) - t0)
            pressed_keys.append(key)
            await asyncio.sleep(PAUSE)
        elapsed = time.perf_counter() - start
        pressed = (app.lab_run.session.trainer.epoch - start_epoch) / elapsed
        held = (app.scheduler.held_seconds - held) / elapsed
        stop_watching()
        await pilot.press("space")
        await app.workers.wait_for_complete()
    return Run(watched, pressed, latencies, pressed_keys, held)


def parse_size(text: str) -> tuple[int, int]:
    """``80x24`` -> (80, 24)."""
    width, height = text.lower().split("x")
    return int(width), int(height)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--view", choices=VIEWS, help="open this view of the network before measuring")
    p.add_argument("--sizes", default="80x24,200x50", help="terminal sizes (default 80x24,200x50)")
    p.add_argument("--batches", default="full,1", help="batch sizes, 'full' or a number (default full,1)")
    p.add_argument("--rounds", type=int, default=ROUNDS, help=f"rounds per row (default {ROUNDS})")
    p.add_argument("--by-key", action="store_true", help="also print the latencies of each key apart")
    args = p.parse_args()
    sizes = [parse_size(t) for t in args.sizes.split(",")]
    batches = [0 if t == "full" else int(t) for t in args.batches.split(",")]
    view = f", {args.view} view open" if args.view else ""
    print(f"nnlab app benchmark: keras-xor, unthrottled, headless Textual{view} (python benchmarks/bench_app.py"
          + "".join(f" {a}" for a in sys.argv[1:]) + ")")
    print(f"each row: {args.rounds} rounds of (headless trainer, app, headless trainer); rates are medians, each ratio")
    print("compares an app run with the mean of the headless runs beside it. 'app ep/s' and 'ratio': the app left to")
    print(f"train for {SECONDS:g} s (someone watching); then {PRESSES} key presses about {1000 * PAUSE:.0f} ms apart: "
          "'while keys' is the")
    print("rate meanwhile (as a share of headless), 'held' the share of that time the trainer waited for the")
    print("interface to paint a key's effect, and the latencies pool every press of every round.")
    print(f"{'size':>7} {'batch':>6} {'headless ep/s':>14} {'app ep/s':>10} {'ratio':>6} {'while keys':>11} "
          f"{'key p50 ms':>11} {'key p95 ms':>11} {'held':>6}")
    for size in sizes:
        for batch in batches:
            bares: list[float] = []
            rates: list[float] = []
            ratios: list[float] = []
            pressed: list[float] = []
            ms: list[float] = []
            keys: list[str] = []
            held: list[float] = []
            for _ in range(args.rounds):
                before = headless_rate(batch)
                run = asyncio.run(app_run(size, batch, args.view))
                after = headless_rate(batch)
                bares += [before, after]
                rates.append(run.watched)
                ratios.append(run.watched / ((before + after) / 2))
                pressed.append(run.pressed / ((before + after) / 2))
                ms += [x * 1000 for x in run.latencies]
                keys += run.keys
                held.append(run.held)
            by_key = {key: sorted(x for x, k in zip(ms, keys, strict=True) if k == key) for key in dict.fromkeys(keys)}
            ms.sort()
            p95 = ms[int(0.95 * (len(ms) - 1))]
            print(f"{size[0]}x{size[1]:<4} {'full' if batch == 0 else batch:>6} {statistics.median(bares):>14,.0f} "
                  f"{statistics.median(rates):>10,.0f} {statistics.median(ratios):>6.2f} "
                  f"{statistics.median(pressed):>11.2f} {statistics.median(ms):>11.1f} {p95:>11.1f} "
                  f"{statistics.median(held):>6.0%}")
            if args.by_key:
                print("        " + " · ".join(f"{key}: p50 {statistics.median(v):.1f} "
                                           f"p95 {v[int(0.95 * (len(v) - 1))]:.1f} max {v[-1]:.1f} ms"
                                           for key, v in by_key.items()))


if __name__ == "__main__":
    main()
