"""Benchmark: what the two alternatives to the app's scheduling would cost, in the lab's own parts.

The app trains in a thread and holds it while the interface has something to show (``lab.ui.scheduling``). Two
alternatives would take work off the interface's interpreter instead:

- building the live chart in another process: the interface would still unpickle every build's lines. Printed: a
  200x50 chart's build time, the size of its lines pickled, and the time to pickle and unpickle them;
- the seeds sweep in worker processes, through ``nnlab sweep``'s driver (``lab.core.sweep_jobs.run_sweep``): inside
  the app (a threaded process) a worker must be started by ``spawn``. Printed: the time from asking to the first
  result of one spawned worker that imports the lab's sweep, and how many workers the driver would give the seeds
  view's default sweep (100 seeds of keras-xor over its 1000 epochs).

Run: ``python benchmarks/bench_alternatives.py`` (about half a minute). Each figure is the best of ``REPEATS``.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import pickle
import threading
import time

from bench_chart import long_run_data  # a sibling script: python benchmarks/bench_alternatives.py

from lab.core.recipes import recipe
from lab.core.sweep_jobs import worker_count
from lab.ui.app import LabApp
from lab.ui.widgets.chart import LossChart

REPEATS = 5
APP_SEEDS = 100  # the seeds view's default sweep (lab.ui.sweep_loop.DEFAULT_SEEDS)


async def chart_lines(size: tuple[int, int]) -> tuple[float, int, float]:
    """At ``size``: (the chart's build in ms, its lines pickled in bytes, pickling and unpickling them in ms)."""
    app = LabApp(recipe("keras-xor"))
    async with app.run_test(size=size):
        chart = app.query_one(LossChart)
        data = long_run_data(chart)  # the chart build bench_chart.py measures
        builds, trips = [], []
        for _ in range(REPEATS):
            start = time.perf_counter()
            lines = chart._build(data)
            builds.append(time.perf_counter() - start)
            start = time.perf_counter()
            blob = pickle.dumps(lines, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.loads(blob)
            trips.append(time.perf_counter() - start)
        return min(builds) * 1000, len(blob), min(trips) * 1000


def _import_sweep(_: int) -> int:
    """A worker's first task: import the lab's sweep, as a sweep worker would."""
    import lab.core.sweep  # noqa: F401

    return 1


def spawn_first_result() -> float:
    """Seconds from asking a spawned process for a result to having it (from a process with a second thread, as
    inside the app)."""
    context = multiprocessing.get_context("spawn")
    start = time.perf_counter()
    with context.Pool(1) as pool:
        pool.apply(_import_sweep, (0,))
        took = time.perf_counter() - start
    return took


def main() -> None:
    print("nnlab: the alternatives' costs (python benchmarks/bench_alternatives.py)")
    for size in ((80, 24), (200, 50)):
        build, size_bytes, trip = asyncio.run(chart_lines(size))
        print(f"  chart at {size[0]}x{size[1]}: build {build:.1f} ms; its lines pickled {size_bytes / 1024:.0f} KiB, "
              f"pickled and unpickled in {trip:.1f} ms")
    threading.Thread(target=threading.Event().wait, args=(60,), daemon=True).start()  # threaded, as the app is
    first = min(spawn_first_result() for _ in range(REPEATS))
    print(f"  one spawned worker's first result: {first * 1000:.0f} ms")
    experiment = recipe("keras-xor")
    print(f"  workers nnlab sweep's driver gives the seeds view's default sweep ({APP_SEEDS} seeds, "
          f"{experiment.training.epochs} epochs): {worker_count(experiment, APP_SEEDS, jobs=2)}")


if __name__ == "__main__":
    main()
