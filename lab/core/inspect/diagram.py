"""The network drawn as nodes in columns joined by lines: the geometry and the truth of the network picture.

Columns are the inputs, each hidden layer and the outputs. Every weight is a line of its own from a port on the
right side of its source node to a port on the left side of its target, routed through the gap between the two
columns: right along the source's port row, up or down a vertical track of its own, right along the target's port
row. Each line's glyph says how large the weight is on a **fixed** scale (the same for every layer and every network,
so a small weight is never drawn strong) and its sign::

    |w|                 w > 0      w < 0
    below 0.25          ┈ ┊        ┈ ┊        faint (the sign only by colour: too small to matter)
    0.25 to below 1.5   ─ │        ╌ ╎        thin
    1.5 and above       ━ ┃        ╍ ╏        thick

so the sign of every line that matters reads by shape (solid or dashed) without colour; the colour repeats it.
Where two lines cross, the horizontal one is drawn and the vertical one passes under it; the routing puts no two
lines on one cell otherwise (``route``), so a line can be followed cell by cell from node to node, which is what
the test that reads the drawn picture back does.

A node is its name and a circle filled by its activation for the table row (``○ ◔ ◑ ◕ ●`` from the bottom of its
activation's range to the top, as ``picture.node_levels``). For a gate of two inputs every node also carries a
small picture of its own output over the unit square (input ``a`` to the right, ``b`` up), as TensorFlow Playground's
neurons do: ``surface`` holds the values, the drawing shows them as half blocks in colour or shades without.

A column of more units than fit is folded: it shows the units whose weights in and out are largest (absolute
values), in their own order, and says how many it left out; lines to units left out are not drawn.

Everything is a plain grid of characters with a parallel grid of roles (which node, which line, which surface cell),
so the same drawing prints as text (``nnlab show``) and is coloured and made clickable by the widget.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lab.core.errors import LabError
from lab.core.gates import TruthTable
from lab.core.inspect.common import frozen
from lab.core.inspect.picture import NODE_GLYPHS, fill, node_levels
from lab.core.inspect.step import bias_name, unit_names, weight_name
from lab.core.inspect.trace import trace_row
from lab.core.nn import Network
from lab.core.rules import right as rules_right

Array = np.ndarray

FAINT_BELOW = 0.25
THICK_FROM = 1.5
CLASSES = ("faint", "thin", "thick")
# (horizontal, vertical) per class and sign (+, -); corners per class: ┐ ┘ └ ┌ (right then down / up, then right).
LINES = {("faint", 1): ("┈", "┊"), ("faint", -1): ("┈", "┊"), ("thin", 1): ("─", "│"), ("thin", -1): ("╌", "╎"),
         ("thick", 1): ("━", "┃"), ("thick", -1): ("╍", "╏")}
CORNERS = {"faint": "┐┘└┌", "thin": "┐┘└┌", "thick": "┓┛┗┏"}
HORIZONTAL = {h: key for key, (h, _) in LINES.items()}
VERTICAL = {v: key for key, (_, v) in LINES.items()}
SHADES = "·░▒▓█"  # without colour, a node's picture: from its lowest value to its highest
BODY = "░"  # a node's block below its label (and its picture): coloured by its activation where there is colour
LEGEND = (f"━ ╍ |w|≥{THICK_FROM:g}  ─ ╌ ≥{FAINT_BELOW:g}  ┈ less (a fixed scale)",
          "solid +, dashed −  ○◔◑◕● output low→high")
SURFACE_WIDTH, SURFACE_ROWS = 6, 2  # a node's picture: 6 cells by 2 lines of half blocks (6 x 4 points)
PICTURE_SIZES = ((10, 4), (8, 3), (SURFACE_WIDTH, SURFACE_ROWS))  # (cells, lines), the largest that fits first


def line_class(w: float) -> str:
    """The class of a weight on the fixed scale: ``faint``, ``thin`` or ``thick``."""
    m = abs(w)
    return "faint" if m < FAINT_BELOW else "thin" if m < THICK_FROM else "thick"


def sign_of(w: float) -> int:
    """+1 for a weight at or above 0, -1 below (a zero weight is faint, so its sign is never read)."""
    return -1 if w < 0 else 1


@dataclass(frozen=True)
class Node:
    """One drawn unit.

    Attributes:
        column: 0 for the inputs, l for dense layer l (the outputs last).
        unit: its index in the layer.
        name: ``a``, ``h1``, ``h2.3``, ``y``.
        top, left, height, width: the block it takes on the grid.
        level: its activation on the row as a fill level 0-4.
        value: that activation (an input's value for the inputs).
        z: its sum before the activation (nan for the inputs).
        bias: its bias (nan for the inputs or without biases).
    """

    column: int
    unit: int
    name: str
    top: int
    left: int
    height: int
    width: int
    level: int
    value: float
    z: float
    bias: float


@dataclass(frozen=True)
class Edge:
    """One drawn weight.

    Attributes:
        layer: the dense layer (0-based) the weight belongs to.
        source, target: unit indices in the column before and in the layer.
        name: ``w(a→h1)``.
        weight: its value.
        kind: its class (``line_class``); ``sign``: +1 or -1.
        start: (row, column) of its first cell, right of the source node; ``end``: its last, left of the target.
        track: the column of its vertical part (None for a straight line).
    """

    layer: int
    source: int
    target: int
    name: str
    weight: float
    kind: str
    sign: int
    start: tuple[int, int]
    end: tuple[int, int]
    track: int | None


@dataclass(frozen=True, eq=False)
class Diagram:
    """The drawn network.

    Attributes:
        chars: the grid, one string per line.
        roles: per cell what it shows: None, ``("edge", index)``, ``("node", index)`` (its label), ``("body",
            index)`` (the rest of its block), ``("surface", index, top, bottom)`` (a node's picture cell and its two
            values in [0, 1]), ``("text",)``.
        nodes, edges: what is drawn, with their places.
        row: the table row the nodes are shaded for; ``row_label`` its bits.
        outputs, targets: the network's answer on the row and the row's targets.
        folded: per column how many units are not shown.
        surfaces: whether the nodes carry pictures over the unit square.
        header: whether the row's line and the column titles are drawn above the nodes, and the legend below (a
            tight pane leaves them out: the row is the table's cursor row, the legend is in help).
    """

    chars: tuple[str, ...]
    roles: tuple[tuple[tuple | None, ...], ...]
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    row: int
    row_label: str
    outputs: Array
    targets: Array
    folded: tuple[int, ...]
    surfaces: bool
    header: bool = True

    @property
    def text(self) -> str:
        """The drawing as plain text, trailing spaces cut."""
        return "\n".join(line.rstrip() for line in self.chars)

    def item_at(self, y: int, x: int) -> tuple[str, int] | None:
        """``("node", i)`` or ``("edge", i)`` for the cell at line ``y``, column ``x``, or None."""
        if not (0 <= y < len(self.roles) and 0 <= x < len(self.roles[y])):
            return None
        role = self.roles[y][x]
        if role is None or role[0] not in ("node", "edge", "surface", "body"):
            return None
        return ("edge" if role[0] == "edge" else "node", int(role[1]))


def describe_edge(diagram: Diagram, index: int) -> str:
    """``w(a→h1) = +2.3100``, for the number cursor."""
    edge = diagram.edges[index]
    return f"{edge.name} = {edge.weight:+.4f}"


def describe_node(diagram: Diagram, index: int) -> str:
    """A node's numbers for the row in plain names: ``input a = 1``, or ``h1: bias = ... · sum z = ... · output =
    ...``."""
    node = diagram.nodes[index]
    if node.column == 0:
        return f"input {node.name} = {node.value:g}"
    bias = "" if np.isnan(node.bias) else f"bias = {node.bias:+.4f} · "
    return f"{node.name}: {bias}sum z = {node.z:+.4f} · output = {node.value:+.4f}"


# --- which units are shown ---------------------------------------------------------------------------------------
def shown_units(net: Network, max_units: int) -> list[Array]:
    """Per column the units shown: every input and output; of a hidden layer all its units up to ``max_units``,
    else the ``max_units`` whose absolute weights in and out add up to most, in their own order."""
    shown = []
    sizes = net.shape.sizes
    for c, size in enumerate(sizes):
        if size <= max_units or c in (0, len(sizes) - 1):  # inputs and outputs are never folded
            shown.append(np.arange(size))
            continue
        score = np.zeros(size)
        if c > 0:
            score += np.abs(net.W[c - 1]).sum(axis=0)
        if c < len(sizes) - 1:
            score += np.abs(net.W[c]).sum(axis=1)
        shown.append(np.sort(np.argsort(-score, kind="stable")[:max_units]))
    return shown


# --- routing -------------------------------------------------------------------------------------------------------
def ports(top: int, height: int, count: int) -> list[int]:
    """``count`` distinct rows spread over a block of ``height`` lines from ``top`` (the middle one for a single
    port)."""
    if count == 1:
        return [top + (height - 1) // 2]
    return [top + round(k * (height - 1) / (count - 1)) for k in range(count)]


def _kahn(starts: list[int], ends: list[int], key) -> list[int] | None:
    """A topological order of the lines under ``track_order``'s rule, taking the ready line of least ``key`` first."""
    arriving = {row: i for i, row in enumerate(ends)}
    after = {i: arriving.get(row) for i, row in enumerate(starts)}  # i must come before after[i]
    waiting = {i: 0 for i in range(len(starts))}
    for i, j in after.items():
        if j is not None and j != i:
            waiting[j] += 1
    ready = sorted((i for i, n in waiting.items() if n == 0), key=key)
    order: list[int] = []
    while ready:
        i = ready.pop(0)
        order.append(i)
        j = after[i]
        if j is not None and j != i:
            waiting[j] -= 1
            if waiting[j] == 0:
                ready.append(j)
                ready.sort(key=key)
    return order if len(order) == len(starts) else None


def crossings(starts: list[int], ends: list[int], order: list[int]) -> int:
    """How many times a horizontal part crosses a vertical one when the lines take tracks in ``order``."""
    track = {i: n for n, i in enumerate(order)}
    count = 0
    for i in order:
        low, high = sorted((starts[i], ends[i]))
        for j in order:
            if j == i:
                continue
            # j's first part runs on starts[j] left of its track, its last part on ends[j] right of it
            if track[i] < track[j] and low < starts[j] < high:
                count += 1
            if track[i] > track[j] and low < ends[j] < high:
                count += 1
    return count


def track_order(starts: list[int], ends: list[int]) -> list[int] | None:
    """An order of the bent lines of one gap (by index) on tracks left to right such that no line's horizontal
    parts overlap another's: a line that leaves on row r must turn before a line that arrives on row r starts its
    last part, so it takes an earlier track. Of a few such orders, the one with the fewest crossings. None when the
    lines wait on one another in a circle (the caller shifts a column and tries again).

    Args:
        starts, ends: each line's first and last row (distinct among the starts, and among the ends).
    """
    keys = (lambda i: (ends[i] > starts[i], -starts[i] if ends[i] > starts[i] else starts[i]),
            lambda i: (ends[i] < starts[i], -starts[i] if ends[i] > starts[i] else starts[i]),
            lambda i: (ends[i] > starts[i], ends[i] if ends[i] > starts[i] else -ends[i]),
            lambda i: (ends[i] < starts[i], ends[i] if ends[i] > starts[i] else -ends[i]),
            lambda i: starts[i], lambda i: -starts[i], lambda i: ends[i], lambda i: -ends[i])
    best: list[int] | None = None
    fewest = 0
    for key in keys:
        order = _kahn(starts, ends, key)
        if order is None:
            return None
        count = crossings(starts, ends, order)
        if best is None or count < fewest:
            best, fewest = order, count
    return best


@dataclass
class _Grid:
    """The drawing being made: a character and a role per cell (see ``Diagram.roles``)."""

    height: int
    width: int
    chars: list[list[str]] = field(init=False)
    roles: list[list[tuple | None]] = field(init=False)

    def __post_init__(self) -> None:
        self.chars = [[" "] * self.width for _ in range(self.height)]
        self.roles = [[None] * self.width for _ in range(self.height)]

    def put(self, y: int, x: int, char: str, role: tuple | None) -> None:
        self.chars[y][x] = char
        self.roles[y][x] = role

    def write(self, y: int, x: int, text: str, role: tuple | None) -> None:
        for k, char in enumerate(text):
            if 0 <= x + k < self.width:
                self.put(y, x + k, char, role)


@dataclass(frozen=True)
class _Plan:
    """A layout before drawing: blocks per column, each column's left edge and its top offset."""

    shown: list[Array]
    height: list[int]  # each column's node block height
    width: list[int]  # each column's node width
    lefts: list[int]
    tops: list[int]  # each column's first line
    gaps: list[list[tuple[int, int, int, int, int | None]]]  # per gap: (source, target, start row, end row, track)
    total_height: int
    total_width: int


GAP_LINES = 1  # blank lines between two nodes of a column
FEWEST = 4  # the fewest units a folded hidden layer shows, however short the pane (it scrolls)
HEADER = 2  # the row line and the column titles above the nodes


def _plan(net: Network, names: tuple[tuple[str, ...], ...], max_units: int, surfaces: bool, gap: int,
          header: int, picture: tuple[int, int] = (SURFACE_WIDTH, SURFACE_ROWS)) -> _Plan | None:
    """Where every node and line goes for at most ``max_units`` units a column, nodes ``gap`` lines apart below
    ``header`` lines; None when some gap's lines cannot be routed even with the next column moved down 3 lines."""
    sizes = net.shape.sizes
    shown = shown_units(net, max_units)
    counts = [len(s) for s in shown]
    content = 1 + (picture[1] if surfaces else 0)
    heights, widths = [], []
    for c in range(len(sizes)):
        fan_in = counts[c - 1] if c > 0 else 0
        fan_out = counts[c + 1] if c + 1 < len(sizes) else 0
        heights.append(max(content, fan_in, fan_out))
        label = max(len(names[c][u]) for u in shown[c]) + 2
        widths.append(max(label, picture[0] if surfaces else 0))
    spans = [n * h + (n - 1) * gap for n, h in zip(counts, heights, strict=True)]
    tallest = max(spans)
    tops = [(tallest - s) // 2 for s in spans]
    gaps: list[list[tuple[int, int, int, int, int | None]]] = []
    for c in range(len(sizes) - 1):
        for shift in range(0, 4):  # move the right column down until its lines can be routed
            tops_try = tops[: c + 1] + [tops[c + 1] + shift] + tops[c + 2 :]
            routed = _route_gap(shown, heights, tops_try, c, gap)
            if routed is not None:
                tops = tops_try
                gaps.append(routed)
                break
        else:
            return None
    lefts, x = [], 0
    for c in range(len(sizes)):
        lefts.append(x)
        x += widths[c]
        if c < len(gaps):
            bent = sum(1 for g in gaps[c] if g[4] is not None)
            x += bent + 3  # a cell out of the source, the tracks, the last cell into the target, one spare
    gaps = [[(s, t, a, b, None if k is None else lefts[c] + widths[c] + 1 + k) for s, t, a, b, k in gap]
            for c, gap in enumerate(gaps)]
    bottom = max(top + n * h + (n - 1) * gap for top, n, h in zip(tops, counts, heights, strict=True))
    return _Plan(shown, heights, widths, lefts, [header + t for t in tops],
                 [[(s, t, header + a, header + b, k) for s, t, a, b, k in lines] for lines in gaps], header + bottom,
                 x)


def _route_gap(shown: list[Array], heights: list[int], tops: list[int], c: int,
               gap: int) -> list[tuple[int, int, int, int, int | None]] | None:
    """The lines of gap ``c``: (source position, target position, start row, end row, track number or None)."""
    left, right = shown[c], shown[c + 1]
    outs = {i: ports(tops[c] + i * (heights[c] + gap), heights[c], len(right)) for i in range(len(left))}
    ins_ = {j: ports(tops[c + 1] + j * (heights[c + 1] + gap), heights[c + 1], len(left))
            for j in range(len(right))}
    lines = [(i, j, outs[i][j], ins_[j][i]) for i in range(len(left)) for j in range(len(right))]
    bent = [k for k, (_, _, a, b) in enumerate(lines) if a != b]
    order = track_order([lines[k][2] for k in bent], [lines[k][3] for k in bent])
    if order is None:
        return None
    track = {bent[k]: n for n, k in enumerate(order)}
    return [(i, j, a, b, track.get(k)) for k, (i, j, a, b) in enumerate(lines)]


# --- drawing -------------------------------------------------------------------------------------------------------
def node_surfaces(net: Network, points: int = SURFACE_WIDTH, lines: int = SURFACE_ROWS * 2) -> list[Array]:
    """Every unit's output over the unit square, scaled to its activation's range: per column (lines, points,
    units), line 0 at b = 1 (top), point 0 at a = 0 (left). Only for networks of two inputs."""
    a, b = np.meshgrid(np.linspace(0.0, 1.0, points), np.linspace(1.0, 0.0, lines))
    x = np.stack([a.ravel(), b.ravel()], axis=1)
    with np.errstate(all="ignore"):
        acts = net.forward_trace(x)[1]
    out = [x.reshape(lines, points, 2)]
    for l, values in enumerate(acts[1:]):
        name = net.shape.activations[l]
        out.append(np.stack([fill(values[:, j], name) for j in range(values.shape[1])], axis=1)
                   .reshape(lines, points, -1))
    return out


def draw(net: Network, table: TruthTable, row: int, max_units: int = 8, surfaces: bool | None = None,
         gap: int = GAP_LINES, header: bool = True, picture: tuple[int, int] = (SURFACE_WIDTH, SURFACE_ROWS)
         ) -> Diagram:
    """Draw ``net`` for row ``row`` of ``table``, at most ``max_units`` units per column; ``surfaces`` (default:
    whenever the gate has two inputs) gives every node its picture over the unit square, ``picture`` cells wide and
    lines tall; nodes ``gap`` lines apart; ``header``: the row's line, the column titles and the legend.

    Raises:
        LabError: when the row does not exist or the table does not fit the network.
    """
    if max_units < 1:
        raise LabError(f"a picture shows at least one unit per column, got {max_units}")
    trace = trace_row(net, table, row)
    surfaces = net.shape.sizes[0] == 2 if surfaces is None else surfaces and net.shape.sizes[0] == 2
    names = unit_names(net, table.output_names)
    plan = _routed_plan(net, names, max_units, surfaces, gap, header, picture)
    answer = " ".join(f"{v:.2f}" for v in trace.output)
    target = "".join(str(int(t)) for t in table.targets[row])
    right = bool(rules_right(trace.output, table.targets[row]).all())
    held = " · held out" if row in table.heldout else ""
    heading = f"row {row} ({table.row_label(row)}) → {answer} {'✓' if right else '✗'} target {target}{held}"
    grid = _Grid(plan.total_height + 1, max(plan.total_width, len(heading) if header else 0))
    nodes: list[Node] = []
    pictures = node_surfaces(net, picture[0], picture[1] * 2) if surfaces else None
    for c, units in enumerate(plan.shown):
        if c == 0:
            values, zs, biases = trace.x, np.full(len(trace.x), np.nan), np.full(len(trace.x), np.nan)
            levels = np.rint(np.clip(values, 0, 1) * (len(NODE_GLYPHS) - 1)).astype(np.intp)
        else:
            layer = trace.layers[c - 1]
            values, zs = layer.a, layer.z
            bias = net.b[c - 1]
            biases = np.full(len(values), np.nan) if bias is None else bias
            levels = node_levels(values, layer.weights.activation)
        for k, u in enumerate(units):
            top = plan.tops[c] + k * (plan.height[c] + gap)
            node = Node(c, int(u), names[c][u], top, plan.lefts[c], plan.height[c], plan.width[c], int(levels[u]),
                        float(values[u]), float(zs[u]), float(biases[u]))
            nodes.append(node)
            _draw_node(grid, node, len(nodes) - 1, pictures[c][..., u] if pictures is not None else None)
    edges: list[Edge] = []
    for c, routed in enumerate(plan.gaps):
        x0, x1 = plan.lefts[c] + plan.width[c], plan.lefts[c + 1] - 1
        for s, t, a, b, track in routed:
            i, j = int(plan.shown[c][s]), int(plan.shown[c + 1][t])
            w = float(net.W[c][i, j])
            edges.append(Edge(c, i, j, weight_name(names, c, i, j), w, line_class(w), sign_of(w), (a, x0), (b, x1),
                              track))
    _draw_edges(grid, edges)
    for c in range(len(plan.shown) if header else 0):  # the column titles
        title = "in" if c == 0 else "out" if c == len(plan.shown) - 1 else (
            f"h{c}" if len(plan.shown) > 3 else "hidden")
        activation = "" if c == 0 else f" {net.shape.activations[c - 1]}"
        room = plan.width[c] + (2 if c < len(plan.shown) - 1 else 0)  # the last column ends the drawing
        label = title + activation if len(title + activation) <= room else title
        grid.write(HEADER - 1, plan.lefts[c], label[:room], ("text",))
    if header:
        grid.write(0, 0, heading, ("text",))
    folded = tuple(size - len(units) for size, units in zip(net.shape.sizes, plan.shown, strict=True))
    chars = tuple("".join(line) for line in grid.chars)
    roles = tuple(tuple(line) for line in grid.roles)
    return Diagram(chars, roles, tuple(nodes), tuple(edges), row, table.row_label(row), frozen(trace.output),
                   frozen(table.targets[row]), folded, surfaces, header)


def _least_height(net: Network, units: int, surfaces: bool, gap: int, header: bool,
                  picture: tuple[int, int] = (SURFACE_WIDTH, SURFACE_ROWS)) -> int:
    """The fewest lines a drawing of these settings takes, legend included, before its lines are routed (routing
    can only add lines): a cheap test that skips the layouts that cannot fit."""
    counts = [size if c in (0, len(net.shape.sizes) - 1) else min(size, units)
              for c, size in enumerate(net.shape.sizes)]
    content = 1 + (picture[1] if surfaces else 0)
    spans = []
    for c, n in enumerate(counts):
        block = max(content, counts[c - 1] if c else 0, counts[c + 1] if c + 1 < len(counts) else 0)
        spans.append(n * block + (n - 1) * gap)
    folded = counts != list(net.shape.sizes)
    return (HEADER if header else 0) + max(spans) + 1 + int(folded) + (len(LEGEND) if header else 0)


def _routed_plan(net: Network, names: tuple[tuple[str, ...], ...], max_units: int, surfaces: bool, gap: int,
                 header: bool, picture: tuple[int, int] = (SURFACE_WIDTH, SURFACE_ROWS)) -> _Plan:
    """``_plan`` with the fewest units below ``max_units`` whose lines can be routed (a few shifts did not do)."""
    for units in range(max_units, 0, -1):
        plan = _plan(net, names, units, surfaces, gap, HEADER if header else 0, picture)
        if plan is not None:
            return plan
    raise LabError("the network's lines could not be laid out")


def _draw_node(grid: _Grid, node: Node, index: int, picture: Array | None) -> None:
    """The node's label (its name and its activation's circle), its picture under it, and its body (``BODY``) on
    every other cell of its block, so that every line visibly meets the node it joins."""
    label = f"{node.name} {NODE_GLYPHS[node.level]}"
    grid.write(node.top, node.left, label.ljust(node.width), ("node", index))
    for y in range(node.top + 1, node.top + node.height):
        grid.write(y, node.left, BODY * node.width, ("body", index))
    if picture is None:
        return
    for line in range(picture.shape[0] // 2):
        top, bottom = picture[2 * line], picture[2 * line + 1]
        for x in range(min(node.width, top.shape[0])):
            mean = (float(top[x]) + float(bottom[x])) / 2
            shade = SHADES[int(round(mean * (len(SHADES) - 1)))]
            grid.put(node.top + 1 + line, node.left + x, shade, ("surface", index, float(top[x]), float(bottom[x])))


def _draw_edges(grid: _Grid, edges: list[Edge]) -> None:
    """Vertical parts first, then horizontal ones over them (a crossing shows the horizontal line), then corners
    (which the routing keeps clear of every other line)."""
    for k, e in enumerate(edges):
        if e.track is None:
            continue
        vertical = LINES[e.kind, e.sign][1]
        (a, _), (b, _) = e.start, e.end
        for y in range(min(a, b) + 1, max(a, b)):
            grid.put(y, e.track, vertical, ("edge", k))
    for k, e in enumerate(edges):
        horizontal = LINES[e.kind, e.sign][0]
        (a, x0), (b, x1) = e.start, e.end
        if e.track is None:
            for x in range(x0, x1 + 1):
                grid.put(a, x, horizontal, ("edge", k))
            continue
        for x in range(x0, e.track):
            grid.put(a, x, horizontal, ("edge", k))
        for x in range(e.track + 1, x1 + 1):
            grid.put(b, x, horizontal, ("edge", k))
    for k, e in enumerate(edges):
        if e.track is None:
            continue
        corners = CORNERS[e.kind]
        (a, _), (b, _) = e.start, e.end
        down = b > a
        grid.put(a, e.track, corners[0] if down else corners[1], ("edge", k))
        grid.put(b, e.track, corners[2] if down else corners[3], ("edge", k))


def fitting(net: Network, table: TruthTable, row: int, width: int, height: int) -> Diagram:
    """The drawing of ``net`` that fits ``width`` x ``height`` cells (legend included) best: the nodes' pictures
    (the largest of ``PICTURE_SIZES`` that fits) while at least six units a column fit with them, else as many
    units as fit without them, with the header and legend if they fit too, else the nodes alone; nodes a line
    apart, else close together. A hidden layer is never folded below ``FEWEST`` units (a pane too short for them
    scrolls): the smallest of those drawings when nothing fits."""
    widest = max(net.shape.sizes)
    fewest = min(widest, FEWEST)
    most = min(widest, 16)
    tries = [(units, True, gap, True, size) for units in range(most, min(widest, 6) - 1, -1)
             for size in PICTURE_SIZES for gap in (1, 0)]
    tries += [(units, False, gap, header, PICTURE_SIZES[-1]) for units in range(most, fewest - 1, -1)
              for header in (True, False) for gap in (1, 0)]
    names = unit_names(net, table.output_names)
    two = net.shape.sizes[0] == 2
    for units, surfaces, gap, header, size in tries:
        if surfaces and not two or _least_height(net, units, surfaces, gap, header, size) > height:
            continue
        plan = _plan(net, names, units, surfaces, gap, HEADER if header else 0, size)
        if plan is None:  # its lines cannot be routed: the next layout (never fewer units in this one's place)
            continue
        folded = any(len(shown) < n for shown, n in zip(plan.shown, net.shape.sizes, strict=True))
        below = int(folded) + (len(LEGEND) if header else 0)
        if plan.total_height + 1 + below <= height and plan.total_width <= width:
            return draw(net, table, row, len(max(plan.shown[1:-1], key=len, default=plan.shown[0])), surfaces, gap,
                        header, size)
    return draw(net, table, row, fewest, False, 0, False)


def footer(diagram: Diagram) -> list[str]:
    """The lines under a drawing: what was folded, and the legend."""
    lines = []
    folded = [f"{n} of {n + diagram.folded[c]}" for c, n in enumerate(
        sum(1 for node in diagram.nodes if node.column == c) for c in range(len(diagram.folded))) if diagram.folded[c]]
    if folded:
        lines.append(f"strongest units only: {' · '.join(folded)} shown")
    return lines + list(LEGEND) if diagram.header else lines


__all__ = ["Diagram", "Edge", "Node", "bias_name", "describe_edge", "describe_node", "draw", "fitting", "footer",
           "line_class", "track_order"]
