"""The tune view: a search around the lab's experiment, its heatmap filling in live, a cursor to read each cell.

The view owns its search: one thread worker (``run``) wraps ``lab.core.tune.search`` (whose configurations train in
worker processes, so the interface keeps the interpreter, or on a Dask cluster: the ``cluster`` setting or
``NNLAB_CLUSTER``), checks the worker's cancellation between results and
posts small frozen payloads, at most ``1 / UPDATE_INTERVAL`` a second, never touching a widget. The heatmap's rows
and columns are two axes (hidden layers down, units across by default); each cell shows the success rate and median
epochs to solve of the best configuration with those values (``lab.core.tune_table.cell_text``), the cursor's cell
in brackets, so it reads without colour. ``enter`` posts ``TuneView.Apply`` with the cell's experiment; the app
decides what to do with it (asking before discarding trained work).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static
from textual.worker import get_current_worker

from lab.core.errors import LabError
from lab.core.experiment import Experiment
from lab.core.sweep_jobs import usable_cpus
from lab.core.tune import Plan, Stopped, TuneResult, ranked, search
from lab.core.tune_cluster import cluster_address, cluster_executor, explain
from lab.core.tune_space import SearchSpace, Value, value_text
from lab.core.tune_table import cell_text, epochs_text, heatmap_cells, percent
from lab.timings import Timings

UPDATE_INTERVAL = Timings.tune_update_interval  # seconds between the worker's posts at the least
DEFAULT_AXES = {"layers": (1, 2), "units": (2, 4, 8, 16, 32)}
DEFAULT_SEEDS = 50


def default_space(experiment: Experiment) -> SearchSpace:
    """The search around ``experiment``: one or two hidden layers of 2 to 32 units (its own hidden activation),
    everything else as it is, each seed stopping once solved (when it solved does not change; it ends sooner)."""
    if experiment.training.stop == "budget":
        experiment = experiment.with_training(stop="solved")
    return SearchSpace(experiment, dict(DEFAULT_AXES))


def best_line(label: str, figures: str, width: int) -> str:
    """"best: LABEL · FIGURES" on one line when it fits ``width`` cells (or the width is not known, 0); otherwise
    the figures on a line of their own under the label, so a narrow screen never strands one word of them."""
    line = f"best: {label} · {figures}"
    if width <= 0 or len(line) <= width:
        return line
    return f"best: {label}\n      {figures}"


@dataclass(frozen=True)
class TuneUpdate:
    """What the worker heard since its last post: new results, how many sweeps are done of how many, and whether
    the search has ended (finished, stopped, or failed with ``error``)."""

    run_id: int
    results: tuple[TuneResult, ...]
    done: int
    total: int
    ended: bool = False
    error: str | None = None


class TuneHeatmap(Widget, can_focus=True):
    """The grid of cells over two axes, with a cursor; arrows move it, enter applies its configuration."""

    BINDINGS = [
        Binding("up", "move(-1, 0)", "Up", show=False, id="tune.up"),
        Binding("down", "move(1, 0)", "Down", show=False, id="tune.down"),
        Binding("left", "move(0, -1)", "Left", show=False, id="tune.left"),
        Binding("right", "move(0, 1)", "Right", show=False, id="tune.right"),
        Binding("enter", "apply", "Apply", id="tune.apply"),
    ]

    cursor: reactive[tuple[int, int]] = reactive((0, 0))
    """The cursor's (row, column)."""

    class Moved(Message):
        """The cursor moved (or the cells under it changed)."""

    class Chosen(Message):
        """Enter on a cell with a result."""

    def __init__(self, rows: str, cols: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows, self.cols = rows, cols
        self.row_values: list[Value] = []
        self.col_values: list[Value] = []
        self.cells: dict[tuple[Value, Value], TuneResult] = {}

    def show(self, row_values: list[Value], col_values: list[Value],
             cells: dict[tuple[Value, Value], TuneResult]) -> None:
        """Show these cells (the cursor keeps its place, within the grid)."""
        self.row_values, self.col_values, self.cells = row_values, col_values, cells
        r, c = self.cursor
        self.cursor = (min(r, max(len(row_values) - 1, 0)), min(c, max(len(col_values) - 1, 0)))
        self.refresh()
        self.post_message(self.Moved())

    @property
    def current(self) -> TuneResult | None:
        """The result under the cursor, None for an empty cell."""
        if not self.row_values or not self.col_values:
            return None
        r, c = self.cursor
        return self.cells.get((self.row_values[r], self.col_values[c]))

    def action_move(self, down: int, across: int) -> None:
        r, c = self.cursor
        self.cursor = (max(0, min(len(self.row_values) - 1, r + down)),
                       max(0, min(len(self.col_values) - 1, c + across)))
        self.post_message(self.Moved())

    def action_apply(self) -> None:
        if self.current is not None:
            self.post_message(self.Chosen())

    def watch_cursor(self) -> None:
        self.refresh()

    def render(self) -> Text:
        texts = [[cell_text(self.cells.get((rv, cv))) for cv in self.col_values] for rv in self.row_values]
        width = max([len(value_text(v)) for v in self.col_values] + [len(t) for row in texts for t in row] + [1])
        label = max([len(self.rows)] + [len(value_text(v)) for v in self.row_values])
        out = Text(no_wrap=True, overflow="crop")
        out.append(f"{self.rows} \\ {self.cols}\n", style="dim")
        out.append(" " * (label + 2) + " ".join(f" {value_text(v):>{width}} " for v in self.col_values) + "\n",
                   style="bold")
        for r, (rv, row) in enumerate(zip(self.row_values, texts, strict=True)):
            out.append(f"{value_text(rv):>{label}}  ", style="bold")
            for c, t in enumerate(row):
                here = (r, c) == self.cursor
                cell = f"[{t:>{width}}]" if here else f" {t:>{width}} "
                out.append(cell, style="reverse" if here and self.has_focus else "")
                if c < len(row) - 1:
                    out.append(" ")
            out.append("\n")
        return out


class TuneView(Vertical):
    """A search's progress, its heatmap and the numbers of the cell under the cursor."""

    show_timing: reactive[bool] = reactive(True, init=False)
    """Show each configuration's seconds (snapshot tests turn them off: they vary)."""

    class Apply(Message):
        """Apply ``experiment`` (the chosen configuration) to the lab."""

        def __init__(self, experiment: Experiment) -> None:
            super().__init__()
            self.experiment = experiment

    class Progress(Message):
        """The worker's news (``TuneUpdate``); a burst may collapse to the latest ending."""

        def __init__(self, update: TuneUpdate) -> None:
            super().__init__()
            self.update = update

    def __init__(self, experiment: Experiment, *, seeds: int = DEFAULT_SEEDS, jobs: int | None = None,
                 cluster: str | None = None, rows: str = "layers", cols: str = "units", id: str | None = None) -> None:
        """Search around ``experiment`` (``default_space``) from ``seeds`` seeds each, on up to ``jobs`` processes
        (default: every CPU; 1 trains in the worker's thread) or on the Dask cluster whose scheduler is at
        ``cluster`` (default: ``NNLAB_CLUSTER``, else none), the heatmap over axes ``rows`` and ``cols``."""
        super().__init__(id=id)
        self.experiment = experiment
        space = self.space = default_space(experiment)
        self.plan = Plan(space, "grid", seeds)
        self.jobs = jobs
        self.cluster = cluster_address(cluster)
        self.results: list[TuneResult] = []
        self.done = self.total = 0
        self.running = False
        self.error: str | None = None
        self._run_id = 0
        self._heatmap = TuneHeatmap(rows, cols, id="tune-heatmap")

    def compose(self) -> ComposeResult:
        yield Static(id="tune-status")
        yield self._heatmap
        yield Static(id="tune-detail")

    def on_mount(self) -> None:
        self._heatmap.focus()
        self.start()

    # --- the search ------------------------------------------------------------------------------------------------
    def start(self) -> None:
        """Start (or restart) the search."""
        self._run_id += 1
        self.results, self.done, self.error, self.running = [], 0, None, True
        try:
            self.total = len(self.plan.candidates)
        except LabError as e:
            self.total, self.running, self.error = 0, False, str(e)
        self._show()
        if self.running:
            self.run(self._run_id)

    def stop(self) -> None:
        """Stop the search (what is done stays)."""
        self.workers.cancel_node(self)
        if self.running:
            self.running = False
            self._show()

    @work(thread=True, exclusive=True, exit_on_error=False, group="tune", name="tune")
    def run(self, run_id: int) -> None:
        """The search in a thread: calls the core, posts ``Progress``, never touches a widget."""
        worker = get_current_worker()
        pending: list[TuneResult] = []
        last = time.monotonic()
        counts = [0, self.total]

        def heard(result: TuneResult, done: int, total: int) -> None:
            nonlocal last
            pending.append(result)
            counts[:] = [done, total]
            if time.monotonic() - last >= UPDATE_INTERVAL:
                self.post_message(self.Progress(TuneUpdate(run_id, tuple(pending), done, total)))
                pending.clear()
                last = time.monotonic()

        error = None
        try:
            if self.cluster is None:
                if (self.jobs or usable_cpus()) > 1 and (reason := workers_cannot_start()) is not None:
                    raise LabError(f"the search cannot start its worker processes ({reason}); was nnlab reinstalled "
                                   "while this lab was open? restart nnlab")
                search(self.plan, heard, jobs=self.jobs, should_stop=lambda: worker.is_cancelled)
            else:
                with cluster_executor(self.cluster) as cluster:
                    search(self.plan, heard, jobs=max(cluster.threads, 1), should_stop=lambda: worker.is_cancelled,
                           executor=cluster.executor, alive=cluster.alive)
        except Stopped:
            pass
        except LabError as e:
            error = explain(str(e), self.cluster or "")
        except Exception as e:  # noqa: BLE001 (a failed search is one line on screen, never a crash)
            error = f"the search failed: {type(e).__name__}: {e}"
        self.post_message(self.Progress(TuneUpdate(run_id, tuple(pending), counts[0], counts[1], True, error)))

    @on(Progress)
    def _progress(self, message: Progress) -> None:
        message.stop()
        update = message.update
        if update.run_id != self._run_id:
            return
        self.results.extend(update.results)
        self.done, self.total = update.done, update.total
        if update.ended:
            self.running = False
            self.error = update.error
        self._show()

    # --- showing -----------------------------------------------------------------------------------------------------
    def _show(self) -> None:
        h = self._heatmap
        h.show(*heatmap_cells(self.results, h.rows, h.cols, self.space, self.plan.objective))
        status = Text(no_wrap=True, overflow="ellipsis")
        if self.error:
            status.append(self.error, style="bold")
        else:
            state = "▶ searching" if self.running else ("done" if self.done == self.total else "stopped")
            status.append(f"{state} · {self.done}/{self.total} configurations · {self.plan.seeds} seeds each · "
                          f"{self.space.base.training.epochs:,} epochs")
            if self.cluster is not None:
                status.append(f" · on the cluster at {self.cluster}")
            if self.results:
                best = ranked(self.results, self.plan.objective)[0]
                figures = (f"{percent(best.success_rate)} solved · median "
                           f"{epochs_text(best.stats.median_solved_epoch)} epochs")
                status.append("\n" + best_line(best.label, figures, self._status_width()))
        self.query_one("#tune-status", Static).update(status)

    def _status_width(self) -> int:
        """The status line's width in cells (0 before the first layout: then nothing is broken)."""
        return self.query_one("#tune-status", Static).content_size.width

    def on_resize(self) -> None:
        """Lay the best configuration's line out again for the new width."""
        self._show()

    @on(TuneHeatmap.Moved)
    def _moved(self, message: TuneHeatmap.Moved) -> None:
        message.stop()
        self._show_detail()

    def watch_show_timing(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        """The numbers of the configuration under the cursor."""
        h = self._heatmap
        detail = Text(no_wrap=True, overflow="ellipsis")
        r = h.current
        if not h.row_values or not h.col_values:
            self.query_one("#tune-detail", Static).update(detail)
            return
        row, col = h.cursor
        where = f"{h.rows} {value_text(h.row_values[row])} · {h.cols} {value_text(h.col_values[col])}"
        if r is None:
            detail.append(f"{where}: " + ("not trained yet" if self.running else "no configuration here"))
        else:
            s = r.stats
            spread = "-" if s.p10_solved_epoch is None else f"{s.p10_solved_epoch:g} to {s.p90_solved_epoch:g}"
            loss = "-" if s.final_loss is None else f"{s.final_loss[1]:.4g}"
            detail.append(f"{r.label}\n", style="bold")
            detail.append(f"solved {s.solved}/{s.seeds} ({percent(r.success_rate)}) · median "
                          f"{epochs_text(s.median_solved_epoch)} epochs · p10-p90 {spread}\n"
                          f"final loss {loss} · {r.n_params:,} parameters · {s.diverged} diverged"
                          + (f" · {s.seconds:.2f} s" if self.show_timing else "")
                          + "\nenter applies it to the lab")
        self.query_one("#tune-detail", Static).update(detail)

    @on(TuneHeatmap.Chosen)
    def _chosen(self, message: TuneHeatmap.Chosen) -> None:
        message.stop()
        result = self._heatmap.current
        if result is not None:
            self.post_message(self.Apply(result.config.experiment(self.experiment)))


def workers_cannot_start() -> str | None:
    """Why a worker process could not start the search, or None when it can: a fresh interpreter on this process's
    ``sys.path`` (as a spawned worker is) imports the search, its error output captured. A worker that cannot (the
    package removed or half replaced by a reinstall under an open lab) would print a traceback over the screen and
    be started again by its pool, for ever; this turns that into one line, before any worker starts."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    try:
        done = subprocess.run([sys.executable, "-P", "-c", "import lab.core.tune"], capture_output=True, text=True,
                              env=env, stdin=subprocess.DEVNULL, timeout=120)
    except (OSError, subprocess.SubprocessError) as e:
        return str(e)
    if done.returncode == 0:
        return None
    lines = [line.strip() for line in done.stderr.splitlines() if line.strip()]
    return lines[-1] if lines else f"exit status {done.returncode}"
