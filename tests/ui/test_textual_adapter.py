"""The Textual adapter (``lab.ui.textual_adapter``) and the command palette guard: each byte sequence that ended
Textual 8.2's own driver, fed to the adapter's input path and to a real ``nnlab`` under a pty; the writer that must
not hang on a dead terminal; ``ctrl+p`` then ``page down`` at once; the hook after every paint and the reading of
"a widget used this key"."""

from __future__ import annotations

import os
import pty
import threading
import time

import pytest
from textual import events
from textual._xterm_parser import XTermParser
from textual.app import App
from textual.drivers._writer_thread import WriterThread
from textual.drivers.linux_driver import LinuxDriver
from textual.keys import Keys
from textual.message import Message

from lab.ui.screens.palette import LabCommandPalette
from lab.ui.textual_adapter import (
    CHECKED_AGAINST,
    MAX_SIZE,
    GuardedLinuxDriver,
    TerminalFile,
    TerminalInput,
    key_was_used,
    terminal_driver,
    watch_paints,
)

from tests.ui.helpers import small_xor_app, until
from tests.ui.pty_helpers import START, drain, spawn, stop

HUGE_KEY = b"\x1b[99999999999999999999~"  # OverflowError in chr() inside Textual's parser
BEYOND_UNICODE = b"\x1b[1114112u"  # ValueError in chr()
HUGE_RESIZE = b"\x1b[48;100000;100000;0;0t"  # an in-band resize to 100000x100000 cells
BAD_UTF8 = b"\xe9a"  # a lead byte followed by a letter: UnicodeDecodeError in a strict decoder

CASES = {"bad-utf8": BAD_UTF8, "huge-number": HUGE_KEY, "beyond-unicode": BEYOND_UNICODE, "huge-resize": HUGE_RESIZE}


def events_of(data: bytes) -> list:
    """Every event ``data`` makes, escape sequences completed (the parser's escape delay waited out)."""
    terminal = TerminalInput()
    out = terminal.feed(data)
    time.sleep(0.2)
    return out + terminal.tick()


def keys(found: list) -> list[str]:
    return [e.key for e in found if isinstance(e, events.Key)]


def test_the_privates_the_adapter_relies_on_exist():
    """The adapter overrides or wraps these Textual privates; a Textual that renames one fails here first."""
    assert callable(getattr(XTermParser, "_sequence_to_key_events", None))
    assert callable(getattr(LinuxDriver, "run_input_thread", None))
    assert "_file" in LinuxDriver.start_application_mode.__code__.co_names  # WriterThread(self._file)
    assert callable(getattr(App, "_display", None))  # watch_paints
    assert "_stop_propagation" in Message.__slots__  # key_was_used
    assert CHECKED_AGAINST.startswith("8.2.")


@pytest.mark.parametrize("case", list(CASES))
def test_input_survives_each_bad_sequence(case):
    """Each sequence gives no event that could hurt (at most a replacement character), and the input after it
    is read as usual."""
    found = events_of(CASES[case] + b"x")
    assert keys(found)[-1] == "x"
    assert all(k in ("replacement_character", "a", "x") for k in keys(found))
    assert not any(isinstance(e, events.Resize) for e in found)
    assert not any(isinstance(e, events.Key) and e.key == Keys.Ignore for e in found)


def test_bad_utf8_becomes_a_replacement_character():
    assert keys(events_of(BAD_UTF8)) == ["replacement_character", "a"]
    assert [e.character for e in events_of(b"\xff")] == ["\ufffd"]


def test_a_sane_resize_still_passes():
    found = events_of(b"\x1b[48;30;100;0;0t")
    assert [e.size for e in found if isinstance(e, events.Resize)] == [(100, 30)]
    width, height = MAX_SIZE
    assert not events_of(f"\x1b[48;{height};{width + 1};0;0t".encode())


def test_a_sequence_cut_between_reads_completes():
    """A read may end inside a sequence or a UTF-8 character: the next read completes it."""
    terminal = TerminalInput()
    assert terminal.feed(b"\xc3") == []
    found = terminal.feed(b"\xa9\x1b[200~[/] 0") + terminal.feed(b"\x1b[201~")
    assert [e.character for e in found if isinstance(e, events.Key)] == ["é"]
    assert [e.text for e in found if isinstance(e, events.Paste)] == ["[/] 0"]


def test_terminal_driver_keeps_textuals_other_choices():
    """Only Textual's own LinuxDriver is replaced; a served lab's web driver (TEXTUAL_DRIVER) is left alone."""
    from textual.drivers.headless_driver import HeadlessDriver

    assert terminal_driver(LinuxDriver) is GuardedLinuxDriver
    assert terminal_driver(HeadlessDriver) is HeadlessDriver


def _dead_terminal():
    """A pty whose other side has gone: writes fail with EIO, as after an SSH hangup."""
    main, child = pty.openpty()
    os.close(main)
    return os.fdopen(child, "w")


def test_terminal_file_drops_output_once_the_terminal_is_gone():
    lost = []
    file = _dead_terminal()
    out = TerminalFile(file, lambda: lost.append(1))
    for _ in range(3):
        out.write("x" * 10_000)
        out.flush()
    assert out.gone and lost == [1]
    try:
        file.close()
    except OSError:
        pass


def test_writer_thread_on_a_dead_terminal_does_not_hang():
    """Textual's writer thread, writing to a dead terminal through ``TerminalFile``, empties its queue and stops:
    with the bare file it died at the first write, its queue of 30 filled, and the next write waited for ever."""
    file = _dead_terminal()
    writer = WriterThread(TerminalFile(file, lambda: None))  # type: ignore[arg-type]
    writer.start()
    done = threading.Event()

    def write_then_stop() -> None:
        for _ in range(200):
            writer.write("\x1b[2J" + "x" * 1000)
        writer.stop()
        done.set()

    threading.Thread(target=write_then_stop, daemon=True).start()
    assert done.wait(30), "the writer thread hung on the dead terminal"


async def test_ctrl_p_then_page_down_at_once():
    """``ctrl+p`` and ``page down`` arriving together (one read from the terminal): the page key reaches the
    palette before its list is laid out; the palette opens and the app lives, and paging works once laid out."""
    app = small_xor_app()
    async with app.run_test(size=(100, 30)) as pilot:
        for key in ("ctrl+p", "pagedown", "pageup", "pagedown"):
            app.post_message(events.Key(key, None))
        await until(pilot, lambda: isinstance(app.screen, LabCommandPalette), "the palette")
        await pilot.press("pagedown", "pageup", "pagedown")
        assert app.is_running
        await pilot.press("escape")
        assert not isinstance(app.screen, LabCommandPalette)


@pytest.mark.parametrize("case", [*CASES, "ctrl+p page-down"])
def test_real_nnlab_survives_the_bytes(tmp_path, case):
    """The bytes reach a real ``nnlab`` through its terminal; it stays up and answers the next key (``?``)."""
    proc, fd = spawn(tmp_path)
    try:
        assert b"Truth table" in drain(fd, START, until=b"Truth table")
        os.write(fd, b"\x10\x1b[6~" if case == "ctrl+p page-down" else CASES[case])
        drain(fd, 1.0)
        if case == "ctrl+p page-down":
            for _ in range(2):  # the first escape may only hide the palette's list, the second closes it
                os.write(fd, b"\x1b")
                drain(fd, 0.5)
        assert proc.poll() is None
        helped = False
        for _ in range(3):  # a key that lands in an escape key's wait can be read as alt+?: press again
            os.write(fd, b"?")
            if b"nnlab keys" in drain(fd, 5.0, until=b"nnlab keys"):
                helped = True
                break
        assert helped and proc.poll() is None
    finally:
        stop(proc, fd)


async def test_restore_now_gives_the_terminal_back():
    """The forced exit's last act, on a real pty: the saved terminal settings return and the restore sequence
    (main screen, cursor, no mouse reports) is written straight to the terminal; on a terminal that is gone it
    does nothing."""
    import signal
    import termios
    import tty

    from lab.ui.textual_adapter import RESTORE

    main, child = pty.openpty()
    saved = termios.tcgetattr(child)
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGTSTP, signal.SIGCONT)}
    try:
        driver = GuardedLinuxDriver(small_xor_app())  # Textual's constructor sets SIGTSTP/SIGCONT handlers
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    driver.fileno = child
    driver._terminal = TerminalFile(os.fdopen(os.dup(child), "w"), lambda: None)
    driver.attrs_before = saved
    tty.setraw(child)
    driver.restore_now()
    assert termios.tcgetattr(child)[3] == saved[3]  # local modes (echo, canonical) back
    assert drain(main, 1.0, until=RESTORE.encode()[-6:]).endswith(RESTORE.encode())
    driver._terminal.gone = True
    tty.setraw(child)
    driver.restore_now()
    assert termios.tcgetattr(child)[3] != saved[3]
    os.close(main)
    os.close(child)


async def test_watch_paints_tells_every_watcher_after_each_paint_until_stopped():
    """Each watcher hears of every compositor pass (a headless app's too) until it stops watching; another goes on."""
    app = small_xor_app()
    async with app.run_test(size=(100, 30)) as pilot:
        first: list[int] = []
        second: list[int] = []
        stop_first = watch_paints(app, lambda: first.append(1))
        stop_second = watch_paints(app, lambda: second.append(1))
        app.screen.refresh()
        await pilot.pause()
        assert first and second
        stop_first()
        seen = len(first)
        await pilot.press("down")
        await pilot.pause()
        assert len(first) == seen and len(second) > seen
        stop_second()
        stop_second()  # stopping twice is harmless


async def test_key_was_used_tells_a_widget_key_from_one_left_to_the_bindings():
    """A key typed into a field is used by it (stopped); a key nobody stops goes on up to the bindings."""
    from textual.widgets import Input

    heard: list[bool] = []

    class Field(Input):
        async def _on_key(self, event: events.Key) -> None:
            await super()._on_key(event)
            heard.append(key_was_used(event))

    class Small(App[None]):
        def compose(self):
            yield Field()

    async with Small().run_test() as pilot:
        await pilot.press("a", "f1")
    assert heard == [True, False]


async def test_a_palette_closed_twice_closes_once():
    """The palette closed (escape) and then closed again by a queued enter: the second close changes nothing, neither
    popping the screen below it nor failing on the last screen (which ended the app in a key storm)."""
    app = small_xor_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+p")
        palette = app.screen
        assert isinstance(palette, LabCommandPalette)
        palette.dismiss()
        await pilot.pause()
        main = app.screen
        palette.dismiss()
        await pilot.pause()
        assert app.screen is main and len(app.screen_stack) == 1 and app.is_running
