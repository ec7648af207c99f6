"""Every use of Textual's private parts, in one place: a terminal driver that no byte from the terminal can crash and
no dead terminal can hang, a hook after every paint, and whether a widget used a key.

Checked against Textual 8.2.8 (``CHECKED_AGAINST``; ``tests/ui/test_textual_adapter.py`` exercises each part).

Textual has no public event for "the screen was painted" nor a public reading of "a widget stopped this event", and
the lab's scheduling needs both (``lab.ui.scheduling``): ``watch_paints`` wraps the app's ``_display``, the method
every compositor pass ends in, and ``key_was_used`` reads the event's stop flag (set by ``Message.stop``).

Textual's own ``LinuxDriver`` reads the terminal in a thread that ends the app on the first exception, and in 8.2:

- it decodes with a strict UTF-8 decoder, so one invalid byte (``0xE9`` then a letter) raises ``UnicodeDecodeError``;
- its escape-sequence parser (``textual._xterm_parser.XTermParser``) turns numbers into characters with ``chr``, so
  ``ESC [ 99999999999999999999 ~`` raises ``OverflowError`` and ``ESC [ 1114112 u`` ``ValueError``; and it accepts an
  in-band resize report of any size (``ESC [ 48 ; 100000 ; 100000 ; 0 ; 0 t`` asks for ten billion cells);
- its writer thread (``textual.drivers._writer_thread.WriterThread``) dies on the first failed write to a terminal
  that has gone (``EIO`` after a hangup); its queue then fills, and the next write of the app, or the join at
  shutdown, waits forever.

``GuardedLinuxDriver`` keeps Textual's driver and replaces just these: its input thread reads through
``TerminalInput`` (``errors="replace"`` decoding, so a bad byte becomes ``�``; ``GuardedParser``, which drops a
sequence whose numbers are out of range as an ignored key; no resize beyond ``MAX_SIZE``; a fresh parser should
anything else escape one), its writer thread writes to a ``TerminalFile`` that drops output once the terminal is
gone, and the end of the terminal (``EIO`` or end of file on read, or a failed write) reaches the app's
``leave_now`` hook, once.
"""

from __future__ import annotations

import os
import selectors
import termios
import threading
from codecs import getincrementaldecoder
from collections.abc import Callable, Iterable
from typing import IO, Any

from textual import events
from textual._xterm_parser import XTermParser
from textual.app import App
from textual.drivers.linux_driver import LinuxDriver
from textual.keys import Keys
from textual.message import Message

CHECKED_AGAINST = "8.2.8"
"""The Textual version whose privates this module was written and tested against."""

MAX_SIZE = (1000, 500)
"""The largest terminal (columns, rows) a resize may report; a bigger one is a bogus sequence, not a screen."""

READ_SIZE = 4096

RESTORE = ("\x1b[?2004l"  # bracketed paste off
           "\x1b[?1000l\x1b[?1003l\x1b[?1015l\x1b[?1006l"  # mouse reports off
           "\x1b[?1004l"  # focus reports off
           "\x1b[<u"  # the Kitty key protocol popped
           "\x1b[?7h"  # line wrap on
           "\x1b[?1049l\x1b[?25h")  # the main screen, the cursor shown
"""What Textual's driver writes on the way out, for a forced exit to write at once."""


def watch_paints(app: App[Any], callback: Callable[[], None]) -> Callable[[], None]:
    """Call ``callback()`` after every compositor pass of ``app`` (the one place a paint can be seen; headless apps
    pass too, without writing), until the returned function is called. Textual keeps this private: the app's
    ``_display`` is wrapped, once per app, for as long as a callback watches."""
    watchers: list[Callable[[], None]] | None = getattr(app, "_nnlab_paint_watchers", None)
    if watchers is None:
        watchers = []
        display = app._display

        def display_and_tell(screen: Any, renderable: Any) -> None:
            display(screen, renderable)
            for watcher in tuple(watchers):
                watcher()

        app._nnlab_paint_watchers = watchers  # type: ignore[attr-defined]
        app._display = display_and_tell  # type: ignore[method-assign]
    watchers.append(callback)

    def stop() -> None:
        if callback in watchers:
            watchers.remove(callback)

    return stop


def key_was_used(event: events.Key) -> bool:
    """Whether a widget used ``event`` (it stopped the event: typing in a field), so it will not bubble up to the
    app's bindings. Textual keeps this flag private (``Message._stop_propagation``)."""
    return bool(getattr(event, "_stop_propagation", True))


def app_exception(app: Any) -> BaseException | None:
    """The exception that ended ``app`` (Textual keeps the first unhandled one, privately, as ``App._exception``),
    or None."""
    error = getattr(app, "_exception", None)
    return error if isinstance(error, BaseException) else None


def restore_terminal(app: Any) -> None:
    """``restore_now`` on the app's driver, when it is a ``GuardedLinuxDriver`` (Textual keeps the driver private)."""
    driver = getattr(app, "_driver", None)
    if isinstance(driver, GuardedLinuxDriver):
        driver.restore_now()


class GuardedParser(XTermParser):
    """Textual's xterm parser, except that a key sequence it cannot turn into keys (a number too large for a
    character) is consumed as an ignored key instead of raising out of the parser."""

    def _sequence_to_key_events(self, sequence: str, alt: bool = False) -> Iterable[events.Key]:
        try:
            return list(super()._sequence_to_key_events(sequence, alt))
        except (ValueError, OverflowError):
            return [events.Key(Keys.Ignore, sequence)]


class TerminalFile:
    """The terminal's output, as Textual's writer thread uses it (``write``, ``flush``, ``fileno``).

    A write or flush that fails (``OSError``: ``EIO`` once the terminal has hung up, ``EPIPE``; ``ValueError`` on a
    closed file) marks the terminal gone and calls ``on_gone`` once; from then on output is dropped, so the writer
    thread keeps emptying its queue and nothing waits on it.
    """

    def __init__(self, file: IO[str], on_gone: Callable[[], None]) -> None:
        self._file = file
        self._on_gone = on_gone
        self.gone = False
        """Whether a write to the terminal has failed (output is dropped from then on)."""

    def _fail(self) -> None:
        if not self.gone:
            self.gone = True
            self._on_gone()

    def write(self, text: str) -> None:
        """Write ``text`` unless the terminal is gone."""
        if self.gone:
            return
        try:
            self._file.write(text)
        except (OSError, ValueError):
            self._fail()

    def flush(self) -> None:
        """Flush unless the terminal is gone."""
        if self.gone:
            return
        try:
            self._file.flush()
        except (OSError, ValueError):
            self._fail()

    def fileno(self) -> int:
        return self._file.fileno()


class TerminalInput:
    """Bytes from the terminal in, Textual events out, and nothing can make it raise: UTF-8 is decoded with
    ``errors="replace"``, escape sequences are parsed by ``GuardedParser``, a resize beyond ``MAX_SIZE`` (or below
    one cell) and an ignored key are dropped, and should anything still escape the parser, a fresh parser takes
    over (what was left of that read is dropped, not the app). The driver's input thread feeds it; tests feed it
    directly."""

    def __init__(self, debug: bool = False) -> None:
        self._debug = debug
        self._decode = getincrementaldecoder("utf-8")(errors="replace").decode
        self._parser = GuardedParser(debug)
        self.resets = 0
        """How many times a fresh parser took over after the parser raised (the fuzz tests expect none)."""

    def feed(self, data: bytes, final: bool = False) -> list[Message]:
        """The events in ``data`` (a sequence cut between two reads completes in the next)."""
        text = self._decode(data, final=final)
        return self._parse(lambda: self._parser.feed(text)) if text else []

    def tick(self) -> list[Message]:
        """Events due by now (an escape key alone is known only once no sequence follows it)."""
        return self._parse(self._parser.tick)

    def _parse(self, step: Callable[[], Iterable[Message]]) -> list[Message]:
        out: list[Message] = []
        try:
            for event in step():
                if isinstance(event, events.Resize) and not _sane_size(*event.size):
                    continue
                if isinstance(event, events.Key) and event.key == Keys.Ignore:
                    continue
                out.append(event)
        except Exception:  # a sequence no guard foresaw: drop it, keep the app
            self._parser = GuardedParser(self._debug)
            self.resets += 1
        return out


def _sane_size(width: int, height: int) -> bool:
    return 1 <= width <= MAX_SIZE[0] and 1 <= height <= MAX_SIZE[1]


class GuardedLinuxDriver(LinuxDriver):
    """Textual's ``LinuxDriver`` reading through ``TerminalInput`` and writing through ``TerminalFile``."""

    def __init__(self, app: Any, *, debug: bool = False, mouse: bool = True,
                 size: tuple[int, int] | None = None) -> None:
        super().__init__(app, debug=debug, mouse=mouse, size=size)
        self._lost = threading.Event()
        self._terminal = TerminalFile(self._file, self._terminal_lost)  # type: ignore[arg-type]  # sys.__stderr__
        self._file = self._terminal  # type: ignore[assignment]  # the file Textual's writer thread writes to

    def _terminal_lost(self) -> None:
        """The terminal is gone (the input or the writer thread): tell the app once, through its ``leave_now`` hook
        if it has one (the lab's autosaves and exits), else by asking it to exit. The hook runs in a thread of its
        own, so the writer thread goes on emptying its queue meanwhile."""
        if self._lost.is_set():
            return
        self._lost.set()
        hook = getattr(self._app, "leave_now", None)
        if hook is not None:
            threading.Thread(target=hook, name="nnlab-terminal-lost", daemon=True).start()
        else:
            self._app.call_later(self._app.exit)

    def restore_now(self) -> None:
        """Give the terminal back at once, as Textual's orderly exit would (its settings, the main screen, the cursor,
        no mouse or key-protocol reports): the forced exit's last act. Writes straight to the terminal, past the
        writer thread; a terminal that is gone is left alone, and one that takes no output blocks this call (the
        caller bounds it)."""
        if self._terminal.gone:
            return
        try:
            if self.attrs_before is not None:
                termios.tcsetattr(self.fileno, termios.TCSANOW, self.attrs_before)
            os.write(self._terminal.fileno(), RESTORE.encode())
        except (OSError, termios.error):
            pass

    def run_input_thread(self) -> None:
        """Read the terminal until the driver stops (Textual's loop, through ``TerminalInput``), and report a
        terminal that has gone: ``EIO``, or end of file on a terminal (piped input that ends just stops the keys)."""
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        terminal = TerminalInput(self._debug)

        def read(final: bool = False) -> str:
            """Handle what is ready: ``ok``, ``lost`` (the terminal has gone) or ``ended`` (piped input ended)."""
            for _key, mask in selector.select(0.1):
                if mask & selectors.EVENT_READ:
                    try:
                        data = os.read(self.fileno, READ_SIZE)
                    except OSError:
                        return "lost"
                    if not data:
                        return "lost" if self.input_tty else "ended"
                    for event in terminal.feed(data, final=final):
                        self.process_message(event)
            for event in terminal.tick():
                self.process_message(event)
            return "ok"

        try:
            while not self.exit_event.is_set():
                state = read()
                if state != "ok":
                    if state == "lost":
                        self._terminal_lost()
                    self.exit_event.wait()  # until the driver stops
                    return
            selector.unregister(self.fileno)
            read(final=True)
        finally:
            selector.close()


def terminal_driver(default: type) -> type:
    """The driver to run with: ``GuardedLinuxDriver`` where Textual would use its ``LinuxDriver``, else Textual's
    choice (the web driver of a served lab, Windows' driver, a ``TEXTUAL_DRIVER`` the person set)."""
    return GuardedLinuxDriver if default is LinuxDriver else default

