"""The lab as a process: what only a whole process has, kept apart from the screen the app composes.

``run_app`` runs an app (``LabApp``, ``DemoApp``) as the process's interface:

- SIGTERM and SIGHUP (a dropped SSH session) leave through the app's ``leave_now``, and any leaving (a signal, a
  terminal gone) starts the forced exit of ``lab.ui.shutdown`` (the app's ``on_leave``), should the orderly one hang
  (``Tuning.grace``);
- a crash exits non-zero, with its traceback written to ``crash-<time>-<pid>.log`` in the state folder (its path on
  stderr), never 0 as if all went well.

Nothing here outlives ``run_app``: the signal handlers it sets are put back when the app ends. ``start_tracker``
(multiprocessing's resource tracker) is called by the app as it loads, however it is run (a test's ``run_test``
too), while ``sys.stderr`` is still the terminal.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lab.core.errors import LabError
from lab.core.tune import start_resource_tracker
from lab.files.safe_io import write_atomic
from lab.ui.shutdown import force_exit_after, leaving_on_signals
from lab.ui.textual_adapter import app_exception, restore_terminal

CRASH_EXIT = 1


def start_tracker() -> None:
    """Start multiprocessing's resource tracker while stderr is real (``lab.core.tune.start_resource_tracker``).
    Where it cannot start (a ``sys.stderr`` with no descriptor already), the lab runs on and a search on several
    processes says why in one line."""
    try:
        start_resource_tracker()
    except (OSError, ValueError):
        pass


class LeaveOnce:
    """An app's leaving from any thread, once: a signal asked, or the terminal has gone. ``on_leave`` comes first
    (under ``run_app`` the process then ends ``Tuning.grace`` seconds later whatever it is doing: a terminal that
    takes no output can hang Textual's orderly exit), then ``autosave`` (before anything else), then ``leave`` (it
    must be safe from any thread: it posts to the app)."""

    def __init__(self, on_leave: Callable[[], object], autosave: Callable[[], object],
                 leave: Callable[[], object]) -> None:
        self._on_leave, self._autosave, self._leave = on_leave, autosave, leave
        self._leaving = threading.Lock()  # held once leaving has begun

    def __call__(self) -> None:
        if not self._leaving.acquire(blocking=False):
            return
        self._on_leave()
        self._autosave()
        self._leave()


def crash_log(error: BaseException, folder: Path) -> Path:
    """Write ``error``'s traceback to a new log file in ``folder`` (made if missing); its path.

    Raises:
        LabError: the log cannot be written (the message says why).
    """
    path = folder / f"crash-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise LabError(f"cannot make {folder}: {e.strerror or e}") from None
    write_atomic(path, "".join(traceback.format_exception(error)).encode())
    return path


def run_app(app: Any, crash_folder: Path | None, headless: bool = False) -> int:
    """Run ``app`` (it has ``tuning``, ``leave_now`` and ``on_leave``) as this process's interface; its exit
    status: the app's return code, or ``CRASH_EXIT`` after a crash, whose traceback goes to a log in
    ``crash_folder`` (None: only Textual's own report on stderr). ``headless``: with no terminal (tests)."""
    tuning = app.tuning
    app.on_leave = lambda: force_exit_after(tuning.grace, lambda: restore_terminal(app), last_limit=tuning.last_limit)
    with leaving_on_signals(app.leave_now):
        app.run(headless=headless)
    error = app_exception(app)
    code = app.return_code or 0
    if error is None:
        return code
    if crash_folder is not None:
        try:
            path = crash_log(error, crash_folder)
        except LabError as e:
            print(f"nnlab: crashed ({type(error).__name__}); the traceback could not be written: {e}",
                  file=sys.stderr)
        else:
            print(f"nnlab: crashed ({type(error).__name__}); the traceback is in {path}", file=sys.stderr)
    return code or CRASH_EXIT
