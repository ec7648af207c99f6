"""The expression parser: exact error messages, precedence, and hypothesis properties (round trip, evaluation
against an independent oracle, and random text that never raises anything but ExpressionError)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lab.core import expr as ex
from lab.core.errors import ExpressionError, LabError
from lab.core.expr import Binary, Const, Not, Var
from lab.core.gates import input_bits, table_from_expression

SETTINGS = settings(max_examples=150, deadline=None)


def trees(n_vars: int = 8) -> st.SearchStrategy:
    """Random syntax trees over the first ``n_vars`` variables."""
    leaves = st.one_of(st.builds(Var, st.integers(0, n_vars - 1)), st.builds(Const, st.sampled_from([0, 1])))
    return st.recursive(leaves, lambda inner: st.one_of(
        st.builds(Not, inner),
        st.builds(Binary, st.sampled_from(list(ex.PRECEDENCE)), inner, inner)), max_leaves=12)


def oracle(node, bits: tuple[int, ...]) -> int:
    """Evaluate ``node`` on one row of Python ints, independently of ``lab.core.expr.evaluate``."""
    if isinstance(node, Var):
        return bits[node.index]
    if isinstance(node, Const):
        return node.value
    if isinstance(node, Not):
        return 1 - oracle(node.operand, bits)
    a, b = oracle(node.left, bits), oracle(node.right, bits)
    return {"&": a & b, "|": a | b, "^": a ^ b, "==": int(a == b), "->": int((not a) or b)}[node.op]


# --- errors ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text,message", [
    ("(a & b) |", "col 10: expected a variable or '(' but found end of input"),
    ("(a & ())", "col 7: expected a variable or '(' but found ')'"),
    ("(a & b", "col 7: expected ')' to close the '(' at col 1 but found end of input"),
    ("a b", "col 3: expected an operator or ';' but found 'b'"),
    ("a = b", "col 3: expected '==' but found a single '='"),
    ("a - b", "col 3: expected '->' but found a single '-'"),
    ("a & i", "col 5: unknown name 'i' (inputs are a to h)"),
    ("a $ b", "col 3: unexpected character '$'"),
    ("   ", "col 1: the expression is empty: type one such as 'a ^ b'"),
    ("a; b; c; d; e", "col 11: at most 4 outputs (one per ';'-separated expression)"),
])
def test_error_messages(text, message):
    """A malformed expression raises ExpressionError whose one-line message names the column and the problem."""
    with pytest.raises(ExpressionError) as info:
        ex.parse(text)
    assert str(info.value) == message
    assert info.value.col == int(message.split(":")[0].split()[1])
    assert isinstance(info.value, LabError)


@pytest.mark.parametrize("text", ["(" * 2000 + "a" + ")" * 2000, "~" * 5000 + "a", " -> ".join("a" * 500),
                                  " & ".join("a" * 3000), " | ".join("ab" * 1000)])
def test_deep_nesting_is_an_expression_error(text):
    """Nesting far beyond any real gate is refused with ExpressionError, never RecursionError."""
    with pytest.raises(ExpressionError, match="nested too deeply"):
        table_from_expression(text)


def test_nesting_within_the_limits_parses():
    """32 nested parentheses and a 256-level chain still parse and evaluate."""
    assert ex.parse("(" * ex.MAX_NESTING + "a" + ")" * ex.MAX_NESTING) == [Var(0)]
    chain = " ^ ".join(["a"] * ex.MAX_DEPTH)
    assert ex.depth(ex.parse(chain)[0]) == ex.MAX_DEPTH
    assert table_from_expression(chain).columns == ("00",)


# --- syntax ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text,tree", [
    ("a | b & c", Binary("|", Var(0), Binary("&", Var(1), Var(2)))),
    ("a ^ b | c", Binary("|", Binary("^", Var(0), Var(1)), Var(2))),
    ("a == b & c", Binary("==", Var(0), Binary("&", Var(1), Var(2)))),
    ("a -> b -> c", Binary("->", Var(0), Binary("->", Var(1), Var(2)))),
    ("a & b & c", Binary("&", Binary("&", Var(0), Var(1)), Var(2))),
    ("!a and not B", Binary("&", Not(Var(0)), Not(Var(1)))),
    ("a xor b or 1", Binary("|", Binary("^", Var(0), Var(1)), Const(1))),
    ("~(a -> 0)", Not(Binary("->", Var(0), Const(0)))),
])
def test_precedence_and_spellings(text, tree):
    """Precedence follows Python/C (& over ^ over |, == loosest but ->), and the word spellings mean the symbols."""
    assert ex.parse(text) == [tree]


def test_outputs_are_separated_by_semicolons():
    """``;`` separates one expression per output column."""
    assert ex.parse("a ^ b; a & b") == [Binary("^", Var(0), Var(1)), Binary("&", Var(0), Var(1))]


def test_to_text_uses_the_fewest_parentheses():
    """Printing adds parentheses only where precedence or associativity needs them."""
    assert ex.to_text(ex.parse("(a & b) | c")[0]) == "a & b | c"
    assert ex.to_text(ex.parse("a & (b | c)")[0]) == "a & (b | c)"
    assert ex.to_text(ex.parse("(a -> b) -> c")[0]) == "(a -> b) -> c"
    assert ex.to_text(ex.parse("a ^ (b ^ c)")[0]) == "a ^ (b ^ c)"
    assert ex.to_text(ex.parse("~(a & b)")[0]) == "~(a & b)"


# --- properties ------------------------------------------------------------------------------------------------------
@SETTINGS
@given(st.lists(trees(), min_size=1, max_size=ex.MAX_OUTPUTS))
def test_print_parse_round_trip(outputs):
    """parse(to_text(tree)) gives back the same trees, one per ';'-separated output."""
    assert ex.parse("; ".join(ex.to_text(t) for t in outputs)) == outputs


@SETTINGS
@given(st.integers(1, 4).flatmap(lambda n: st.tuples(st.just(n), st.lists(trees(n), min_size=1, max_size=3))))
def test_table_matches_row_by_row_evaluation(case):
    """A table filled from an expression equals evaluating it with Python ints on each row on its own."""
    n_inputs, outputs = case
    table = table_from_expression("; ".join(ex.to_text(t) for t in outputs), n_inputs)
    for r, bits in enumerate(input_bits(n_inputs).tolist()):
        for k, tree in enumerate(outputs):
            assert table.bit(r, k) == oracle(tree, tuple(bits))


GRAMMAR_SOUP = st.lists(st.sampled_from(list("abcdefghij01()~!&|^;=-> \t") + ["and", "or", "not", "xor", "->", "=="]),
                        max_size=30).map("".join)


@SETTINGS
@given(st.one_of(st.text(max_size=40), GRAMMAR_SOUP))
def test_any_text_parses_or_raises_expression_error(text):
    """Random text either parses or raises ExpressionError with a 1-based column inside the text (or one past it)."""
    try:
        trees_ = ex.parse(text)
    except ExpressionError as e:
        assert 1 <= e.col <= len(text) + 1
        assert "\n" not in str(e)
    else:
        assert 1 <= len(trees_) <= ex.MAX_OUTPUTS


@SETTINGS
@given(GRAMMAR_SOUP, st.integers(1, 8))
def test_any_text_gives_a_table_or_a_lab_error(text, n_inputs):
    """Filling a table from random text gives a table or a LabError, never another exception."""
    try:
        table = table_from_expression(text, n_inputs)
    except LabError:
        return
    assert table.n_inputs == n_inputs
