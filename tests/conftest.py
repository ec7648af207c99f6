"""Fixtures shared by the core and CLI tests (running the CLI in-process, an environment for subprocesses) and the
number of workers ``-n auto`` starts."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import pytest

from lab.cli import main

ROOT = Path(__file__).resolve().parents[1]


WORKERS_A_CORE = 2
"""``-n auto`` starts this many test workers for each processor this process may use (pytest-xdist's hook). Most of
a Pilot test is spent asleep in Textual's wait for an idle process (after every key and pause it sleeps in steps of
20 ms until a step passes with under 1 ms of the process's own processor time), so two workers a core overlap one's
sleep with the other's work: the suite took 250 s at -n 4 on 2 cores where -n 2 took 424 s (``docs/tests.md``)."""


@pytest.hookimpl(optionalhook=True)  # pytest-xdist's hook: no error where it is not loaded (-p no:xdist)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """Workers for ``-n auto``: ``WORKERS_A_CORE`` for each usable processor (``PYTEST_XDIST_AUTO_NUM_WORKERS``, when
    set, is pytest-xdist's own to answer)."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS") or config.option.numprocesses == "logical":
        return None
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return WORKERS_A_CORE * usable


def pytest_configure(config: pytest.Config) -> None:
    """pytest-xdist hands each worker one test at a time after its first two (``--maxschedchunk=1``, unless given),
    so the long tests collected first go to different workers, not all in the first worker's first batch (a quarter
    of its share, by default)."""
    if getattr(config.option, "maxschedchunk", False) is None:
        config.option.maxschedchunk = 1


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests marked ``long`` (tens of seconds each) first, the rest in their order: pytest-xdist hands tests out
    in collection order, and a long test handed out last keeps one worker going alone at the end."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


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
