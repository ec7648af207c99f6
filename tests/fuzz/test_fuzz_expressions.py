"""Fuzzing the expression parser: valid programs in every spelling, mutated and truncated ones, random unicode and
deep nesting, through ``lab.core.expr.parse`` and ``lab.core.gates.table_from_expression``. Each ends in trees and a
table, or in one ``ExpressionError`` whose column points into the text."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from lab.core import expr as ex
from lab.core.errors import ExpressionError, LabError
from lab.core.gates import MAX_INPUTS, input_bits, table_from_expression

from tests.fuzz.support import CHARS, SPECIAL, check_error, expression_text, fuzz, ran

ALPHABET = "abcdefghABCi01~!&|^()-<>=; \tandorxnt_2é\n"


def parse_or_error(text: str) -> list | None:
    """``parse(text)``: the trees, or None after checking the ExpressionError (one line, a column in the text).
    When the text parses, ``table_from_expression`` must build its table."""
    try:
        trees = ex.parse(text)
    except ExpressionError as e:
        check_error(e)
        assert 1 <= e.col <= len(text) + 1, (text, e.col)
        assert str(e) == f"col {e.col}: {e.reason}"
        return None
    assert 1 <= len(trees) <= ex.MAX_OUTPUTS
    assert all(ex.depth(t) <= ex.MAX_DEPTH for t in trees)
    table = table_from_expression(text)
    assert table.n_outputs == len(trees)
    return trees


def random_char(rng: random.Random) -> str:
    """A character that matters to the grammar, a special one (controls, separators, other digits) or any other."""
    r = rng.random()
    if r < 0.6:
        return rng.choice(ALPHABET)
    if r < 0.8:
        return rng.choice(SPECIAL)
    code = rng.randrange(0x110000)
    return chr(code) if not 0xD800 <= code < 0xE000 else chr(0xDC80 + code % 128)  # only surrogate escapes


@st.composite
def mutated(draw) -> str:
    """A valid program with 1-6 random edits: insert, delete, replace, duplicate or swap characters."""
    text, _ = draw(expression_text())
    rng = random.Random(draw(st.integers(0, 2**64 - 1)))
    chars = list(text)
    for _ in range(rng.randint(1, 6)):
        kind = rng.choice(["insert", "delete", "replace", "duplicate", "swap"])
        i = rng.randint(0, len(chars))
        if kind == "insert" or not chars:
            chars.insert(i, random_char(rng))
        elif kind == "delete":
            del chars[min(i, len(chars) - 1)]
        elif kind == "replace":
            chars[min(i, len(chars) - 1)] = random_char(rng)
        elif kind == "duplicate":
            j = rng.randint(i, min(len(chars), i + 8))
            chars[i:i] = chars[i:j]
        else:
            j, k = rng.randrange(len(chars)), min(i, len(chars) - 1)
            chars[k], chars[j] = chars[j], chars[k]
    return "".join(chars)


@fuzz(900)
@given(expression_text())
def test_valid_expressions_parse_to_their_trees(program):
    """A valid program in any spelling (words, symbols, upper case, spacing, extra parentheses) parses to its trees,
    and the table holds their values on every row."""
    ran()
    text, trees = program
    try:
        parsed = ex.parse(text)
    except ExpressionError as e:  # only a tree that nests beyond the limit may be refused
        assert "nested too deeply" in str(e), (text, str(e))
        return
    assert parsed == trees
    table = table_from_expression(text)
    bits = input_bits(table.n_inputs).astype(bool)
    assert table.columns == tuple("".join("1" if v else "0" for v in ex.evaluate(t, bits)) for t in trees)


@fuzz(1300)
@given(mutated())
def test_mutated_expressions(text):
    """A valid program with random edits parses, or fails with one ExpressionError pointing into the text."""
    ran()
    parse_or_error(text)


@fuzz(600)
@given(expression_text(), st.data())
def test_truncated_expressions(program, data):
    """Every prefix of a valid program parses or fails with one ExpressionError pointing into the text."""
    ran()
    text, _ = program
    parse_or_error(text[: data.draw(st.integers(0, len(text)))])


@fuzz(1000)
@given(st.one_of(st.text(CHARS, max_size=60), st.text(ALPHABET, max_size=80)))
def test_random_text(text):
    """Any text at all, random unicode or dense in the grammar's own characters: trees or one ExpressionError."""
    ran()
    parse_or_error(text)


WRAPPERS = ["(", "~", "!", "not ", "~(", "a -> ", "a & ", "(a | ", "a == (", "b ^ ~"]


@st.composite
def deeply_nested(draw) -> str:
    """Nesting and operator chains around the limits (``MAX_NESTING`` open at once, ``MAX_DEPTH`` levels)."""
    kind = draw(st.sampled_from(["wrap", "chain", "mixed"]))
    n = draw(st.one_of(st.integers(0, 3 * ex.MAX_NESTING), st.integers(ex.MAX_DEPTH - 4, ex.MAX_DEPTH + 4),
                       st.integers(0, 5000)))
    if kind == "chain":
        op = draw(st.sampled_from([" & ", " | ", " ^ ", " == ", " -> ", " and ", ";"]))
        return op.join([draw(st.sampled_from(["a", "~b", "(c)", "1"]))] * (n + 1))
    if kind == "wrap":
        opener = draw(st.sampled_from(WRAPPERS))
    else:
        opener = "".join(draw(st.lists(st.sampled_from(WRAPPERS), min_size=1, max_size=6)))
    closing = ")" * opener.count("(")
    closed = draw(st.booleans())
    return opener * n + "a" + (closing * n if closed else "")


@fuzz(350)
@given(deeply_nested())
def test_deep_nesting(text):
    """Deep nesting parses within the limits or fails with one ExpressionError; never a RecursionError."""
    ran()
    parse_or_error(text)


@fuzz(500)
@given(expression_text(), st.integers(-3, MAX_INPUTS + 4))
def test_table_with_an_input_count(program, n_inputs):
    """``table_from_expression(text, n)``: a table of n inputs when 1 <= n <= 8 and the expression fits in n, else
    one LabError."""
    ran()
    text, trees = program
    needed = max((max(ex.variables_used(t), default=-1) for t in trees), default=-1) + 1
    try:
        table = table_from_expression(text, n_inputs)
    except LabError as e:
        check_error(e)
        assert not 1 <= n_inputs <= MAX_INPUTS or needed > n_inputs or "nested too deeply" in str(e), str(e)
        return
    assert 1 <= n_inputs <= MAX_INPUTS and needed <= n_inputs
    assert table.n_inputs == n_inputs and table.n_outputs == len(trees)
