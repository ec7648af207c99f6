"""The served lab's files folder (``lab.files.folder``): what resolves inside it, what is refused, and the autosave
each running lab claims there. Generated cases throw random path text (``..``, absolute paths, links, unicode,
NUL, long names) at ``FileRoot.resolve``: every one is a path inside the folder or one ``LabError`` line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lab.core.errors import LabError
from lab.files.folder import AutosaveClaim, FileRoot, files_folder


@pytest.fixture
def world(tmp_path) -> tuple[FileRoot, Path]:
    """A files folder ``root`` beside a folder ``outside`` holding ``secret.json``; inside the root: a file, a
    sub-folder, a link to the secret, a link to the outside folder and a link to a file inside."""
    root, outside = tmp_path / "root", tmp_path / "outside"
    (root / "sub").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.json").write_text("secret")
    (root / "mine.json").write_text("{}")
    (root / "sub" / "deep.json").write_text("{}")
    (root / "to-secret.json").symlink_to(outside / "secret.json")
    (root / "out").symlink_to(outside)
    (root / "alias.json").symlink_to(root / "mine.json")
    return FileRoot(root), outside


@pytest.mark.parametrize("text, expected", [
    ("mine.json", "mine.json"),
    ("  mine.json  ", "mine.json"),
    ("sub/deep.json", "sub/deep.json"),
    ("sub/../mine.json", "mine.json"),
    ("./new.json", "new.json"),
    ("sub/new.json", "sub/new.json"),
    ("alias.json", "mine.json"),  # a link that stays inside resolves to its target
    ("ünïcödé ✓.json", "ünïcödé ✓.json"),
])
def test_inside_resolves(world, text, expected):
    """Names inside the folder resolve to their real path there."""
    root, _ = world
    assert root.resolve(text) == root.folder / expected


def test_absolute_path_inside_is_accepted(world):
    """The full path of a file in the folder (as a dialog suggests it after a save) is inside."""
    root, _ = world
    assert root.resolve(str(root.folder / "mine.json"), must_exist=True) == root.folder / "mine.json"


@pytest.mark.parametrize("text, words", [
    ("../outside/secret.json", "outside the lab's files folder"),
    ("../../../../../../etc/passwd", "outside the lab's files folder"),
    ("sub/../../outside/x.json", "outside the lab's files folder"),
    ("to-secret.json", "outside the lab's files folder"),  # a link out
    ("out/secret.json", "outside the lab's files folder"),  # a linked parent folder
    ("out/new.json", "outside the lab's files folder"),
    ("out/../mine.json", "outside the lab's files folder"),  # the kernel reads the link before the ..
    ("/etc/passwd", "outside the lab's files folder"),
    ("/", "outside the lab's files folder"),
    ("~/.bashrc", "~ is a home folder"),
    ("~root/.profile", "~ is a home folder"),
    ("", "type a file name"),
    ("   ", "type a file name"),
    ("a\0b.json", "NUL"),
    ("x" * 300 + ".json", "file name too long"),
    ("a/" * 2100 + "b", "file name too long"),
    (".", "is a folder"),
    ("sub", "is a folder"),
    ("nowhere/new.json", "the folder nowhere does not exist"),
])
def test_refused(world, text, words):
    """Paths that leave the folder, or cannot name a file in it, raise one LabError line saying why."""
    root, outside = world
    with pytest.raises(LabError) as caught:
        root.resolve(text)
    message = str(caught.value)
    assert words in message and "\n" not in message, message


def test_must_exist(world):
    """Opening needs the file to be there; saving needs only its folder."""
    root, _ = world
    with pytest.raises(LabError, match="no such file in the files folder"):
        root.resolve("new.json", must_exist=True)
    assert root.resolve("new.json") == root.folder / "new.json"


def test_a_link_made_after_the_dialog_is_caught_by_check(world):
    """``check`` resolves again before the read or write: a name swapped for a link out since is refused."""
    root, outside = world
    path = root.resolve("later.json")
    path.symlink_to(outside / "secret.json")
    with pytest.raises(LabError, match="outside"):
        root.check(path)


def test_resolve_folder_for_completion(world):
    """Completion lists only folders inside: the root for "", a sub-folder, never a linked or outside one."""
    root, _ = world
    assert root.resolve_folder("") == root.folder
    assert root.resolve_folder("sub") == root.folder / "sub"
    for text in ("out", "..", "/", "/etc", "mine.json"):
        with pytest.raises(LabError):
            root.resolve_folder(text)


def test_show_is_relative(world):
    root, _ = world
    assert root.show(root.folder / "sub" / "deep.json") == "sub/deep.json"
    assert root.show(root.folder) == "."


def test_the_root_must_be_a_folder(tmp_path):
    (tmp_path / "f").write_text("")
    with pytest.raises(LabError, match="not a folder"):
        FileRoot(tmp_path / "f")
    with pytest.raises(LabError, match="cannot be used"):
        FileRoot(tmp_path / "missing")


def test_files_folder_default_is_fresh_and_private(tmp_path):
    """With no --files, each server gets a new folder under the state directory, readable by the user only."""
    a, b = files_folder(None, tmp_path / "state"), files_folder(None, tmp_path / "state")
    assert a.folder != b.folder and a.folder.parent == b.folder.parent == (tmp_path / "state" / "served").resolve()
    assert os.stat(a.folder).st_mode & 0o777 == 0o700
    given = files_folder(str(tmp_path / "made" / "here"), tmp_path / "state")
    assert given.folder == (tmp_path / "made" / "here").resolve() and os.stat(given.folder).st_mode & 0o777 == 0o700


# --- generated cases ------------------------------------------------------------------------------------------------
PARTS = st.one_of(
    st.sampled_from(["..", ".", "", "sub", "out", "to-secret.json", "alias.json", "mine.json", "~", "/", "//",
                     "..." , "x" * 256, "\0", "é", "\udcff", " ", "\\", "..\\..", "%2e%2e"]),
    st.text(min_size=1, max_size=12),
)


@st.composite
def path_texts(draw) -> str:
    parts = draw(st.lists(PARTS, min_size=1, max_size=8))
    text = "/".join(parts)
    return ("/" + text) if draw(st.booleans()) else text


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=path_texts(), must_exist=st.booleans())
def test_generated_paths_stay_inside_or_fail_in_one_line(world, text, must_exist):
    """Any text: a real path inside the folder with no link left in it, or one LabError line; never an escape."""
    root, outside = world
    try:
        path = root.resolve(text, must_exist)
    except LabError as e:
        assert "\n" not in str(e)
        return
    assert path.is_relative_to(root.folder)
    assert Path(os.path.realpath(path)) == path  # nothing in it is a link that could point elsewhere
    assert not path.is_dir()


def test_autosave_claims_are_one_per_running_lab(tmp_path):
    """Two running labs get two autosaves; once a lab ends, the next lab claims the autosave it left (a reloaded
    tab), the most recent first."""
    pytest.importorskip("fcntl")
    root = FileRoot(tmp_path)
    first = AutosaveClaim(root)
    first.path.write_text("{}")
    second = AutosaveClaim(root)
    assert second.path != first.path and second.path.parent == root.folder
    second.path.write_text("{}")
    os.utime(first.path, (1, 1))  # the older session
    first.release()
    second.release()
    assert AutosaveClaim(root).path == second.path  # the most recent free one


def test_autosave_claim_ends_with_its_process(tmp_path):
    """A lab killed outright leaves its autosave free for the next one."""
    pytest.importorskip("fcntl")
    code = ("import sys, time; from lab.files.folder import AutosaveClaim, FileRoot; "
            "c = AutosaveClaim(FileRoot(sys.argv[1])); c.path.write_text('{}'); print(c.path, flush=True); "
            "time.sleep(60)")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(Path(__file__).parents[2]),
                                                                     os.environ.get("PYTHONPATH")])))
    proc = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, text=True, env=env)
    try:
        held = Path(proc.stdout.readline().strip())
        assert AutosaveClaim(FileRoot(tmp_path)).path != held  # held while that lab runs
    finally:
        proc.kill()
        proc.wait()
    assert AutosaveClaim(FileRoot(tmp_path)).path == held
