"""File safety: only regular files are read (named pipes, sockets, devices and folders refused in one line, without
blocking), reads are capped while reading, a character device is written in place and other special targets are
refused, every OSError (a name too long) is one line, and the autosave is private, small and shared safely."""

from __future__ import annotations

import json
import os
import socket
import stat
import time

import pytest

from lab.core.errors import LabError
from lab.core.recipes import recipe
from lab.core.train import History, Trainer
from lab.files import autosave
from lab.files import experiment_file as ef
from lab.files.safe_io import check_writable, read_limited, remove_stale_temps, write_atomic, write_kind

from tests.fuzz.limits import run_limited

ROOT = os.geteuid() == 0
needs_root = pytest.mark.skipif(not ROOT, reason="making a device node needs root")


def null_twin(folder) -> str:
    """A character device node with /dev/null's numbers, made in ``folder`` (never the real /dev/null)."""
    path = os.path.join(folder, "null-twin")
    os.mknod(path, 0o600 | stat.S_IFCHR, os.makedev(1, 3))
    return path


def zero_twin(folder) -> str:
    """A character device node with /dev/zero's numbers (endless zero bytes), made in ``folder``."""
    path = os.path.join(folder, "zero-twin")
    os.mknod(path, 0o600 | stat.S_IFCHR, os.makedev(1, 5))
    return path


@pytest.fixture
def unix_socket(tmp_path):
    """A listening Unix socket's path."""
    path = tmp_path / "sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.listen(1)
    yield path
    server.close()


# --- reading -------------------------------------------------------------------------------------------------------
def test_opening_a_named_pipe_is_refused_at_once(tmp_path):
    """A named pipe with no writer is refused in one line (an open without O_NONBLOCK blocks for good)."""
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    done = run_limited(f"lab.files.experiment_file.read({str(fifo)!r})")
    assert not done.hung
    assert done.outcome == f"LabError: {fifo}: is a named pipe, not an experiment file"


@needs_root
def test_a_zero_device_is_refused_without_reading_it(tmp_path):
    """A /dev/zero twin (endless bytes, st_size 0) is refused as a device, not read until memory runs out."""
    zero = zero_twin(tmp_path)
    done = run_limited(f"lab.files.experiment_file.read({zero!r})", memory=1 << 30)
    assert done.outcome == f"LabError: {zero}: is a character device, not an experiment file"
    assert done.growth < 32 << 20


def test_a_socket_and_a_folder_are_refused(tmp_path, unix_socket):
    """Each kind of special file gets its own words."""
    with pytest.raises(LabError, match=r"sock: is a socket, not an experiment file$"):
        ef.read(unix_socket)
    with pytest.raises(LabError, match=r": is a folder, not an experiment file$"):
        ef.read(tmp_path)


def test_the_cap_is_checked_while_reading_not_from_st_size(tmp_path):
    """A file over the cap is refused after reading the cap plus one byte; /proc files report st_size 0 yet have
    content, and are capped the same way."""
    big = tmp_path / "big.json"
    big.write_bytes(b" " * 5000)
    with pytest.raises(LabError, match=r"big.json: larger than 4,000 bytes, not a file nnlab reads$"):
        read_limited(big, 4000)
    assert read_limited(big, 5000) == b" " * 5000
    assert os.stat("/proc/self/status").st_size == 0
    with pytest.raises(LabError, match="larger than 10 bytes"):
        read_limited("/proc/self/status", 10)


@pytest.mark.parametrize("make", [lambda t: t / ("a" * 300), lambda t: t / ("b" * 200) / ("c" * 300) / "x.json",
                                  lambda t: t / ("d" * 255 + "é")])
def test_a_name_too_long_is_one_line_everywhere(tmp_path, make):
    """Reading, writing and checking a path with a component over 255 bytes each give one line."""
    path = make(tmp_path)
    for act in (lambda: ef.read(path), lambda: ef.write(path, recipe("keras-xor")), lambda: check_writable(path),
                lambda: autosave.Autosaver(path / "autosave.json").write(b"{}")):
        with pytest.raises(LabError) as info:
            act()
        message = str(info.value)
        assert "\n" not in message and any(why in message for why in ("too long", "does not exist", "no such")), \
            message


# --- writing -------------------------------------------------------------------------------------------------------
@needs_root
def test_writing_to_a_character_device_goes_straight_to_it(tmp_path):
    """``--save /dev/null``: the bytes go to the device and the node stays a device (no temporary file, no
    rename)."""
    twin = null_twin(tmp_path)
    assert write_kind(twin) == "device"
    ef.write(twin, recipe("keras-xor"))
    assert stat.S_ISCHR(os.stat(twin).st_mode)
    assert sorted(os.listdir(tmp_path)) == ["null-twin"]


def test_writing_to_a_pipe_a_socket_or_a_folder_is_refused_and_leaves_it(tmp_path, unix_socket):
    """Other special targets are refused in one line and left as they were."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for target, kind in ((fifo, "a named pipe"), (unix_socket, "a socket"), (tmp_path, "a folder")):
        with pytest.raises(LabError, match=f"is {kind}: nnlab writes only to a regular file"):
            write_atomic(target, b"data")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and stat.S_ISSOCK(os.stat(unix_socket).st_mode)
    assert sorted(os.listdir(tmp_path)) == ["pipe", "sock"]


def test_a_new_file_gets_the_mode_asked_for_and_an_old_one_keeps_its_own(tmp_path):
    target = tmp_path / "x.json"
    write_atomic(target, b"1", mode=0o600)
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    os.chmod(target, 0o640)
    write_atomic(target, b"2")
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640


# --- the autosave --------------------------------------------------------------------------------------------------
def test_the_autosave_folder_and_file_are_private(tmp_path):
    """The autosave folder is made 0700 and the file written 0600, whatever the umask."""
    path = tmp_path / "state" / "nnlab" / "autosave.json"
    autosave.save(path, recipe("keras-xor"), None)
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    os.chmod(path, 0o644)  # an autosave written by an older nnlab becomes private at its next write
    autosave.save(path, recipe("keras-xor"), None)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_temporary_files_of_a_killed_write_are_removed_at_start(tmp_path):
    """A ``.autosave.json.*.tmp`` older than this process goes when the next lab starts; a newer one (another
    lab's write under way) and other files stay."""
    path = tmp_path / "autosave.json"
    stale = tmp_path / ".autosave.json.k9x2.tmp"
    fresh = tmp_path / ".autosave.json.new1.tmp"
    other = tmp_path / ".other.json.k9x2.tmp"
    for p in (stale, fresh, other):
        p.write_bytes(b"half a file")
    long_ago = time.time() - 3600
    os.utime(stale, (long_ago, long_ago))
    os.utime(other, (long_ago, long_ago))
    autosave.Autosaver(path)
    assert not stale.exists() and fresh.exists() and other.exists()
    assert remove_stale_temps(path, older_than=time.time() + 60) == [fresh]


def test_two_labs_sharing_the_autosave_keep_both_sessions(tmp_path):
    """The second lab to write after another lab changed the file writes to a second name, and says which."""
    path = tmp_path / "autosave.json"
    first, second = autosave.Autosaver(path), autosave.Autosaver(path)
    assert first.write(b'{"lab": 1}') is None
    time.sleep(0.01)
    diverted = second.write(b'{"lab": 2}')
    assert diverted == tmp_path / f"autosave-{os.getpid()}.json"
    assert path.read_bytes() == b'{"lab": 1}' and diverted.read_bytes() == b'{"lab": 2}'
    assert first.write(b'{"lab": 1, "again": true}') is None  # the first lab's own file, untouched by the second
    assert second.write(b'{"lab": 2, "again": true}') is None and second.path == diverted
    assert json.loads(path.read_bytes()) == {"lab": 1, "again": True}


def long_trainer(epochs: int, heldout: bool = False) -> Trainer:
    """A keras-xor trainer whose history claims ``epochs`` epochs of distinct values (not trained: built)."""
    trainer = Trainer(recipe("keras-xor"))
    values = [1.0 / (e + 3) for e in range(epochs)]
    accuracy = [float(e % 5) / 4 for e in range(epochs)]
    held = [float("nan") if e % 7 == 0 else v for e, v in enumerate(values)] if heldout else []
    trainer.history = History(values, accuracy, held, list(held))
    trainer.epoch = epochs
    return trainer


def test_the_autosave_of_a_long_run_is_small_and_keeps_the_latest_stretch_exact():
    """At a million epochs the autosave holds every k-th epoch of the start and the last 65,536 or so exactly,
    in a few MB; read back it has every epoch, the latest exact."""
    trainer = long_trainer(1_000_000, heldout=True)
    data = ef.encode(autosave.snapshot(trainer.experiment, trainer.state()), indent=False)
    assert len(data) < 6 << 20
    _, restored = ef.loads(data)
    assert restored.epoch == 1_000_000 and len(restored.history) == 1_000_000
    for key in ("loss", "accuracy"):
        assert getattr(restored.history, key)[-65_536:] == getattr(trainer.history, key)[-65_536:]
    assert restored.history.loss[14] == trainer.history.loss[14]  # epoch 15 stands for its stretch of 15


def test_a_run_longer_than_64_mib_of_history_saves_and_reopens(tmp_path):
    """3.5 million epochs: about 84 MB as JSON numbers (over the old 64 MiB cap); packed, it saves and reads back
    exactly."""
    trainer = long_trainer(3_500_000)
    target = tmp_path / "long.json"
    ef.write(target, trainer.experiment, trainer.state())
    assert os.path.getsize(target) > 64 << 20
    _, restored = ef.read(target)
    assert restored.epoch == trainer.epoch
    assert restored.history.loss == trainer.history.loss and restored.history.accuracy == trainer.history.accuracy


# --- malformed files -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("depth", [1000, 100_000])
def test_deep_nesting_is_one_line(depth):
    """An unknown field nested thousands deep is a LabError, not a RecursionError (Python 3.12 and later skip 1,000
    levels without reaching the recursion limit, so the field itself is what they refuse)."""
    doc = '{"format": "nnlab-experiment", "version": 2, "x": ' + "[" * depth + "]" * depth + "}"
    with pytest.raises(LabError, match="nested too deeply|x: unknown field"):
        ef.loads(doc)


def test_a_60_mb_file_of_numbers_is_refused_within_bounded_memory(tmp_path):
    """60 MB of history numbers (30 million values at 2 bytes each) would cost over a gigabyte as Python floats;
    it is refused by counting before decoding, the peak memory growing by little more than the file."""
    path = tmp_path / "numbers.json"
    n = 30_000_000
    with open(path, "wb") as f:
        f.write(b'{"format": "nnlab-experiment", "version": 1, "table": {"inputs": 2, "outputs": ["0110"]}, '
                b'"state": {"epoch": 1, "lr": 0.1, "weights": {}, "history": {"loss": [')
        f.write(b"0," * (n - 1) + b"0]}}}")
    done = run_limited(f"lab.files.experiment_file.read({str(path)!r})")
    assert done.outcome.startswith("LabError: ") and "more than a format version 1 experiment file has" in \
        done.outcome, done.outcome
    assert done.growth < 200 << 20, f"{done.growth / 2**20:.0f} MiB"
