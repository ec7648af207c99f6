"""What every fuzz test shares: its settings, the case counter, running the CLI in-process, the outcome checks and
the strategies for text, expressions and experiments.

Each test decorates itself with ``fuzz(n)``: ``n`` examples under the deterministic CI profile (the default), ``n``
times ``LONG_FACTOR`` under ``NNLAB_FUZZ=long`` (see ``tests/fuzz/conftest.py``). Each test body calls ``ran()``
once per case, so the session can report how many cases actually ran.
"""

from __future__ import annotations

import io
import json
import math
import os
import random
from contextlib import redirect_stderr, redirect_stdout

import numpy as np
from hypothesis import settings
from hypothesis import strategies as st

from lab.cli import main
from lab.core import expr as ex
from lab.core.activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from lab.core.errors import LabError
from lab.core.experiment import Architecture, Experiment, Layer, Training
from lab.core.gates import TruthTable
from lab.core.init import INITIALISERS
from lab.core.losses import LOSSES
from lab.core.optim import OPTIMIZERS
from lab.core.train import Trainer

PROFILE = "nnlab-fuzz-long" if os.environ.get("NNLAB_FUZZ") == "long" else "nnlab-fuzz-ci"
LONG_FACTOR = 20


def fuzz(n: int) -> settings:
    """The settings of a fuzz test: the active profile with ``n`` examples (times ``LONG_FACTOR`` when long)."""
    profile = settings.get_profile(PROFILE)
    return settings(profile, max_examples=n * (LONG_FACTOR if PROFILE == "nnlab-fuzz-long" else 1))


class _Cases:
    """How many cases the running test has executed (reset by the conftest before each test)."""

    n = 0


CASES = _Cases()


def ran(k: int = 1) -> None:
    """Count ``k`` cases of the running test."""
    CASES.n += k


# --- outcomes ------------------------------------------------------------------------------------------------------
def check_error(error: LabError) -> None:
    """A LabError must carry one non-empty printable line."""
    message = str(error)
    assert message and message.isprintable(), repr(message)


def run_cli(*argv: str) -> tuple[int, str, str]:
    """``lab.cli.main(argv)`` in-process with stdout and stderr as a UTF-8 terminal has them (stdout strict, stderr
    backslash-escaping); returns ``(status, stdout, stderr)``, argparse's exits included."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict", newline="", write_through=True)
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="backslashreplace", newline="", write_through=True)
    with redirect_stdout(out), redirect_stderr(err):
        try:
            status = main(list(argv))
        except SystemExit as e:
            status = e.code
    return status, out.buffer.getvalue().decode(), err.buffer.getvalue().decode()


def check_outcome(status: int, out: str, err: str, argv=()) -> None:
    """Exit 0 with output and a silent stderr, or exit 2 (a wrong command line) or 1 (a failure while running: an
    output path that cannot be written) with exactly one line on stderr starting with 'nnlab'."""
    where = f"argv={list(argv)!r}"
    assert "Traceback" not in out + err, where
    if status in (1, 2):
        assert err.startswith("nnlab") and err.endswith("\n") and err.count("\n") == 1, (where, err)
        assert len(err.splitlines()) == 1, (where, err)
        assert out == "" or out.startswith("Model: "), (where, out)
        return
    assert status == 0, (where, status, err)
    assert err == "" and out, (where, err)


def check_json_result(out: str, n_rows: int | None = None) -> dict:
    """``train --json``: exactly one JSON object whose predictions are finite numbers (never NaN, never null)."""
    assert out.count("\n") == 1
    result = json.loads(out)
    predictions = result["predictions"]
    assert n_rows is None or len(predictions) == n_rows
    assert all(isinstance(v, float) and math.isfinite(v) for row in predictions for v in row), predictions
    if result["status"] == "diverged":
        assert isinstance(result["diverged_epoch"], int) and result["diverged_epoch"] >= 1
    return result


def check_train(argv: list[str]) -> None:
    """Run ``nnlab train`` with ``argv`` and check its outcome; a JSON result has finite predictions and a text one
    shows no NaN nor infinity among them."""
    status, out, err = run_cli(*argv)
    check_outcome(status, out, err, argv)
    if status != 0 or out.startswith("usage:"):
        return
    if out.startswith("{"):
        check_json_result(out)
        return
    lines = out.splitlines()
    assert lines[-1].startswith("status: "), (argv, out)
    if "" in lines:  # the prediction rows follow the blank line and a header (which names the outputs)
        rows = lines[len(lines) - lines[::-1].index("") + 1:-1]
        assert not any(word in row for row in rows for word in ("nan", "inf")), (argv, rows)


# --- text ----------------------------------------------------------------------------------------------------------
# Characters that matter: controls, line and paragraph separators, bidi marks, a zero-width joiner, a byte that
# was not UTF-8 on the command line (a surrogate escape), digits of other scripts, full-width letters.
SPECIAL = ("\x00\t\n\r\x0b\x0c\x1b\x7f\x85\u2028\u2029\u200b\u200d\u202e\ufeff\udc80\udcff"
           "¹²³٣۴੩０１ａé∧∨¬⊕→")
CHARS = st.one_of(st.characters(exclude_categories=("Cs",)), st.sampled_from(SPECIAL))
TEXT = st.text(CHARS, max_size=24)
NUMBER_TEXT = st.one_of(
    st.integers(-(10**30), 10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["nan", "-nan", "inf", "-inf", "Infinity", "1e400", "-1e400", "1e-400", "0x10", "1_000", "٣",
                     "", " ", "+", "-", "1.", ".5", "5e", "9" * 5000, "-0", "0.0", "1e6", "1e-9", "true", "None"]),
)
VALUE = st.one_of(NUMBER_TEXT, TEXT)
# Names of experiments, tables and outputs come from presets, recipes, files (JSON, always UTF-8) or typed text:
# never a lone surrogate, which no UTF-8 file can hold.
NAME = st.text(st.one_of(st.characters(exclude_categories=("Cs",)),
                         st.sampled_from([ch for ch in SPECIAL if not "\ud800" <= ch <= "\udfff"])), max_size=24)


# --- expressions ---------------------------------------------------------------------------------------------------
# Programs are built from one drawn seed: Hypothesis' own recursive strategies cost about 3 ms an example, too much
# for thousands of cases in CI (a failure still prints the text it failed on; it just does not shrink).
SPELLINGS = {"&": ["&", "and", "AND"], "|": ["|", "or", "Or"], "^": ["^", "xor"], "->": ["->"], "==": ["=="],
             "~": ["~", "!", "not ", "NOT "]}
OPERATORS = list(ex.PRECEDENCE)


def random_tree(rng: random.Random, leaves: int, n_vars: int = 8):
    """A random syntax tree with about ``leaves`` leaves over the first ``n_vars`` variables."""
    r = rng.random()
    if (leaves <= 1 and r < 0.75) or r < 0.15:
        return ex.Var(rng.randrange(n_vars)) if rng.random() < 0.85 else ex.Const(rng.randrange(2))
    if r < 0.3:
        return ex.Not(random_tree(rng, leaves, n_vars))
    k = rng.randint(1, max(1, leaves - 1))
    return ex.Binary(rng.choice(OPERATORS), random_tree(rng, k, n_vars), random_tree(rng, max(1, leaves - k), n_vars))


def write_program(rng: random.Random, outputs: list) -> str:
    """``outputs`` written as one program with random spellings, case, spacing and redundant parentheses."""

    def space() -> str:
        return rng.choice(["", "", "", " ", "  ", "\t", "\n"])

    def write(node, min_prec: int = 0) -> str:
        if isinstance(node, ex.Var):
            text = rng.choice([ex.VARIABLES[node.index], ex.VARIABLES[node.index].upper()])
        elif isinstance(node, ex.Const):
            text = str(node.value)
        elif isinstance(node, ex.Not):
            text = rng.choice(SPELLINGS["~"]) + write(node.operand, 6)
        else:
            prec = ex.PRECEDENCE[node.op]
            right = node.op == "->"
            text = (f"{write(node.left, prec + (1 if right else 0))} {space()}{rng.choice(SPELLINGS[node.op])} "
                    f"{space()}{write(node.right, prec + (0 if right else 1))}")
            if prec < min_prec:
                return f"({text})"
        extra = rng.choice([0, 0, 0, 1, 2]) if not isinstance(node, ex.Binary) or min_prec == 0 else 0
        return "(" * extra + text + ")" * extra

    return ";".join(space() + write(t) + space() for t in outputs)


@st.composite
def expression_text(draw, n_vars: int = 8) -> tuple[str, list]:
    """A valid program of 1-4 outputs (up to 12 leaves each) in random spellings, and its trees."""
    rng = random.Random(draw(st.integers(0, 2**64 - 1)))
    outputs = [random_tree(rng, rng.randint(1, 12), n_vars) for _ in range(rng.randint(1, ex.MAX_OUTPUTS))]
    return write_program(rng, outputs), outputs


# --- experiments ---------------------------------------------------------------------------------------------------
@st.composite
def experiments(draw, max_inputs: int = 3, max_units: int = 4, max_layers: int = 2) -> Experiment:
    """Small random experiments: every registry name, held-out rows, output names, any name text."""
    n_inputs = draw(st.integers(1, max_inputs))
    n_rows = 2**n_inputs
    n_outputs = draw(st.integers(1, 4))
    columns = tuple(draw(st.text("01", min_size=n_rows, max_size=n_rows)) for _ in range(n_outputs))
    heldout = draw(st.frozensets(st.integers(0, n_rows - 1), max_size=n_rows - 1))
    names = draw(st.one_of(st.just(()), st.lists(NAME, min_size=n_outputs, max_size=n_outputs)))
    table = TruthTable(n_inputs, columns, heldout, draw(NAME), tuple(names))
    layers = draw(st.lists(st.builds(Layer, st.integers(1, max_units), st.sampled_from(HIDDEN_ACTIVATIONS)),
                           max_size=max_layers))
    architecture = Architecture(tuple(layers), draw(st.sampled_from(OUTPUT_ACTIVATIONS)), draw(st.booleans()))
    training = Training(
        loss=draw(st.sampled_from(list(LOSSES))), optimizer=draw(st.sampled_from(list(OPTIMIZERS))),
        lr=draw(st.floats(1e-9, 1e6)), batch_size=draw(st.integers(0, 5)),
        init=draw(st.sampled_from(list(INITIALISERS))), seed=draw(st.integers(0, 2**32 - 1)),
        epochs=draw(st.integers(1, 10_000_000)),
        stop=draw(st.one_of(st.sampled_from(["budget", "solved"]),
                            st.floats(1e-300, 1e300).map(lambda x: f"loss<{x!r}"))))
    return Experiment(table, architecture, training, draw(NAME))


def same_trainer(a: Trainer, b: Trainer) -> None:
    """Two trainers hold the same state, number for number: weights, optimizer, history, epochs, shuffler."""
    assert np.array_equal(a.net.theta, b.net.theta)
    assert np.array_equal(a.history.loss, b.history.loss)
    assert np.array_equal(a.history.accuracy, b.history.accuracy)
    assert np.array_equal(a.history.heldout_loss, b.history.heldout_loss, equal_nan=True)
    assert np.array_equal(a.history.heldout_accuracy, b.history.heldout_accuracy, equal_nan=True)
    assert (a.epoch, a.lr, a.solved_epoch) == (b.epoch, b.lr, b.solved_epoch)
    sa, sb = a.optimizer.state(), b.optimizer.state()
    assert sa.keys() == sb.keys() and all(np.array_equal(sa[k], sb[k]) for k in sa)
    assert a.state().shuffle == b.state().shuffle
