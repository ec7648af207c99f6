"""A served lab's file actions, driven by their keys in a Pilot: open, save, save as and every export refuse paths
that leave the files folder (``..``, absolute, a link out, a linked parent) with one line in the dialog, write
nothing outside it, and work inside it. The same lab unconfined takes any path, as before."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from lab.files.experiment_file import read, write
from lab.files.folder import FileRoot
from lab.ui.screens.path_prompt import PathScreen, PathSuggester

from tests.ui.helpers import Said, paste_line, small_xor_app

SIZE = (100, 30)
EXPORT_ROWS = {"csv": 0, "npz": 1, "txt": 2, "script": 3}


@pytest.fixture
def world(tmp_path) -> tuple[FileRoot, Path]:
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (outside / "secret.json").write_text("secret")
    for suffix in (".json", ".csv", ".npz", ".txt", ".py"):
        (root / f"to-secret{suffix}").symlink_to(outside / "secret.json")
    (root / "out").symlink_to(outside)
    return FileRoot(root), outside


def escapes(outside: Path) -> list[str]:
    """Path text that leaves the folder, one of each kind."""
    return ["../outside/escaped.json", str(outside / "escaped.json"), "to-secret.json", "out/escaped.json",
            "out/secret.json", "~/escaped.json"]


def served_app(root: FileRoot):
    app = small_xor_app()
    app.files.file_root = root
    return app


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def error_line(app) -> str:
    return str(app.screen.query_one("#path-error", Static).render())


async def open_dialog(pilot, app, action: str) -> None:
    """Bring up the path dialog of ``action``: save, open, or an export kind."""
    if action == "save":
        await pilot.press("ctrl+s")
    elif action == "open":
        await pilot.press("ctrl+o")
    else:
        await pilot.press("ctrl+e")
        app.screen.query_one("#export-list").highlighted = EXPORT_ROWS[action]
        await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, PathScreen)


@pytest.mark.parametrize("action", ["save", "open", "csv", "npz", "txt", "script"])
async def test_every_file_action_refuses_escapes(world, action):
    """Each escape is refused on the dialog's error line, the dialog stays, nothing outside changes."""
    root, outside = world
    before = snapshot(outside)
    app = served_app(root)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s", "s")
        await open_dialog(pilot, app, action)
        for text in escapes(outside):
            if action in ("npz", "txt", "script", "csv"):
                text = text.replace(".json", {"csv": ".csv", "npz": ".npz", "txt": ".txt", "script": ".py"}[action])
            await paste_line(pilot, text)
            assert isinstance(app.screen, PathScreen), text
            line = error_line(app)
            assert line.startswith("✗ ") and ("outside the lab's files folder" in line or "home folder" in line), line
        await pilot.press("escape")
    assert snapshot(outside) == before


@pytest.mark.parametrize("action, name, made", [
    ("save", "mine.json", ["mine.json"]),
    ("csv", "loss.csv", ["loss.csv"]),
    ("npz", "w.npz", ["w.npz"]),
    ("txt", "w.txt", ["w_layer1.txt", "w_layer2.txt"]),
    ("script", "net.py", ["net.py"]),
])
async def test_file_actions_work_inside(world, action, name, made):
    """A plain name lands in the folder (the dialog resolves it there, whatever the working directory)."""
    root, outside = world
    app = served_app(root)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await open_dialog(pilot, app, action)
        await paste_line(pilot, name)
        assert not isinstance(app.screen, PathScreen)
    for file in made:
        assert (root.folder / file).is_file(), file


async def test_open_inside_and_suggestions_relative(world):
    """Open reads a file in the folder; the next dialog suggests it by its name in the folder, not its full path."""
    root, _ = world
    from lab.core.recipes import recipe

    write(root.folder / "runs.json", recipe("two-layer"))
    app = served_app(root)
    async with app.run_test(size=SIZE) as pilot:
        await open_dialog(pilot, app, "open")
        await paste_line(pilot, "runs.json")
        assert app.experiment.name == read(root.folder / "runs.json")[0].name
        await open_dialog(pilot, app, "open")
        assert app.screen.query_one("#path-input").value == "runs.json"


async def test_a_link_swapped_in_after_the_dialog_is_refused_at_write(world):
    """Save re-checks the path as it writes: a link made since the dialog (or since the last save) is refused."""
    root, outside = world
    app = served_app(root)
    said = Said()
    async with app.run_test(size=SIZE, message_hook=said) as pilot:
        await open_dialog(pilot, app, "save")
        await paste_line(pilot, "mine.json")
        (root.folder / "mine.json").unlink()
        (root.folder / "mine.json").symlink_to(outside / "secret.json")
        await pilot.press("s", "ctrl+s")  # saves in place, to the path chosen before
        await pilot.pause()
        assert any("outside the lab's files folder" in n.message for n in said.notes)
    assert (outside / "secret.json").read_text() == "secret"


async def test_completion_stays_inside(world):
    """The path completer lists only what is in the folder: nothing for .., absolute or linked-out folders."""
    root, _ = world
    (root.folder / "sub").mkdir()
    suggester = PathSuggester(root)
    assert await suggester.get_suggestion("su") == "sub/"
    for text in ("../", "../out", "/", "/et", "out/", "~/"):
        assert await suggester.get_suggestion(text) is None, text


async def test_unconfined_lab_takes_any_path(tmp_path):
    """Without a files folder (the terminal lab) a save goes where the path says, as before."""
    app = small_xor_app()
    target = tmp_path / "elsewhere" / "x.json"
    target.parent.mkdir()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s")
        await paste_line(pilot, str(target))
    assert read(target)[0] is not None
