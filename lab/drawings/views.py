"""Each inspect view of a network as Rich ``Text``: the same drawing for the lab's pane and for ``nnlab show``.

Every number comes from ``lab.core.inspect``; this module only lays it out and colours it. It imports Rich, never
Textual, so the headless commands can print what the lab draws. Signs are always shown by a glyph or a minus sign,
never by colour alone; without colour (``monochrome``) surfaces are drawn in shades.
"""

from __future__ import annotations

import re

from rich.style import Style
from rich.text import Text

from lab.core import inspect as ins
from lab.core.experiment import Experiment
from lab.core.inspect import diagram as dg
from lab.core.inspect.picture import fill
from lab.core.inspect.step import BackpropStep, step_heading, step_sections, unit_names, weight_name
from lab.core.nn import Network
from lab.drawings.fit_text import fitting, hanging

POSITIVE, NEGATIVE = Style(color="green"), Style(color="red")
NODE_STYLES = (Style(color="rgb(70,110,220)"), Style(color="rgb(110,140,200)"), Style(color="rgb(160,160,160)"),
               Style(color="rgb(230,160,80)"), Style(color="rgb(250,140,40)"))
ANSI_LEVELS = ("blue", "bright_blue", "white", "bright_yellow", "yellow")
"""Five levels from low to high in colours every 16-colour terminal has (an ANSI theme): nodes and surfaces."""
BAR = "▏▎▍▌▋▊▉█"
SELECTED = Style(reverse=True)


SURFACE_LEGENDS = ("●○ target 1/0 · ◆◇ held out · ✓✗ right/wrong", "●○ 1/0 · ◆◇ held out · ✓✗ right/wrong",
                   "●○ 1/0 · ◆◇ held · ✓✗ right/wrong")
"""The decision surface's legend, fullest first: one line whole at every width (80x24 too), so the surface keeps
its rows."""

def heat(value: float) -> Style:
    """A colour from blue (0) through grey to orange (1) for a surface cell."""
    v = min(max(value, 0.0), 1.0)
    r, g, b = int(40 + 215 * v), int(90 + 60 * (1 - abs(v - 0.5) * 2)), int(220 - 190 * v)
    return Style(color=f"rgb({r},{g},{b})")


def bar(fraction: float, width: int = 8) -> str:
    """A bar of ``fraction`` (0 to 1) of ``width`` cells, in eighths."""
    eighths = int(round(min(max(fraction, 0.0), 1.0) * width * 8))
    full, part = divmod(eighths, 8)
    return ("█" * full + (BAR[part - 1] if part else "")).ljust(width)


# --- the picture ---------------------------------------------------------------------------------------------------
def picture_text(diagram: dg.Diagram, monochrome: bool = False, selected: tuple[str, int] | None = None,
                 legend: bool = True, ansi: bool = False) -> Text:
    """The drawn network: lines coloured by sign (bold when thick), nodes by their activation, each node's picture
    in half blocks (shades when ``monochrome``), in the 16 ANSI colours when ``ansi``; the ``selected`` node or line
    in reverse video. Cells of one style are appended as one run (a 50-line picture has a few thousand cells)."""
    out = Text()
    styles: dict[tuple | None, Style | None] = {}  # per role (a surface cell's role is its own)
    for y, (chars, roles) in enumerate(zip(diagram.chars, diagram.roles, strict=True)):
        line = Text(style="bold" if y == 0 and diagram.header else "")
        run: list[str] = []
        run_style: Style | None = None
        for char, role in zip(chars, roles, strict=True):
            if role not in styles:
                styles[role] = _cell_style(diagram, role, monochrome, ansi)
            style = styles[role]
            if role is not None and not monochrome:
                char = "▀" if role[0] == "surface" else "█" if role[0] == "body" else char  # a body is no space:
                # a line's end is cut of its spaces
            if selected is not None and role is not None and role[0] != "text" and \
                    ("edge" if role[0] == "edge" else "node", role[1]) == selected:
                style = (style or Style()) + SELECTED
            if style != run_style and run:
                line.append("".join(run), run_style)
                run = []
            run.append(char)
            run_style = style
        if run:
            line.append("".join(run), run_style)
        line.rstrip()
        out.append_text(line)
        out.append("\n")
    if legend:
        for words in dg.footer(diagram):
            out.append(words + "\n", "dim")
    out.rstrip()
    return out


def _level(value: float) -> int:
    return min(4, max(0, int(value * 5)))


def _cell_style(diagram: dg.Diagram, role: tuple | None, monochrome: bool, ansi: bool) -> Style | None:
    if role is None or monochrome and role[0] != "node":
        return None
    kind = role[0]
    if kind == "edge":
        edge = diagram.edges[role[1]]
        style = POSITIVE if edge.sign > 0 else NEGATIVE
        return style + Style(bold=True) if edge.kind == "thick" else style + Style(dim=True) \
            if edge.kind == "faint" else style
    if kind == "node":
        if monochrome:
            return Style(bold=True)
        level = diagram.nodes[role[1]].level
        return (Style(color=ANSI_LEVELS[level]) if ansi else NODE_STYLES[level]) + Style(bold=True)
    if kind == "body":
        level = diagram.nodes[role[1]].level
        return Style(color=ANSI_LEVELS[level]) if ansi else NODE_STYLES[level]
    if kind == "surface":
        if ansi:
            return Style(color=ANSI_LEVELS[_level(role[2])], bgcolor=ANSI_LEVELS[_level(role[3])])
        return heat(role[2]) + Style(bgcolor=heat(role[3]).color)
    return None


def draw_picture(experiment: Experiment, net: Network, row: int, width: int, height: int,
                 monochrome: bool = False, ansi: bool = False) -> tuple[dg.Diagram, Text]:
    """The picture of ``net`` that fits ``width`` x ``height`` best for ``row`` (``diagram.fitting``), and its
    text."""
    table = experiment.table
    diagram = dg.fitting(net, table, min(row, table.n_rows - 1), width, height)
    return diagram, picture_text(diagram, monochrome, ansi=ansi)


# --- the trace: one row through every layer, every number named -----------------------------------------------------
def draw_trace(experiment: Experiment, net: Network, row: int, width: int = 100) -> Text:
    """Row ``row`` through the network: every unit's output with a bar of it within its activation's range (empty
    at the bottom of the range, full at the top), then its sum, weights and bias as numbers with plain names, as
    many to a line as ``width`` holds."""
    table = experiment.table
    row = min(row, table.n_rows - 1)
    trace = ins.trace_row(net, table, row)
    names = unit_names(net, table.output_names)
    out = Text()
    target = "".join(table.columns[k][row] for k in range(table.n_outputs))
    answer = " ".join(f"{v:.4f}" for v in trace.output)
    out.append(f"row {row} ({table.row_label(row)}) → {answer}   target {target}"
               f"{'   held out' if row in table.heldout else ''}\n", "bold")
    out.append("inputs  " + "  ".join(f"{n} = {v:g}" for n, v in zip(names[0], trace.x, strict=True)) + "\n")
    layer_names = ins.layer_names(net.shape)
    indent = 7
    for l, layer in enumerate(trace.layers):
        w = layer.weights
        out.append(f"\n{layer_names[l]} ({w.activation})\n", "bold")
        shares = fill(layer.a, w.activation)
        for j, unit in enumerate(names[l + 1]):
            out.append(f"  {unit:<5}")
            out.append(bar(float(shares[j]), 6), NODE_STYLES[min(4, int(shares[j] * 4 + 0.5))])
            out.append(f" output = {float(layer.a[j]):+.4f}\n")
            items: list[tuple[str, float | None]] = [(f"sum z = {float(layer.z[j]):+.4f}", None)]
            items += [(f"{weight_name(names, l, i, j)} = ", float(w.weights[i, j])) for i in range(w.weights.shape[0])]
            if w.has_bias:
                items.append((f"bias = {float(w.bias[j]):+.3f}", None))
            used = indent
            out.append(" " * indent)
            for k, (words, value) in enumerate(items):
                size = len(words) + (6 if value is not None else 0)
                if k and used + 2 + size > width:
                    out.append("\n" + " " * indent)
                    used = indent
                elif k:
                    out.append("  ")
                    used += 2
                out.append(words)
                if value is not None:
                    out.append(f"{value:+.3f}", POSITIVE if value >= 0 else NEGATIVE)
                used += size
            out.append("\n")
    out.append("\nthe bar: the output within its activation's range (sigmoid 0 to 1, tanh -1 to 1)", "dim")
    return out


# --- hidden units, the surface, the summary ----------------------------------------------------------------------
def draw_units(experiment: Experiment, net: Network) -> Text:
    """Each hidden unit thresholded on every row and named as a gate of at most two inputs."""
    table = experiment.table
    gates = ins.hidden_gates(net, table)
    out = Text()
    if not gates:
        out.append("No hidden layer: the output unit works alone (a single neuron draws one straight line).")
        return out
    out.append(f"each hidden unit on every row ({' '.join(table.row_label(r) for r in range(min(table.n_rows, 8)))}"
               f"{' ...' if table.n_rows > 8 else ''}), thresholded at f(0)\n\n", "bold")
    for g in gates:
        out.append(f"{g.label:>6}  {g.bits[:64]}  ")
        if g.dead:
            out.append("dead (the same on every row)", "bold red")
        elif g.name:
            out.append(f"~ {g.name}", "bold")
        else:
            out.append("(no gate of one or two inputs)", "dim")
        out.append("\n")
    return out


def draw_surface(experiment: Experiment, net: Network, width: int, height: int, monochrome: bool = False) -> Text:
    """The output over the unit square with the table's rows on it (2 inputs), Karnaugh maps (3 or 4)."""
    table = experiment.table
    out = Text()
    if table.n_inputs == 2:
        cols = max(16, min(width - 8, 64))
        lines = max(4, min(height - 4, 16)) * 2  # the title, a=0 a=1, the legend and an end
        surface = ins.decision_surface(net, table, rows=lines, cols=cols)
        for k, name in enumerate(surface.output_names):
            blocks = ins.half_blocks(surface.values[k])
            legend = "░ 0 … █ 1" if monochrome else "blue 0, orange 1"
            out.append(f"{name} over a →, b ↑ · {legend}\n", "bold")
            shades = blocks.shades()
            points = {(p.line, p.col): p for p in ins.surface_points(surface, k)}
            marks = {(p.line, p.mark_col): p for p in ins.surface_points(surface, k)}
            for i in range(blocks.top.shape[0]):
                out.append("b=1 " if i == 0 else ("b=0 " if i == blocks.top.shape[0] - 1 else "    "))
                for j in range(blocks.top.shape[1]):
                    point, mark = points.get((i, j)), marks.get((i, j))
                    cell = Style(bgcolor=heat(float((blocks.top[i, j] + blocks.bottom[i, j]) / 2)).color)
                    if point is not None:  # a table row: its target and held-out state, black on the surface
                        out.append(point.glyph, None if monochrome else cell + Style(color="black", bold=True))
                    elif mark is not None:  # beside it: whether the network is right there
                        out.append("✓" if mark.right else "✗", None if monochrome else cell + Style(
                            color="black" if mark.right else "bright_white", bold=True))
                    elif monochrome:
                        out.append(shades[i][j])
                    else:
                        out.append("▀", heat(float(blocks.top[i, j])) + Style(
                            bgcolor=heat(float(blocks.bottom[i, j])).color))
                out.append("\n")
            out.append(f"    a=0{' ' * (blocks.top.shape[1] - 6)}a=1\n")
            out.append(f"    {fitting(SURFACE_LEGENDS, width - 4)}\n", "dim")
        return out
    if 3 <= table.n_inputs <= 4:
        for kmap in ins.karnaugh_maps(net, table):
            out.append(f"{kmap.output_name}: Karnaugh map, rows {kmap.row_vars} × columns {kmap.col_vars} "
                       "(output, ✓ right ✗ wrong, h held out)\n", "bold")
            out.append("      " + "".join(f"{c:^9}" for c in kmap.col_labels) + "\n")
            right = kmap.right
            for r, label in enumerate(kmap.row_labels):
                out.append(f"{label:>4}  ")
                for c in range(len(kmap.col_labels)):
                    tick = "✓" if right[r, c] else "✗"
                    held = "h" if kmap.heldout[r, c] else " "
                    out.append(f"{held}{kmap.values[r, c]:.2f}{tick}({int(kmap.targets[r, c])})",
                               "green" if right[r, c] else "bold red")
                out.append("\n")
            out.append("\n")
        return out
    out.append("The decision surface is drawn for 2 inputs and Karnaugh maps for 3 or 4; "
               f"this gate has {table.n_inputs}.")
    return out


def draw_summary(experiment: Experiment, net: Network, width: int) -> Text:
    """The Keras-style model summary."""
    return Text(ins.summary_text(net.shape, experiment.name, width=width))


# --- one step of backpropagation -----------------------------------------------------------------------------------
STEP_BREAKS = re.compile(r"(?= \+ | - | = | · )")
"""Where a step's line may break: before a sum's ``+`` or ``-``, an ``=`` or a ``·`` (never inside ``w × a``)."""


def wrap_step_line(line: str, width: int | None) -> list[str]:
    """``line`` as lines of at most ``width`` cells where it can be, broken only before an operator
    (``STEP_BREAKS``), each continuation indented four cells past the line's own indent so it reads as the same
    equation; one line when it fits or ``width`` is None. A piece longer than a whole line (a sentence, not an
    equation) breaks at its spaces, with the same indent (``fit_text.hanging``)."""
    if width is None or len(line) <= width:
        return [line]
    pieces = STEP_BREAKS.split(line)
    indent = " " * (len(line) - len(line.lstrip(" ")) + 4)
    lines, current = [], pieces[0]
    for piece in pieces[1:]:
        if len(current) + len(piece) <= width:
            current += piece
        else:
            lines.append(current)
            current = indent + piece.lstrip(" ")
    lines.append(current)
    return [part for whole in lines for part in hanging(whole, width, len(indent))]


def draw_step(step: BackpropStep, row_labels: tuple[str, ...], upto: int | None = None,
              width: int | None = None) -> Text:
    """The step, section by section in the tutorial's order (``upto``: only the first so many sections); a line
    wider than ``width`` is broken before an operator with a hanging indent (``wrap_step_line``; None: never)."""
    out = Text()
    out.append("\n".join(wrap_step_line(step_heading(step, row_labels), width)) + "\n", "bold")
    sections = step_sections(step)
    for n, (title, lines) in enumerate(sections[:upto]):
        out.append(f"\n{n + 1} {title}\n", "bold")
        for line in lines:
            for part in wrap_step_line(f"  {line}", width):
                out.append(f"{part}\n")
    out.rstrip()
    return out
