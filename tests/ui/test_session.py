"""The session's hold: a key press pauses the worker between chunks until its effect is painted, never for long."""

from __future__ import annotations

import asyncio
import sys
import threading

import pytest
from textual import events
from textual.strip import Strip
from textual.widgets import Input

import lab.ui.session as session_module
from lab.core.recipes import recipe
from lab.ui.app import LabApp
from lab.ui.session import HELD_SWITCH_INTERVAL, MAX_HOLD, Session
from lab.ui.sweep_loop import sweep_loop
from lab.ui.widgets.chart import LossChart
from lab.ui.widgets.truth_table import TruthTableView
from tests.ui.helpers import make_app


def test_a_hold_without_release_expires():
    """A lost release costs one MAX_HOLD at most: the worker is never stuck."""
    session = Session(recipe("keras-xor"))
    session.hold()
    session.wait_for_interface()
    assert 0 < session.held_seconds < MAX_HOLD + 0.5


def test_release_lets_a_waiting_worker_go():
    """The worker waits while held and goes on once the interface releases it."""
    session = Session(recipe("keras-xor"))
    session.hold()
    session._hold_until += 60  # long enough that only the release can end the wait
    done = threading.Event()
    worker = threading.Thread(target=lambda: (session.wait_for_interface(), done.set()))
    worker.start()
    assert not done.wait(0.05)
    session.release()
    assert done.wait(5)
    worker.join()


def test_no_hold_no_wait():
    """Without a hold the worker does not wait at all."""
    session = Session(recipe("keras-xor"))
    session.wait_for_interface()
    assert session.held_seconds == 0


def test_holds_for_different_reasons_end_separately():
    """A paint's hold ending does not end a key's (still being handled), and the other way round."""
    session = Session(recipe("keras-xor"))
    session.hold("input")
    session.hold("paint")
    session.release("paint")
    assert not session._interface_idle.is_set() and session.held_for("input")
    session.release("input")
    assert session._interface_idle.is_set()
    session.hold("input")
    session.hold("paint")
    session.release(None)
    assert session._interface_idle.is_set() and not session.held_for("paint")


def test_a_hold_shortens_the_switch_interval_until_released():
    """While held, other threads give the interpreter up after HELD_SWITCH_INTERVAL; the release, or the deadline
    seen by the worker, puts the interpreter's own interval back."""
    before = sys.getswitchinterval()
    session = Session(recipe("keras-xor"))
    session.hold()
    assert sys.getswitchinterval() == pytest.approx(HELD_SWITCH_INTERVAL)
    session.release()
    assert sys.getswitchinterval() == pytest.approx(before)
    session.hold()
    session.wait_for_interface()  # the deadline passes
    assert sys.getswitchinterval() == pytest.approx(before)


async def _press_while_training(app: LabApp, key: str, changed) -> None:
    """Send ``key`` as the terminal would while the app trains, wait until ``changed()`` and the worker is released
    (with MAX_HOLD made 30 s by the caller, only the app's release can end the hold in time), and check that the
    release came after a paint of the change."""
    log: list[tuple[str, bool]] = []
    paint, release = app._display, app.session.release
    app._display = lambda screen, renderable: (log.append(("paint", changed())), paint(screen, renderable))
    def release_logged(reason="input"):
        if reason == "input":
            log.append(("release", changed()))
        release(reason)

    app.session.release = release_logged
    event = events.Key(key, key if len(key) == 1 else None)
    event.set_sender(app)
    app._driver.send_message(event)
    for _ in range(500):  # 5 s
        await asyncio.sleep(0.01)
        if changed() and app.session._interface_idle.is_set():
            break
    del app._display, app.session.release
    assert changed() and app.session._interface_idle.is_set(), key
    first_release = log.index(next(entry for entry in log if entry[0] == "release"))
    assert ("paint", True) in log[:first_release], (key, log)


async def test_keys_hold_the_worker_until_painted(monkeypatch):
    """A key bound by the app (cursor down) and a key a widget uses (typing in the prediction field) each hold
    the training worker from their arrival until their change is painted; then training goes on."""
    monkeypatch.setattr(session_module, "MAX_HOLD", 30.0)
    app = make_app(epochs=10_000_000)
    async with app.run_test(size=(100, 30)) as pilot:
        app.session.epochs_per_tick = 0
        await pilot.press("space")
        table = app.query_one(TruthTableView)
        row = table.cursor_row
        await _press_while_training(app, "down", lambda: table.cursor_row == row + 1)
        field = app.query_one("#prediction-input", Input)
        field.focus()
        await _press_while_training(app, "1", lambda: field.value == "1")
        epoch = app.session.trainer.epoch
        for _ in range(500):
            await asyncio.sleep(0.01)
            if app.session.trainer.epoch > epoch:
                break
        assert app.session.trainer.epoch > epoch and app.running
        table.focus()
        await pilot.press("space")
        await app.workers.wait_for_complete()


async def test_big_redraws_hold_the_worker_until_painted(monkeypatch):
    """At 200x50 a new chart (and the network view beside it) holds the worker from its arrival until it is
    painted (a repaint sharing the interpreter with the trainer took twice as long); training goes on after
    each."""
    monkeypatch.setattr(session_module, "MAX_HOLD", 30.0)
    app = make_app(epochs=10_000_000)
    log: list[str] = []
    async with app.run_test(size=(200, 50)) as pilot:
        app.session.epochs_per_tick = 0
        paint, hold, release = app._display, app.session.hold, app.session.release

        def hold_logged(reason="input"):
            log.append(f"hold {reason}")
            hold(reason)

        def release_logged(reason="input"):
            log.append(f"release {reason}")
            release(reason)

        app._display = lambda screen, renderable: (log.append("paint"), paint(screen, renderable))
        app.session.hold, app.session.release = hold_logged, release_logged
        await pilot.press("space")
        for _ in range(500):
            await asyncio.sleep(0.01)
            if log.count("release paint") >= 3:
                break
        del app._display, app.session.hold, app.session.release
        epoch = app.session.trainer.epoch
        for _ in range(500):
            await asyncio.sleep(0.01)
            if app.session.trainer.epoch > epoch:
                break
        assert app.session.trainer.epoch > epoch
        await pilot.press("space")
        await app.workers.wait_for_complete()
    holds = [i for i, entry in enumerate(log) if entry == "hold paint"]
    releases = [i for i, entry in enumerate(log) if entry == "release paint"]
    assert len(releases) >= 3, log
    for start, end in zip(holds, releases):
        assert start < end and "paint" in log[start:end], log


def test_the_seeds_sweep_waits_for_the_interface_before_every_epoch():
    """The sweep shares the training worker, so it honours the same hold: ``wait`` before each epoch."""
    waits, posted = [], []
    experiment = recipe("keras-xor").with_training(epochs=30)
    sweep_loop(1, experiment, range(5), lambda: False, posted.append, wait=lambda: waits.append(len(posted)))
    assert len(waits) == 30 and posted[-1].update.finished


async def test_a_new_scale_is_drawn_at_once_while_training(monkeypatch):
    """Pressing l while training redraws the chart at once on the new scale, even when the paced redraw is not due
    for a long while, and the trainer stays held until the new chart is painted."""
    monkeypatch.setattr(session_module, "MAX_HOLD", 30.0)
    app = make_app(epochs=10_000_000)
    async with app.run_test(size=(100, 30)) as pilot:
        app.session.epochs_per_tick = 0
        chart = app.query_one(LossChart)
        chart.min_interval = 3600.0  # after the first drawing, the next paced one waits an hour
        await pilot.press("space")
        for _ in range(500):
            await asyncio.sleep(0.01)
            if chart._built is not None and len(chart.loss):
                break
        lines = chart._built
        await _press_while_training(app, "l", lambda: chart.log_scale and chart._built is not lines)
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
