"""The session's hold: a key press pauses the worker between chunks, never for long."""

from __future__ import annotations

import threading

from lab.core.recipes import recipe
from lab.ui.session import MAX_HOLD, Session


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
