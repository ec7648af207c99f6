"""What each line of the truth table says and where its cells fall, with no widget: the number format of an answer,
the layout that fits a pane's width, a line as (text, role) pieces, and the columns of each output's target bit and
answer. ``TruthTableView`` draws these pieces, repaints and hit-tests by these columns, so the drawing, the partial
repaints and the mouse read one layout.

Each line: `` 3 1 1 │ 0 │ .07✓`` -- row index, inputs, target bits, then per output the network's raw value to
two decimals and a mark (✓ right, ✗ wrong). The layout fits its width before the view scrolls sideways: first the
``held`` word goes (the ``h`` flag stays), then the output names are shortened, visibly (``carry`` becomes ``car…``,
never a bare ``c`` that reads as input ``c``), then the inputs close up into one bit string (``101``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from rich.cells import cell_len

from lab.core.expr import VARIABLES
from lab.core.gates import TruthTable
from lab.core.train import THRESHOLD
from lab.core.train import right as right_side

PRED_WIDTH = 5  # ".07✓" or "-1.5✗"
NAME_WIDTH = 5  # the widest a target column grows for its name
MIN_NAME_WIDTH = 2  # "c…": the narrowest a shortened name gets
HELD = " held"
SEPARATOR = " │ "

Outputs = tuple[tuple[float, ...], ...]
"""The network's answers, ``outputs[row][k]`` for output k; empty when there are none to show."""
Spans = list[tuple[int, int]]
"""Per output, the ``[start, end)`` columns of one kind of cell on a row's line."""


def side(value: float) -> str:
    """Which class ``value`` reads as, for a number whose digits round to the threshold itself: ``+`` above 0.5 (a
    1), ``-`` at or below it (a 0: exactly 0.5 is class 0, the core's rule, ``lab.core.rules.THRESHOLD``); ``""`` for
    nan."""
    return "+" if value > THRESHOLD else "-" if value <= THRESHOLD else ""


def short_name(name: str, width: int) -> str:
    """``name`` in at most ``width`` characters; a shortened one ends in ``…`` so it never reads as another
    column's whole name (``carry`` in 2 is ``c…``, not ``c``, which is an input)."""
    return name if len(name) <= width else name[: max(width - 1, 1)] + "…"


def value_text(value: float) -> str:
    """An output to two decimals in at most four characters: ``.07``, ``1.00``, ``-.50``, ``12.3``, ``-123``; from
    999.5 up (a linear output) its order of magnitude, ``2e3``, ``1e12``, ``-1e5``, then ``huge``/``-big``;
    ``nan``, ``inf``, ``-inf``. A value within 0.005 of the threshold shows its side: ``.50+`` (0.503, a 1),
    ``.50-`` (0.4971 and exactly 0.5, a 0)."""
    text = f"{value:.2f}"  # nan, inf and -inf come out as themselves and fit
    if text == f"{THRESHOLD:.2f}":
        return ".50" + side(value)
    if text.startswith("0.") or text.startswith("-0."):
        text = text.replace("0.", ".", 1)
    if len(text) <= 4:
        return text
    if abs(value) < 999.5:
        return f"{value:.3g}" if abs(value) >= 99.95 or value > 0 else f"{value:.2g}"
    exponent = math.floor(math.log10(abs(value)))
    digit = round(abs(value) / 10.0**exponent)
    if digit == 10:  # 9.6e2 rounds up to 1e3
        digit, exponent = 1, exponent + 1
    text = f"{'-' if value < 0 else ''}{digit}e{exponent}"
    return text if len(text) <= 4 else ("huge" if value > 0 else "-big")


@dataclass(frozen=True)
class TableLayout:
    """How the lines of ``table`` are laid out: output names in at most ``name_width`` characters, and whether a
    held-out row ends in the word ``held``."""

    table: TruthTable
    name_width: int = NAME_WIDTH
    held: bool = True
    packed: bool = False

    @classmethod
    def fit(cls, table: TruthTable, width: int) -> TableLayout:
        """The fullest layout whose lines fit in ``width`` cells (the ``held`` word goes first, then the names
        shorten, down to ``c…``, then the inputs close up into one bit string: a full adder's two answers fit the
        28 cells of an 80x24 screen); the narrowest when none fits."""
        choices = [cls(table, NAME_WIDTH, True), cls(table, NAME_WIDTH, False)]
        choices += [cls(table, w, False) for w in range(NAME_WIDTH - 1, MIN_NAME_WIDTH - 1, -1)]
        choices += [cls(table, w, False, packed=True) for w in range(NAME_WIDTH, MIN_NAME_WIDTH - 1, -1)]
        return next((layout for layout in choices if layout.width <= width), choices[-1])

    @property
    def compact(self) -> bool:
        """Inputs as one bit string (``0101``) instead of spaced columns: from five inputs up, or when packed to
        fit."""
        return self.table.n_inputs > 4 or self.packed

    def target_width(self, k: int) -> int:
        """The width of output ``k``'s target column: its name's, up to ``name_width``."""
        return max(min(len(self.table.output_names[k]), self.name_width), 1)

    @property
    def width(self) -> int:
        """The width of the widest line in cells."""
        t = self.table
        index = 1 + len(str(t.n_rows - 1)) + 1
        inputs = t.n_inputs if self.compact else 2 * t.n_inputs - 1
        targets = sum(self.target_width(k) for k in range(t.n_outputs)) + t.n_outputs - 1
        suffix = len(HELD) if self.held and t.heldout else 0
        return index + inputs + 3 + targets + 3 + t.n_outputs * (PRED_WIDTH + 1) - 1 + suffix

    def cells(self, row: int | None, outputs: Outputs, cursor: tuple[int, int]) -> list[tuple[str, str]]:
        """Line ``row`` (None: the header) as (text, role) pieces; the role picks the style (``header``, ``row``,
        ``cursor`` for the target bit at ``cursor`` = (row, output), ``right`` or ``wrong`` for an answer).

        A row's pieces: held-out flag (``h``), index and inputs; target bit and gap per output; the separator;
        answer and gap per output (``-`` without ``outputs``); then ``held`` where the layout keeps it.
        """
        t = self.table
        digits = len(str(t.n_rows - 1))
        pieces: list[tuple[str, str]] = []
        if row is None:
            names = VARIABLES[: t.n_inputs]
            inputs = names if self.compact else " ".join(names)
            pieces.append((f" {'#':>{digits}} {inputs}{SEPARATOR}", "header"))
            heads = [f"{short_name(name, w):^{w}}"
                     for name, w in zip(t.output_names, map(self.target_width, range(t.n_outputs)), strict=True)]
            pieces.append((" ".join(heads), "header"))
            label = "out" if t.n_outputs == 1 else "outputs"
            pieces.append((f"{SEPARATOR}{label}", "header"))
            return pieces
        bits = t.row_label(row)
        inputs = bits if self.compact else " ".join(bits)
        pieces.append((f"{'h' if row in t.heldout else ' '}{row:>{digits}} {inputs}{SEPARATOR}", "row"))
        for k in range(t.n_outputs):
            cell = f"{t.columns[k][row]:^{self.target_width(k)}}"
            pieces.append((cell, "cursor" if (row, k) == cursor else "row"))
            pieces.append((" " if k < t.n_outputs - 1 else "", "row"))
        pieces.append((SEPARATOR, "row"))
        for k in range(t.n_outputs):
            if not outputs:
                pieces += [(f"{'-':<{PRED_WIDTH}}", "row"), (" ", "row")]  # two pieces, as below (``spans``)
                continue
            value = outputs[row][k]
            right = bool(right_side(value, float(t.columns[k][row])))
            text = f"{value_text(value)}{'✓' if right else '✗'}"
            pieces.append((f"{text:<{PRED_WIDTH}}", "right" if right else "wrong"))
            pieces.append((" ", "row"))
        if self.held and row in t.heldout:
            pieces.append((HELD.strip(), "row"))
        return pieces

    def spans(self, outputs: Outputs) -> tuple[Spans, Spans]:
        """Where each output's target bit and answer are drawn on a row's line, read off the pieces ``cells``
        gives (prefix, then target and gap per output, the separator, then answer and gap per output)."""
        n = self.table.n_outputs
        edges = [0]
        for text, _ in self.cells(0, outputs, (-1, -1)):
            edges.append(edges[-1] + cell_len(text))
        targets = [(edges[1 + 2 * k], edges[2 + 2 * k]) for k in range(n)]
        answers = [(edges[2 + 2 * n + 2 * k], edges[2 + 2 * n + 2 * k] + PRED_WIDTH) for k in range(n)]
        return targets, answers
