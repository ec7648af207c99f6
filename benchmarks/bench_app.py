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

Run: ``python benchmarks/bench_app.py`` (takes about two minutes).
"""

from __future__ import annotations

import asyncio
import statistics
import time

from textual import events

from lab.core.recipes import recipe
from lab.core.train import Trainer
from lab.ui.app import LabApp
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


async def app_run(size: tuple[int, int], batch_size: int) -> tuple[float, list[float]]:
    """(epochs per second while training, key latencies in seconds) for the app at ``size``."""
    experiment = recipe("keras-xor").with_training(batch_size=batch_size, epochs=10_000_000)
    app = LabApp(experiment)
    latencies: list[float] = []
    async with app.run_test(size=size) as pilot:
        app.session.epochs_per_tick = 0
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
        rate = (app.session.trainer.epoch - start_epoch) / (time.perf_counter() - start)
        await pilot.press("space")
        await app.workers.wait_for_complete()
    return rate, latencies


def main() -> None:
    print("nnlab app benchmark: keras-xor, unthrottled, headless Textual (python benchmarks/bench_app.py)")
    print(f"each row: {ROUNDS} rounds of (headless trainer, app, headless trainer); rates are the medians, the ratio")
    print("compares each app run with the mean of the headless runs beside it, latencies pool every press.")
    print(f"{'size':>7} {'batch':>6} {'headless ep/s':>14} {'app ep/s':>10} {'ratio':>6} {'key p50 ms':>11} "
          f"{'key p95 ms':>11}")
    for size in ((80, 24), (200, 50)):
        for batch in (0, 1):
            bares, rates, ratios, ms = [], [], [], []
            for _ in range(ROUNDS):
                before = headless_rate(batch)
                rate, lat = asyncio.run(app_run(size, batch))
                after = headless_rate(batch)
                bares += [before, after]
                rates.append(rate)
                ratios.append(rate / ((before + after) / 2))
                ms += [x * 1000 for x in lat]
            ms.sort()
            p95 = ms[int(0.95 * (len(ms) - 1))]
            print(f"{size[0]}x{size[1]:<4} {'full' if batch == 0 else batch:>6} {statistics.median(bares):>14,.0f} "
                  f"{statistics.median(rates):>10,.0f} {statistics.median(ratios):>6.2f} "
                  f"{statistics.median(ms):>11.1f} {p95:>11.1f}")


if __name__ == "__main__":
    main()
