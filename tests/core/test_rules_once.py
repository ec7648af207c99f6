"""Each limit the lab states is stated once, and every place that shows or enforces it agrees with that one place."""

from __future__ import annotations

import pytest

from lab.core import expr as ex
from lab.core.errors import ExpressionError, LabError
from lab.core.experiment import MAX_SEED, Training
from lab.core.gates import TruthTable, preset, table_from_bits, table_from_expression
from lab.core.sweep import seed_list
from lab.core.table_size import INPUTS_RULE, MAX_INPUTS, MAX_OUTPUTS, MIN_INPUTS, MIN_OUTPUTS, OUTPUTS_RULE, VARIABLES


def test_the_table_size_rule_is_what_every_way_of_making_a_table_enforces():
    """A table built, grown, shrunk, read from bits or from an expression stops exactly at the stated limits, with the
    stated rule's words."""
    table = preset("xor")
    assert table.with_inputs(MAX_INPUTS).n_inputs == MAX_INPUTS
    assert table.with_inputs(MIN_INPUTS).n_inputs == MIN_INPUTS
    for n in (MIN_INPUTS - 1, MAX_INPUTS + 1):
        with pytest.raises(LabError, match=INPUTS_RULE):
            table.with_inputs(n)
    assert table.with_outputs(MAX_OUTPUTS).n_outputs == MAX_OUTPUTS
    for n in (MIN_OUTPUTS - 1, MAX_OUTPUTS + 1):
        with pytest.raises(LabError, match=OUTPUTS_RULE):
            table.with_outputs(n)
    with pytest.raises(LabError, match=OUTPUTS_RULE):
        table_from_bits(["01"] * (MAX_OUTPUTS + 1))
    with pytest.raises(LabError, match=INPUTS_RULE):
        TruthTable(MAX_INPUTS + 1, ("0" * 2 ** (MAX_INPUTS + 1),))


def test_the_expression_language_has_a_letter_per_input_and_an_expression_per_output():
    """The letters are the first ``MAX_INPUTS`` of the alphabet; the last one parses, one more is no variable; one
    ``;`` too many is refused at its column."""
    assert [ord(c) - ord("a") for c in VARIABLES] == list(range(MAX_INPUTS))
    assert table_from_expression(VARIABLES[-1]).n_inputs == MAX_INPUTS
    assert len(ex.parse("; ".join(VARIABLES[:MAX_OUTPUTS]))) == MAX_OUTPUTS
    with pytest.raises(ExpressionError, match=f"at most {MAX_OUTPUTS} outputs"):
        ex.parse("; ".join(VARIABLES[: MAX_OUTPUTS + 1]))


def test_the_largest_seed_is_what_training_and_sweeps_take_and_the_next_seed_wraps_there():
    """``MAX_SEED``: a training takes it and refuses one more; a sweep may end on it and not pass it; the seed after
    it is 0."""
    assert Training(seed=MAX_SEED).seed == MAX_SEED
    with pytest.raises(LabError, match=f"seed: expected 0 to {MAX_SEED}"):
        Training(seed=MAX_SEED + 1)
    assert seed_list(MAX_SEED - 1, 2) == [MAX_SEED - 1, MAX_SEED]
    with pytest.raises(LabError, match=f"largest seed, {MAX_SEED}"):
        seed_list(MAX_SEED, 2)
    assert Training(seed=MAX_SEED).next_seed == 0 and Training(seed=7).next_seed == 8
