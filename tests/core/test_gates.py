"""Truth tables: row order, presets, edits, held-out rows and their one-line errors."""

from __future__ import annotations

import numpy as np
import pytest

from lab.core.errors import ExpressionError, LabError
from lab.core.gates import PRESETS, TruthTable, input_bits, parse_rows, preset, table_from_bits, table_from_expression


def test_row_order_puts_the_first_input_first():
    """Row i holds the binary digits of i, a most significant: XOR reads 0110 and row 4 of three inputs is 100."""
    assert preset("xor").columns == ("0110",)
    assert input_bits(2).tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert input_bits(3)[4].tolist() == [1, 0, 0]
    table = preset("and")
    assert table.inputs.dtype == np.float64 and table.inputs.shape == (4, 2)
    assert table.targets.tolist() == [[0.0], [0.0], [0.0], [1.0]]
    assert preset("copy-first3").row_label(4) == "100"


@pytest.mark.parametrize("name,columns", [
    ("and", ("0001",)), ("or", ("0111",)), ("nand", ("1110",)), ("nor", ("1000",)), ("xor", ("0110",)),
    ("xnor", ("1001",)), ("implies", ("1101",)), ("parity3", ("01101001",)), ("majority3", ("00010111",)),
    ("all-equal3", ("10000001",)), ("copy-first3", ("00001111",)), ("half-adder", ("0110", "0001")),
    ("full-adder", ("01101001", "00010111")), ("parity4", ("0110100110010110",)),
])
def test_preset_columns(name, columns):
    """Each preset's table has the outputs its gate defines, in row order."""
    assert preset(name).columns == columns


def test_every_preset_exists_with_a_description():
    """All the listed presets exist, each with an expression, an input count and a description, and build."""
    assert set(PRESETS) == {"and", "or", "nand", "nor", "xor", "xnor", "implies", "parity3", "parity4",
                            "majority3", "all-equal3", "copy-first3", "half-adder", "full-adder", "mux2"}
    for name, p in PRESETS.items():
        assert p.description.strip() and p.expression.strip()
        table = p.table()
        assert table.name == name and table.n_inputs == p.n_inputs


def test_adders_name_their_outputs():
    """half-adder and full-adder have two outputs named sum and carry; full-adder's expression is the textbook one."""
    half = preset("half-adder")
    assert half.n_outputs == 2 and half.output_names == ("sum", "carry")
    assert PRESETS["full-adder"].expression == "a ^ b ^ c; a & b | c & (a ^ b)"
    full = preset("full-adder")
    for r, (a, b, c) in enumerate(input_bits(3).tolist()):
        assert full.bit(r, 0) + 2 * full.bit(r, 1) == a + b + c


def test_mux2_selects_with_a():
    """mux2 is a ? c : b."""
    table = preset("mux2")
    for r, (a, b, c) in enumerate(input_bits(3).tolist()):
        assert table.bit(r, 0) == (c if a else b)


def test_single_output_is_named_y():
    """A one-output table names its column y; more outputs are y1, y2, ..."""
    assert preset("xor").output_names == ("y",)
    assert table_from_bits(["0110", "0001", "1111"]).output_names == ("y1", "y2", "y3")


def test_unknown_preset_names_the_known_ones():
    """An unknown gate is a LabError listing the presets."""
    with pytest.raises(LabError, match=r"^unknown gate 'xr': choose one of and, or, .*mux2$"):
        preset("xr")


# --- edits -----------------------------------------------------------------------------------------------------------
def test_flip_and_toggle_return_new_tables():
    """flip inverts one bit and renames the table custom; toggle_heldout moves a row in and out; both copy."""
    xor = preset("xor")
    flipped = xor.flip(3, 0)
    assert flipped.columns == ("0111",) and flipped.name == "custom"
    assert xor.columns == ("0110",)
    held = xor.toggle_heldout(2)
    assert held.heldout == {2} and held.train_rows.tolist() == [0, 1, 3] and held.heldout_rows.tolist() == [2]
    assert held.toggle_heldout(2).heldout == frozenset()
    adder = preset("half-adder").flip(0, 1)
    assert adder.columns == ("0110", "1001")


def test_with_inputs_repeats_and_truncates():
    """Adding an input repeats the rows (the output ignores it) and maps held-out rows; removing keeps a = 0."""
    xor = preset("xor").toggle_heldout(1)
    three = xor.with_inputs(3)
    assert three.columns == ("01100110",) and three.heldout == {1, 5} and three.name == "custom"
    assert three.with_inputs(2).columns == ("0110",)
    assert preset("and").with_inputs(1).columns == ("00",)
    assert xor.with_inputs(2) is xor
    with pytest.raises(LabError, match="1 to 8 inputs, got 9"):
        xor.with_inputs(9)


def test_with_outputs_adds_zero_columns_and_drops_from_the_right():
    """New outputs start as zeros with default names; removing keeps the left columns."""
    two = preset("xor").with_outputs(2)
    assert two.columns == ("0110", "0000") and two.output_names == ("y1", "y2")
    assert preset("half-adder").with_outputs(1).columns == ("0110",)
    with pytest.raises(LabError, match="1 to 4 outputs, got 5"):
        two.with_outputs(5)


def test_with_outputs_keeps_given_names_and_never_reuses_one():
    """A preset's names stay when an output is added or removed; a new name clashes with no column nor input."""
    three = preset("half-adder").with_outputs(3)
    assert three.output_names == ("sum", "carry", "y3")
    assert three.with_outputs(2).output_names == ("sum", "carry")
    assert three.with_outputs(1).output_names == ("sum",)
    clash = TruthTable(2, ("0110", "0001"), output_names=("y3", "y2"))
    assert clash.with_outputs(4).output_names == ("y3", "y2", "y4", "y5")


# --- parsing tables and rows -----------------------------------------------------------------------------------------
def test_table_from_bits_errors():
    """Bad bit strings are LabErrors naming the output and the row."""
    assert table_from_bits([" 0110 "]).n_inputs == 2
    cases = {("011",): "output 1: expected 2, 4, 8, ... or 256 bits (2**inputs), got 3",
             ("0" * 512,): "output 1: expected 2, 4, 8, ... or 256 bits (2**inputs), got 512",
             ("0110", "01"): "output 2: expected 4 bits (one per row), got 2",
             ("01x0",): "output 1, row 2: expected 0 or 1, got 'x'",
             ("",): "the table is empty: give 2**N bits such as 0110",
             ("01",) * 5: "a table has 1 to 4 outputs, got 5"}
    for columns, message in cases.items():
        with pytest.raises(LabError) as info:
            table_from_bits(list(columns))
        assert str(info.value) == message


def test_table_checks_itself():
    """A TruthTable refuses bad input counts and held-out rows that do not exist."""
    with pytest.raises(LabError, match="held-out row 4 does not exist: rows are 0 to 3"):
        TruthTable(2, ("0110",), frozenset({4}))
    with pytest.raises(LabError, match="1 to 8 inputs, got 0"):
        TruthTable(0, ("0",))


def test_table_from_expression_counts_inputs():
    """The input count is the highest variable used unless given; a variable beyond it is an ExpressionError."""
    assert table_from_expression("c").n_inputs == 3
    assert table_from_expression("1").columns == ("11",)
    assert table_from_expression("a", 2).columns == ("0011",)
    with pytest.raises(ExpressionError) as info:
        table_from_expression("a ^ c", 2)
    assert str(info.value) == "col 5: 'c' needs 3 inputs but the table has 2"
    for text, col in (("a and d", 7), ("A ^ D", 5)):  # not the 'd' of "and"; capitals are variables too
        with pytest.raises(ExpressionError) as info:
            table_from_expression(text, 2)
        assert info.value.col == col


def test_parse_rows_takes_indices_or_bit_patterns():
    """Held-out rows are indices or bit patterns, comma-separated; blanks are ignored."""
    assert parse_rows("4", 3) == {4}
    assert parse_rows("100, 1,,011", 3) == {4, 1, 3}
    assert parse_rows("1", 1) == {1}
    assert parse_rows("", 2) == frozenset()
    with pytest.raises(LabError) as info:
        parse_rows("8", 3)
    assert str(info.value) == "held-out row '8': expected a row index 0 to 7 or 3 bits such as 100"
    with pytest.raises(LabError, match="held-out row '1x'"):
        parse_rows("1x", 2)
