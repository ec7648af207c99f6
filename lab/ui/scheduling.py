"""Who has the interpreter: the interface first while it has something to show, the training threads otherwise.

The trainer runs in a thread of the app's process, so the interface thread shares one interpreter lock with it, and
a thread that wants the lock back waits up to the switch interval (5 ms) each time, several times per key press and
per paint. So the app ``hold``s the ``Scheduler`` while the interface has work to show:

- "input": a key or click, from its arrival (``key_arrived``) until the paint after it was handled
  (``input_handled``, then ``painted``);
- "paint": a big change (a new chart, a redrawn view; ``hold_for_paint``) until it is painted.

A training thread calls ``wait_for_interface`` between chunks and waits until every hold is released, or at most
``Timings.max_hold`` after the last hold; meanwhile the switch interval is ``Timings.held_switch_interval``, so any
other busy thread (the chart builder) hands the interpreter over quickly. After the app's first paint its start-up
objects leave the collector's full passes (``freeze_startup_objects``).

The scheduler lives as long as its app: ``close`` (the app's unmount, whether it exits, crashes or a test's
``run_test`` ends) ends every hold, puts the switch interval back and hands the frozen objects back to the collector,
and later holds change nothing. Nothing happens at import or construction.

``InputHold`` is the app's side: it sees every key and click while the training worker is busy, holds the scheduler
for it and releases it at the paint that shows its effect (Textual's privates for that through ``textual_adapter``).
"""

from __future__ import annotations

import gc
import sys
import threading
import time
from collections.abc import Awaitable, Callable

from textual import events
from textual.widget import Widget

from lab.timings import Timings
from lab.ui.pacing import KeyPacing
from lab.ui.textual_adapter import key_was_used

INPUT = "input"
PAINT = "paint"


class Scheduler:
    """The holds of one app on its training threads, and the process-wide settings they change while they last.

    Attributes:
        timings: the app's settings (``max_hold``, ``held_switch_interval``, ``paint_hold_cells``).
        held_seconds: time the training threads have spent waiting for the interface (for the benchmark).
    """

    def __init__(self, timings: Timings | None = None) -> None:
        self.timings = timings if timings is not None else Timings()
        self.held_seconds = 0.0
        self._idle = threading.Event()  # set while nothing holds the workers
        self._idle.set()
        self._hold_until = 0.0
        self._holders: set[str] = set()
        self._lock = threading.Lock()  # hold, release and a deadline's expiry, one at a time
        self._switch_interval: float | None = None  # the interpreter's interval before the current hold
        self._frozen = False
        self._closed = False
        self._input_handled = False  # the held key or click has been handled: the next paint releases it

    # --- the holds -------------------------------------------------------------------------------------------------
    def hold(self, reason: str = INPUT) -> None:
        """Ask the training threads to wait before their next chunk until ``release(reason)``, and for at most
        ``max_hold`` seconds from now. Holds for different reasons end separately. After ``close``, nothing."""
        with self._lock:
            if self._closed:
                return
            self._hold_until = time.monotonic() + self.timings.max_hold
            self._holders.add(reason)
            if self._idle.is_set():
                self._switch_interval = sys.getswitchinterval()
                sys.setswitchinterval(self.timings.held_switch_interval)
                self._idle.clear()

    def release(self, reason: str | None = INPUT) -> None:
        """End the hold for ``reason`` (``None``: every hold); the workers go on once no hold is left."""
        with self._lock:
            if reason is not None:
                self._holders.discard(reason)
            if reason is None or not self._holders:
                self._release()

    def held_for(self, reason: str) -> bool:
        """Whether the workers are held for ``reason``."""
        return reason in self._holders

    @property
    def holding(self) -> bool:
        """Whether any hold is on."""
        return not self._idle.is_set()

    def _release(self) -> None:
        """End every hold. Call with ``_lock`` held."""
        self._holders.clear()
        if not self._idle.is_set():
            if self._switch_interval is not None:
                sys.setswitchinterval(self._switch_interval)
                self._switch_interval = None
            self._idle.set()

    def wait_for_interface(self) -> None:
        """Called by a training thread between chunks: wait while held, until released or the hold's deadline (a
        lost release costs one ``max_hold`` at most; a key pressed meanwhile moves the deadline on)."""
        if self._idle.is_set():
            return
        start = time.monotonic()
        while True:
            with self._lock:
                remaining = self._hold_until - time.monotonic()
                if remaining <= 0:
                    self._release()  # the deadline passed: end the hold for every waiter
                    break
            if self._idle.wait(remaining):
                break
        self.held_seconds += time.monotonic() - start

    # --- the interface's side: keys, big changes, paints -----------------------------------------------------------
    def key_arrived(self) -> None:
        """A key or click has arrived while training: hold until the paint after it is handled."""
        self.hold(INPUT)
        self._input_handled = False

    def input_handled(self) -> None:
        """The held key or click has had its effect (a binding ran, a widget used it): the next paint shows it."""
        self._input_handled = True

    def hold_for_paint(self, cells: int) -> None:
        """Hold until the next paint, which shows a change of ``cells`` cells, when that is at least
        ``paint_hold_cells`` (a repaint sharing the interpreter with the trainer takes twice as long, and a key
        pressed meanwhile waits for it; smaller repaints take a millisecond or two). Call only with a change to
        paint, else the hold lasts until its deadline."""
        if cells >= self.timings.paint_hold_cells:
            self.hold(PAINT)

    def painted(self, redrawing: bool = False) -> None:
        """A paint of the screen has happened: it ends the paint hold, and the input hold once the key was
        handled, unless the key's own effect is still being built elsewhere (``redrawing``: a chart the person
        asked for)."""
        if self.held_for(PAINT):
            self.release(PAINT)
        if self._input_handled and not redrawing:
            self._input_handled = False
            self.release(INPUT)

    # --- the app's lifetime ----------------------------------------------------------------------------------------
    def freeze_startup_objects(self) -> None:
        """Leave the objects made so far (modules, the widgets, Textual's caches) out of the cyclic collector's
        full passes until ``close``: a full pass over them is the interface thread's longest pause while training,
        and a key pressed meanwhile waits for it. Refcounting still frees them."""
        if self._closed or self._frozen:
            return
        gc.collect()
        gc.freeze()
        self._frozen = True

    def close(self) -> None:
        """The app has ended: end every hold, put the interpreter's switch interval back, hand the frozen objects
        back to the collector; later holds change nothing."""
        with self._lock:
            self._closed = True
            self._release()
        if self._frozen:
            self._frozen = False
            gc.unfreeze()


class InputHold:
    """The app's keys, clicks and big changes as holds of its ``Scheduler`` while its training worker is busy.

    A key reaches the app twice: first as it arrives (the app forwards it to the focused widget), then, when no
    widget used it, bubbled back up, when the app runs its binding. Once the binding has run (or the widget has used
    the key), the next paint of the screen releases the worker (``painted``); a key that changes nothing on screen is
    released by the hold's deadline, ``Timings.max_hold``.

    Attributes:
        scheduler: the app's holds on its training threads.
        pacing: the person's keys while training, for the paced redraws.
    """

    def __init__(self, scheduler: Scheduler, pacing: KeyPacing, busy: Callable[[], bool],
                 redrawing: Callable[[], bool]) -> None:
        """``busy`` says whether the training worker (training or a seeds sweep) is at work; ``redrawing``
        whether a chart redraw the person asked for is still being built (its paint, not the one before, shows the
        key's effect)."""
        self.scheduler = scheduler
        self.pacing = pacing
        self._busy = busy
        self._redrawing = redrawing

    @property
    def busy(self) -> bool:
        """Whether the training worker is at work (only then does the interface hold it)."""
        return self._busy()

    async def route(self, event: events.Event, dispatch: Callable[[events.Event], Awaitable[None]],
                    focused: Callable[[], Widget | None]) -> None:
        """Hand ``event`` to ``dispatch`` (the app's own ``on_event``), holding the worker from a key's or click's
        arrival until its effects are painted; ``focused`` gives the widget that has the keys once it is
        dispatched."""
        if not isinstance(event, (events.Key, events.MouseDown)) or not self.busy:
            await dispatch(event)
            return
        if event.is_forwarded:
            await dispatch(event)  # the app's bindings run here
            self.scheduler.input_handled()
            return
        self.scheduler.key_arrived()
        self.pacing.key_pressed()
        await dispatch(event)  # forwards it to the focused widget (or the one under the mouse)
        widget = focused()
        if isinstance(event, events.MouseDown) or not event.is_forwarded:  # a priority binding ran it already
            self.scheduler.input_handled()
        elif widget is not None:
            widget.call_after_refresh(self._after_widget_key, event)

    def _after_widget_key(self, event: events.Key) -> None:
        """The focused widget has had ``event``: if it used it (typing in a field), the key is handled; else the
        key is on its way back up to the app's bindings."""
        if key_was_used(event):
            self.scheduler.input_handled()

    def hold_for_paint(self, cells: int) -> None:
        """While the worker is busy, hold it until the next paint, which shows the ``cells`` the interface has just
        changed or is about to (``Scheduler.hold_for_paint``: big changes only). Call only with a change to paint
        (else the hold lasts until its deadline). (``call_after_refresh`` can run before the changed widgets have
        reached the screen, so the release is in ``painted``.)"""
        if self.busy:
            self.scheduler.hold_for_paint(cells)

    def painted(self) -> None:
        """After every compositor pass (``textual_adapter.watch_paints``): the first paint after a key or click was
        handled (and after the chart redraw it asked for, if any), or after a big change, releases the worker."""
        self.scheduler.painted(redrawing=self._redrawing())
