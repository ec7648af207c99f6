"""The number of test workers ``-n auto`` starts (tests/conftest.py's pytest-xdist hook)."""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest

from tests.conftest import WORKERS_A_CORE, pytest_collection_modifyitems, pytest_xdist_auto_num_workers


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


def test_xdist_hands_tests_out_one_at_a_time(pytestconfig):
    """So the long tests collected first go to different workers (tests/conftest.py's ``pytest_configure``)."""
    if not pytestconfig.pluginmanager.hasplugin("xdist"):
        pytest.skip("pytest-xdist is not loaded")
    assert pytestconfig.option.maxschedchunk == 1


def test_the_long_tests_come_first_and_the_rest_keep_their_order():
    class Item(SimpleNamespace):
        def get_closest_marker(self, name: str) -> object:
            return "long" if name == "long" and self.long else None

    items = [Item(name=n, long=n.startswith("L")) for n in ("a", "L1", "b", "c", "L2", "d")]
    pytest_collection_modifyitems(items)
    assert [i.name for i in items] == ["L1", "L2", "a", "b", "c", "d"]
