"""Hostile files, as a person with a text editor, a crash or an odd disk would leave them: names that would drive the
terminal, an autosave nnlab cannot read, temporary files of killed saves, a second lab's autosave, a symbolic link,
a byte-order mark, a read-only disk. Quick: in-process, a few epochs (the app's side is in tests/ui/test_files.py
and test_hostile_app.py here)."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import time
from dataclasses import replace

import pytest

from lab.core.errors import LabError, one_line
from lab.core.recipes import recipe
from lab.core.train import Trainer
from lab.files import autosave
from lab.files.experiment_file import dumps, loads, read, write
from lab.files.safe_io import TEMP_SUFFIX, temp_prefix, write_atomic, write_private

from tests.fuzz.support import run_cli

EVIL = "\x1b]0;PWNED-TITLE\x07\x1b]52;c;ZXZpbA==\x07\x1b[2J\u202eRTL\u2066\x9b31m\n"
RAW = ("\x1b", "\x07", "\u202e", "\u2066", "\x9b")


def hostile_file(folder, trained: bool = True):
    """An experiment file whose experiment, gate and output names each hold terminal escapes and a bidi override."""
    trainer = Trainer(recipe("keras-xor").with_training(epochs=3))
    if trained:
        trainer.run()
    data = json.loads(dumps(trainer.experiment, trainer.state() if trained else None))
    data["name"], data["table"]["name"] = "exp" + EVIL, "gate" + EVIL
    data["table"]["output_names"] = ["out" + EVIL]
    path = folder / "hostile.json"
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize("argv", [["train", "--epochs", "3"], ["train", "--epochs", "3", "--json"],
                                  ["sweep", "--seeds", "2", "--epochs", "3"], ["predict", "0", "1"],
                                  ["tune", "--units", "2,3", "--seeds", "1", "--epochs", "3"]])
def test_names_from_a_file_reach_the_terminal_made_visible(tmp_path, argv):
    """``nnlab train|sweep|predict|tune FILE`` print the file's names with every control and bidirectional
    character escaped (they set the window title, wrote the clipboard and cleared the screen)."""
    path = hostile_file(tmp_path)
    status, out, err = run_cli(argv[0], str(path), *argv[1:])
    assert status == 0, err
    assert not any(ch in out + err for ch in RAW), repr(out[:300])
    if "--json" not in argv:
        assert "PWNED-TITLE" in out and "\\x1b" in out  # shown, made visible


def test_a_file_names_are_made_visible_and_a_raw_name_is_refused_at_save(tmp_path):
    experiment, _ = read(hostile_file(tmp_path, trained=False))
    assert experiment.name == one_line("exp" + EVIL) and experiment.table.output_names == (one_line("out" + EVIL),)
    write(tmp_path / "again.json", experiment)  # the visible form saves as it is shown
    assert read(tmp_path / "again.json")[0] == experiment
    raw = replace(experiment, name="exp\x1b]0;x\x07")
    with pytest.raises(LabError, match=r"^name: holds a control or bidirectional character \(\\x1b\)"):
        write(tmp_path / "raw.json", raw)
    assert not (tmp_path / "raw.json").exists()


def test_a_byte_order_mark_is_accepted(tmp_path):
    """A file as Notepad saves it (UTF-8 with a byte-order mark) opens like any other."""
    data = dumps(recipe("keras-xor"))
    path = tmp_path / "notepad.json"
    path.write_bytes(b"\xef\xbb\xbf" + data)
    assert read(path)[0] == recipe("keras-xor") == loads("\ufeff" + data.decode())[0]
    status, out, err = run_cli("train", str(path), "--epochs", "2", "--quiet")
    assert status == 0, err


# --- the autosave --------------------------------------------------------------------------------------------------
def newer(path):
    data = json.loads(dumps(recipe("keras-xor")))
    path.write_text(json.dumps(data | {"version": 99}))


def truncated(path):
    path.write_bytes(dumps(recipe("keras-xor"))[:100])


def broken(path):
    path.write_bytes(b"\x00\xff{not json")


@pytest.mark.parametrize("spoil", [newer, truncated, broken])
def test_an_unreadable_autosave_is_moved_aside_never_overwritten(tmp_path, spoil):
    """An autosave this nnlab cannot read is kept under another name (said in the message) before a new one is
    written; it used to be reported "will be replaced" and overwritten."""
    path = tmp_path / "autosave.json"
    spoil(path)
    before = path.read_bytes()
    saver = autosave.Autosaver(path)
    with pytest.raises(autosave.Unreadable) as caught:
        saver.load()
    kept = caught.value.kept
    assert kept is not None and kept.read_bytes() == before and str(kept) in str(caught.value)
    assert kept.name.startswith("autosave.unreadable-") and not path.exists()
    assert saver.write(b"{}") is None and path.read_bytes() == b"{}"


@pytest.mark.parametrize("spoil", [newer, broken])
def test_a_lab_that_never_offered_the_autosave_does_not_overwrite_it_either(tmp_path, spoil):
    """A lab opened on a file never loads the autosave; its first write still moves an unreadable one aside (and
    says so), then writes."""
    path = tmp_path / "autosave.json"
    spoil(path)
    before = path.read_bytes()
    saver = autosave.Autosaver(path)
    with pytest.raises(autosave.Unreadable) as caught:
        saver.write(b'{"lab": 1}')
    assert caught.value.kept.read_bytes() == before and path.read_bytes() == b'{"lab": 1}'
    assert saver.write(b'{"lab": 2}') is None  # written in place from then on


def test_an_autosave_that_cannot_be_moved_aside_is_left_and_the_lab_writes_elsewhere(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root writes into a read-only folder")
    folder = tmp_path / "state"
    folder.mkdir()
    newer(folder / "autosave.json")
    folder.chmod(0o500)
    try:
        saver = autosave.Autosaver(folder / "autosave.json")
        with pytest.raises(autosave.Unreadable, match="left in place"):
            saver.load()
        assert saver.path == folder / f"autosave-{os.getpid()}.json"
    finally:
        folder.chmod(0o700)


def trained_autosave(path, epochs: int) -> None:
    trainer = Trainer(recipe("keras-xor"))
    trainer.run(epochs=epochs)
    autosave.save(path, trainer.experiment, trainer.state())


def test_every_recoverable_autosave_is_offered_newest_first(tmp_path):
    """The shared autosave and a second lab's diverted ``autosave-PID.json`` (its lab gone) are both offered; a
    running lab's second name is not (it is in use)."""
    path = tmp_path / "autosave.json"
    trained_autosave(path, 3)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True, timeout=60)
    diverted = tmp_path / f"autosave-{int(gone.stdout)}.json"
    trained_autosave(diverted, 5)
    later = time.time() + 5
    os.utime(diverted, (later, later))
    in_use = tmp_path / f"autosave-{os.getppid()}.json"
    trained_autosave(in_use, 7)
    saver = autosave.Autosaver(path)
    found = saver.recoverable()
    assert [(p, s.trainer.epoch) for p, s in found] == [(diverted, 5), (path, 3)]
    saver.restored(diverted)  # taken into this lab: gone once this lab's own autosave holds it
    saver.write(b"{}")
    assert not diverted.exists() and in_use.exists()


# --- temporary files, links, read-only disks, private files --------------------------------------------------------
KILLED_MID_WRITE = ("import os, sys; from lab.files.safe_io import write_atomic\n"
                    "os.fsync = lambda fd: os.kill(os.getpid(), 9)  # killed between the write and the rename\n"
                    "write_atomic(sys.argv[1], b'x' * 100_000)")


def test_a_killed_save_leaves_nothing_after_the_next_save(tmp_path, subprocess_env):
    """Saves killed mid-write left their temporary files for good (30 kills, 31 files): the next save removes those
    of dead processes, and leaves a running process's."""
    target = tmp_path / "run.json"
    for _ in range(3):
        proc = subprocess.run([sys.executable, "-c", KILLED_MID_WRITE, str(target)], env=subprocess_env, timeout=120)
        assert proc.returncode == -9
    dead = [p for p in tmp_path.iterdir() if p.name.endswith(TEMP_SUFFIX)]
    assert len(dead) == 1 and not target.exists()  # each killed save removed the one killed before it
    live = tmp_path / f"{temp_prefix(target.name)}{os.getppid()}.abc123{TEMP_SUFFIX}"
    live.write_bytes(b"another process still writing")
    write_atomic(target, b"saved")
    assert target.read_bytes() == b"saved"
    assert [p for p in tmp_path.iterdir() if p.name.endswith(TEMP_SUFFIX)] == [live]


def test_saving_to_a_symbolic_link_writes_through_it(tmp_path):
    """``--save`` to a link replaced the link with a regular file: it now writes the file the link points to, says
    so, and the link stays."""
    (tmp_path / "real").mkdir()
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "real" / "run.json")
    status, out, err = run_cli("train", "--gate", "xor", "--epochs", "2", "--quiet", "--save", str(link))
    assert status == 0, err
    assert link.is_symlink() and read(tmp_path / "real" / "run.json")[1].epoch == 2
    assert f"wrote {tmp_path / 'real' / 'run.json'} through the link {link}" in err
    assert write_atomic(link, dumps(recipe("keras-xor"))) == tmp_path / "real" / "run.json"


def test_a_private_file_is_created_0600_in_a_0700_folder(tmp_path):
    path = tmp_path / "state" / "deep" / "private.json"
    assert write_private(path, b"{}") == path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700


READ_ONLY = ("import sys; from lab.core.errors import LabError; from lab.files.safe_io import write_atomic, "
             "check_writable\nfor f in (check_writable, lambda p: write_atomic(p, b'x')):\n    try: f(sys.argv[1])\n"
             "    except LabError as e: print(e)")


@pytest.mark.skipif(shutil.which("unshare") is None, reason="needs unshare(1) to mount a read-only file system")
def test_a_read_only_disk_is_named_as_such(tmp_path, subprocess_env):
    """A save to a read-only file system says so (it said "permission denied")."""
    mount = tmp_path / "ro"
    mount.mkdir()
    script = f"mount -t tmpfs -o ro tmpfs {mount} && exec {sys.executable} -c \"$0\" {mount}/run.json"
    proc = subprocess.run(["unshare", "-rm", "sh", "-c", script, READ_ONLY], capture_output=True, text=True,
                          env=subprocess_env, timeout=120)
    if "mount" in proc.stderr or proc.returncode:
        pytest.skip(f"cannot mount here: {proc.stderr.strip()[:200]}")
    lines = proc.stdout.splitlines()
    assert len(lines) == 2 and all("read-only file system" in line for line in lines), proc.stdout
    assert "permission denied" not in proc.stdout


NO_CHMOD = """
import sys, os
from pathlib import Path
calls = []
sys.addaudithook(lambda event, args: calls.append(args) if event == "os.chmod" else None)
from lab.core.recipes import recipe
from lab.files import autosave, settings_file
root = Path(sys.argv[1])
settings_file.save(root / "state" / "settings.json", settings_file.Settings(theme="nord"))
autosave.save(root / "state" / "autosave.json", recipe("keras-xor"), None)
settings_file.save(root / "state" / "settings.json", settings_file.Settings(theme="dracula"))
from lab.ui.process import crash_log
log = crash_log(ValueError("the traceback of a crash"), root / "state")
print(len(calls), oct(os.stat(root / "state" / "settings.json").st_mode & 0o777),
      oct(os.stat(root / "state" / "autosave.json").st_mode & 0o777), oct(os.stat(root / "state").st_mode & 0o777),
      oct(os.stat(log).st_mode & 0o777))
"""


def test_private_files_are_created_private_never_chmod_after(tmp_path, subprocess_env):
    """The settings, the autosave and a crash log are created 0600 (in a 0700 folder) through safe_io.write_private:
    no ``chmod`` is made on them (the settings were written with the umask's mode, then chmod-ed; a crash log was
    left readable by all)."""
    out = subprocess.run([sys.executable, "-c", NO_CHMOD, str(tmp_path)], capture_output=True, text=True,
                         env=subprocess_env, timeout=120, check=True).stdout
    assert out.split() == ["0", "0o600", "0o600", "0o700", "0o600"]
