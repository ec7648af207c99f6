"""The tune screen: the tune view over the whole terminal, with the keys to leave and to search again."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static

from lab.core.experiment import Experiment
from lab.ui.widgets.tune_view import DEFAULT_SEEDS, TuneView

TUNE_CSS = (Path(__file__).resolve().parent.parent / "styles" / "tune.tcss").read_text(encoding="utf-8")
"""The tune screen's styles, read as the lab starts (this module is imported with the app), not when the screen is
first opened: a lab left open while nnlab is reinstalled under it still opens its tune screen."""


class TuneScreen(Screen[None]):
    """Searches around ``experiment``; ``TuneView.Apply`` bubbles up to the app, which decides what to do."""

    CSS = TUNE_CSS
    BINDINGS = [
        Binding("escape,t", "app.pop_screen", "Back to the lab", id="tune.close"),
        Binding("x", "stop", "Stop", id="tune.stop"),
        Binding("R", "restart", "Search again", id="tune.restart"),
    ]

    def __init__(self, experiment: Experiment, *, seeds: int = DEFAULT_SEEDS, jobs: int | None = None,
                 cluster: str | None = None) -> None:
        super().__init__()
        self.experiment = experiment
        self.seeds = seeds
        self.jobs = jobs
        self.cluster = cluster  # a Dask scheduler's address (default NNLAB_CLUSTER): see TuneView

    def compose(self) -> ComposeResult:
        yield Static("Tune · which network learns this gate most reliably? (hidden layers x units)", id="tune-title")
        yield TuneView(self.experiment, seeds=self.seeds, jobs=self.jobs, cluster=self.cluster, id="tune")
        yield Footer()

    def action_stop(self) -> None:
        self.query_one(TuneView).stop()

    def action_restart(self) -> None:
        self.query_one(TuneView).start()
