"""Nothing writes to disk under the training lock: saves, exports and the autosave copy a frozen training state under
it and write outside it, so training never waits for a disk."""

from __future__ import annotations

import os

import pytest

from lab.ui.app import LabApp

from tests.ui.helpers import paste_line, small_xor_app

SIZE = (100, 30)


def record_writes(app: LabApp, monkeypatch) -> list[bool]:
    """Whether the training lock was held at each file's final rename (``write_atomic``'s last step); the rename
    itself still happens."""
    held: list[bool] = []
    real = os.replace

    def replace(src, dst, *args, **kwargs):
        held.append(app.lab_run.session.lock.locked())
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    return held


async def test_a_save_writes_outside_the_training_lock(tmp_path, monkeypatch):
    """ctrl+s: the file is written with the lock free."""
    app = small_xor_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s", "s")
        held = record_writes(app, monkeypatch)
        await pilot.press("ctrl+s")
        await paste_line(pilot, tmp_path / "run.json")
        assert (tmp_path / "run.json").exists()
        assert held == [False]


@pytest.mark.parametrize(("index", "name", "files"), [(0, "loss.csv", 1), (1, "w.npz", 1), (2, "w.txt", 2),
                                                     (3, "net.py", 1)])
async def test_an_export_writes_outside_the_training_lock(tmp_path, monkeypatch, index, name, files):
    """ctrl+e, every kind: each file is written with the lock free."""
    app = small_xor_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s", "s", "s")
        held = record_writes(app, monkeypatch)
        await pilot.press("ctrl+e")
        app.screen.query_one("#export-list").highlighted = index
        await pilot.press("enter")
        await paste_line(pilot, tmp_path / name)
        assert held == [False] * files
        assert len(list(tmp_path.iterdir())) == files


async def test_the_autosave_writes_outside_the_training_lock(tmp_path, monkeypatch):
    """The autosave, on its timer and on quit, writes with the lock free."""
    app = LabApp(small_xor_app().experiment, autosave_path=tmp_path / "autosave.json")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s", "s")
        held = record_writes(app, monkeypatch)
        assert app.files.write_autosave() is None
        assert held == [False] and (tmp_path / "autosave.json").exists()
