"""What the network learned, drawn as text: the network, its hidden units as gates, the decision surface or
Karnaugh maps, weights over time, a gradient check and the model summary.

Every number comes from ``lab.core.inspect``; this widget only lays it out. The app calls ``update_from`` with the
session lock held (at most as often as the chart redraws) and ``show_gradcheck`` after a check. Signs are always
shown by a glyph or a minus sign, never by colour alone; ✓/✗ mark right and wrong cells.

A Line-API widget: each line of the drawing is turned into a ``Strip`` once, in as few segments as it takes
(``light_link.compact``), and only the cells that changed since the last drawing are repainted, from the first
changed column of a line to the last (``light_link.changed_span``): over a terminal link, cells right of a change are
not sent again (while training keras-xor at 200x50, 0 to 3 of the network picture's 20 lines change from one redraw
to the next; the whole 37-line pane re-rendered as one text took 10-17 ms of the interface thread). The scrollable
extent only grows within one view and network, so a redraw whose widest line got narrower does not ask the whole
screen for a layout pass.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from lab.core import inspect as ins
from lab.core.experiment import Experiment
from lab.core.nn import Network
from lab.core.state import TrainingState
from lab.drawings import views
from lab.ui.widgets.light_link import changed_span, compact

VIEWS = ("network", "units", "surface", "health", "gradcheck", "summary", "picture")
TITLES = {"network": "Network", "units": "Hidden units as gates", "surface": "Decision surface",
          "health": "Weights over time", "gradcheck": "Gradient check", "summary": "Model summary",
          "picture": "Network picture"}
SPARK = "▁▂▃▄▅▆▇█"
MIN_WIDTH = 20  # the narrowest width a view is laid out for
CHROME = 4  # columns of the pane's border and padding
HANG = 2  # a wrapped line's continuation is indented this much more than the line's own indent
WORD = re.compile(r"\S+\s*|\s+")


def wrap_line(line: Text, width: int) -> list[Text]:
    """``line`` in lines of at most ``width`` cells, broken between words (a word longer than a line is broken
    inside), each continuation indented ``HANG`` cells more than the line itself; styles are kept.

    Nothing is cut: every character of ``line`` is on one of the lines returned (bar the spaces at a break).
    """
    plain = line.plain
    if cell_len(plain) <= width:
        return [line]
    indent = min(len(plain) - len(plain.lstrip(" ")) + HANG, width // 2)
    pieces: list[tuple[int, int]] = []  # (start, end) of each output line in ``plain``
    start, used, room = 0, 0, width
    for match in WORD.finditer(plain):
        pos, end = match.span()
        visible_end = pos + len(plain[pos:end].rstrip(" "))
        while True:
            if used + cell_len(plain[pos:visible_end]) <= room:
                used += cell_len(plain[pos:end])
                break
            if used > 0:  # the word starts the next line
                pieces.append((start, pos))
                start, used, room = pos, 0, width - indent
                continue
            cut = pos + 1  # a word wider than a whole line: break it where the line ends
            while cut < visible_end and cell_len(plain[pos : cut + 1]) <= room:
                cut += 1
            pieces.append((start, cut))
            start, used, room, pos = cut, 0, width - indent, cut
    pieces.append((start, len(plain)))
    out = []
    for i, (a, b) in enumerate(pieces):
        part = line[a:b]
        part.rstrip()
        if i:
            part = Text(" " * indent, style=line.style) + part
        out.append(part)
    return out


def wrap(drawing: Text, width: int) -> Text:
    """Every line of ``drawing`` wrapped to ``width`` cells (``wrap_line``)."""
    lines = [part for line in drawing.split("\n", allow_blank=True) for part in wrap_line(line, width)]
    return Text("\n").join(lines)


def spark(values: list[float], width: int | None = None) -> str:
    """A sparkline of ``values`` scaled to their own range, at most ``width`` characters (evenly spaced samples of
    ``values``, the first and the last included, when there are more)."""
    if not values:
        return ""
    v = np.asarray(values, dtype=float)
    if width is not None and v.size > width >= 2:
        v = v[np.linspace(0, v.size - 1, width).round().astype(np.intp)]
    v = np.where(np.isfinite(v), v, np.nan)
    low, high = np.nanmin(v), np.nanmax(v)
    span = high - low if high > low else 1.0
    return "".join(" " if x != x else SPARK[int((x - low) / span * (len(SPARK) - 1))] for x in v)


@dataclass(frozen=True)
class Drawn:
    """What a view is drawn from: the experiment and a network of the view's own holding a state's weights."""

    experiment: Experiment
    net: Network


class InspectView(ScrollView):
    """Shows one view of the network, chosen by ``mode``."""

    mode: reactive[str] = reactive("network")
    """One of ``VIEWS``."""
    monochrome: reactive[bool] = reactive(False)
    """Draw the surface with shades instead of colours."""

    class Resized(Message):
        """The view's width changed: its drawing must be laid out again (the app redraws it from the run's state)."""

        def __init__(self, view: InspectView) -> None:
            super().__init__()
            self.view = view

        @property
        def control(self) -> InspectView:
            """The view that was resized."""
            return self.view

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.health: Sequence[ins.WeightHealth] = ()
        """The weight norms over the run, recorded by the session (the app hands its record over)."""
        self.gradcheck: ins.GradCheck | None = None
        self._keys: list[tuple] = []  # per line: its text and spans, to tell which lines changed
        self._strips: list[Strip] = []  # per line: its segments, without the widget's own style
        self._plain = ""
        self._extent_for: tuple = ()  # what the extent was measured for (view, network shape and width)
        self._known_width = 0  # the columns shown when last laid out (kept while hidden)
        self._laid_out_for = -1  # the widget's width when the drawing was last laid out

    def watch_mode(self) -> None:
        self.scroll_home(animate=False, immediate=True)  # another view starts at its top

    @property
    def text(self) -> str:
        """The shown drawing as plain text."""
        return self._plain

    def clear_history(self) -> None:
        """Forget the last check (a new network)."""
        self.gradcheck = None

    @property
    def layout_width(self) -> int:
        """The width the drawing is laid out for: the visible columns, less one for a vertical scrollbar that a
        tall drawing may bring (so that it never hides a column)."""
        region = self.scrollable_content_region.width
        if not region:  # hidden until now (a view just chosen): the width it last had, else its parent's
            parent = self.parent.size.width if isinstance(self.parent, Widget) else 0
            region = self._known_width or max(parent - CHROME, 0)
        return max(MIN_WIDTH, region - (0 if self.show_vertical_scrollbar else self.styles.scrollbar_size_vertical))

    def on_resize(self, event: events.Resize) -> None:
        if self.scrollable_content_region.width:
            self._known_width = self.scrollable_content_region.width
        if event.size.width != self._laid_out_for:
            self.post_message(self.Resized(self))

    def update_from(self, experiment: Experiment, state: TrainingState, row: int,
                    health: Sequence[ins.WeightHealth] | None = None) -> int:
        """Redraw the current view for ``state``'s network on ``experiment``'s table row ``row``, laid out for the
        view's width; ``health`` is the run's record of weight norms. The number of lines that changed. Everything
        it reads is frozen or its own copy, so no lock is needed."""
        if health is not None:
            self.health = health
        draw = getattr(self, f"_draw_{self.mode}")
        width = self.layout_width
        self._laid_out_for = self.size.width
        run = Drawn(experiment, state.network())
        drawing = draw(run, row)
        if self.mode != "picture":  # the picture is laid out for the width; wider, it scrolls (wrapped, it would break)
            drawing = wrap(drawing, width)
        return self.show(drawing, (self.mode, state.shape, width))

    def show(self, drawing: Text, extent_for: tuple = ()) -> int:
        """Show ``drawing``, repainting only the lines that changed; the number of lines repainted. The scrollable
        extent grows to fit and shrinks only when ``extent_for`` (what the drawing is of) changes."""
        lines = drawing.split("\n", allow_blank=True)
        keys = [(line.plain, tuple(line.spans), line.style) for line in lines]
        console = self.app.console
        old_keys, old_strips = self._keys, self._strips
        strips: list[Strip] = []
        changed: list[tuple[int, int, int]] = []  # (line, first column, end column) of each change
        for y, (line, key) in enumerate(zip(lines, keys, strict=True)):
            if y < len(old_keys) and old_keys[y] == key:
                strips.append(old_strips[y])
                continue
            strip = compact(Strip(line.render(console)))
            strips.append(strip)
            span = changed_span(old_strips[y], strip) if y < len(old_strips) else (0, strip.cell_length)
            if span is not None:
                changed.append((y, *span))
        self._keys, self._strips, self._plain = keys, strips, drawing.plain
        width = max((strip.cell_length for strip in strips), default=0)
        extent = Size(width, len(strips))
        if extent_for == self._extent_for:
            extent = Size(max(extent.width, self.virtual_size.width), max(extent.height, self.virtual_size.height))
        self._extent_for = extent_for
        if extent != self.virtual_size:
            self.virtual_size = extent  # a layout pass: the scrollbars may come or go
            self.refresh()
            return max(len(strips), self.size.height)
        scroll_x, scroll_y = (round(v) for v in self.scroll_offset)
        for y, start, end in changed:
            start, end = max(start - scroll_x, 0), min(end - scroll_x, self.size.width)
            if end > start:
                self.refresh(Region(start, y - scroll_y, end - start, 1))
        if len(strips) < len(old_strips):
            self.refresh(Region(0, len(strips) - scroll_y, self.size.width, len(old_strips) - len(strips)))
        return len(changed) + max(0, len(old_strips) - len(strips))

    def render_line(self, y: int) -> Strip:
        """Line ``y`` of the widget's content area: the drawing's line at the scroll offset, in the widget's style
        and cropped to the visible columns."""
        scroll_x, scroll_y = self.scroll_offset
        width, style = self.size.width, self.rich_style
        index = scroll_y + y
        if index >= len(self._strips):
            return Strip.blank(width, style)
        return self._strips[index].apply_style(style).crop_extend(scroll_x, scroll_x + width, style)

    def show_gradcheck(self, check: ins.GradCheck) -> None:
        """Keep a finished gradient check for the gradient-check view."""
        self.gradcheck = check

    # --- views (drawn by lab.drawings.views, which nnlab show prints too) ----------------------------------------
    def _draw_picture(self, run: Drawn, row: int) -> Text:
        return views.draw_picture(run.experiment, run.net, row, self.layout_width, self.size.height,
                                  self.monochrome, self.app.current_theme.ansi)[1]

    def _draw_network(self, run: Drawn, row: int) -> Text:
        return views.draw_trace(run.experiment, run.net, row, self.layout_width)

    def _draw_units(self, run: Drawn, row: int) -> Text:
        return views.draw_units(run.experiment, run.net)

    def _draw_surface(self, run: Drawn, row: int) -> Text:
        return views.draw_surface(run.experiment, run.net, self.size.width, self.size.height, self.monochrome)

    def _draw_health(self, run: Drawn, row: int) -> Text:
        out = Text()
        if not self.health:
            out.append("Train a few epochs: the norms are recorded as it learns.")
            return out
        latest, first = self.health[-1], self.health[0]
        span = (f"epoch {latest.epoch:,}" if len(self.health) == 1 else
                f"epochs {first.epoch:,} to {latest.epoch:,}, {len(self.health)} samples")
        out.append(f"‖W‖ and ‖∂L/∂W‖ per layer over {span}\n\n", "bold")
        prefix = 8 + 5 + 9  # the name, the norm's symbol and its value, before the sparkline
        room = self.layout_width - prefix
        below = room < 12  # a narrow pane: each sparkline on a line of its own, under its number
        room = self.layout_width - HANG if below else room
        for l, layer in enumerate(latest.layers):
            weights = [h.layers[l].weight_norm for h in self.health if l < len(h.layers)]
            grads = [h.layers[l].grad_norm for h in self.health if l < len(h.layers)]
            gap = "\n" + " " * HANG if below else " "
            out.append(f"{layer.name:<8} ‖W‖ {layer.weight_norm:8.3g}{gap}{spark(weights, room)}\n")
            out.append(f"{'':<8} ‖∇‖ {layer.grad_norm:8.2g}{gap}{spark(grads, room)}\n")
            if layer.dead:
                out.append(f"{'':<8} dead units: {', '.join(str(u + 1) for u in layer.dead)} (same output on every "
                           "row: they no longer learn)\n", "bold red")
        out.append("\nA gradient norm shrinking layer by layer towards the input is a vanishing gradient.", "dim")
        return out

    def _draw_gradcheck(self, run: Drawn, row: int) -> Text:
        out = Text()
        check = self.gradcheck
        if check is None:
            out.append("Press g to compare backpropagation with centred differences on the current weights.")
            return out
        verdicts = {"ok": "✓ backpropagation agrees", "suspicious": "? suspicious", "wrong": "✗ wrong",
                    "unchecked": "nothing to compare (every gradient is below round-off: check earlier in training)"}
        out.append(f"worst relative error {check.worst:.2e}: {verdicts.get(check.verdict, check.verdict)}\n\n",
                   "bold")
        out.append(f"{'param':<5} {'checked':>7} {'skipped':>7} {'worst':>9}\n")
        for p in check.params:
            out.append(f"{p.name:<5} {p.checked:>7} {p.kinks + p.below_noise:>7} {p.worst:>9.2e}  {p.verdict}\n")
        out.append("\nbelow 1e-7 is right, above 1e-4 is a bug; weights next to a ReLU kink are skipped.", "dim")
        return out

    def _draw_summary(self, run: Drawn, row: int) -> Text:
        return views.draw_summary(run.experiment, run.net, self.layout_width)
