"""The served lab's input budget and its log filter (``lab.commands.serve_server``), without a server, on a clock
the test turns; test_attacks.py throws the flood and the malformed requests at a real one."""

from __future__ import annotations

import logging

import pytest

pytest.importorskip("textual_serve", reason='needs the serve extra: pip install -e ".[test,serve]"')

from lab.commands.serve_server import InputBudget, QuietLog  # noqa: E402

TOKEN = "s3cret/token+0123456789"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_budget_passes_a_burst_then_its_rate_and_drops_whole_messages():
    clock = Clock()
    budget = InputBudget(rate=1000, burst=4000, clock=clock)
    assert budget.take(3000) and not budget.take(2000) and budget.take(1000)  # 2000 dropped whole, not cut
    assert not budget.take(1) and budget.dropped == 2001
    clock.now += 0.5
    assert budget.take(500) and not budget.take(1)
    clock.now += 1000  # a long quiet time refills only to the burst
    assert not budget.take(4001) and budget.take(4000)


def record(message: str, error: BaseException | None = None) -> logging.LogRecord:
    return logging.LogRecord("aiohttp.server", logging.ERROR, __file__, 1, message, (),
                             (type(error), error, None) if error else None)


def test_the_log_is_one_line_without_the_token_and_rate_limited():
    clock = Clock()
    quiet = QuietLog(TOKEN, most=3, window=60, clock=clock)
    shown = []
    for _ in range(10):
        r = record("Error handling request", ValueError(f"bad line /?token={TOKEN}\n  more\n  ^"))
        if quiet.filter(r):
            shown.append(logging.Formatter().format(r))
    assert shown == ["Error handling request: ValueError: bad line /?token=<token>"] * 3
    clock.now += 60
    r = record(f"x\x1b]0;title\x07 {TOKEN.replace('/', '%2F').replace('+', '%2B')}")
    assert quiet.filter(r)
    assert r.getMessage() == "x\\x1b]0;title\\x07 <token> (7 more in the minute before not shown)"


def test_sessions_are_bounded_by_the_memory():
    """A lab may grow to its start plus a run at the epoch cap; only as many as the memory holds may run."""
    from lab.commands.serve import lab_peak_bytes, sessions_that_fit
    from lab.core.errors import LabError

    peak = lab_peak_bytes()
    assert 500 << 20 < peak < 2 << 30
    assert sessions_that_fit(8, None) == 8 and sessions_that_fit(8, 100 * peak) == 8
    assert sessions_that_fit(8, 3 * peak + 1) == 3
    with pytest.raises(LabError, match="not enough memory for one lab"):
        sessions_that_fit(8, peak - 1)
