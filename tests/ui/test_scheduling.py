"""The app's scheduling (``lab.ui.scheduling``): a key press or a big change holds the training threads between chunks
until its effect is painted, never for long; and nothing it changes process-wide outlives the app."""

from __future__ import annotations

import asyncio
import gc
import sys
import threading

import pytest
from textual import events
from textual.strip import Strip
from textual.widgets import Input

from lab.core.recipes import recipe
from lab.tuning import Tuning
from lab.ui.app import LabApp
from lab.ui.pacing import KeyPacing
from lab.ui.scheduling import INPUT, PAINT, InputHold, Scheduler
from lab.ui.sweep_loop import sweep_loop
from lab.ui.textual_adapter import watch_paints
from lab.ui.widgets.chart import LossChart
from lab.ui.widgets.truth_table import TruthTableView

from tests.ui.helpers import make_app

PATIENT = Tuning(max_hold=60.0)  # only a release can end a hold within a test


class LoggingScheduler(Scheduler):
    """The real scheduler, writing down each hold and release as it happens (and the paints, once watched)."""

    def __init__(self, tuning: Tuning) -> None:
        super().__init__(tuning)
        self.log: list[str] = []

    def hold(self, reason: str = INPUT) -> None:
        self.log.append(f"hold {reason}")
        super().hold(reason)

    def release(self, reason: str | None = INPUT) -> None:
        if reason is None or self.held_for(reason):
            self.log.append(f"release {reason}")
        super().release(reason)


def logging_app(**training) -> tuple[LabApp, LoggingScheduler]:
    app = make_app(**training)
    app.input_hold.scheduler = scheduler = LoggingScheduler(PATIENT)
    return app, scheduler


# --- the scheduler alone -------------------------------------------------------------------------------------------
def test_a_hold_without_release_expires():
    """A lost release costs one ``max_hold`` at most: the worker's wait ends the hold itself."""
    scheduler = Scheduler(Tuning(max_hold=0.01))
    scheduler.hold()
    scheduler.wait_for_interface()
    assert scheduler.held_seconds > 0 and not scheduler.holding


def test_release_lets_a_waiting_worker_go():
    """The worker waits while held and goes on once the interface releases it."""
    scheduler = Scheduler(PATIENT)
    scheduler.hold()
    done = threading.Event()
    worker = threading.Thread(target=lambda: (scheduler.wait_for_interface(), done.set()))
    worker.start()
    assert not done.wait(0.05)
    scheduler.release()
    assert done.wait(5)
    worker.join()


def test_no_hold_no_wait():
    """Without a hold the worker does not wait at all."""
    scheduler = Scheduler()
    scheduler.wait_for_interface()
    assert scheduler.held_seconds == 0


def test_holds_for_different_reasons_end_separately():
    """A paint's hold ending does not end a key's (still being handled), and the other way round."""
    scheduler = Scheduler(PATIENT)
    scheduler.hold(INPUT)
    scheduler.hold(PAINT)
    scheduler.release(PAINT)
    assert scheduler.holding and scheduler.held_for(INPUT)
    scheduler.release(INPUT)
    assert not scheduler.holding
    scheduler.hold(INPUT)
    scheduler.hold(PAINT)
    scheduler.release(None)
    assert not scheduler.holding and not scheduler.held_for(PAINT)


def test_a_hold_shortens_the_switch_interval_until_released():
    """While held, other threads give the interpreter up after ``held_switch_interval``; the release, or the deadline
    seen by the worker, puts back the interval the process had."""
    before = sys.getswitchinterval()
    scheduler = Scheduler(Tuning(max_hold=0.01, held_switch_interval=0.0007))
    scheduler.hold()
    assert sys.getswitchinterval() == pytest.approx(0.0007)
    scheduler.release()
    assert sys.getswitchinterval() == pytest.approx(before)
    scheduler.hold()
    scheduler.wait_for_interface()  # the deadline passes
    assert sys.getswitchinterval() == pytest.approx(before)


def test_the_interval_put_back_is_the_one_the_process_had():
    """The interval restored is the one in force when the hold began, not one read at import."""
    before = sys.getswitchinterval()
    try:
        sys.setswitchinterval(0.003)
        scheduler = Scheduler(PATIENT)
        scheduler.hold()
        scheduler.release()
        assert sys.getswitchinterval() == pytest.approx(0.003)
    finally:
        sys.setswitchinterval(before)


def test_a_paint_releases_a_handled_key_and_a_big_change():
    """``painted`` ends the paint hold at once, the key's hold only once the key was handled and its chart (if it
    asked for one) is no longer being built; small changes hold nothing."""
    scheduler = Scheduler(PATIENT)
    scheduler.hold_for_paint(PATIENT.paint_hold_cells - 1)
    assert not scheduler.holding
    scheduler.key_arrived()
    scheduler.hold_for_paint(PATIENT.paint_hold_cells)
    scheduler.painted()
    assert not scheduler.held_for(PAINT) and scheduler.held_for(INPUT)  # the key is not handled yet
    scheduler.input_handled()
    scheduler.painted(redrawing=True)
    assert scheduler.held_for(INPUT)  # its chart is still being built
    scheduler.painted()
    assert not scheduler.holding


def test_closing_ends_everything_the_scheduler_changed():
    """``close`` ends the holds, puts the switch interval back and thaws the frozen objects; a hold after it
    changes nothing, and a worker never waits on a closed scheduler."""
    gc.unfreeze()
    before = sys.getswitchinterval()
    scheduler = Scheduler(PATIENT)
    scheduler.freeze_startup_objects()
    assert gc.get_freeze_count() > 0
    scheduler.hold(PAINT)
    scheduler.close()
    assert sys.getswitchinterval() == pytest.approx(before) and gc.get_freeze_count() == 0
    scheduler.hold()
    assert not scheduler.holding and sys.getswitchinterval() == pytest.approx(before)
    scheduler.wait_for_interface()
    assert scheduler.held_seconds == 0


def test_nothing_happens_at_construction():
    """Building a scheduler (as an app's constructor does) changes nothing process-wide."""
    gc.unfreeze()
    before = sys.getswitchinterval()
    Scheduler(Tuning(held_switch_interval=0.0001))
    assert sys.getswitchinterval() == before and gc.get_freeze_count() == 0


# --- the app's side: InputHold ------------------------------------------------------------------------------------
def input_hold(busy: bool) -> InputHold:
    """An ``InputHold`` on a real scheduler and pacing, whose worker is ``busy`` or not (no chart redrawing)."""
    return InputHold(Scheduler(PATIENT), KeyPacing(PATIENT), lambda: busy, lambda: False)


async def route(hold: InputHold, event: events.Event, dispatched: list[events.Event]) -> None:
    """Route ``event`` through ``hold`` to a dispatch that writes it down in ``dispatched``."""
    async def dispatch(event: events.Event) -> None:
        dispatched.append(event)

    await hold.route(event, dispatch, lambda: None)


async def test_input_with_an_idle_worker_holds_nothing():
    """With no worker at work, a key and a click are only dispatched: no hold, no key in the pacing."""
    hold, dispatched = input_hold(busy=False), []
    key, click = events.Key("a", "a"), events.MouseDown(None, 1, 1, 0, 0, 1, False, False, False)
    await route(hold, key, dispatched)
    await route(hold, click, dispatched)
    hold.hold_for_paint(PATIENT.paint_hold_cells)
    assert dispatched == [key, click] and not hold.scheduler.holding and hold.pacing.quiet_until == 0.0


async def test_input_while_training_is_held_until_its_paint():
    """A click (or a key a priority binding ran as it arrived) while the worker is busy holds it from its arrival
    until the paint after it, and not while the chart it asked for is still being built."""
    redrawing = [True]
    hold = InputHold(Scheduler(PATIENT), KeyPacing(PATIENT), lambda: True, lambda: redrawing[0])
    dispatched: list[events.Event] = []
    for event in (events.MouseDown(None, 1, 1, 0, 0, 1, False, False, False), events.Key("s", "s")):
        redrawing[0] = True
        await route(hold, event, dispatched)
        assert dispatched[-1] is event and hold.scheduler.held_for(INPUT) and hold.pacing.quiet_until > 0
        hold.painted()
        assert hold.scheduler.held_for(INPUT)  # its chart is still being built
        redrawing[0] = False
        hold.painted()
        assert not hold.scheduler.holding


def test_a_big_change_while_training_is_held_until_painted():
    """``hold_for_paint`` holds a busy worker for a big change only, until the next paint."""
    hold = input_hold(busy=True)
    hold.hold_for_paint(PATIENT.paint_hold_cells - 1)
    assert not hold.scheduler.holding
    hold.hold_for_paint(PATIENT.paint_hold_cells)
    assert hold.scheduler.held_for(PAINT)
    hold.painted()
    assert not hold.scheduler.holding


# --- an app ending during a hold ---------------------------------------------------------------------------------
async def test_an_app_ending_during_a_hold_puts_the_process_back():
    """``run_test`` ending while the app holds its (stopped) worker: the switch interval is the process's again and
    the collector has its objects back."""
    before = sys.getswitchinterval()
    app = make_app(epochs=10_000_000)
    async with app.run_test(size=(80, 24)) as pilot:
        app.lab_run.session.epochs_per_tick = 0
        await pilot.press("space")
        await pilot.pause(0.1)
        app.scheduler.hold(PAINT)  # a big change marked, and the app ends before it is painted
        assert sys.getswitchinterval() == pytest.approx(app.tuning.held_switch_interval)
        assert gc.get_freeze_count() > 0
    assert sys.getswitchinterval() == before and gc.get_freeze_count() == 0


async def test_an_app_quitting_during_a_hold_puts_the_process_back():
    """q pressed while a key's hold is on (a key with nothing to paint): the same."""
    before = sys.getswitchinterval()
    app = make_app(epochs=10_000_000)
    async with app.run_test(size=(80, 24)) as pilot:
        app.lab_run.session.epochs_per_tick = 0
        await pilot.press("space")
        await pilot.pause(0.1)
        app.scheduler.key_arrived()
        await pilot.press("q")
        await app.workers.wait_for_complete()
    assert app.return_code == 0
    assert sys.getswitchinterval() == before and gc.get_freeze_count() == 0


async def test_an_app_crashing_during_a_hold_puts_the_process_back():
    """An exception out of a handler ends the app: the hold it had ends with it."""
    before = sys.getswitchinterval()
    app = make_app(epochs=10_000_000)

    def crash() -> None:
        raise RuntimeError("a handler failed")

    with pytest.raises(RuntimeError, match="a handler failed"):
        async with app.run_test(size=(80, 24)) as pilot:
            app.scheduler.hold(PAINT)
            app.call_later(crash)
            await pilot.pause()
    assert sys.getswitchinterval() == before and gc.get_freeze_count() == 0


# --- keys and big changes while training -------------------------------------------------------------------------
async def _press_while_training(app: LabApp, scheduler: LoggingScheduler, key: str, changed) -> None:
    """Send ``key`` as the terminal would while the app trains (Pilot's ``press`` waits for the app to go idle, which
    a training app never does), wait until ``changed()`` and the worker is released (the scheduler's ``max_hold``
    is a minute, so only the app's release can end the hold), and check the release was made by a paint that
    showed the change."""
    scheduler.log.clear()
    stop = watch_paints(app, lambda: scheduler.log.append(f"paint {changed()}"))
    event = events.Key(key, key if len(key) == 1 else None)
    app.post_message(event)
    for _ in range(500):  # 5 s
        await asyncio.sleep(0.01)
        if changed() and not scheduler.held_for(INPUT) and "release input" in scheduler.log:
            break
    stop()
    log = scheduler.log
    assert changed() and "hold input" in log and "release input" in log, (key, log)
    # The app hears of a paint before this test's watcher does: a release made by a paint is followed by that
    # paint's entry, with nothing but releases between them.
    held, released = log.index("hold input"), log.index("release input")
    after = next(i for i in range(released, len(log)) if log[i].startswith("paint"))
    assert held < released and log[after] == "paint True", (key, log)
    assert all(entry.startswith("release") for entry in log[released:after]), (key, log)


async def test_keys_hold_the_worker_until_painted():
    """A key bound by the app (cursor down) and a key a widget uses (typing in the prediction field) each hold
    the training worker from their arrival until their change is painted; then training goes on."""
    app, scheduler = logging_app(epochs=10_000_000)
    async with app.run_test(size=(100, 30)) as pilot:
        app.lab_run.session.epochs_per_tick = 0
        await pilot.press("space")
        table = app.query_one(TruthTableView)
        row = table.cursor_row
        await _press_while_training(app, scheduler, "down", lambda: table.cursor_row == row + 1)
        field = app.query_one("#prediction-input", Input)
        field.focus()
        await _press_while_training(app, scheduler, "1", lambda: field.value == "1")
        epoch = app.lab_run.session.trainer.epoch
        for _ in range(500):
            await asyncio.sleep(0.01)
            if app.lab_run.session.trainer.epoch > epoch:
                break
        assert app.lab_run.session.trainer.epoch > epoch and app.running
        table.focus()
        await pilot.press("space")
        await app.workers.wait_for_complete()


async def test_big_redraws_hold_the_worker_until_painted():
    """At 200x50 a new chart (and the network view beside it) holds the worker from its arrival until it is
    painted (a repaint sharing the interpreter with the trainer took twice as long); training goes on after
    each."""
    app, scheduler = logging_app(epochs=10_000_000)
    log = scheduler.log
    async with app.run_test(size=(200, 50)) as pilot:
        app.lab_run.session.epochs_per_tick = 0
        stop = watch_paints(app, lambda: log.append("paint"))
        await pilot.press("space")
        for _ in range(500):
            await asyncio.sleep(0.01)
            if log.count("release paint") >= 3:
                break
        stop()
        watched = log[:]  # the paints are no longer written down from here
        epoch = app.lab_run.session.trainer.epoch
        for _ in range(500):
            await asyncio.sleep(0.01)
            if app.lab_run.session.trainer.epoch > epoch:
                break
        assert app.lab_run.session.trainer.epoch > epoch
        await pilot.press("space")
        await app.workers.wait_for_complete()
    while watched and watched[-1] != "paint":
        watched.pop()
    holds = [i for i, entry in enumerate(watched) if entry == "hold paint"]
    releases = [i for i, entry in enumerate(watched) if entry == "release paint"]
    assert len(releases) >= 3, watched
    for start, end in zip(holds, releases, strict=False):  # each release made by a paint (heard by the app first)
        after = next(i for i in range(end, len(watched)) if not watched[i].startswith("release"))
        assert start < end and watched[after] == "paint", watched


def test_the_seeds_sweep_waits_for_the_interface_before_every_epoch():
    """The sweep shares the training worker, so it honours the same hold: ``wait`` before each epoch."""
    waits, posted = [], []
    experiment = recipe("keras-xor").with_training(epochs=30)
    sweep_loop(1, experiment, range(5), lambda: False, posted.append, wait=lambda: waits.append(len(posted)))
    assert len(waits) == 30 and posted[-1].update.finished


async def test_a_new_scale_is_drawn_at_once_while_training():
    """Pressing l while training redraws the chart at once on the new scale, even when the paced redraw is not due
    for a long while, and the trainer stays held until the new chart is painted."""
    app, scheduler = logging_app(epochs=10_000_000)
    async with app.run_test(size=(100, 30)) as pilot:
        app.lab_run.session.epochs_per_tick = 0
        chart = app.query_one(LossChart)
        chart.min_interval = 3600.0  # after the first drawing, the next paced one waits an hour
        await pilot.press("space")
        for _ in range(500):
            await asyncio.sleep(0.01)
            if chart._built is not None and len(chart.loss):
                break
        lines = chart._built
        await _press_while_training(app, scheduler, "l", lambda: chart.log_scale and chart._built is not lines)
        assert "log10 loss" in "".join(strip.text for strip in chart._built[0])
        table = app.query_one(TruthTableView)
        table.focus()
        await pilot.press("space")
        await app.workers.wait_for_complete()


async def test_a_build_older_than_the_lines_shown_is_dropped():
    """A paced build captured before the person's new scale finishes after it: its lines (the old scale) are not
    shown over the new ones."""
    app = make_app()
    async with app.run_test(size=(100, 30)):
        chart = app.query_one(LossChart)
        older, newer = chart._capture(), chart._capture()
        new_lines, old_lines = [Strip.blank(3)], [Strip.blank(4)]
        assert chart.show_built(LossChart.Built(chart, new_lines, newer, asked=True))
        assert not chart.show_built(LossChart.Built(chart, old_lines, older, asked=False))
        assert chart._built[0] is new_lines and not chart.redrawing_as_asked
