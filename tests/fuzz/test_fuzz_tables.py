"""Fuzzing truth tables: output bit strings and ``--table`` specs, held-out row specs (``parse_rows``), the values
``nnlab predict`` reads (``parse_inputs``) and sequences of table edits. Each ends in a valid table (rows, set or
array) that matches a plain reading of the input, or in one ``LabError`` line."""

from __future__ import annotations

import math
import random

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from lab.core.errors import LabError
from lab.core.gates import MAX_INPUTS, MAX_OUTPUTS, TruthTable, parse_inputs, parse_rows, table_from_bits

from tests.fuzz.support import NUMBER_TEXT, SPECIAL, TEXT, VALUE, check_error, fuzz, ran

JUNK = "01" * 8 + " \t,2x-+.é٠١０１\n" + SPECIAL


def random_bits(rng: random.Random) -> str:
    """A column: usually 2**n bits, sometimes a length that is not a power of two, junk, or padding."""
    n = rng.choice([rng.randint(1, MAX_INPUTS), rng.randint(0, 10)])
    length = 2**n if rng.random() < 0.7 else rng.randint(0, 300)
    bits = "".join(rng.choice("01") for _ in range(length))
    if rng.random() < 0.25:
        chars = list(bits)
        for _ in range(rng.randint(1, 3)):
            chars.insert(rng.randint(0, len(chars)), rng.choice(JUNK))
        bits = "".join(chars)
    if rng.random() < 0.15:
        bits = rng.choice([" ", "\t", "\n "]) + bits + rng.choice(["", " ", "\r\n"])
    return bits


def expected_table(columns: list[str]) -> tuple[int, tuple[str, ...]] | None:
    """What ``table_from_bits`` should build (inputs and stripped columns), or None for a LabError."""
    cols = tuple(c.strip() for c in columns)
    if not cols or not 1 <= len(cols) <= MAX_OUTPUTS:
        return None
    length = len(cols[0])
    n = length.bit_length() - 1
    if length < 2 or 2**n != length or n > MAX_INPUTS:
        return None
    if any(len(c) != length or set(c) - {"0", "1"} for c in cols):
        return None
    return n, cols


@st.composite
def bit_columns(draw) -> list[str]:
    """1-6 columns, mostly agreeing in length."""
    rng = random.Random(draw(st.integers(0, 2**64 - 1)))
    first = random_bits(rng)
    columns = [first]
    for _ in range(rng.choice([0, 0, 1, 1, 2, 3, 4, 5])):
        if rng.random() < 0.6 and len(first.strip()) > 0:
            columns.append("".join(rng.choice("01") for _ in range(len(first.strip()))))
        else:
            columns.append(random_bits(rng))
    return columns


def check_table(columns: list[str]) -> None:
    """``table_from_bits(columns)`` builds exactly the expected table, or raises one LabError when none is."""
    expected = expected_table(columns)
    try:
        table = table_from_bits(columns)
    except LabError as e:
        check_error(e)
        assert expected is None, (columns, str(e))
        return
    assert expected is not None, columns
    assert (table.n_inputs, table.columns) == expected
    assert table.targets.shape == (table.n_rows, table.n_outputs)
    assert table.train_rows.tolist() == list(range(table.n_rows))


@fuzz(700)
@given(bit_columns())
def test_bit_columns(columns):
    """Output bit strings: a table when every column has the same 2, 4, ..., 256 bits of 0/1, else one LabError."""
    ran()
    check_table(columns)


@fuzz(500)
@given(st.one_of(st.text(JUNK, max_size=40), bit_columns().map(",".join), TEXT))
def test_table_specs(spec):
    """A ``--table`` spec is split on commas into columns, with the same outcome."""
    ran()
    check_table(spec.split(","))


# --- held-out rows -------------------------------------------------------------------------------------------------
def expected_rows(spec: str, n_inputs: int) -> frozenset[int] | None:
    """A plain reading of a held-out spec: indices in range or bit patterns of ``n_inputs`` bits; None for an error."""
    rows = set()
    for item in (s.strip() for s in spec.split(",")):
        if not item:
            continue
        if n_inputs > 1 and len(item) == n_inputs and set(item) <= {"0", "1"}:
            rows.add(int(item, 2))
        elif item.isascii() and item.isdigit() and len(item) <= 9 and int(item) < 2**n_inputs:
            rows.add(int(item))
        else:
            return None
    return frozenset(rows)


@st.composite
def row_specs(draw) -> tuple[str, int]:
    """A held-out spec and an input count: indices, bit patterns, out-of-range and junk items, odd separators."""
    n = draw(st.integers(1, MAX_INPUTS))
    rng = random.Random(draw(st.integers(0, 2**64 - 1)))
    items = []
    for _ in range(rng.randint(0, 8)):
        r = rng.random()
        if r < 0.35:
            items.append(str(rng.randrange(2**n)))
        elif r < 0.6:
            items.append(format(rng.randrange(2**n), f"0{n}b"))
        elif r < 0.7:
            items.append(str(rng.choice([2**n, -1, 10**rng.randint(3, 40)])) if rng.random() < 0.8 else "9" * 5000)
        elif r < 0.8:
            items.append(rng.choice(["", " ", "²", "١", "０", "1e1", "0x1", "+1", "-0", "1.0", "01" * n, "2" * n]))
        else:
            items.append(rng.choice(SPECIAL) + str(rng.randrange(4)))
    spec = rng.choice([",", ", ", " ,", ",,"]).join(items)
    if rng.random() < 0.2:
        spec = draw(TEXT)
    return spec, n


@fuzz(900)
@given(row_specs())
def test_heldout_rows(case):
    """``parse_rows``: the rows a plain reading gives (all in range), or one LabError naming the item."""
    ran()
    spec, n = case
    expected = expected_rows(spec, n)
    try:
        rows = parse_rows(spec, n)
    except LabError as e:
        check_error(e)
        assert expected is None, (spec, n, str(e))
        assert str(e).startswith("held-out row '")
        return
    assert rows == expected and all(0 <= r < 2**n for r in rows)


# --- predicted inputs ----------------------------------------------------------------------------------------------
def expected_inputs(values: list[str], n: int) -> list[float] | None:
    """A plain reading of ``nnlab predict`` values: one number in [0, 1] per input, or one bit string."""
    if len(values) == 1 and n > 1 and len(values[0]) == n and set(values[0]) <= {"0", "1"}:
        values = list(values[0])
    if len(values) != n:
        return None
    out = []
    for text in values:
        try:
            v = float(text)
        except ValueError:
            return None
        if not 0.0 <= v <= 1.0:
            return None
        out.append(v)
    return out


IN_RANGE = st.one_of(st.floats(0.0, 1.0).map(repr), st.sampled_from(["0", "1", "0.5", " 1 ", "1e-300", "1.0e0",
                                                                     "٠.٥", "0_1", "-0", "-0.0"]))


@st.composite
def predict_values(draw) -> tuple[list[str], int]:
    """An input count and values: right or wrong in number, in or out of [0, 1], text, bit strings."""
    n = draw(st.integers(1, MAX_INPUTS))
    kind = draw(st.sampled_from(["numbers", "bits", "mixed"]))
    if kind == "bits":
        size = draw(st.sampled_from([n, n, n - 1, n + 1]))
        return [draw(st.text("01", min_size=max(size, 0), max_size=max(size, 0)))], n
    count = draw(st.sampled_from([n, n, n, 0, 1, n + 1, max(n - 1, 0)]))
    element = IN_RANGE if kind == "numbers" else st.one_of(IN_RANGE, VALUE, NUMBER_TEXT)
    return draw(st.lists(element, min_size=count, max_size=count)), n


@fuzz(900)
@given(predict_values())
def test_predict_inputs(case):
    """``parse_inputs``: a (1, n) array of numbers in [0, 1] as a plain reading gives, or one LabError."""
    ran()
    values, n = case
    expected = expected_inputs(values, n)
    try:
        x = parse_inputs(values, n)
    except LabError as e:
        check_error(e)
        assert expected is None, (values, n, str(e))
        return
    assert expected is not None, (values, n)
    assert x.shape == (1, n) and x.dtype == np.float64
    assert x[0].tolist() == expected and all(math.isfinite(v) for v in expected)


# --- edits ---------------------------------------------------------------------------------------------------------
@fuzz(400)
@given(st.integers(0, 2**64 - 1))
def test_table_edits(seed):
    """A random sequence of the app's table edits (flip, hold out, add/remove inputs and outputs, with counts out of
    range too) keeps a valid table or raises one LabError, and never loses the invariants."""
    ran()
    rng = random.Random(seed)
    n = rng.randint(1, 4)
    table = TruthTable(n, tuple("".join(rng.choice("01") for _ in range(2**n)) for _ in range(rng.randint(1, 4))))
    for _ in range(rng.randint(1, 12)):
        op = rng.choice(["flip", "hold", "inputs", "outputs", "heldout"])
        try:
            if op == "flip":
                row, out = rng.randrange(table.n_rows), rng.randrange(table.n_outputs)
                flipped = table.flip(row, out)
                assert flipped.bit(row, out) == 1 - table.bit(row, out)
                assert flipped.flip(row, out).columns == table.columns
                table = flipped
            elif op == "hold":
                table = table.toggle_heldout(rng.randrange(-2, table.n_rows + 2))
            elif op == "inputs":
                table = table.with_inputs(rng.randint(-1, MAX_INPUTS + 1))
            elif op == "outputs":
                table = table.with_outputs(rng.randint(-1, MAX_OUTPUTS + 1))
            else:
                table = table.with_heldout(set(rng.sample(range(-2, table.n_rows + 2), rng.randint(0, 3))))
        except LabError as e:
            check_error(e)
        assert all(len(c) == table.n_rows for c in table.columns)
        assert len(table.output_names) == table.n_outputs
        assert all(0 <= r < table.n_rows for r in table.heldout)
        assert sorted(table.train_rows.tolist() + table.heldout_rows.tolist()) == list(range(table.n_rows))
