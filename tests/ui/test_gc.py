"""The app and the cyclic garbage collector: the app leaves its start-up objects out of the collector's full passes
while it runs, and gives them back when it ends (several apps may run in one process, as in these tests); and a run
leaves the collector none of what nnlab makes per snapshot or per redraw (issue 25: garbage in reference cycles waits
for a full pass, and the memory it held stays with the process)."""

from __future__ import annotations

import gc

from textual.message import Message
from textual.strip import Strip

from lab.ui.messages import TrainingProgress
from lab.ui.widgets.chart import LossChart

from tests.ui.helpers import make_app

SNAPSHOTS = 30
"""Progress messages to train for with the collector paused (about 3 s of training)."""


async def test_startup_objects_are_frozen_while_the_app_runs_and_thawed_after():
    gc.unfreeze()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert gc.get_freeze_count() > 10_000
    assert gc.get_freeze_count() == 0


async def test_training_leaves_the_collector_no_capture_and_no_line_of_the_chart():
    """Training flat out for 30 snapshots with the cyclic collector paused, then one collection: among what it finds
    unreachable, no object of nnlab's own (a chart's capture of the series, ``ChartData`` and its ``SeriesView``s,
    was kept by its build's worker) and no line the chart drew (Textual's ``Strip.crop_extend`` cached a line that
    already fitted in itself). What it does find is Textual's and plotext's (each worker's task, each painted line
    the compositor divides, each build's plotext rulers)."""
    app = make_app(epochs=10_000_000)
    built: dict[int, LossChart.Built] = {}  # by id: a message is heard once per widget it bubbles through
    snapshots = 0

    def heard(message: Message) -> None:
        nonlocal snapshots
        if isinstance(message, LossChart.Built):
            built[id(message)] = message  # kept alive until the collection: no other object takes a line's id
        elif isinstance(message, TrainingProgress):
            snapshots += 1

    async with app.run_test(size=(100, 30), message_hook=heard) as pilot:
        await pilot.pause()
        await pilot.pause()
        app.lab_run.epochs_per_tick = 0
        gc.collect()
        gc.disable()
        try:
            await pilot.press("space")
            for _ in range(2_000):
                if snapshots >= SNAPSHOTS and len(built) >= 5:
                    break
                await pilot.pause(0.01)
            await pilot.press("space")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert snapshots >= SNAPSHOTS and len(built) >= 5
            lines = {id(line) for message in built.values() for line in message.lines}
            built.clear()
            gc.set_debug(gc.DEBUG_SAVEALL)
            gc.collect()
            garbage, gc.garbage[:] = list(gc.garbage), []
        finally:
            gc.set_debug(0)
            gc.enable()
        ours = sorted({type(o).__qualname__ for o in garbage if type(o).__module__.split(".")[0] == "lab"})
        drawn = sum(1 for o in garbage if isinstance(o, Strip) and id(o) in lines)
        del garbage
        assert ours == []
        assert drawn == 0
