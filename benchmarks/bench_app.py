"""Benchmark: the app training at full speed, headless, against the bare trainer; and key-press latency.

For each terminal size (80x24, 200x50) and each batch mode (full batch, and batch size 1 whose loss is noisy), it
prints:
- the epochs per second the app reaches while training unthrottled, beside the headless trainer's in the same run
  (target: the app at least half);
- the time from a key press to the screen reflecting it while training, p50 and p95 over many presses (target: p95
  under 50 ms). A press is timed from handing the key event to the driver until the app has changed state and the
  next screen refresh after that has run (``call_after_refresh``); the keys move the table cursor and toggle the
  chart's log scale, each forcing a redraw. (Pilot's ``press`` is not used: it waits for the process to go idle,
  which a training process never does.)

Run: ``python benchmarks/bench_app.py`` (takes about two minutes); ``--view network`` opens the network view first
(at 200x50 the wide layout shows a network view beside the chart anyway); ``--sizes`` and ``--batches`` pick rows.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time

from textual import events

from lab.core.recipes import recipe
from lab.core.train import Trainer
from lab.ui.app import LabApp
from lab.ui.widgets.inspect_view import VIEWS
from lab.ui.widgets.truth_table import TruthTableView

SECONDS = 3.0
PRESSES = 40
ROUNDS = 3


def headless_rate(batch_size: int, seconds: float = 1.0) -> float:
    """Epochs per second of the bare trainer on keras-xor with a budget too big to end."""
    experiment = recipe("keras-xor").with_training(batch_size=batch_size, epochs=10_000_000)
    trainer = Trainer(experiment)
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        trainer.run(epochs=2000)
    return trainer.epoch / (time.perf_counter() - start)


async def app_run(size: tuple[int, int], batch_size: int, view: str | None = None) -> tuple[float, list[float], float]:
    """(epochs per second while training, key latencies in seconds, share of the time the trainer was held for the
    interface) for the app at ``size``, with ``view`` open when given."""
    experiment = recipe("keras-xor").with_training(batch_size=batch_size, epochs=10_000_000)
    app = LabApp(experiment)
    latencies: list[float] = []
    async with app.run_test(size=size) as pilot:
        app.session.epochs_per_tick = 0
        if view is not None:
            app._show_view(view)
        await pilot.press("space")
        start_epoch, start = app.session.trainer.epoch, time.perf_counter()
        await asyncio.sleep(SECONDS / 2)
        view = app.query_one(TruthTableView)
        for i in range(PRESSES):
            key = ("down", "up", "l")[i % 3]
            chart = app.query_one("#chart")
            before = (view.cursor_row, chart.log_scale)
            event = events.Key(key, None)
            event.set_sender(app)
            t0 = time.perf_counter()
            app._driver.send_message(event)
            while (view.cursor_row, chart.log_scale) == before:
                await asyncio.sleep(0.0005)
            painted = asyncio.Event()
            app.call_after_refresh(painted.set)
            await painted.wait()
            latencies.append(time.perf_counter() - t0)
            await asyncio.sleep(0.03)
        remaining = SECONDS - (time.perf_counter() - start)
        if remaining > 0:
            await asyncio.sleep(remaining)
        elapsed = time.perf_counter() - start
        rate = (app.session.trainer.epoch - start_epoch) / elapsed
        held = app.session.held_seconds / elapsed
        await pilot.press("space")
        await app.workers.wait_for_complete()
    return rate, latencies, held


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
    args = p.parse_args()
    sizes = [parse_size(t) for t in args.sizes.split(",")]
    batches = [0 if t == "full" else int(t) for t in args.batches.split(",")]
    view = f", {args.view} view open" if args.view else ""
    print(f"nnlab app benchmark: keras-xor, unthrottled, headless Textual{view} (python benchmarks/bench_app.py"
          + "".join(f" {a}" for a in sys.argv[1:]) + ")")
    print(f"each row: {args.rounds} rounds of (headless trainer, app, headless trainer); rates are the medians, the")
    print("ratio compares each app run with the mean of the headless runs beside it; latencies pool every press;")
    print("held: the share of the app's run the trainer spent waiting for the interface to handle a key.")
    print(f"{'size':>7} {'batch':>6} {'headless ep/s':>14} {'app ep/s':>10} {'ratio':>6} {'key p50 ms':>11} "
          f"{'key p95 ms':>11} {'held':>6}")
    for size in sizes:
        for batch in batches:
            bares, rates, ratios, ms, held = [], [], [], [], []
            for _ in range(args.rounds):
                before = headless_rate(batch)
                rate, lat, held_share = asyncio.run(app_run(size, batch, args.view))
                after = headless_rate(batch)
                bares += [before, after]
                rates.append(rate)
                ratios.append(rate / ((before + after) / 2))
                ms += [x * 1000 for x in lat]
                held.append(held_share)
            ms.sort()
            p95 = ms[int(0.95 * (len(ms) - 1))]
            print(f"{size[0]}x{size[1]:<4} {'full' if batch == 0 else batch:>6} {statistics.median(bares):>14,.0f} "
                  f"{statistics.median(rates):>10,.0f} {statistics.median(ratios):>6.2f} "
                  f"{statistics.median(ms):>11.1f} {p95:>11.1f} {statistics.median(held):>6.0%}")


if __name__ == "__main__":
    main()
