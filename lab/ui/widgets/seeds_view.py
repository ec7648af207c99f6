"""The seeds view: the experiment trained from many seeds at once, alone or beside a pinned configuration.

It holds up to two sweeps: ``latest`` (live while its worker runs) and ``pinned`` (frozen, "A"); with A pinned the
latest is "B". For each it shows the numbers (seeds solved, the median, 10th and 90th percentile of the solve epochs,
divergences, the sweep's processor seconds and network-epochs per second), the success curve (fraction of seeds
solved against epoch, both on one plot) and a histogram of solve epochs with bins shared by both. It runs and cancels
its own sweep worker (``sweep``, ``stop``; started and stopped through ``lab.ui.run.Run``, whose rule keeps it apart
from training) and posts what the app must know as nested messages: ``Updated``, ``Finished``, ``Pinned`` and
``Failed``. Every number comes from ``lab.core.sweep_summary``. Nothing is told by colour alone:
A and B are named by letter, their curves have different markers and their histogram bars stand in a fixed order, A
left of B."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import Literal

import numpy as np
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.worker import Worker, WorkerState, get_current_worker

from lab.core.experiment import Experiment
from lab.core.numbers import percent
from lab.core.sweep_summary import configuration_label, rate_text, solve_histogram
from lab.tuning import Tuning
from lab.ui.messages import SweepFailed, SweepProgress, SweepUpdate
from lab.ui.sweep_loop import DEFAULT_SEEDS, sweep_experiment, sweep_loop
from lab.ui.widgets.seeds_parts import SeedsHistogram, SeedsNumbers
from lab.ui.widgets.seeds_run import SeedsRun
from lab.ui.widgets.success_curve import Curve, SuccessCurve

TITLE = "Seeds · v next view"
BLOCKS = " ▁▂▃▄▅▆▇█"
MAX_BINS = 10
MAX_BAR = 3  # columns a bar is wide at the most
# Per sweep: the plot colour (plotext's name), the text colour (Rich's) and the curve's marker.
LOOKS = {"A": ("orange", "orange1", "braille"), "B": ("cyan", "cyan", "dot"), "": ("cyan", "cyan", "braille")}
# Seconds between a sweep's updates at the least. A redraw of the seeds view costs about 20 ms of the interface
# thread, doubled while it shares the interpreter with the sweep: at ten a second it left keys waiting about 100 ms
# (p50) behind redraws; at four a second about 17 ms, and the sweep ran 70% faster.
UPDATE_INTERVAL = Tuning.seeds_update_interval
WORKER_GROUP = "sweep"  # this view's sweep; that it never runs beside training is ``Run``'s rule

PinAnswer = Literal["pinned", "pending", "unpinned", "sweep"]


def _epochs(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


class SeedsView(Vertical):
    """The numbers, the success curve and the histogram of the latest sweep and the pinned one."""

    show_timing: reactive[bool] = reactive(True, init=False)
    """Show processor seconds and network-epochs per second (snapshot tests turn them off: they vary)."""
    monochrome: reactive[bool] = reactive(False, init=False)
    """Draw without colour."""
    seed_count: reactive[int] = reactive(DEFAULT_SEEDS, init=False)
    """How many seeds the next sweep runs (for the hint)."""

    class Updated(Message):
        """The latest sweep has new numbers (``run``)."""

        def __init__(self, run: SeedsRun) -> None:
            super().__init__()
            self.run = run

    class Finished(Message):
        """The latest sweep (``run``) finished: every seed stopped (not posted when it is pinned as it finishes)."""

        def __init__(self, run: SeedsRun) -> None:
            super().__init__()
            self.run = run

    class Pinned(Message):
        """``run`` is pinned as A."""

        def __init__(self, run: SeedsRun) -> None:
            super().__init__()
            self.run = run

    class Failed(Message):
        """A sweep could not run or stopped with an error: ``error`` in one line."""

        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    def __init__(self, *, id: str | None = None, wait_for_interface: Callable[[], None] = lambda: None,
                 interval: float = UPDATE_INTERVAL) -> None:
        """``wait_for_interface`` is called by the worker before every epoch (the app's key-press hold);
        ``interval`` is the least time in seconds between two updates."""
        super().__init__(id=id)
        self.latest: SeedsRun | None = None
        self.pinned: SeedsRun | None = None
        self.wait_for_interface = wait_for_interface
        self.interval = interval
        self._run_id = 0
        self._pin_on_finish: int | None = None  # the run to pin as A once it finishes
        self._workers: dict[Worker[None], int] = {}  # each sweep worker's run id, until it ends

    def compose(self) -> ComposeResult:
        yield SeedsNumbers(self.numbers_lines, id="seeds-numbers")
        with Horizontal(id="seeds-plots"):
            yield SuccessCurve(id="seeds-curve")
            yield SeedsHistogram(self.histogram_lines, id="seeds-histogram")

    def on_mount(self) -> None:
        self.monochrome = self.app.no_color  # Textual reads (and removes) NO_COLOR from the environment
        self._redraw()

    # --- the sweep worker -------------------------------------------------------------------------------------------
    @property
    def sweeping(self) -> bool:
        """Whether the latest sweep's worker is still training it."""
        return self.latest is not None and self.latest.running

    def sweep(self, experiment: Experiment, seeds: range, pin: bool = False) -> int:
        """Sweep ``experiment`` over ``seeds`` (``lab.ui.sweep_loop.sweep_seeds``) in this view's worker, replacing
        the latest sweep; ``pin``: pin it as A once it finishes. Returns its run id."""
        self._run_id += 1
        self._pin_on_finish = self._run_id if pin else None
        self.begin(self._run_id, configuration_label(experiment), experiment, len(seeds))
        self._workers[self._sweep(self._run_id, sweep_experiment(experiment), seeds)] = self._run_id
        return self._run_id

    def stop(self) -> None:
        """Cancel the running sweep (its last update, if any, still fills in its numbers)."""
        self.workers.cancel_group(self, WORKER_GROUP)

    @work(thread=True, exclusive=True, exit_on_error=False, group=WORKER_GROUP, name="sweep")
    def _sweep(self, run_id: int, experiment: Experiment, seeds: range) -> None:
        """Sweep in a thread: calls the core, posts messages to this view, never touches a widget."""
        worker = get_current_worker()
        sweep_loop(run_id, experiment, seeds, lambda: worker.is_cancelled, self.post_message,
                   interval=self.interval, wait=self.wait_for_interface)

    def on_sweep_progress(self, message: SweepProgress) -> None:
        message.stop()
        run = self.apply(message.update)
        if run is None:
            return
        self.post_message(self.Updated(run))
        if run.finished and self._pin_on_finish == run.run_id:
            self._pin()
        elif run.finished:
            self.post_message(self.Finished(run))

    def on_sweep_failed(self, message: SweepFailed) -> None:
        message.stop()
        self.drop(message.run_id)
        self.post_message(self.Failed(message.error))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A sweep worker that ended without its last update (cancelled before it began, or failed) leaves its sweep
        marked as stopped; a last update that does come later still fills in its numbers."""
        run_id = self._workers.get(event.worker)
        if run_id is None:
            return
        event.stop()
        if event.state in (WorkerState.CANCELLED, WorkerState.ERROR, WorkerState.SUCCESS):
            del self._workers[event.worker]
            self.halt(run_id)
        if event.state == WorkerState.ERROR:
            self.post_message(self.Failed(f"The sweep stopped: {event.worker.error}"))

    def request_pin(self, experiment: Experiment) -> PinAnswer:
        """A (pin): pin the latest sweep of ``experiment`` as A if it finished ("pinned"), or once it finishes if it
        runs ("pending"); unpin A if A is ``experiment`` ("unpinned"); else "sweep": the caller starts a sweep with
        ``pin=True``."""
        latest, pinned = self.latest, self.pinned
        if latest is not None and latest.experiment == experiment:
            if latest.finished:
                self._pin()
                return "pinned"
            if latest.running:
                self._pin_on_finish = latest.run_id
                return "pending"
        elif pinned is not None and pinned.experiment == experiment:
            self.unpin()
            return "unpinned"
        return "sweep"

    def _pin(self) -> None:
        self._pin_on_finish = None
        run = self.pin()
        if run is not None:
            self.post_message(self.Pinned(run))

    # --- what it shows ---------------------------------------------------------------------------------------------
    def begin(self, run_id: int, label: str, experiment: Experiment, seeds: int) -> None:
        """A new sweep (run ``run_id``) replaces the latest."""
        self.latest = SeedsRun(run_id, label, experiment, seeds)
        self._redraw()

    def apply(self, update: SweepUpdate) -> SeedsRun | None:
        """Take in ``update`` if it belongs to the latest sweep; returns that sweep, else None."""
        run = self.latest
        if run is None or run.run_id != update.run_id:
            return None
        run.apply(update)
        self._redraw()
        return run

    def drop(self, run_id: int) -> None:
        """Forget the latest sweep if it is run ``run_id`` (the core refused it)."""
        if self.latest is not None and self.latest.run_id == run_id:
            self.latest = None
            self._redraw()

    def halt(self, run_id: int) -> None:
        """Mark run ``run_id`` as no longer running (its worker ended, perhaps without a last update)."""
        if self.latest is not None and self.latest.run_id == run_id and self.latest.running:
            self.latest.running = False
            self._redraw()

    def pin(self) -> SeedsRun | None:
        """Pin the latest sweep as A (it must be finished); returns it."""
        if self.latest is None or not self.latest.finished:
            return None
        self.pinned, self.latest = self.latest, None
        self._redraw()
        return self.pinned

    def unpin(self) -> None:
        """Forget A."""
        self.pinned = None
        self._redraw()

    def runs(self) -> list[tuple[str, SeedsRun]]:
        """The sweeps shown, with their tags: ``[("A", a), ("B", b)]``, or ``[("", latest)]`` with nothing pinned."""
        if self.pinned is None:
            return [("", self.latest)] if self.latest is not None else []
        return [("A", self.pinned)] + ([("B", self.latest)] if self.latest is not None else [])

    # --- drawing ---------------------------------------------------------------------------------------------------
    def watch_show_timing(self) -> None:
        self._redraw()

    def watch_monochrome(self) -> None:
        self._redraw()

    def watch_seed_count(self) -> None:
        self._redraw()

    def _redraw(self) -> None:
        if not self.is_mounted:
            return
        runs = self.runs()
        until = max((run.epoch for _, run in runs), default=0)
        curve = self.query_one(SuccessCurve)
        curve.monochrome = self.monochrome
        curve.show(tuple(Curve(tag, run.fraction(until), LOOKS[tag][0], LOOKS[tag][2]) for tag, run in runs))
        self.query_one(SeedsNumbers).update_lines()
        self.query_one(SeedsHistogram).refresh()

    def _style(self, tag: str) -> str:
        return "bold" if self.monochrome else f"bold {LOOKS[tag][1]}"

    def numbers_lines(self, width: int) -> list[Text]:
        """The numbers of each sweep as a table fitted to ``width`` columns, with hints when there is little to
        show."""
        runs = self.runs()
        lines: list[Text] = []
        if not runs:
            return self._hint(width, f"k trains this experiment from {self.seed_count:,} seeds at once (K changes "
                              "how many) and shows how often and how fast it solves the gate. A pins the result "
                              "as A, to compare with a changed network (B).")
        inline, table = self._table(runs, width)
        if not inline:
            for tag, run in runs:
                line = Text()
                line.append(f"{tag or '▪'} ", self._style(tag))
                line.append(run.state(), "dim")
                line.append(run.heading)
                lines.append(line)
        lines += table
        if self.pinned is not None and self.latest is None:
            lines += self._hint(width, "Change the network (for example add a layer), then k runs B beside A.")
        return lines

    def _columns(self, runs: list[tuple[str, SeedsRun]], compact: int) -> list[tuple[str, list[str]]]:
        """The table's columns (header, one cell per sweep); ``compact`` 0 to 2 makes them narrower."""
        stats = [run.stats for _, run in runs]
        cols: list[tuple[str, list[str]]] = [
            ("solved", [f"{s.solved}/{s.seeds}" if s else "-" for s in stats])]
        if compact < 2:
            cols.append(("rate", [percent(s.solved, s.seeds) if s else "-" for s in stats]))
        cols.append(("median", [_epochs(s.median_solved_epoch if s else None) for s in stats]))
        if compact < 1:
            cols += [("p10", [_epochs(s.p10_solved_epoch if s else None) for s in stats]),
                     ("p90", [_epochs(s.p90_solved_epoch if s else None) for s in stats])]
        else:
            cols.append(("p10-p90", [f"{_epochs(s.p10_solved_epoch)}-{_epochs(s.p90_solved_epoch)}"
                                     if s and s.solved else "-" for s in stats]))
        if any(s and s.diverged for s in stats):
            cols.append(("diverged", [str(s.diverged) if s else "-" for s in stats]))
        if self.show_timing:
            cols += [("cpu s", [f"{s.seconds:.2f}" if s else "-" for s in stats]),
                     ("net-ep/s", [rate_text(s.network_epochs_per_s) if s else "-" for s in stats])]
        return cols

    def _table(self, runs: list[tuple[str, SeedsRun]], width: int) -> tuple[bool, list[Text]]:
        """``(inline, lines)``: the header and one row per sweep, with the labels inline when they fit."""
        for compact in range(3):
            cols = self._columns(runs, compact)
            widths = [max(len(h), *map(len, cells)) for h, cells in cols]
            size = 2 + sum(w + 2 for w in widths)
            if size <= width or compact == 2:
                break
        labels = [run.state() + run.heading for _, run in runs]
        label_width = max(map(len, labels))
        inline = size + label_width + 2 <= width
        header = Text("  " + (" " * (label_width + 2) if inline else ""))
        for (h, _), w in zip(cols, widths, strict=True):
            header.append(f"{h:>{w}}", "dim")
            header.append("  ")
        lines = [header]
        for i, (tag, run) in enumerate(runs):
            row = Text()
            row.append(f"{tag or '▪'} ", self._style(tag))
            if inline:
                row.append(run.state(), "dim")
                row.append(run.heading)
                row.append(" " * (label_width - len(labels[i]) + 2))
            for (_, cells), w in zip(cols, widths, strict=True):
                row.append(f"{cells[i]:>{w}}  ")
            lines.append(row)
        for line in lines:
            line.rstrip()
        return inline, lines

    def _hint(self, width: int, text: str) -> list[Text]:
        return [Text(line, "dim italic") for line in textwrap.wrap(text, max(width, 20))]

    def histogram_lines(self, width: int, height: int) -> list[Text]:
        """Vertical bars of the solve epochs in shared bins (per sweep, the fraction of its seeds), then the seeds not
        solved (✗); a title line above and the epoch axis below. Each bin is a group of one bar per sweep (A left of
        B) and a gap; bars widen to fill the width, up to ``MAX_BAR`` columns."""
        runs = [(tag, run) for tag, run in self.runs() if run.stats is not None]
        if not runs or height < 3 or width < 8:
            return []
        n_runs = len(runs)
        solve_epochs = [run.solve_epochs() for _, run in runs]
        top = max(int(e.max()) for e in solve_epochs) or max(run.epoch for _, run in runs)
        n_bins = max(1, min(MAX_BINS, (width - 2) // (n_runs + 1) - 1))
        hists = [solve_histogram(e, max(top, 1), n_bins) for e in solve_epochs]
        bins = len(hists[0].counts)
        bar = max(1, min(MAX_BAR, ((width - 2) // (bins + 1) - 1) // n_runs))
        group = n_runs * bar + 1
        fractions = [np.array([*h.counts, h.unsolved]) / run.seeds for h, (_, run) in zip(hists, runs, strict=True)]
        peak = max(float(f.max()) for f in fractions) or 1.0
        rows = height - 2
        levels = [np.where(f > 0, np.maximum(1, np.round(f / peak * rows * 8)), 0).astype(int) for f in fractions]
        lines = [Text("solved at epoch"[:width], "dim")]
        for r in range(rows - 1, -1, -1):
            line = Text()
            for b in range(bins + 1):
                if b == bins:
                    line.append(" ")  # the unsolved group stands apart
                for (tag, _), level in zip(runs, levels, strict=True):
                    eighths = min(max(int(level[b]) - 8 * r, 0), 8)
                    line.append(BLOCKS[eighths] * bar, None if self.monochrome else LOOKS[tag][1])
                line.append(" ")
            lines.append(line)
        span, end = bins * group - 1, f"{hists[0].top:,}"  # the bins' columns; the last one's end epoch
        axis = "1" + end.rjust(span - 1) if span >= len(end) + 2 else end.rjust(span)
        lines.append(Text(f"{axis}{' ' * (1 + group // 2)}✗"[:width], "dim"))
        return lines
