"""The number of test workers ``-n auto`` starts (tests/conftest.py's pytest-xdist hook)."""

from __future__ import annotations

import os
from types import SimpleNamespace

from tests.conftest import WORKERS_A_CORE, pytest_xdist_auto_num_workers


def config(numprocesses: str = "auto") -> SimpleNamespace:
    return SimpleNamespace(option=SimpleNamespace(numprocesses=numprocesses))


def test_auto_starts_two_workers_for_each_usable_processor(monkeypatch):
    monkeypatch.delenv("PYTEST_XDIST_AUTO_NUM_WORKERS", raising=False)
    assert WORKERS_A_CORE == 2
    assert pytest_xdist_auto_num_workers(config()) == 2 * len(os.sched_getaffinity(0))


def test_the_environment_variable_and_logical_are_pytest_xdists_to_answer(monkeypatch):
    monkeypatch.setenv("PYTEST_XDIST_AUTO_NUM_WORKERS", "3")
    assert pytest_xdist_auto_num_workers(config()) is None
    monkeypatch.delenv("PYTEST_XDIST_AUTO_NUM_WORKERS")
    assert pytest_xdist_auto_num_workers(config("logical")) is None
