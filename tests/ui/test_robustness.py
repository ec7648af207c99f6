"""Pilot tests of the app under abuse: tiny terminals, resize and key storms, and signals."""

from __future__ import annotations

import asyncio
import os
import pty
import random
import select
import signal
import subprocess
import sys
import time

import pytest
from textual import events

from lab.core.gates import TruthTable
from lab.files.experiment_file import read
from lab.ui.widgets.truth_table import TruthTableView

from tests.ui.helpers import make_app, small_xor_app, status_text

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


def _spawn(args: list[str], env: dict[str, str]) -> tuple[subprocess.Popen, int]:
    main, child = pty.openpty()
    os.set_blocking(main, False)
    proc = subprocess.Popen(args, stdin=child, stdout=child, stderr=child, env=env, close_fds=True)
    os.close(child)
    return proc, main


def _drain(fd: int, seconds: float) -> bytes:
    out = b""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                out += os.read(fd, 65536)
            except OSError:
                break
    return out


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_signal_saves_the_autosave_and_exits(tmp_path, sig):
    """SIGTERM and SIGHUP (a dropped SSH session) write the autosave and exit cleanly, mid-training."""
    env = dict(os.environ, NNLAB_STATE_DIR=str(tmp_path), TERM="xterm-256color", COLUMNS="100", LINES="30")
    proc, fd = _spawn([sys.executable, "-m", "lab"], env)
    try:
        out = _drain(fd, 4.0)
        assert b"Truth table" in out
        os.write(fd, b" ")  # start training
        _drain(fd, 1.0)
        proc.send_signal(sig)
        start = time.monotonic()
        while proc.poll() is None and time.monotonic() - start < 5:
            _drain(fd, 0.1)
        assert proc.returncode is not None and time.monotonic() - start < 3
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(fd)
    experiment, trainer = read(tmp_path / "autosave.json")
    assert trainer is not None and trainer.epoch > 0


def test_kill_9_then_restart_offers_the_last_autosave(tmp_path):
    """After kill -9 mid-training (no chance to save on exit), the next start offers the periodic autosave."""
    env = dict(os.environ, NNLAB_STATE_DIR=str(tmp_path), TERM="xterm-256color", COLUMNS="100", LINES="30")
    proc, fd = _spawn([sys.executable, "-m", "lab"], env)
    try:
        assert b"Truth table" in _drain(fd, 4.0)
        os.write(fd, b" ")  # start training
        deadline = time.monotonic() + 20
        while not (tmp_path / "autosave.json").exists() and time.monotonic() < deadline:
            _drain(fd, 0.2)
        assert (tmp_path / "autosave.json").exists()
        proc.kill()
        proc.wait(5)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(fd)
    proc, fd = _spawn([sys.executable, "-m", "lab"], env)
    try:
        out = b""
        deadline = time.monotonic() + 20
        while b"Restore your last session" not in out and time.monotonic() < deadline:
            out += _drain(fd, 0.2)
        assert b"Restore your last session" in out
    finally:
        proc.kill()
        proc.wait(5)
        os.close(fd)
