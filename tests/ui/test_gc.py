"""The app and the cyclic garbage collector: the app leaves its start-up objects out of the collector's full passes
while it runs, and gives them back when it ends (several apps may run in one process, as in these tests); and a run
leaves the collector none of what nnlab makes per snapshot or per redraw (issue 25: garbage in reference cycles waits
for a full pass, and the memory it held stays with the process)."""

from __future__ import annotations

import gc

from textual.message import Message
from textual.strip import Strip
from textual.worker import Worker, WorkerState

from lab.core.recipes import recipe
from lab.timings import Timings
from lab.ui.app import LabApp
from lab.ui.messages import TrainingProgress
from lab.ui.parcel import Parcel
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


async def test_training_leaves_the_collector_no_capture_no_autosave_and_no_line_of_the_chart(tmp_path):
    """Training flat out for 30 snapshots, autosaving every 0.2 s, with the cyclic collector paused, then one
    collection: among what it finds unreachable, no object of nnlab's own (each chart build's worker kept its
    capture of the series, ``ChartData`` and its ``SeriesView``s, and each autosave's worker its ``ExperimentSpec``,
    the history as lists) and no line the chart drew (Textual's ``Strip.crop_extend`` cached a line that already
    fitted in itself). What it does find is Textual's and plotext's own (each worker and its task, each painted line
    the compositor divides, each build's plotext rulers)."""
    app = LabApp(recipe("keras-xor").with_training(epochs=10_000_000), autosave_path=tmp_path / "autosave.json",
                 timings=Timings(autosave_interval=0.2))
    built: dict[int, LossChart.Built] = {}  # by id: a message is heard once per widget it bubbles through
    autosaved: set[int] = set()
    snapshots = 0

    def heard(message: Message) -> None:
        nonlocal snapshots
        if isinstance(message, LossChart.Built):
            built[id(message)] = message  # kept alive until the collection: no other object takes a line's id
        elif isinstance(message, TrainingProgress):
            snapshots += 1
        elif (isinstance(message, Worker.StateChanged) and message.worker.name == "autosave"
              and message.state == WorkerState.SUCCESS):
            autosaved.add(id(message.worker))

    async with app.run_test(size=(100, 30), message_hook=heard) as pilot:
        await pilot.pause()
        await pilot.pause()
        app.lab_run.epochs_per_tick = 0
        gc.collect()
        gc.disable()
        try:
            await pilot.press("space")
            for _ in range(2_000):
                if snapshots >= SNAPSHOTS and len(built) >= 5 and len(autosaved) >= 3:
                    break
                await pilot.pause(0.01)
            await pilot.press("space")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert snapshots >= SNAPSHOTS and len(built) >= 5 and len(autosaved) >= 3
            lines = {id(line) for message in built.values() for line in message.lines}
            built.clear()
            gc.set_debug(gc.DEBUG_SAVEALL)
            gc.collect()
            garbage, gc.garbage[:] = list(gc.garbage), []
        finally:
            gc.set_debug(0)
            gc.enable()
        ours = sorted({type(o).__qualname__ for o in garbage if type(o).__module__.split(".")[0] == "lab"
                       and not (isinstance(o, Parcel) and o.take() is None)})  # an empty parcel is all they keep
        drawn = sum(1 for o in garbage if isinstance(o, Strip) and id(o) in lines)
        del garbage
        assert ours == []
        assert drawn == 0
