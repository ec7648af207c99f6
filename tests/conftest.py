"""Fixtures shared by the core and CLI tests: running the CLI in-process, and an environment for subprocesses."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lab.cli import main

ROOT = Path(__file__).resolve().parents[1]


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
from tests.fuzz.conftest import pytest_runtest_logreport, pytest_terminal_summary  # noqa: F401,E402  (fuzz case count on a bare run)
