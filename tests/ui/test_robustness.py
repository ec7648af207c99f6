"""Pilot tests of the app under abuse: tiny terminals, resize and key storms, and signals."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import threading
import time

import pytest
from textual import events

from lab.core.gates import TruthTable
from lab.files.experiment_file import read
from lab.ui.widgets.truth_table import TruthTableView

from tests.ui.helpers import make_app, small_xor_app, status_text
from tests.ui.pty_helpers import START, drain, spawn, stop, wait_exit

EXIT_BOUND = 10.0  # seconds a signalled or hung-up nnlab may take to end before the test fails (a bound, not a target)

KEYS = ["space", "s", "r", "n", "left_square_bracket", "right_square_bracket", "comma", "full_stop", "l",
        "up", "down", "left", "right", "enter", "f", "h", "plus", "minus", "o", "O", "e", "p", "a", "x", "c",
        "tab", "shift+tab", "escape", "y", "n", "1", "0", "backspace", "question_mark", "home", "end"]


async def test_too_small_terminal_asks_for_room():
    """Below 80x24 the panes give way to a message naming the minimum; back at 80x24 they return."""
    app = make_app()
    async with app.run_test(size=(70, 20)) as pilot:
        await pilot.pause()
        message = app.query_one("#too-small")
        assert message.display and "at least 80x24" in str(message.render())
        assert not app.query_one("#main").display
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert app.query_one("#main").display
        assert not app.query_one("#too-small").display


async def test_resize_storm_while_training():
    """Resizing again and again while training keeps one worker and a consistent screen."""
    app = small_xor_app(epochs=1_000_000)
    sizes = [(80, 24), (200, 60), (120, 40), (70, 20), (100, 30), (81, 25), (160, 48)]
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("space")
        for i in range(20):
            await pilot.resize_terminal(*sizes[i % len(sizes)])
            await pilot.pause(0.01)
        assert app.running
        await pilot.press("space")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "paused" in status_text(app) or "solved" in status_text(app)


@pytest.mark.parametrize("seed", [1, 2])
async def test_key_storm(seed):
    """2,000 random keys (seeded) across every pane with random resizes while training: no exception, at most
    one training worker, a valid table and architecture, and a status line that matches the trainer."""
    rng = random.Random(seed)
    app = small_xor_app(epochs=200_000)
    async with app.run_test(size=(100, 30)) as pilot:
        app.session.epochs_per_tick = 1
        await pilot.press("space")
        for i in range(1000):
            await send_key(pilot, rng.choice(KEYS))
            if i % 25 == 0:
                await pilot.pause()
            if i % 97 == 0:
                await pilot.resize_terminal(rng.randint(60, 200), rng.randint(18, 60))
            alive = [w for w in app.workers if w.group == "training" and w.is_running and not w.is_cancelled]
            assert len(alive) <= 1
        for _ in range(50):  # keys in flight when a dialog opened can open more: answer every one
            await pilot.pause()
            if len(app.screen_stack) <= 1:
                break
            await send_key(pilot, "escape")
        assert len(app.screen_stack) == 1
        app.query_one(TruthTableView).focus()  # the storm may leave a text field focused, where space is typed
        if app.running:
            await pilot.press("space")
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.query_one(TruthTableView).table
        assert isinstance(table, TruthTable) and table == app.experiment.table
        trainer = app.session.trainer
        assert trainer.net.shape == app.experiment.shape
        status = status_text(app)
        assert f"epoch {trainer.epoch:,}/" in status
        assert not app.running


async def send_key(pilot, key: str) -> None:
    """Hand a key to the app as the terminal would, without Pilot's wait for an idle process (a training process
    is never idle)."""
    app = pilot.app
    char = key if len(key) == 1 else {"space": " "}.get(key)
    event = events.Key(key, char)
    event.set_sender(app)
    app._driver.send_message(event)
    await asyncio.sleep(0)


def _trained_autosave(folder) -> bool:
    """Whether ``folder`` holds an autosave with a trained network."""
    experiment, trainer = read(folder / "autosave.json")
    return trainer is not None and trainer.epoch > 0


def _start_training(tmp_path, controlling: bool = False):
    proc, fd = spawn(tmp_path, controlling=controlling)
    assert b"Truth table" in drain(fd, START, until=b"Truth table")
    for _ in range(3):  # a key pressed while the app is still starting can be lost: press until it trains
        os.write(fd, b" ")
        if b"training" in drain(fd, 5.0, until=b"training"):
            break
    drain(fd, 1.0)
    return proc, fd


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_signal_saves_the_autosave_and_exits(tmp_path, sig):
    """SIGTERM and SIGHUP (a dropped SSH session) write the autosave and end the process, mid-training (the time
    limit bounds a failure; bench_hangup measures the time)."""
    proc, fd = _start_training(tmp_path)
    try:
        proc.send_signal(sig)
        assert wait_exit(proc, EXIT_BOUND, fd)
    finally:
        stop(proc, fd)
    assert _trained_autosave(tmp_path)


@pytest.mark.parametrize("controlling", [True, False], ids=["sighup-and-eio", "eio-only"])
def test_hangup_saves_the_autosave_and_exits(tmp_path, controlling):
    """The terminal goes away mid-training (the pty's master side closes, as when an SSH window is closed): as the
    process's controlling terminal (SIGHUP, then every read and write fails) or not (only the failures tell). The
    process autosaves and ends."""
    proc, fd = _start_training(tmp_path, controlling=controlling)
    os.close(fd)
    try:
        assert wait_exit(proc, EXIT_BOUND)
    finally:
        stop(proc, None)
    assert _trained_autosave(tmp_path)


def test_sigterm_while_the_terminal_takes_no_output(tmp_path):
    """A terminal that stops reading (a stalled SSH link): the pty's buffer fills, Textual's writer thread blocks,
    its queue fills and the event loop blocks on it. SIGTERM still autosaves and ends the process (forced, since the
    orderly exit would wait for the terminal for ever)."""
    proc, fd = _start_training(tmp_path)
    try:
        time.sleep(3.0)  # nothing reads the terminal now: training output fills the pty and then the queue
        proc.send_signal(signal.SIGTERM)
        assert wait_exit(proc, EXIT_BOUND)  # still not reading
    finally:
        stop(proc, fd)
    assert _trained_autosave(tmp_path)


async def test_leave_now_from_another_thread_autosaves_and_exits(tmp_path):
    """``leave_now``, as a signal handler's thread or the driver calls it: the autosave is written, training stops
    and the app exits; a second call does nothing."""
    app = small_xor_app(epochs=1_000_000)
    app.autosave_path = tmp_path / "autosave.json"
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("space")
        await pilot.pause(0.3)
        caller = threading.Thread(target=app.leave_now)
        caller.start()
        caller.join(10)
        app.leave_now()
        await pilot.pause(0.3)
        assert _trained_autosave(tmp_path)
    assert app.return_code == 0 and not app.running


def test_kill_9_then_restart_offers_the_last_autosave(tmp_path):
    """After kill -9 mid-training (no chance to save on exit), the next start offers the periodic autosave."""
    proc, fd = spawn(tmp_path)
    try:
        assert b"Truth table" in drain(fd, START, until=b"Truth table")
        os.write(fd, b" ")  # start training
        deadline = time.monotonic() + 20
        while not (tmp_path / "autosave.json").exists() and time.monotonic() < deadline:
            drain(fd, 0.2)
        assert (tmp_path / "autosave.json").exists()
        proc.kill()
        proc.wait(5)
    finally:
        stop(proc, fd)
    proc, fd = spawn(tmp_path)
    try:
        assert b"Restore your last session" in drain(fd, START, until=b"Restore your last session")
    finally:
        stop(proc, fd)
