"""Benchmark: the garbage in reference cycles the app leaves while it trains flat out, by whose it is.

Garbage in a reference cycle is not freed by refcounting: it waits for the cyclic collector's next full pass, and the
memory it held stays with the process (pymalloc keeps its arenas). This trains keras-xor unthrottled in the app,
headless at 100x30 (``--autosave``: autosaving every 3 s to a temporary folder, as ``nnlab`` does), with the collector
paused for ``--seconds``, then collects once and sorts what it found into its cycles (connected parts), each named by
what it holds: a Textual worker (the worker's task holds the context that holds the worker), a Textual line (a
``Strip`` that caches itself), plotext's rulers (a ``date_class`` holding its own bound methods), or other. Bytes
are shallow sizes of the objects and of the untracked objects they refer to (strings, floats, arrays): an estimate.

Run: ``python benchmarks/bench_garbage.py`` (about 10 s); ``--seconds`` sets the paused stretch.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
import tempfile
from collections import defaultdict
from pathlib import Path


def kind(members: list[object]) -> str:
    """What a cycle is, by the types in it."""
    names = {type(o).__qualname__ for o in members}
    if "Worker" in names:
        return "Textual worker"
    if "date_class" in names:
        return "plotext rulers"
    if "Strip" in names:
        return "Textual line"
    return "other: " + ", ".join(sorted(names))[:60]


def cycles(garbage: list[object]) -> dict[str, list[int]]:
    """``garbage`` in connected parts, by kind: [cycles, objects, bytes]."""
    ids = {id(o): o for o in garbage}
    parent = {i: i for i in ids}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    extra: dict[int, int] = defaultdict(int)
    seen: set[int] = set()
    for o in garbage:
        for r in gc.get_referents(o):
            if id(r) in ids:
                a, b = root(id(o)), root(id(r))
                if a != b:
                    parent[a] = b
            elif not gc.is_tracked(r) and not isinstance(r, type) and id(r) not in seen:
                seen.add(id(r))
                extra[id(o)] += sys.getsizeof(r)
    parts: dict[int, list[object]] = defaultdict(list)
    for i, o in ids.items():
        parts[root(i)].append(o)
    kinds: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for members in parts.values():
        k = kinds[kind(members)]
        k[0] += 1
        k[1] += len(members)
        k[2] += sum(sys.getsizeof(o) + extra[id(o)] for o in members)
    return kinds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="training with the collector paused")
    parser.add_argument("--autosave", action="store_true", help="the app autosaves (to a temporary folder)")
    args = parser.parse_args()

    from lab.ui import use_frame_rate

    use_frame_rate()
    from lab.core.recipes import recipe
    from lab.ui.app import LabApp
    from lab.ui.messages import TrainingProgress

    snapshots = 0

    def heard(message: object) -> None:
        nonlocal snapshots
        snapshots += isinstance(message, TrainingProgress)

    async def run() -> None:
        nonlocal snapshots
        with tempfile.TemporaryDirectory(prefix="nnlab-bench-garbage-") as folder:
            app = LabApp(recipe("keras-xor").with_training(epochs=10_000_000),
                         autosave_path=Path(folder) / "autosave.json" if args.autosave else None)
            async with app.run_test(size=(100, 30), message_hook=heard) as pilot:
                app.lab_run.epochs_per_tick = 0
                await pilot.pause()
                await asyncio.sleep(1)  # past start-up: the first paint, the start-up objects frozen
                gc.collect()
                gc.disable()
                try:
                    snapshots, first = 0, app.lab_run.session.trainer.epoch
                    await pilot.press("space")
                    await asyncio.sleep(args.seconds)
                    await pilot.press("space")
                    await app.workers.wait_for_complete()
                    epochs = app.lab_run.session.trainer.epoch - first
                    gc.set_debug(gc.DEBUG_SAVEALL)
                    found = gc.collect()
                    garbage, gc.garbage[:] = list(gc.garbage), []
                finally:
                    gc.set_debug(0)
                    gc.enable()
                kinds = cycles(garbage)
                del garbage
                print(f"{args.seconds:g} s with the collector paused: {epochs:,} epochs, {snapshots} snapshots, "
                      f"{found:,} objects unreachable")
                total = 0
                for name, (n, objects, size) in sorted(kinds.items(), key=lambda kv: -kv[1][2]):
                    total += size
                    print(f"  {name:24s} {n:5d} cycles {objects:6d} objects {size / 1e3:8.1f} kB "
                          f"{size / max(snapshots, 1) / 1e3:6.2f} kB a snapshot")
                print(f"  in all {total / 1e3:.0f} kB: {total / max(snapshots, 1) / 1e3:.1f} kB a snapshot, "
                      f"{total / max(epochs, 1):.2f} bytes an epoch")
                await pilot.press("q")

    asyncio.run(run())


if __name__ == "__main__":
    main()
