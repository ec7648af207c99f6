"""Truth tables of boolean gates, their presets, and filling a table from an expression.

Row ``i`` of a table with ``n`` inputs holds the inputs as the binary digits of ``i``, the first input (``a``) most
significant, so XOR's outputs in row order are ``0110``. A table is immutable: every edit returns a new table, which
lets the training thread hold one safely while the interface makes the next.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from lab.core import expr as ex
from lab.core.errors import LabError
from lab.core.presets import PRESETS, Preset  # noqa: F401  (the registry, kept where NumPy is not needed)

MIN_INPUTS, MAX_INPUTS = 1, 8
MIN_OUTPUTS, MAX_OUTPUTS = 1, 4


def input_bits(n_inputs: int) -> np.ndarray:
    """All input rows of an ``n_inputs`` table.

    Returns:
        uint8 array of shape ``(2**n_inputs, n_inputs)``; ``[i, j]`` is bit ``n_inputs - 1 - j`` of ``i``.
    """
    rows = np.arange(2**n_inputs)[:, None]
    shifts = np.arange(n_inputs - 1, -1, -1)[None, :]
    return ((rows >> shifts) & 1).astype(np.uint8)


def _check_bits(column: str, n_rows: int, where: str) -> None:
    if len(column) != n_rows:
        raise LabError(f"{where}: expected {n_rows} bits (one per row), got {len(column)}")
    for pos, ch in enumerate(column):
        if ch not in "01":
            raise LabError(f"{where}, row {pos}: expected 0 or 1, got {ch!r}")


@dataclass(frozen=True)
class TruthTable:
    """A boolean gate with 1-8 inputs and 1-4 outputs.

    Attributes:
        n_inputs: number of input columns, 1 to 8.
        columns: one string of ``2**n_inputs`` characters '0'/'1' per output, in row order.
        heldout: row indices left out of training and scored separately.
        name: a short label ("xor", "custom", ...).
        output_names: one name per output column (``y`` or ``y1``..``y4`` unless a preset names them).
    """

    n_inputs: int
    columns: tuple[str, ...]
    heldout: frozenset[int] = frozenset()
    name: str = "custom"
    output_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.n_inputs, int) or not MIN_INPUTS <= self.n_inputs <= MAX_INPUTS:
            raise LabError(f"a table has {MIN_INPUTS} to {MAX_INPUTS} inputs, got {self.n_inputs}")
        if not MIN_OUTPUTS <= len(self.columns) <= MAX_OUTPUTS:
            raise LabError(f"a table has {MIN_OUTPUTS} to {MAX_OUTPUTS} outputs, got {len(self.columns)}")
        for k, column in enumerate(self.columns):
            _check_bits(column, self.n_rows, f"output {k + 1}")
        bad = sorted(r for r in self.heldout if not 0 <= r < self.n_rows)
        if bad:
            raise LabError(f"held-out row {bad[0]} does not exist: rows are 0 to {self.n_rows - 1}")
        if len(self.output_names) != len(self.columns):
            object.__setattr__(self, "output_names", default_output_names(len(self.columns)))

    # --- derived arrays (cached; the table is immutable) ---------------------------------------------------------
    @property
    def n_rows(self) -> int:
        """``2**n_inputs``."""
        return 2**self.n_inputs

    @property
    def n_outputs(self) -> int:
        """Number of output columns."""
        return len(self.columns)

    @cached_property
    def inputs(self) -> np.ndarray:
        """float64 array ``(n_rows, n_inputs)`` of 0.0/1.0."""
        return input_bits(self.n_inputs).astype(np.float64)

    @cached_property
    def targets(self) -> np.ndarray:
        """float64 array ``(n_rows, n_outputs)`` of 0.0/1.0."""
        return np.array([[float(c[r]) for c in self.columns] for r in range(self.n_rows)], dtype=np.float64)

    @cached_property
    def train_rows(self) -> np.ndarray:
        """int array of the rows trained on (not held out), ascending."""
        return np.array([r for r in range(self.n_rows) if r not in self.heldout], dtype=np.intp)

    @cached_property
    def heldout_rows(self) -> np.ndarray:
        """int array of the held-out rows, ascending."""
        return np.array(sorted(self.heldout), dtype=np.intp)

    def bit(self, row: int, output: int) -> int:
        """The target bit at ``row`` of output column ``output``."""
        return int(self.columns[output][row])

    def row_label(self, row: int) -> str:
        """The inputs of ``row`` as a bit string, first input first: row 4 of 3 inputs is ``100``."""
        return format(row, f"0{self.n_inputs}b")

    # --- edits (each returns a new table) --------------------------------------------------------------------------
    def flip(self, row: int, output: int) -> TruthTable:
        """The table with the bit at (``row``, ``output``) inverted."""
        column = self.columns[output]
        flipped = column[:row] + ("1" if column[row] == "0" else "0") + column[row + 1 :]
        cols = self.columns[:output] + (flipped,) + self.columns[output + 1 :]
        return replace(self, columns=cols, name="custom")

    def toggle_heldout(self, row: int) -> TruthTable:
        """The table with ``row`` moved in or out of the held-out set."""
        return replace(self, heldout=self.heldout ^ {row})

    def with_inputs(self, n_inputs: int) -> TruthTable:
        """The table with ``n_inputs`` inputs. Adding an input keeps each output independent of it (the old rows are
        repeated); removing the first input keeps the rows where it was 0. Held-out rows are kept where they map."""
        if not MIN_INPUTS <= n_inputs <= MAX_INPUTS:
            raise LabError(f"a table has {MIN_INPUTS} to {MAX_INPUTS} inputs, got {n_inputs}")
        if n_inputs == self.n_inputs:
            return self
        if n_inputs > self.n_inputs:
            reps = 2 ** (n_inputs - self.n_inputs)
            cols = tuple(c * reps for c in self.columns)
            held = frozenset(r + k * self.n_rows for r in self.heldout for k in range(reps))
        else:
            keep = 2**n_inputs
            cols = tuple(c[:keep] for c in self.columns)
            held = frozenset(r for r in self.heldout if r < keep)
        return replace(self, n_inputs=n_inputs, columns=cols, heldout=held, name="custom")

    def with_outputs(self, n_outputs: int) -> TruthTable:
        """The table with ``n_outputs`` columns: new columns start as all zeros, removed ones go from the right.
        Default names follow the count (``y`` becomes ``y1 y2``); names the user or a preset gave stay (``sum``,
        ``carry``), and a new column is named ``y<k>`` for its place k, or the next free ``y<j>``, so it never shares
        a name with another column or an input."""
        if not MIN_OUTPUTS <= n_outputs <= MAX_OUTPUTS:
            raise LabError(f"a table has {MIN_OUTPUTS} to {MAX_OUTPUTS} outputs, got {n_outputs}")
        cols = self.columns[:n_outputs] + ("0" * self.n_rows,) * max(0, n_outputs - self.n_outputs)
        if self.output_names == default_output_names(self.n_outputs):
            return replace(self, columns=cols, output_names=default_output_names(n_outputs), name="custom")
        names = list(self.output_names[:n_outputs])
        while len(names) < n_outputs:
            taken = set(names) | set(ex.VARIABLES[: self.n_inputs])
            names.append(next(f"y{j}" for j in range(len(names) + 1, len(names) + 2 + len(taken))
                              if f"y{j}" not in taken))
        return replace(self, columns=cols, output_names=tuple(names), name="custom")

    def with_heldout(self, rows: frozenset[int] | set[int]) -> TruthTable:
        """The table with exactly ``rows`` held out."""
        return replace(self, heldout=frozenset(rows))


def default_output_names(n_outputs: int) -> tuple[str, ...]:
    """``("y",)`` for one output, else ``("y1", "y2", ...)``."""
    return ("y",) if n_outputs == 1 else tuple(f"y{k + 1}" for k in range(n_outputs))


def table_from_bits(columns: list[str] | tuple[str, ...], name: str = "custom") -> TruthTable:
    """A table from output bit strings in row order (``["0110"]`` is XOR). The length fixes the input count.

    Raises:
        LabError: when a column is not 2, 4, ..., 256 bits of 0/1, or columns disagree in length.
    """
    columns = tuple(c.strip() for c in columns)
    if not columns or not columns[0]:
        raise LabError("the table is empty: give 2**N bits such as 0110")
    if len(columns) > MAX_OUTPUTS:
        raise LabError(f"a table has at most {MAX_OUTPUTS} outputs, got {len(columns)}")
    length = len(columns[0])
    n_inputs = length.bit_length() - 1
    if length < 2 or 2**n_inputs != length or n_inputs > MAX_INPUTS:
        raise LabError(f"output 1: expected 2, 4, 8, ... or 256 bits (2**inputs), got {length}")
    return TruthTable(n_inputs, columns, name=name)


def table_from_expression(text: str, n_inputs: int | None = None, name: str = "custom",
                          output_names: tuple[str, ...] = ()) -> TruthTable:
    """Fill a table by evaluating a boolean expression on every row.

    Args:
        text: one expression per output separated by ';' (see ``lab.core.expr``).
        n_inputs: the table's input count; by default the highest variable used (at least 1).
        name: the table's label.
        output_names: names of the output columns.

    Raises:
        ExpressionError: the expression does not parse, or uses a variable beyond ``n_inputs``.
        LabError: ``n_inputs`` is not 1 to 8.
    """
    if n_inputs is not None and not MIN_INPUTS <= n_inputs <= MAX_INPUTS:
        raise LabError(f"a table has {MIN_INPUTS} to {MAX_INPUTS} inputs, got {n_inputs}")
    trees = ex.parse(text)
    used = set().union(*(ex.variables_used(t) for t in trees))
    needed = max(used) + 1 if used else 1
    if n_inputs is None:
        n_inputs = needed
    elif needed > n_inputs:
        col = next(t.col for t in ex.tokenize(text) if t.kind == "var" and t.text == ex.VARIABLES[needed - 1])
        raise ex.ExpressionError(col, f"'{ex.VARIABLES[needed - 1]}' needs {needed} inputs but the table has "
                                      f"{n_inputs}")
    bits = input_bits(n_inputs).astype(bool)
    cols = tuple("".join("1" if v else "0" for v in ex.evaluate(t, bits)) for t in trees)
    return TruthTable(n_inputs, cols, name=name, output_names=output_names)


def preset(name: str) -> TruthTable:
    """The table of preset ``name``.

    Raises:
        LabError: naming the known presets when ``name`` is not one.
    """
    try:
        return PRESETS[name].table()
    except KeyError:
        raise LabError(f"unknown gate '{name}': choose one of {', '.join(PRESETS)}") from None


def parse_rows(spec: str, n_inputs: int) -> frozenset[int]:
    """Parse a held-out row list: indices (``4``) or bit patterns of length ``n_inputs`` (``100``), comma-separated.

    Raises:
        LabError: naming the offending item.
    """
    rows: set[int] = set()
    n_rows = 2**n_inputs
    for item in (s.strip() for s in spec.split(",")):
        if not item:
            continue
        if len(item) == n_inputs and set(item) <= {"0", "1"} and n_inputs > 1:
            rows.add(int(item, 2))
        elif item.isascii() and item.isdigit() and len(item) <= 9 and int(item) < n_rows:  # not '²' nor 10**5000
            rows.add(int(item))
        else:
            raise LabError(f"held-out row '{item}': expected a row index 0 to {n_rows - 1} "
                           f"or {n_inputs} bits such as {'1' + '0' * (n_inputs - 1)}")
    return frozenset(rows)


def parse_inputs(values: Sequence[str], n_inputs: int) -> np.ndarray:
    """Parse one value per input (or one bit string) into an array of shape ``(1, n_inputs)``.

    Raises:
        LabError: naming the input that is not a number in [0, 1], or the wrong count.
    """
    values = list(values)
    if len(values) == 1 and len(values[0]) == n_inputs > 1 and set(values[0]) <= {"0", "1"}:
        values = list(values[0])
    if len(values) != n_inputs:
        names = " ".join(ex.VARIABLES[:n_inputs])
        raise LabError(f"expected {n_inputs} input value{'s' * (n_inputs > 1)} ({names}), got {len(values)}")
    out = []
    for name, text in zip(ex.VARIABLES, values, strict=False):  # the first n_inputs of a..h
        try:
            v = float(text)
        except ValueError:
            v = math.nan
        if not (0.0 <= v <= 1.0):
            raise LabError(f"input {name}: expected a number from 0 to 1, got '{text}'")
        out.append(v)
    return np.array([out])
