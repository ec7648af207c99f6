"""Hostile files met by the app (Pilot): a file whose names would set the terminal's title, an autosave it cannot
read, a second lab's autosave left behind, an autosave folder that cannot be written. The same files without the
app are in test_hostile_files.py."""

from __future__ import annotations

import os
import subprocess
import sys

from lab.core.recipes import recipe
from lab.core.train import Trainer
from lab.files import autosave
from lab.files.experiment_file import read
from lab.ui.app import LabApp
from lab.ui.screens.confirm import ConfirmScreen

from tests.fuzz.test_hostile_files import RAW, hostile_file, newer
from tests.ui.helpers import Said

SIZE = (100, 30)


async def test_a_hostile_file_names_are_shown_made_visible_titles_too(tmp_path):
    """The window's title (tmux showed the file's PWNED-TITLE as its pane title), the table's border and the
    prediction pane get the names with their escapes made visible."""
    experiment, trainer = read(hostile_file(tmp_path))
    app = LabApp(experiment, trainer=trainer, path=tmp_path / "hostile.json")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not any(ch in app.title + app.sub_title for ch in RAW)
        assert "PWNED-TITLE" in app.sub_title and "\\x1b" in app.sub_title
        assert not any(ch in str(app.query_one("#table-pane").border_title) for ch in RAW)


async def test_an_unreadable_autosave_is_set_aside_and_named_then_quitting_keeps_it(tmp_path):
    """A newer nnlab's autosave was reported "will be replaced" and then overwritten by q: it is now moved aside
    first, the message names where, and quitting writes a new autosave beside it."""
    path = tmp_path / "autosave.json"
    newer(path)
    before = path.read_bytes()
    said = Said()
    app = LabApp(recipe("keras-xor"), autosave_path=path)
    async with app.run_test(size=SIZE, message_hook=said) as pilot:
        await pilot.pause()
        await pilot.press("s", "q")
    [kept] = tmp_path.glob("autosave.unreadable-*.json")
    assert kept.read_bytes() == before and read(path)[1].epoch == 1
    assert any(str(kept) in n.message and "version 99" in n.message for n in said.notes), said.notes
    assert not any("will be replaced" in n.message for n in said.notes)


async def test_a_second_lab_left_autosave_is_offered_at_start(tmp_path):
    """A lab whose autosave was diverted to ``autosave-PID.json`` (another lab had written the shared one) and
    that then ended: its session is offered at the next start, after the shared one is declined."""
    path = tmp_path / "autosave.json"
    shared = Trainer(recipe("keras-xor"))
    shared.run(epochs=3)
    autosave.save(path, shared.experiment, shared.state())
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True, timeout=60)
    diverted = tmp_path / f"autosave-{int(gone.stdout)}.json"
    other = Trainer(recipe("two-layer"))
    other.run(epochs=9)
    autosave.save(diverted, other.experiment, other.state())
    os.utime(path, (1_000_000_000, 1_000_000_000))  # the shared one is the older
    app = LabApp(recipe("keras-xor"), autosave_path=path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and diverted.name in app.screen.question
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and "epoch 3" in app.screen.question
        await pilot.press("n")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
    app = LabApp(recipe("keras-xor"), autosave_path=path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("y")
        assert app.lab_run.session.trainer.epoch == 9
        await pilot.press("q")
    assert read(path)[1].epoch == 9 and not diverted.exists()  # the session now lives in this lab's autosave


async def test_autosave_failed_is_said_once(tmp_path):
    """An autosave folder that cannot be made: the failure is said once while it lasts, and quitting asks
    without saying it again (it said "Autosave failed" twice)."""
    (tmp_path / "blocked").write_text("a file, not a folder")
    said = Said()
    app = LabApp(recipe("keras-xor"), autosave_path=tmp_path / "blocked" / "state" / "autosave.json")
    async with app.run_test(size=SIZE, message_hook=said) as pilot:
        for _ in range(3):
            await pilot.press("s")
            app.files.autosave_tick()
            await app.workers.wait_for_complete()
            await pilot.pause()
        await pilot.press("q")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
    assert sum("Autosave failed" in n.message for n in said.notes) == 1, [n.message for n in said.notes]



async def test_a_path_with_escapes_is_shown_made_visible(tmp_path):
    """A file whose own name holds a title-setting escape (a folder's listing, a pasted path): the notifications
    that quote it show it made visible (Textual sends a notification's text to the terminal as it is)."""
    path = tmp_path / "run\x1b]0;PWNED-TITLE\x07.json"
    path.write_bytes(b"{}")  # not an experiment: the error quotes the path
    good = tmp_path / "ok\u202e.json"
    said = Said()
    app = LabApp(recipe("keras-xor"))
    async with app.run_test(size=SIZE, message_hook=said) as pilot:
        app.files.open_file(path)
        app.files.export_to("csv", good)
        await pilot.pause()
    assert len(said.notes) == 2 and all(not any(ch in n.message for ch in RAW) for n in said.notes), said.notes
    assert "PWNED-TITLE" in said.notes[0].message and "\\u202e" in said.notes[1].message


async def test_a_raw_name_given_to_the_app_is_shown_made_visible(tmp_path):
    """An experiment made in code (not read from a file) with raw escapes in its names: the window's title and the
    table's border still get them made visible."""
    from dataclasses import replace

    base = recipe("keras-xor")
    experiment = replace(base, name="exp\x1b]0;PWNED-TITLE\x07", table=replace(base.table, name="g\u202eate"))
    app = LabApp(experiment)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not any(ch in app.sub_title for ch in RAW) and "PWNED-TITLE" in app.sub_title
        assert "\\u202e" in str(app.query_one("#table-pane").border_title)
