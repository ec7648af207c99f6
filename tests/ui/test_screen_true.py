"""Pilot tests that the chart and the views tell the truth: a loaded run is drawn however it was opened, a diverged
run is drawn, the legend says what each mark is, the weights are recorded whatever is on screen, settings that
cannot learn are named, exports name their files, and a recipe starts at a speed that finishes it."""

from __future__ import annotations

from dataclasses import replace

from lab.core.experiment import Architecture, Layer
from lab.core.recipes import recipe
from lab.core.train import Trainer
from lab.files.experiment_file import read, write
from lab.ui.app import LabApp
from lab.ui.widgets.chart import LossChart
from lab.ui.widgets.inspect_view import InspectView

from tests.ui.helpers import Said, make_app, small_xor_app, status_text, train_to_end

SIZE = (100, 30)


def chart_lines(app: LabApp) -> list[str]:
    """The chart as shown, one string per line."""
    chart = app.query_one(LossChart)
    return [chart.render_line(y).text for y in range(chart.size.height)]


def messages(said: Said) -> list[str]:
    """The notifications shown so far."""
    return [n.message for n in said.notes]


async def test_a_trained_file_is_drawn_the_same_however_it_is_opened(tmp_path):
    """``nnlab FILE`` (the app started on the file's trainer) draws the saved run, as ctrl+o does: not "press
    space to train" beside a status line at epoch 1,000."""
    trainer = Trainer(recipe("keras-xor"))
    trainer.run(epochs=300)
    path = tmp_path / "trained.json"
    write(path, trainer.experiment, trainer.state())
    experiment, loaded = read(path)
    started = LabApp(experiment, trainer=loaded, path=path)
    async with started.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert len(started.query_one(LossChart).loss) == 300
        on_start = chart_lines(started)
    assert not any("press space to train" in line for line in on_start)
    opened = make_app()
    async with opened.run_test(size=SIZE) as pilot:
        opened.files.open_file(path)
        await pilot.pause()
        assert chart_lines(opened) == on_start


async def test_a_diverged_run_is_drawn_on_the_linear_scale():
    """A loss that ran away to 1e300 before diverging is drawn on the linear scale (in units of a power of ten,
    named in the legend), not left blank."""
    experiment = replace(recipe("keras-xor"), architecture=Architecture((Layer(16, "relu"),), "linear"))
    app = LabApp(experiment.with_training(optimizer="sgd", lr=50.0))
    async with app.run_test(size=SIZE) as pilot:
        await train_to_end(pilot, app)
        assert app.lab_run.session.trainer.diverged_epoch is not None and not app.query_one(LossChart).log_scale
        lines = chart_lines(app)
    braille = sum(1 for line in lines for ch in line if "\u2801" <= ch <= "\u28ff")
    assert braille >= 10
    assert any("loss ×1e" in line for line in lines)


async def test_the_legend_says_what_each_mark_is():
    """Below the chart, a legend in words: the loss, the top of its spread, the accuracy on the right axis and the
    solved line; plotext's axis glyphs L and ⅃ are gone."""
    app = small_xor_app(epochs=400, batch_size=1)  # mini-batches: a noisy loss, so the spread is drawn
    async with app.run_test(size=(120, 40)) as pilot:
        await train_to_end(pilot, app)
        text = "\n".join(chart_lines(app))
    assert "⅃" not in text and " L " not in text
    legend = text.splitlines()[-1]
    assert "⣀ loss" in legend and "· accuracy (right axis)" in legend and "│ solved" in legend
    assert "' top of its spread" in legend


async def test_weights_are_recorded_while_the_chart_is_shown():
    """Weights over time holds the whole run although it was never on screen while training."""
    app = small_xor_app(epochs=1500)
    async with app.run_test(size=SIZE) as pilot:
        await train_to_end(pilot, app)
        assert app.view == "chart"
        app.show_view("health")
        await pilot.pause()
        text = app.query_one(InspectView).text
    assert "over epochs 0 to 1,500" in text
    assert len(app.lab_run.session.health) >= 2  # the first and the last at least (how many more depends on the pace)


async def test_bce_after_a_linear_output_is_named():
    """Choosing bce with a linear output (the outputs freeze) brings a notification and a hint in the status."""
    app = small_xor_app()
    said = Said()
    async with app.run_test(size=(160, 40), message_hook=said) as pilot:
        experiment = app.experiment
        app.apply(replace(experiment, architecture=replace(experiment.architecture, output_activation="linear"),
                           training=replace(experiment.training, loss="bce")))
        await pilot.pause()
        assert any("bce after a linear output" in m for m in messages(said))
        assert "bce needs a sigmoid output" in status_text(app)


async def test_text_weights_export_names_every_file(tmp_path):
    """Exporting the weights as text names each file written, not the folder ('Exported to .')."""
    app = small_xor_app()
    said = Said()
    async with app.run_test(size=SIZE, message_hook=said) as pilot:
        await pilot.press("s")
        app.files.export_to("txt", tmp_path / "w.txt")
        await pilot.pause()
    told = [m for m in messages(said) if m.startswith("Exported")]
    assert told == ["Exported to 2 files: w_layer1.txt, w_layer2.txt"]


async def test_export_into_a_folder_that_takes_no_files_says_why(tmp_path):
    """/proc exists: the failure says it takes no files, not that it does not exist."""
    app = small_xor_app()
    said = Said()
    async with app.run_test(size=SIZE, message_hook=said) as pilot:
        app.files.export_to("csv", tmp_path / "missing" / "x.csv")
        app.files.export_to("csv", __import__("pathlib").Path("/proc/nope.csv"))
        await pilot.pause()
    failed = [m for m in messages(said) if m.startswith("Not exported")]
    assert "the folder" in failed[0] and "does not exist" in failed[0]
    assert "/proc" in failed[1] and "does not exist" not in failed[1]


async def test_a_recipe_starts_at_a_speed_that_finishes_it():
    """Picking single-neuron (15,000 epochs) raises the speed so the budget takes about 15 s, and says so."""
    app = make_app()
    said = Said()
    async with app.run_test(size=SIZE, message_hook=said) as pilot:
        assert app.lab_run.session.epochs_per_tick == 20
        app.open_recipe("single-neuron")
        await pilot.pause()
        assert app.lab_run.session.epochs_per_tick == 100
        assert any("15,000 epochs at 100/tick: about 15 s" in m for m in messages(said))
        assert "100/tick" in status_text(app)
        app.open_recipe("keras-xor")  # already fast enough: the speed stays
        assert app.lab_run.session.epochs_per_tick == 100


async def test_the_legend_draws_without_colour(monkeypatch):
    """With NO_COLOR (Textual's monochrome filter over every line) the legend is drawn too."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = small_xor_app(epochs=200)
    async with app.run_test(size=SIZE) as pilot:
        await train_to_end(pilot, app)
        assert app.query_one(LossChart).monochrome
        assert "⣀ loss" in chart_lines(app)[-1]
        await pilot.pause()
