"""A search's results as plain text: the ranked table and the heatmap over two axes (``nnlab tune`` prints them; the
lab's tune view draws the same cells).

A heatmap cell holds the best configuration (by the objective) among those with the cell's two axis values, the
other axes taken at their best; it reads ``100% 14``: the success rate and the median epochs to solve (``-`` when
no seed solved), so it needs no colour. A cell no configuration reached is ``·``.
"""

from __future__ import annotations

from collections.abc import Sequence

from lab.core.tune import TuneResult, ranked
from lab.core.tune_space import SearchSpace, Value, value_text

EMPTY = "·"


def percent(rate: float) -> str:
    """``100%``, ``97%``, ``0%``: a success rate in whole percent (``<1%`` for a few in many, never rounded to 0)."""
    p = 100 * rate
    return "<1%" if 0 < p < 1 else f"{p:.0f}%"


def epochs_text(value: float | None) -> str:
    """A solve epoch: ``14``, ``12.5``, ``-`` for none."""
    return "-" if value is None else f"{value:g}"


def cell_text(result: TuneResult | None) -> str:
    """A heatmap cell: ``100% 14`` (success rate, median epochs to solve), ``·`` for none."""
    if result is None:
        return EMPTY
    return f"{percent(result.success_rate)} {epochs_text(result.stats.median_solved_epoch)}"


def heatmap_cells(results: Sequence[TuneResult], rows: str, cols: str, space: SearchSpace,
                  objective: str = "reliable"
                  ) -> tuple[list[Value], list[Value], dict[tuple[Value, Value], TuneResult]]:
    """The heatmap of ``results`` over axes ``rows`` and ``cols``: their values (the space's, plus any a result
    holds that the space does not list, such as ``None`` units for no hidden layer) and the best result of each
    cell, keyed by ``(row value, column value)``."""
    row_values = list(space.values(rows))
    col_values = list(space.values(cols))
    cells: dict[tuple[Value, Value], TuneResult] = {}
    for r in ranked(results, objective):
        key = (r.config.value(rows), r.config.value(cols))
        for values, v in ((row_values, key[0]), (col_values, key[1])):
            if v not in values:
                values.insert(0, v)
        cells.setdefault(key, r)
    return row_values, col_values, cells


def heatmap_lines(results: Sequence[TuneResult], rows: str, cols: str, space: SearchSpace,
                  objective: str = "reliable") -> list[str]:
    """The heatmap as text: a title, a header of column values, then one line per row value."""
    row_values, col_values, cells = heatmap_cells(results, rows, cols, space, objective)
    grid = [[cell_text(cells.get((rv, cv))) for cv in col_values] for rv in row_values]
    width = max([len(value_text(v)) for v in col_values] + [len(t) for line in grid for t in line])
    label = max(len(rows), *(len(value_text(v)) for v in row_values))
    lines = [f"heatmap: success rate and median epochs to solve, {rows} down, {cols} across "
             f"(the best over the other axes)",
             f"  {rows:>{label}} \\ {cols}"]
    lines.append(f"  {'':>{label}}   " + "  ".join(f"{value_text(v):>{width}}" for v in col_values))
    for rv, line in zip(row_values, grid, strict=True):
        lines.append(f"  {value_text(rv):>{label}}   " + "  ".join(f"{t:>{width}}" for t in line))
    return lines


DROPPED_FIRST = ("seconds", "params", "loss", "p10-p90")
"""The ranked table's columns a narrow terminal loses, in this order: the rank, configuration, solved and median
stay."""


def table_lines(results: Sequence[TuneResult], width: int | None = None) -> list[str]:
    """The ranked table, one line per result (ranked already), with a header. Within ``width`` columns (None: any
    width) when dropping ``DROPPED_FIRST``'s columns can make it fit; a last line then names those left out."""
    label = max(len("configuration"), *(len(r.label) for r in results))
    columns: list[tuple[str, str, list[str]]] = [  # (name, format, each result's cell)
        ("rank", ">4", [str(i + 1) for i in range(len(results))]),
        ("configuration", f"<{label}", [r.label for r in results]),
        ("solved", ">9", [f"{r.stats.solved}/{r.stats.seeds}" for r in results]),
        ("median", ">6", [epochs_text(r.stats.median_solved_epoch) for r in results]),
        ("p10-p90", ">11", ["-" if r.stats.p10_solved_epoch is None
                            else f"{r.stats.p10_solved_epoch:g}-{r.stats.p90_solved_epoch:g}" for r in results]),
        ("loss", ">8", [f"{r.stats.final_loss[1]:.3g}" if r.stats.final_loss else "-" for r in results]),
        ("params", ">6", [f"{r.n_params:,}" for r in results]),
        ("seconds", ">7", [f"{r.stats.seconds:.2f}" for r in results])]

    def lines_of(shown: list[tuple[str, str, list[str]]]) -> list[str]:
        rows = [[format(name, fmt) for name, fmt, _ in shown]]
        rows += [[format(cells[i], fmt) for _, fmt, cells in shown] for i in range(len(results))]
        return ["  " + "  ".join(row) for row in rows]

    dropped: list[str] = []
    lines = lines_of(columns)
    while width is not None and max(map(len, lines)) > width and len(dropped) < len(DROPPED_FIRST):
        dropped.append(DROPPED_FIRST[len(dropped)])
        lines = lines_of([c for c in columns if c[0] not in dropped])
    if dropped:
        lines.append(f"  ({', '.join(reversed(dropped))}: left out to fit {width} columns; --json has every figure)")
    return lines


__all__ = ["cell_text", "heatmap_cells", "heatmap_lines", "percent", "table_lines"]
