"""The preset gates by name: what each computes, in words and as an expression. No NumPy here (a table is built
by ``Preset.table``, through ``lab.core.gates``), so ``nnlab --help`` and the completion scripts can name the gates
without loading it; ``lab.core.gates`` re-exports ``PRESETS``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lab.core.gates import TruthTable


@dataclass(frozen=True)
class Preset:
    """A named gate: its expression, input count and a one-line description."""

    name: str
    expression: str
    n_inputs: int
    description: str
    output_names: tuple[str, ...] = field(default=())

    def table(self) -> TruthTable:
        """The preset's truth table."""
        from lab.core.gates import table_from_expression  # NumPy, loaded when a table is made

        return table_from_expression(self.expression, self.n_inputs, self.name, self.output_names)


PRESETS: dict[str, Preset] = {p.name: p for p in (
    Preset("and", "a & b", 2, "1 only when both inputs are 1"),
    Preset("or", "a | b", 2, "1 when either input is 1"),
    Preset("nand", "~(a & b)", 2, "not and: 0 only when both inputs are 1"),
    Preset("nor", "~(a | b)", 2, "not or: 1 only when both inputs are 0"),
    Preset("xor", "a ^ b", 2, "1 when the inputs differ; the classic gate one neuron cannot learn"),
    Preset("xnor", "a == b", 2, "1 when the inputs are equal"),
    Preset("implies", "a -> b", 2, "0 only when a is 1 and b is 0"),
    Preset("parity3", "a ^ b ^ c", 3, "1 when an odd number of the three inputs are 1"),
    Preset("parity4", "a ^ b ^ c ^ d", 4, "1 when an odd number of the four inputs are 1"),
    Preset("majority3", "a & b | a & c | b & c", 3, "1 when at least two of the three inputs are 1"),
    Preset("all-equal3", "(a == b) & (b == c)", 3, "1 when all three inputs are equal"),
    Preset("copy-first3", "a", 3, "output = first input; the other two are distractions"),
    Preset("half-adder", "a ^ b; a & b", 2, "adds two bits: sum and carry", ("sum", "carry")),
    Preset("full-adder", "a ^ b ^ c; a & b | c & (a ^ b)", 3, "adds three bits: sum and carry out",
           ("sum", "carry")),
    Preset("mux2", "~a & b | a & c", 3, "multiplexer: a ? c : b (a selects which input passes)"),
)}
