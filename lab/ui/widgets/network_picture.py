"""The network picture, drawn as text: the inspect view's ``picture`` mode (``InspectView`` shows it).

The layout comes from ``lab.core.inspect.picture``; this module only places it on lines. For a 2-4-1 network::

    row 2 (10) → 0.98 ✓ target 1
    in   ab h1  1234 out
         ═╌ ◕1
    a ●  ─═ ○2  ═╍─· ◕y
    b ○  ══ ●3
         ·─ ◑4
    edges ═ ─ +  ╍ ╌ −  · ≈0 · nodes ○→● low→high

Each unit's fan-in strip stands on its own line, left of it; the letters or numbers above a strip name the units of
the column before, in the strip's order. Signs read by shape (solid +, dashed −) and are also coloured (green +,
red −) unless the lab runs without colour. When the pane is wide enough each node also shows its activation.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from lab.core.inspect.picture import EDGE_GLYPHS, NODE_GLYPHS, NetworkPicture

GAP = 2  # spaces after each column of nodes
LEGEND = "edges ═ ─ +  ╍ ╌ −  · ≈0 · nodes ○→● low→high"
POSITIVE, NEGATIVE = Style(color="green"), Style(color="red")
NODE_STYLES = (Style(color="rgb(70,110,220)"), Style(color="rgb(110,140,200)"), Style(color="rgb(160,160,160)"),
               Style(color="rgb(230,160,80)"), Style(color="rgb(250,140,40)"))


def layout_for(height: int, widest: int) -> tuple[int, bool]:
    """How many units per column a pane of ``height`` lines shows (at most 16), and whether it has room for the
    header (the row and its answer), the legend and the fold note as well as the nodes. When it has not (80x24),
    the nodes come first: the row is the table's cursor row and the legend is in the tooltip and in help."""
    if height - 4 >= min(widest, 16):
        return min(16, height - 4), True
    if widest <= height - 1:
        return widest, False
    return max(2, height - 2), False


def _cell_widths(picture: NetworkPicture, values: bool) -> list[tuple[int, int]]:
    """Per column: the fan-in strip's width and the node cell's width."""
    widths = []
    for c, col in enumerate(picture.columns):
        label = max((len(l) for l in col.labels), default=1)
        node = (label + 2) if c == 0 else (1 + label)
        if values and c > 0:
            node += 5
        strip = 0 if col.fan_in is None else col.fan_in.shape[1] + 1
        widths.append((strip, node))
    return widths


def picture_width(picture: NetworkPicture, values: bool, gap: int = GAP) -> int:
    """Columns the drawing's body takes (the last column has no gap after it)."""
    return sum(s + n + gap for s, n in _cell_widths(picture, values)) - gap


def _source_names(column, strip: int) -> str:
    """What stands above a strip: the source units' one-character labels in order, else the column's title."""
    if all(len(l) == 1 for l in column.labels):
        return "".join(column.labels)
    return f"{column.title}→"[: max(strip - 1, 0)]


def draw_picture(picture: NetworkPicture, width: int, monochrome: bool = False, full: bool = True) -> Text:
    """The picture as text for a pane ``width`` columns wide: each node shows its value when that fits, and the
    columns close up to one space apart when two do not; ``full`` adds the header line and the legend."""
    values = picture_width(picture, True) <= width
    gap = GAP if picture_width(picture, values) <= width else 1
    widths = _cell_widths(picture, values)
    out = Text()
    answer = " ".join(f"{v:.2f}" for v in picture.outputs)
    target = "".join(str(int(t)) for t in picture.targets)
    right = all((o > 0.5) == (t > 0.5) for o, t in zip(picture.outputs, picture.targets, strict=True))
    if full:
        out.append(f"row {picture.row} ({picture.row_label}) → {answer} {'✓' if right else '✗'} target {target}"
                   f"{' · held out' if picture.heldout else ''}\n", "bold")
    prev = None
    for col, (strip, node) in zip(picture.columns, widths, strict=True):  # the titles: each strip names its sources
        if strip:
            out.append(f"{_source_names(prev, strip):<{strip}}", "dim")
        out.append(f"{col.title:<{node + gap}}", "bold")
        prev = col
    out.append("\n")
    height = picture.height
    offsets = [(height - len(c.units)) // 2 for c in picture.columns]
    for y in range(height):
        for c, (col, (strip, node)) in enumerate(zip(picture.columns, widths, strict=True)):
            i = y - offsets[c]
            here = 0 <= i < len(col.units)
            if strip:
                if here and col.fan_in is not None and col.fan_in_sign is not None:  # a strip: a fan-in
                    for code, sign in zip(col.fan_in[i], col.fan_in_sign[i], strict=True):
                        style = None if monochrome or code == 0 else (POSITIVE if sign > 0 else NEGATIVE)
                        if style is not None and code in (2, 4):
                            style = style + Style(bold=True)
                        out.append(EDGE_GLYPHS[code], style)
                    out.append(" ")
                else:
                    out.append(" " * strip)
            if not here:
                out.append(" " * (node + gap))
                continue
            glyph = NODE_GLYPHS[int(col.levels[i])]
            style = None if monochrome else NODE_STYLES[int(col.levels[i])]
            if c == 0:
                out.append(f"{col.labels[i]} ")
                out.append(glyph, style)
                out.append(" " * (node - len(col.labels[i]) - 2 + gap))
                continue
            out.append(glyph, style)
            cell = col.labels[i] + (f" {float(col.values[i]):+.1f}" if values else "")
            out.append(f"{cell:<{node - 1 + gap}}")
        out.rstrip()
        out.append("\n")
    folded = [f"{c.title} {len(c.units)} of {len(c.units) + c.folded}" for c in picture.columns if c.folded]
    if folded:
        out.append(f"strongest units only: {' · '.join(folded)}\n", "italic")
    if full:
        out.append(LEGEND, "dim")
    out.rstrip()
    return out
