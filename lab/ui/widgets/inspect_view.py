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
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from lab.core import inspect as ins
from lab.core.experiment import Experiment
from lab.core.inspect.diagram import fitting
from lab.core.nn import Network
from lab.core.state import TrainingState
from lab.drawings import views
from lab.ui.screens.value_prompt import ValueScreen
from lab.ui.widgets.light_link import changed_span, compact
from lab.ui.widgets.network_picture import Edit, PictureCursor
from lab.ui.widgets.strip_fit import crop_extend

VIEWS = ("network", "units", "surface", "health", "gradcheck", "summary", "picture")
TITLES = {"network": "Network", "units": "Hidden units as gates", "surface": "Decision surface",
          "health": "Weights over time", "gradcheck": "Gradient check", "summary": "Model summary",
          "picture": "Network picture"}
SPARK = "▁▂▃▄▅▆▇█"
PICTURE_KEYS = ("tab here: a number cursor, weights by hand",
                "↑↓ node/line · ←→ ±0.1 · = type · b one step")
"""The line under the picture and its numbers, unfocused and focused."""
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
    """Shows one view of the network, chosen by ``mode``.

    In the ``picture`` mode a number cursor runs over the drawn nodes and lines (↑/↓ or a click; the line under the
    picture names what it is on), ←/→ move the selected weight or bias by ``network_picture.STEP`` and ``=`` types a
    new value while ``paused`` (posted as ``Edited``: the run's owner sets it and draws the view again), and ``b``
    asks for one step of backpropagation on the row (``StepAsked``). In the other modes ↑/↓ scroll."""

    BINDINGS = [
        Binding("up", "cursor(-1)", "Previous node or line", id="picture.previous", show=False),
        Binding("down", "cursor(1)", "Next node or line", id="picture.next", show=False),
        Binding("left", "nudge(-1)", "Weight −0.1", id="picture.less", show=False),
        Binding("right", "nudge(1)", "Weight +0.1", id="picture.more", show=False),
        Binding("equals_sign", "type_value", "Type weight", id="picture.type", tooltip="Type a new value for the "
                "weight or bias under the cursor (training paused)"),
        Binding("b", "backprop", "One step", id="picture.step", tooltip="One step of backpropagation on the row, "
                "with every number"),
    ]

    mode: reactive[str] = reactive("network")
    """One of ``VIEWS``."""
    monochrome: reactive[bool] = reactive(False)
    """Draw the surface with shades instead of colours."""

    paused: reactive[bool] = reactive(True)
    """Whether the run is paused: weights may be set by hand only then (the app says so)."""

    class Edited(Message):
        """A weight or bias set by hand in the picture (``edit``: which, its new value, its plain name)."""

        def __init__(self, view: InspectView, edit: Edit) -> None:
            super().__init__()
            self.view = view
            self.edit = edit

        @property
        def control(self) -> InspectView:
            """The view."""
            return self.view

    class StepAsked(Message):
        """One step of backpropagation with every number is asked for, on table row ``row``."""

        def __init__(self, view: InspectView, row: int) -> None:
            super().__init__()
            self.view = view
            self.row = row

        @property
        def control(self) -> InspectView:
            """The view."""
            return self.view

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
        self.cursor = PictureCursor()
        """The picture's number cursor."""
        self._picture_for: tuple = ()  # the extent key of the picture drawn last, to redraw it for the cursor
        self._note = ""  # why the last edit was refused (shown under the picture until the cursor moves)

    @property
    def line_strips(self) -> tuple[Strip, ...]:
        """The drawing's lines as strips, one per line, each made once and kept while its line is unchanged."""
        return tuple(self._strips)

    def watch_mode(self) -> None:
        self.scroll_home(animate=False, immediate=True)  # another view starts at its top
        self.refresh_bindings()  # the picture's own keys come and go from the footer with it

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Typing a weight and the step-through are the picture's: in the other views they are neither done nor
        shown in the footer (the arrows stay: there they scroll)."""
        if action in ("type_value", "backprop"):
            return self.mode == "picture"
        return True

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
        return crop_extend(self._strips[index].apply_style(style), scroll_x, scroll_x + width, style)

    def show_gradcheck(self, check: ins.GradCheck) -> None:
        """Keep a finished gradient check for the gradient-check view."""
        self.gradcheck = check

    # --- views (drawn by lab.drawings.views, which nnlab show prints too) ----------------------------------------
    def _draw_picture(self, run: Drawn, row: int) -> Text:
        table = run.experiment.table
        diagram = fitting(run.net, table, min(row, table.n_rows - 1), self.layout_width,
                          max(self.size.height - len(PICTURE_KEYS), 10))
        self.cursor.follow(diagram)
        self._picture_for = (self.mode, run.net.shape, self.layout_width)
        return self._picture_text()

    def _picture_text(self) -> Text:
        """The drawn picture with the cursor's item in reverse video and its numbers (or a refusal) under it."""
        diagram = self.cursor.diagram
        if diagram is None:
            return Text()
        text = views.picture_text(diagram, self.monochrome, self.cursor.selected,
                                  ansi=self.app.current_theme.ansi)
        text.append("\n")
        text.append(self._note or self.cursor.words(), "bold")
        text.append("\n" + PICTURE_KEYS[self.has_focus], "dim")
        return text

    def on_focus(self) -> None:
        self._repaint_picture()

    def on_blur(self) -> None:
        self._repaint_picture()

    def _repaint_picture(self) -> None:
        if self.mode == "picture" and self.cursor.diagram is not None:
            self.show(self._picture_text(), self._picture_for)

    def action_cursor(self, by: int) -> None:
        if self.mode != "picture":
            self.scroll_relative(y=by, animate=False)
            return
        self._note = ""
        self.cursor.move(by)
        self._repaint_picture()
        self._keep_in_view()

    def _keep_in_view(self) -> None:
        """Scroll so the selected node or line shows (a picture taller or wider than the pane)."""
        diagram, item = self.cursor.diagram, self.cursor.selected
        if diagram is None or item is None:
            return
        if item[0] == "node":
            node = diagram.nodes[item[1]]
            y, x = node.top, node.left
        else:
            y, x = diagram.edges[item[1]].start
        self.scroll_to_region(Region(x, y, 1, 1), animate=False, immediate=True)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if self.mode != "picture" or offset is None:
            return
        scroll_x, scroll_y = (round(v) for v in self.scroll_offset)
        if self.cursor.select_at(offset.y + scroll_y, offset.x + scroll_x):
            self._note = ""
            self._repaint_picture()

    def _refused(self) -> bool:
        """Say why the selected item cannot be edited now, if it cannot."""
        reason = self.cursor.refusal(self.paused) if self.mode == "picture" else None
        if reason is not None:
            self._note = reason
            self._repaint_picture()
        return reason is not None

    def action_nudge(self, direction: int) -> None:
        if self.mode != "picture":
            self.scroll_relative(x=direction, animate=False)
            return
        edit = None if self._refused() else self.cursor.nudged(direction)
        if edit is not None:
            self._note = ""
            self.post_message(self.Edited(self, edit))

    def action_type_value(self) -> None:
        target = None if self.mode != "picture" or self._refused() else self.cursor.target()
        if target is None:
            return

        def typed(value: float | None) -> None:
            if value is not None:
                self._note = ""
                edit = self.cursor.asked(Edit(target.parameter, target.index, value, target.name))
                self.post_message(self.Edited(self, edit))

        self.app.push_screen(ValueScreen(target.name, target.value), typed)

    def action_backprop(self) -> None:
        if self.mode == "picture" and self.cursor.diagram is not None:
            self.post_message(self.StepAsked(self, self.cursor.diagram.row))

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
