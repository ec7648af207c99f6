"""The tune screen in Pilot: t pauses training and searches, the heatmap fills, the cursor reads a cell, enter
applies its configuration (asking first when that discards trained work), escape leaves."""

from __future__ import annotations

import re

import pytest

from lab.core.experiment import Layer
from lab.core.tune import Plan, ranked, search
from lab.ui.app import LabApp
from lab.ui.screens.confirm import ConfirmScreen
from lab.ui.screens.tune import TuneScreen
from lab.ui.widgets.tune_view import TuneHeatmap, TuneView, default_space

from tests.ui.helpers import make_app


def tune_app(**training) -> LabApp:
    app = make_app(epochs=120, **training)
    app.tune_seeds = 4
    app.tune_jobs = 1
    return app


async def searched(pilot) -> TuneView:
    """Press t and wait for the search to end."""
    app = pilot.app
    await pilot.press("t")
    await pilot.pause()
    assert isinstance(app.screen, TuneScreen)
    await app.workers.wait_for_complete()
    await pilot.pause()
    return app.screen.query_one(TuneView)


async def test_fills_moves_and_applies():
    app = tune_app()
    messages = []
    async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
        view = await searched(pilot)
        assert (view.done, view.total, view.running, view.error) == (10, 10, False, None)
        # The numbers are the core search's own (the same plan, in this process).
        expected = search(Plan(default_space(app.experiment), seeds=4), jobs=1)
        assert {r.label: r.stats.solved for r in view.results} == {r.label: r.stats.solved for r in expected}
        heatmap = app.screen.query_one(TuneHeatmap)
        text = str(heatmap.render())
        assert text.splitlines()[0] == "layers \\ units" and text.splitlines()[1].split() == ["2", "4", "8", "16",
                                                                                               "32"]
        assert "[" in text.splitlines()[2] and "·" not in text  # every cell filled; the cursor in brackets
        await pilot.press("down", "right", "right")
        assert heatmap.cursor == (1, 2) and heatmap.current.config.hidden == (Layer(8, "relu"),) * 2
        detail = str(app.screen.query_one("#tune-detail").render())
        assert detail.startswith("2-8-8-1 relu adam lr 0.001") and "solved " in detail
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, TuneScreen)  # nothing trained yet: applied without asking
        assert app.experiment.architecture.layers == (Layer(8, "relu"),) * 2
        assert app.experiment.training.stop == "budget"  # the lab's own settings, not the search's
        assert any(isinstance(m, TuneView.Apply) for m in messages)


async def test_pauses_training_and_asks_before_discarding():
    app = tune_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s", "s")  # two trained epochs
        await pilot.press("space")
        await pilot.pause()
        view = await searched(pilot)
        assert not app.running and view.done == 10
        epoch = app.lab_run.session.trainer.epoch
        await pilot.press("right", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert app.lab_run.session.trainer.epoch == epoch and app.experiment.architecture.layers == (Layer(16, "relu"),)
        await pilot.press("t")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("right", "enter")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert app.experiment.architecture.layers == (Layer(4, "relu"),) and app.lab_run.session.trainer.epoch == 0


async def test_escape_stops_and_leaves():
    app = make_app(epochs=100_000)
    app.tune_seeds = 200
    app.tune_jobs = 1
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("t")
        await pilot.pause()
        view = app.screen.query_one(TuneView)
        assert view.running
        await pilot.press("x")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not view.running and view.done < 10
        assert str(app.screen.query_one("#tune-status").render()).startswith("stopped · ")
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, TuneScreen)


async def test_palette_lists_tune():
    """The command palette offers the tune view by name."""
    app = tune_app()
    async with app.run_test(size=(80, 24)):
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Tune" in titles


async def test_the_labs_run_keys_do_nothing_behind_the_tune_screen(tmp_path):
    """Space (and the other keys that change the run) are not offered on the tune screen and start nothing behind
    it: the search has paused training, and a run nobody can see must not start."""
    from lab.ui.app import LabApp
    from lab.ui.screens.tune import TuneScreen

    app = LabApp()
    app.tune_seeds, app.tune_jobs = 4, 1
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TuneScreen)
        epoch = app.lab_run.session.trainer.epoch
        await pilot.press("space", "s", "r")
        await pilot.pause()
        assert isinstance(app.screen, TuneScreen)
        assert app.lab_run.session.trainer.epoch == epoch and not app.check_action("toggle_training", ())
        await pilot.press("escape")
        await pilot.pause()
        assert app.check_action("toggle_training", ())


@pytest.mark.usefixtures("process_deadline")  # it starts a cluster's worker processes
async def test_the_cluster_setting_searches_on_dask_with_the_same_numbers():
    """A tune view given a Dask scheduler's address (the setting ``NNLAB_CLUSTER`` also fills) trains there: its
    cells are the local search's, and its status names the cluster."""
    from textual.app import App

    from lab.core.recipes import recipe

    distributed = pytest.importorskip("distributed", reason="Dask distributed is not installed (the [cluster] extra)")
    experiment = recipe("keras-xor").with_training(epochs=60)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as c:
        class Host(App):
            def compose(self):
                yield TuneView(experiment, seeds=3, cluster=c.scheduler_address, id="tune")

        app = Host()
        async with app.run_test(size=(100, 30)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            view = app.query_one(TuneView)
            status = str(app.query_one("#tune-status").render())
    assert (view.done, view.total, view.error) == (10, 10, None)
    assert f"on the cluster at {c.scheduler_address}" in status
    local = search(Plan(default_space(experiment), seeds=3), jobs=1)
    assert {r.label: (r.stats.solved, r.stats.median_solved_epoch) for r in view.results} == \
        {r.label: (r.stats.solved, r.stats.median_solved_epoch) for r in local}


async def test_the_tune_screen_opens_with_its_styles_files_gone(monkeypatch):
    """Styles are read as the lab starts: with every .tcss file unreadable afterwards (nnlab reinstalled under an
    open lab), the tune screen still opens, styled, and the app runs on."""
    import textual.css.stylesheet as stylesheet

    def gone(path, *args, **kwargs):
        raise FileNotFoundError(2, "No such file or directory", str(path))

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        monkeypatch.setattr(stylesheet, "open", gone, raising=False)  # Textual reads CSS files with open()
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TuneScreen) and app.is_running
        title = app.screen.query_one("#tune-title")
        assert title.styles.text_style.bold and title.styles.height is not None  # tune.tcss: bold, one row high


async def test_workers_that_cannot_start_are_one_line_and_no_search(tmp_path, monkeypatch):
    """A lab whose package is half replaced under it (here a ``lab`` earlier on ``sys.path`` that cannot import its
    core, as in the middle of a reinstall): the search says once, in one line, that its worker processes cannot
    start, instead of a pool respawning workers that each print a traceback over the screen."""
    import sys

    from lab.ui.widgets import tune_view

    broken = tmp_path / "lab"
    broken.mkdir()
    (broken / "__init__.py").write_text("raise ModuleNotFoundError(\"No module named 'lab.core'\")\n")
    assert tune_view.workers_cannot_start() is None  # as installed, workers start
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    assert tune_view.workers_cannot_start() == "ModuleNotFoundError: No module named 'lab.core'"
    app = make_app()
    app.tune_jobs = 2
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("t")
        view = app.screen.query_one(TuneView)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not view.running and view.results == []
        assert view.error is not None and "\n" not in view.error
        assert view.error.startswith("the search cannot start its worker processes (ModuleNotFoundError: No module "
                                     "named 'lab.core'); was nnlab reinstalled while this lab was open?")


@pytest.mark.parametrize("width", [80, 140])
async def test_the_best_line_never_strands_a_word_of_its_figures(width):
    app = tune_app()
    async with app.run_test(size=(width, 30)) as pilot:
        view = await searched(pilot)
        status = view.query_one("#tune-status")
        lines = str(status.render()).splitlines()
        best = ranked(view.results, view.plan.objective)[0]
        figures = r"\d+% solved · median [\d.]+ epochs"
        if width == 80:  # the label and its figures do not fit one line: the figures on a line of their own
            assert lines[-2] == f"best: {best.label}" and re.fullmatch(" {6}" + figures, lines[-1])
        else:
            assert re.fullmatch(re.escape(f"best: {best.label} · ") + figures, lines[-1])
        assert all(len(line) <= status.content_size.width for line in lines)
