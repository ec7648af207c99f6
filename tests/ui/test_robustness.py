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
from lab.ui.textual_adapter import TerminalInput
from lab.ui.widgets.architecture import SettingsList
from lab.ui.widgets.prediction import PredictionPane
from lab.ui.widgets.truth_table import TruthTableView

from tests.ui.helpers import make_app, send_key, small_xor_app, status_text, until
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
        app.lab_run.session.epochs_per_tick = 1  # a slow run: Pilot's waits for an idle process end quickly
        await pilot.press("space")
        for i in range(20):
            await pilot.resize_terminal(*sizes[i % len(sizes)])
            await pilot.pause(0.01)
        assert app.running
        await pilot.press("space")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "paused" in status_text(app) or "solved" in status_text(app)


PASTES = ("[/] 0", "[bold", "[link=x]x[/link]", "[@click=app.quit]q[/]", "1 0", "a ^ b", "16:relu", "\x00\x1b[2J",
          "é" * 300, "line one\nline two", "")
SEQUENCES = (b"\x1b[99999999999999999999~", b"\x1b[1114112u", b"\x1b[48;100000;100000;0;0t", b"\xe9a", b"\xff",
             b"\x1b[200~[/] pasted\x1b[201~", b"\x1b[<0;5000;5000M", b"\x1b[<64;10;10M", b"\x1b[6~", b"\x1b[A",
             b"\x1b[1;5C", b"\x1b", b"\x1b[", b"\x1bO", b"\xc3", b"\xa9")
LEAVING = {"q", "ctrl+c", "ctrl+q", "ctrl+z"}  # keys that quit or suspend end a storm early: left out of it


def random_bytes(rng: random.Random) -> bytes:
    """A burst as a terminal might send it, or garbage: known bad sequences, pieces of sequences, random bytes."""
    parts = []
    for _ in range(rng.randint(1, 4)):
        kind = rng.random()
        if kind < 0.4:
            parts.append(rng.choice(SEQUENCES))
        elif kind < 0.7:
            parts.append(bytes(rng.randrange(256) for _ in range(rng.randint(1, 6))))
        else:
            parts.append(b"\x1b[" + ";".join(str(rng.choice([0, 1, 5, 48, 10**rng.randint(1, 25)]))
                                              for _ in range(rng.randint(1, 4))).encode() + rng.choice(b"~uMmtRABCD")
                         .to_bytes(1, "big"))
    return b"".join(parts)


async def storm(seed: int, actions: int) -> None:
    """``actions`` random keys, byte bursts read through the guarded terminal input (``TerminalInput``), pastes
    and resizes, while training; then: no exception, at most one training worker at any time, and every pane
    consistent with the experiment and the trainer."""
    rng = random.Random(seed)
    terminal = TerminalInput()
    app = small_xor_app(epochs=200_000)
    async with app.run_test(size=(100, 30)) as pilot:
        app.lab_run.session.epochs_per_tick = 1
        await pilot.press("space")
        for i in range(actions):
            kind = rng.random()
            if kind < 0.6:
                await send_key(pilot, rng.choice(KEYS))
            elif kind < 0.85:
                found = terminal.feed(random_bytes(rng)) + terminal.tick()
                for event in found:
                    if isinstance(event, events.Resize) or (isinstance(event, events.Key) and event.key in LEAVING):
                        continue  # resizes come from resize_terminal; quitting ends the storm
                    app.post_message(event)
                await asyncio.sleep(0)
            elif kind < 0.97:
                app.post_message(events.Paste(rng.choice(PASTES)))
                await asyncio.sleep(0)
            else:
                await pilot.resize_terminal(rng.randint(60, 200), rng.randint(18, 60))
            if i % 25 == 0:
                await pilot.pause()
            alive = [w for w in app.workers if w.group == "training" and w.is_running and not w.is_cancelled]
            assert len(alive) <= 1
        assert app.is_running
        await pilot.resize_terminal(100, 30)
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
        trainer = app.lab_run.session.trainer
        assert trainer.net.shape == app.experiment.shape
        settings = app.query_one(SettingsList)
        assert (settings.architecture, settings.training) == (app.experiment.architecture, app.experiment.training)
        prediction = app.query_one(PredictionPane)
        assert (prediction.n_inputs, prediction.output_names) == (table.n_inputs, table.output_names)
        status = status_text(app)
        assert f"epoch {trainer.epoch:,}/" in status
        assert not app.running
        assert app.is_running


@pytest.mark.long
@pytest.mark.parametrize("seed", [1, 2])
async def test_key_storm(seed, tmp_path, monkeypatch):
    """A quick storm (two seeded runs of 1,000 actions) of keys, terminal bytes, pastes and resizes while training.
    It runs in a folder of its own: the keys save and export under whatever names they happen to type."""
    monkeypatch.chdir(tmp_path)
    await storm(seed, 1000)


@pytest.mark.storm_full
@pytest.mark.parametrize("seed", range(3, 11))
async def test_key_storm_full(request, seed, tmp_path, monkeypatch):
    """The full storm: eight more seeds of 5,000 actions each, in a folder of its own; run with ``-m storm_full``."""
    if "storm_full" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("the full key storm runs with -m storm_full")
    monkeypatch.chdir(tmp_path)
    await storm(seed, 5000)


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
    app.files.autosave_path = tmp_path / "autosave.json"
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("space")
        await until(pilot, lambda: app.lab_run.session.trainer.epoch > 0, "the first epochs")
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


@pytest.mark.parametrize("text", ["a\x00b", "dir\x00/x", "x" * 300 + "/y"])
async def test_path_dialog_survives_a_path_no_file_can_have(text):
    """A path with a NUL byte (or too long a name) pasted into the open dialog: its completion finds nothing
    (``os.scandir`` raised ``ValueError`` in the dialog's suggester, ending the app); enter names the problem."""
    app = small_xor_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+o", "ctrl+a", "ctrl+k")
        app.post_message(events.Paste(text))
        await pilot.pause(0.2)
        await app.workers.wait_for_complete()
        assert app.is_running
        await pilot.press("escape")
        assert len(app.screen_stack) == 1
