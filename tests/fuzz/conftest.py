"""Fuzzing every input nnlab reads: expressions, truth tables, held-out rows, predicted inputs, ``nnlab train`` flags
and experiment files, plus a grid of numerical faults. Every case must end in a result or in exactly one clear error
line (a ``LabError``, or exit status 2 with one line on stderr starting with ``nnlab``): never a traceback.

Two Hypothesis profiles:

- ``nnlab-fuzz-ci``, the default: ``derandomize=True``, ``deadline=None``, no example database, and a fixed number
  of examples per test, so every run (and CI) checks exactly the same cases; ``python -m pytest -n auto`` runs it
  with the rest of the suite.
- ``nnlab-fuzz-long``, chosen by the environment variable ``NNLAB_FUZZ=long``: random (not derandomized) with
  ``support.LONG_FACTOR`` (20) times the examples of each test, for a search that goes further::

      NNLAB_FUZZ=long python -m pytest -n auto tests/fuzz

The profiles are registered here and applied by each test through ``support.fuzz(n)``; the module does not load a
profile globally, so the rest of the suite keeps its own settings.

Each test counts the cases it ran (``support.ran()``) and the count travels on its report, from xdist workers too; the
session ends with ``fuzz: N cases run (profile ...)`` and a line per file. The process that prints it must have loaded
this file: always without xdist, and with xdist when ``tests/fuzz`` or a file in it is named on the command line. A
bare ``python -m pytest -n auto`` leaves collection to the workers, so its controller never loads this file; importing
``pytest_runtest_logreport`` and ``pytest_terminal_summary`` from here into ``tests/conftest.py`` makes it print there
too (the hooks tolerate being registered twice).
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
from hypothesis import HealthCheck, settings

from tests.fuzz.support import CASES, PROFILE

_QUIET_CHECKS = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
settings.register_profile("nnlab-fuzz-ci", derandomize=True, deadline=None, database=None, max_examples=100,
                          suppress_health_check=_QUIET_CHECKS, print_blob=True)
settings.register_profile("nnlab-fuzz-long", derandomize=False, deadline=None, max_examples=2000,
                          suppress_health_check=_QUIET_CHECKS, print_blob=True)

_PROPERTY = "fuzz_cases"
_CASES: dict[str, int] = {}  # test id -> cases, from every report (this process or xdist workers)
_PRINTED: list[bool] = []  # the summary is printed once, even should these hooks be registered twice


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    """Count the cases of each fuzz test and attach the count to its report (it travels back from xdist workers)."""
    CASES.n = 0
    try:
        return (yield)
    finally:
        item.user_properties.append((_PROPERTY, CASES.n))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Add up the counts of the call phases, wherever they ran."""
    if report.when == "call":
        for name, value in report.user_properties:
            if name == _PROPERTY:
                _CASES[report.nodeid] = value


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    """Print how many cases the fuzz tests generated, in all and per file (only when some ran)."""
    if not _CASES or _PRINTED or hasattr(config, "workerinput"):
        return
    _PRINTED.append(True)
    per_file: Counter[str] = Counter()
    for test, n in _CASES.items():
        per_file[test.split("::")[0]] += n
    terminalreporter.write_sep("-", f"fuzz: {sum(per_file.values()):,} cases run (profile {PROFILE})")
    for path, n in sorted(per_file.items()):
        terminalreporter.write_line(f"{n:>9,}  {path}")


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory):
    """A fresh folder that is also the working directory for the module, so relative paths that generated
    arguments name (``--save x``) land in it and never in the checkout."""
    folder = tmp_path_factory.mktemp("fuzz")
    before = os.getcwd()
    os.chdir(folder)
    try:
        yield folder
    finally:
        os.chdir(before)
