"""Fixtures shared by the core and CLI tests: running the CLI in-process, and an environment for subprocesses."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import pytest

from lab.cli import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session", autouse=True)
def ctrl_c_reaches_children():
    """The Ctrl-C tests' children hear SIGINT however the suite was started. A shell starts a background command of
    a script (``pytest ... &``) with SIGINT ignored, and a child inherits an ignored signal across exec, so nnlab
    started by such a suite would, as Unix intends, never hear its Ctrl-C. Python's own handler in this process makes
    it the default again for every child."""
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    yield


@pytest.fixture
def subprocess_env() -> dict[str, str]:
    """The environment for a child Python that must import this checkout's ``lab`` (installed or not)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


@pytest.fixture
def workers_for_any_sweep(monkeypatch):
    """``run_sweep`` starts worker processes for a sweep of any size (its thresholds for small sweeps set to 0), so
    a test's small sweep takes the path of a large one."""
    from lab.core import sweep_jobs

    monkeypatch.setattr(sweep_jobs, "MIN_PARALLEL_WORK", 0)
    monkeypatch.setattr(sweep_jobs, "MIN_SHARE", 0)


@pytest.fixture
def cli(capsys):
    """Run ``lab.cli.main(argv)`` in-process; returns ``(status, stdout, stderr)``. argparse's exits count too."""

    def run(*argv: str) -> tuple[int, str, str]:
        try:
            status = main(list(argv))
        except SystemExit as e:
            status = e.code
        out, err = capsys.readouterr()
        return status, out, err

    return run


PROCESS_DEADLINE = 120  # seconds a test that starts worker processes may take before it fails instead of hanging


@pytest.fixture
def process_deadline():
    """A bounded wait for a test that starts worker processes in this process (pytest-timeout is not a dependency):
    SIGALRM raises ``TimeoutError`` in the test after ``PROCESS_DEADLINE`` seconds, which ends its wait for the
    workers (the pools poll every 0.1 s), so a deadlock fails the test instead of hanging the suite."""
    import signal

    if not hasattr(signal, "SIGALRM"):
        yield
        return

    def expired(signum, frame):
        raise TimeoutError(f"the test's workers did not finish within {PROCESS_DEADLINE} s")

    before = signal.signal(signal.SIGALRM, expired)
    signal.alarm(PROCESS_DEADLINE)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, before)


from tests.fuzz.conftest import pytest_runtest_logreport, pytest_terminal_summary  # noqa: F401,E402  (fuzz case count on a bare run)
