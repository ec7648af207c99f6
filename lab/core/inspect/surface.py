"""What the network outputs between and on the table's rows: a decision surface for two inputs, Karnaugh maps for
two to four.

The decision surface samples the unit square on a grid whose first row is the top edge, as a screen draws it::

    values[k, i, j] = output k at (a, b) = (j / (cols - 1), 1 - i / (rows - 1))

so ``a`` grows to the right, ``b`` grows upwards, and the four corners of the array are the table's four rows:
top-left 01, top-right 11, bottom-left 00, bottom-right 10. ``half_blocks`` pairs the grid's rows for a heatmap of
``▀`` characters, the top pixel the foreground colour and the bottom pixel the background.

A Karnaugh map lays a table's rows out so that neighbouring cells (wrapping round) differ in one input. Its row
variables are the first ``n // 2`` inputs and its column variables the rest, each in Gray-code order: for 3 inputs
rows ``a`` (0, 1) by columns ``bc`` (00, 01, 11, 10); for 4 inputs rows ``ab`` by columns ``cd``, both
00, 01, 11, 10; for 2 inputs rows ``a`` by columns ``b``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lab.core.errors import LabError
from lab.core.expr import VARIABLES
from lab.core.gates import TruthTable
from lab.core.inspect.common import frozen
from lab.core.nn import Network
from lab.core.train import right

Array = np.ndarray

HALF_BLOCK = "▀"
SHADES = " ░▒▓█"  # from 0 to 1, for drawing a surface without colour


@dataclass(frozen=True, eq=False)
class Corner:
    """A table row of a two-input gate, at a corner of the unit square.

    Attributes:
        row: the table row (0 to 3; ``a`` is its high bit).
        a: the first input, 0.0 or 1.0.
        b: the second input, 0.0 or 1.0.
        cell: its ``(i, j)`` index in the surface grid.
        output: the network's outputs there, (n_outputs,).
        target: the row's targets, (n_outputs,).
        heldout: whether the row is held out of training.
    """

    row: int
    a: float
    b: float
    cell: tuple[int, int]
    output: Array
    target: Array
    heldout: bool


@dataclass(frozen=True, eq=False)
class DecisionSurface:
    """Every output of a two-input network on a grid over the unit square.

    Attributes:
        a: the first input at each grid column, (cols,), 0 to 1 left to right.
        b: the second input at each grid row, (rows,), 1 to 0 top to bottom.
        values: outputs, (n_outputs, rows, cols): ``values[k, i, j]`` is output k at ``(a[j], b[i])``.
        corners: the four table rows, in row order 00, 01, 10, 11.
        output_names: the table's name for each output.
    """

    a: Array
    b: Array
    values: Array
    corners: tuple[Corner, ...]
    output_names: tuple[str, ...]


def decision_surface(net: Network, table: TruthTable, rows: int = 16, cols: int = 32) -> DecisionSurface:
    """Sample ``net`` on a ``rows`` x ``cols`` grid over the unit square (edges included).

    Args:
        net: a network with two inputs (only read).
        table: its two-input truth table, for the corners' targets.
        rows: grid rows, at least 2 (twice the character rows of a half-block heatmap).
        cols: grid columns, at least 2.

    Raises:
        LabError: when the table does not have two inputs or the network another input count, or the grid is
            smaller than 2 x 2.
    """
    if table.n_inputs != 2 or net.shape.sizes[0] != 2:
        raise LabError(f"a decision surface needs 2 inputs; the table has {table.n_inputs}, "
                       f"the network {net.shape.sizes[0]}")
    if rows < 2 or cols < 2:
        raise LabError(f"a decision surface needs a grid of at least 2 x 2 points, got {rows} x {cols}")
    a = np.linspace(0.0, 1.0, cols)
    b = np.linspace(1.0, 0.0, rows)
    grid = np.stack(np.meshgrid(a, b), axis=-1).reshape(-1, 2)  # (rows * cols, 2), row-major: b outer, a inner
    with np.errstate(all="ignore"):
        out = net.forward(grid).reshape(rows, cols, -1).transpose(2, 0, 1)
    corners = tuple(Corner(r, float(r >> 1), float(r & 1), ((1 - (r & 1)) * (rows - 1), (r >> 1) * (cols - 1)),
                           frozen(out[:, (1 - (r & 1)) * (rows - 1), (r >> 1) * (cols - 1)]),
                           frozen(table.targets[r]), r in table.heldout)
                    for r in range(4))
    return DecisionSurface(frozen(a), frozen(b), frozen(out), corners, table.output_names)


@dataclass(frozen=True, eq=False)
class HalfBlocks:
    """A grid drawn two pixels per character: cell ``(i, j)`` is ``▀`` coloured ``top[i, j]`` over ``bottom[i, j]``.

    Attributes:
        top: the pixel of grid row ``2i``, (rows / 2, cols), in [0, 1].
        bottom: the pixel of grid row ``2i + 1``, (rows / 2, cols), in [0, 1].
    """

    top: Array
    bottom: Array

    def lines(self) -> list[str]:
        """One string of ``▀`` per character row (each cell is coloured from ``top`` and ``bottom``)."""
        return [HALF_BLOCK * self.top.shape[1]] * self.top.shape[0]

    def shades(self) -> list[str]:
        """The same cells without colour: one of ``SHADES`` per cell, by the mean of its two pixels."""
        level = np.rint((self.top + self.bottom) * 0.5 * (len(SHADES) - 1)).astype(np.intp)
        return ["".join(SHADES[v] for v in row) for row in level]


def half_blocks(grid: Array) -> HalfBlocks:
    """Pair the rows of ``grid`` (rows, cols) for a half-block heatmap; values are clipped to [0, 1] (nan to 0.5).

    Raises:
        LabError: when ``grid`` is not two-dimensional with an even number of rows.
    """
    grid = np.asarray(grid, dtype=np.float64)
    if grid.ndim != 2 or grid.shape[0] % 2:
        raise LabError(f"a half-block heatmap needs a 2-D grid with an even number of rows, got shape {grid.shape}")
    grid = np.clip(np.nan_to_num(grid, nan=0.5), 0.0, 1.0)
    return HalfBlocks(frozen(grid[0::2]), frozen(grid[1::2]))


def gray_codes(bits: int) -> tuple[str, ...]:
    """The ``2**bits`` bit strings of ``bits`` bits in Gray-code order: ``('00', '01', '11', '10')`` for 2."""
    return tuple(format(i ^ (i >> 1), f"0{bits}b") for i in range(2**bits))


@dataclass(frozen=True, eq=False)
class KarnaughMap:
    """One output of the network over a table of 2 to 4 inputs, as a Karnaugh map.

    Attributes:
        output: the output's index.
        output_name: the table's name for it.
        row_vars: the inputs along the rows, ``a`` or ``ab``.
        col_vars: the inputs along the columns, ``b``, ``bc`` or ``cd``.
        row_labels: the row variables' values per map row, in Gray order (``('0', '1')`` or ``('00', '01', '11',
            '10')``).
        col_labels: the same for the columns.
        rows: the table row of each cell, (R, C) int.
        values: the network's output in each cell, (R, C): how sure it is of a 1.
        targets: the table's target in each cell, (R, C) of 0.0/1.0.
        heldout: whether each cell's row is held out, (R, C) bool.
    """

    output: int
    output_name: str
    row_vars: str
    col_vars: str
    row_labels: tuple[str, ...]
    col_labels: tuple[str, ...]
    rows: Array
    values: Array
    targets: Array
    heldout: Array

    @property
    def right(self) -> Array:
        """Whether each cell's output is on its target's side of 0.5 (``lab.core.train.right``), (R, C) bool."""
        return right(self.values, self.targets)


def karnaugh_rows(n_inputs: int) -> Array:
    """The table row of every Karnaugh-map cell for ``n_inputs`` (2 to 4) inputs, (R, C) int."""
    n_row = n_inputs // 2
    n_col = n_inputs - n_row
    r = np.array([int(g, 2) for g in gray_codes(n_row)])
    c = np.array([int(g, 2) for g in gray_codes(n_col)])
    return (r[:, None] << n_col) | c[None, :]


def karnaugh_maps(net: Network, table: TruthTable) -> tuple[KarnaughMap, ...]:
    """One Karnaugh map per output of ``net`` over every row of ``table``.

    Raises:
        LabError: when the table has fewer than 2 or more than 4 inputs, or the network another input count.
    """
    n = table.n_inputs
    if not 2 <= n <= 4 or net.shape.sizes[0] != n:
        raise LabError(f"a Karnaugh map needs 2 to 4 inputs; the table has {n}, the network {net.shape.sizes[0]}")
    with np.errstate(all="ignore"):
        y = net.forward(table.inputs)
    cells = karnaugh_rows(n)
    n_row = n // 2
    held = np.zeros(table.n_rows, bool)
    held[table.heldout_rows] = True
    rows, heldout = frozen(cells, np.intp), frozen(held[cells], bool)
    return tuple(KarnaughMap(k, table.output_names[k], VARIABLES[:n_row], VARIABLES[n_row:n], gray_codes(n_row),
                             gray_codes(n - n_row), rows, frozen(y[cells, k]), frozen(table.targets[cells, k]),
                             heldout)
                 for k in range(table.n_outputs))


POINT_GLYPHS = {(1, False): "●", (0, False): "○", (1, True): "◆", (0, True): "◇"}  # by (target, held out)


@dataclass(frozen=True)
class SurfacePoint:
    """A table row drawn on a half-block surface: where, and what glyph.

    Attributes:
        row: the table row.
        line: the character line it falls on (grid row // 2).
        col: the character column (grid column).
        glyph: ``●``/``○`` a training row with target 1/0, ``◆``/``◇`` a held-out row with target 1/0.
        right: whether the output is on its target's side of 0.5 (the core's one rule, ``train.right``).
        mark_col: the column beside it for ``✓``/``✗`` (inside the square).
    """

    row: int
    line: int
    col: int
    glyph: str
    right: bool
    mark_col: int


def surface_points(surface: DecisionSurface, output: int = 0) -> tuple[SurfacePoint, ...]:
    """The four rows of a two-input table as points on the half-block drawing of output ``output``: each at its
    corner, with its target and held-out state in the glyph and whether the network is right beside it."""
    cols = surface.values.shape[2]
    points = []
    for c in surface.corners:
        i, j = c.cell
        target = int(c.target[output] > 0.5)
        points.append(SurfacePoint(c.row, i // 2, j, POINT_GLYPHS[target, c.heldout],
                                   bool(right(c.output[output], c.target[output])),
                                   j + 1 if j == 0 else max(j - 1, 0) if cols > 1 else j))
    return tuple(points)
