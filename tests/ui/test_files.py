"""Pilot tests of saving, opening, exporting and the autosave, through the app's keys and dialogs."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
from textual.widgets import Input, Static

from lab.core.recipes import recipe
from lab.core.train import Trainer
from lab.files import autosave
from lab.files.experiment_file import read, write
from lab.timings import Timings
from lab.ui.app import LabApp
from lab.ui.screens.confirm import ConfirmScreen
from lab.ui.screens.path_prompt import PathScreen

from tests.ui.helpers import Said, paste_line, small_xor_app, status_text, until

SIZE = (100, 30)


async def test_save_asks_for_a_path_then_saves_again_in_place(tmp_path):
    """ctrl+s asks for a path the first time, writes the trained experiment, and later saves silently."""
    app = small_xor_app()
    target = tmp_path / "mine.json"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s", "s", "s", "ctrl+s")
        assert isinstance(app.screen, PathScreen)
        await paste_line(pilot, target)
        experiment, trainer = read(target)
        assert trainer is not None and trainer.epoch == 3
        await pilot.press("s", "ctrl+s")
        assert not isinstance(app.screen, PathScreen)
        assert read(target)[1].epoch == 4


async def test_existing_file_not_opened_here_needs_confirmation(tmp_path):
    """Saving over a file this session did not open asks first; 'n' leaves it as it was."""
    target = tmp_path / "other.json"
    target.write_text("precious")
    app = small_xor_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s")
        await paste_line(pilot, target)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert target.read_text() == "precious"


async def test_open_a_corrupt_file_keeps_the_experiment(tmp_path):
    """Opening a broken file explains the problem and changes nothing."""
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "nnlab-experiment", "version": 1, "table": {"inputs": 2, "outputs": ["011"]}}')
    app = small_xor_app()
    said = Said()
    async with app.run_test(size=SIZE, message_hook=said) as pilot:
        await pilot.press("s", "ctrl+o")
        await paste_line(pilot, bad)
        assert app.lab_run.session.trainer.epoch == 1
        assert any("expected 4 bits" in n.message for n in said.notes)


async def test_open_continues_a_saved_run(tmp_path):
    """Opening a saved trained experiment shows its epoch and continues from it."""
    trainer = Trainer(recipe("keras-xor"))
    trainer.run(epochs=40)
    saved = tmp_path / "run.json"
    write(saved, trainer.experiment, trainer.state())
    app = small_xor_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+o")
        await paste_line(pilot, saved)
        assert app.lab_run.session.trainer.epoch == 40
        assert "epoch 40/1,000" in status_text(app)
        await pilot.press("s")
        trainer.run(epochs=1)
        assert np.array_equal(app.lab_run.session.trainer.net.theta, trainer.net.theta)


async def test_export_script_runs_and_matches(tmp_path):
    """The exported standalone script prints the same outputs as the lab's network."""
    app = small_xor_app()
    target = tmp_path / "net.py"
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(20):
            await pilot.press("s")
        await pilot.press("ctrl+e")
        app.screen.query_one("#export-list").highlighted = 3
        await pilot.press("enter")
        await paste_line(pilot, target)
        expected = app.lab_run.session.trainer.predict()
    out = subprocess.run([sys.executable, str(target)], capture_output=True, text=True, check=True).stdout
    values = [float(line.split("->")[1]) for line in out.strip().splitlines()]
    assert values == expected[:, 0].tolist()


async def test_autosave_restores_after_a_crash(tmp_path):
    """An autosave left by a killed session is offered on the next start and restores the epoch."""
    path = tmp_path / "state" / "autosave.json"
    trainer = Trainer(recipe("keras-xor"))
    trainer.run(epochs=25)
    autosave.save(path, trainer.experiment, trainer.state())
    app = LabApp(recipe("keras-xor"), autosave_path=path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        assert app.lab_run.session.trainer.epoch == 25
        await pilot.press("s", "q")
    assert read(path)[1].epoch == 26  # quitting wrote the autosave


async def test_autosave_written_while_working(tmp_path):
    """The autosave follows changes within a few seconds, without quitting."""
    path = tmp_path / "autosave.json"
    app = LabApp(recipe("keras-xor"), autosave_path=path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s", "s")
        app.files.autosave_tick()
        await app.workers.wait_for_complete()
        assert read(path)[1].epoch == 2


async def test_full_disk_on_save_keeps_the_previous_file(tmp_path, monkeypatch):
    """A save that cannot be written (the disk is full) says so and leaves the file saved before intact."""
    import errno
    import os

    target = tmp_path / "mine.json"
    app = small_xor_app()
    said = Said()
    async with app.run_test(size=SIZE, message_hook=said) as pilot:
        await pilot.press("s", "ctrl+s")
        await paste_line(pilot, target)
        before = target.read_bytes()

        def full(*args, **kwargs):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        monkeypatch.setattr(os, "replace", full)
        await pilot.press("s", "s", "ctrl+s")
        await pilot.pause()
        assert any("No space left on device" in n.message for n in said.notes)
        assert target.read_bytes() == before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.json"]  # no temporary left behind
        assert app.lab_run.session.trainer.epoch == 3  # and the work in the app is untouched


# --- file safety ---------------------------------------------------------------------------------------------------
async def enter_path(pilot, path) -> None:
    """Put ``path`` in the path prompt's input at once (typing 300 characters key by key takes long) and press
    enter."""
    pilot.app.screen.query_one("#path-input", Input).value = str(path)
    await pilot.press("enter")
    await pilot.pause()


def path_error_text(app) -> str:
    """What the path dialog's problem line says."""
    return str(app.screen.query_one("#path-error", Static).render())


async def test_a_path_too_long_in_the_open_and_save_dialogs_is_one_line(tmp_path):
    """A 300-character name in the open or the save dialog is a problem line in the dialog; the app lives on and
    the dialog stays open for another try."""
    long_name = tmp_path / ("n" * 300)
    app = small_xor_app()
    async with app.run_test(size=SIZE) as pilot:
        for key in ("ctrl+o", "ctrl+s"):
            await pilot.press(key)
            await enter_path(pilot, long_name)
            assert isinstance(app.screen, PathScreen)
            assert "File name too long" in path_error_text(app)
            await pilot.press("escape")
        await pilot.press("s")
        assert app.lab_run.session.trainer.epoch == 1


async def test_a_named_pipe_is_refused_by_the_open_dialog_and_by_open_file(tmp_path):
    """Opening a named pipe does not freeze the app: the dialog names it, and opening it directly notifies."""
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    app = small_xor_app()
    said = Said()
    async with app.run_test(size=SIZE, message_hook=said) as pilot:
        await pilot.press("ctrl+o")
        await enter_path(pilot, fifo)
        assert "is a named pipe, not a file nnlab can open" in path_error_text(app)
        await pilot.press("escape")
        assert not app.files.open_file(fifo)
        await pilot.pause()
        assert any("is a named pipe, not an experiment file" in n.message for n in said.notes)


async def test_exporting_text_weights_asks_before_overwriting_the_layer_files(tmp_path):
    """The text weights export writes NAME_layer1.txt, NAME_layer2.txt: when those exist and were not written here,
    it names them and asks; 'n' leaves them, 'y' overwrites both."""
    for n in (1, 2):
        (tmp_path / f"w_layer{n}.txt").write_text("precious")
    app = small_xor_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s", "ctrl+e")
        app.screen.query_one("#export-list").highlighted = 2
        await pilot.press("enter")
        await enter_path(pilot, tmp_path / "w.txt")
        assert isinstance(app.screen, ConfirmScreen)
        assert "w_layer1.txt" in app.screen.question and "w_layer2.txt" in app.screen.question
        await pilot.press("n")
        assert {p.read_text() for p in tmp_path.iterdir()} == {"precious"}
        await pilot.press("ctrl+e")
        app.screen.query_one("#export-list").highlighted = 2
        await pilot.press("enter")
        await enter_path(pilot, tmp_path / "w.txt")
        await pilot.press("y")
        assert (tmp_path / "w_layer2.txt").read_text().startswith("# layer 2")


async def test_quitting_when_the_autosave_cannot_be_written_asks(tmp_path):
    """The autosave's folder cannot be made (its parent is a file): q says so and asks; 'n' stays, 'y' quits."""
    (tmp_path / "blocked").write_text("a file, not a folder")
    app = LabApp(recipe("keras-xor"), autosave_path=tmp_path / "blocked" / "state" / "autosave.json")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s", "q")
        assert isinstance(app.screen, ConfirmScreen)
        assert "The autosave cannot be written" in app.screen.question
        await pilot.press("n")
        assert not isinstance(app.screen, ConfirmScreen) and app.is_running
        await pilot.press("q")
        await pilot.press("y")
    assert app.return_code == 0


async def test_a_lab_whose_autosave_another_lab_overwrote_keeps_both(tmp_path):
    """When another lab writes the shared autosave after this one started, this lab's next autosave goes to a
    second name, says so, and the other lab's session stays."""
    path = tmp_path / "autosave.json"
    # The app's own timer must not autosave before the other lab does (it did now and then at 3 s: a flake).
    app = LabApp(recipe("keras-xor"), autosave_path=path, timings=Timings(autosave_interval=3600.0))
    said = Said()
    async with app.run_test(size=SIZE, message_hook=said) as pilot:
        await pilot.press("s", "s")
        other = Trainer(recipe("two-layer"))
        other.run(epochs=7)
        autosave.save(path, other.experiment, other.state())  # the other lab's autosave
        app.files.autosave_tick()
        await app.workers.wait_for_complete()
        await pilot.pause()
        second = tmp_path / f"autosave-{os.getpid()}.json"
        assert read(path)[1].epoch == 7 and read(second)[1].epoch == 2
        assert any(str(second) in n.message and "both are kept" in n.message for n in said.notes)


async def test_the_autosave_interval_is_one_of_the_timings(tmp_path):
    """The autosave's interval is ``Timings.autosave_interval``: a lab set to 0.05 s autosaves a step by itself, and
    one set to an hour leaves its autosave to the test (so a test that writes the autosave itself cannot race it)."""
    quick, slow = tmp_path / "quick.json", tmp_path / "slow.json"
    app = LabApp(recipe("keras-xor"), autosave_path=quick, timings=Timings(autosave_interval=0.05))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await until(pilot, quick.exists, "the autosave")
    assert read(quick)[1].epoch == 1
    app = LabApp(recipe("keras-xor"), autosave_path=slow, timings=Timings(autosave_interval=3600.0))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await pilot.pause(0.3)
        assert not slow.exists()
