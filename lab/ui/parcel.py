"""A thread worker's argument that the worker takes out once, so that the finished worker no longer holds it.

Textual keeps every worker that has run in a reference cycle (Textual 8.2.8, ``textual/worker.py``: ``Worker._run``
sets ``active_worker`` to the worker inside the worker's own task, so the task's context refers to the worker, and
the worker refers to its task, ``Worker._start``'s ``self._task``), and with it the callable it was given and that
callable's arguments. Refcounting cannot free a cycle: it waits for the cyclic collector's next full pass, seconds
of training flat out away, and the memory it held stays with the process. A chart build's capture of the series
(arrays of up to half a megabyte once a fold has replaced the tail) would wait with it after every redraw, and an
autosave's history as lists of floats (about 8 MB at 300,000 epochs) every 3 seconds. So such a worker is handed a
``Parcel`` and takes its value out: what the finished worker keeps is an empty parcel.
"""

from __future__ import annotations

from typing import Generic, TypeVar

T = TypeVar("T")


class Parcel(Generic[T]):
    """One value for a worker, to be taken once (``take``) or let go unopened (``drop``)."""

    __slots__ = ("_value",)

    def __init__(self, value: T) -> None:
        self._value = [value]

    def take(self) -> T | None:
        """The value the first time (None once taken or dropped); safe from any thread."""
        try:
            return self._value.pop()
        except IndexError:
            return None

    def drop(self) -> None:
        """Let the value go untaken: its worker was replaced before it started, and Textual will never run it."""
        self._value.clear()
