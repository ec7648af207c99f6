"""Fuzzing file safety with generated cases: every kind of special file (named pipe, socket, folder, device twins,
symbolic links to each, dangling links) through every reader and writer; JSON nested to random depths in random
fields; paths of random lengths and characters through every call that touches a path (the dialogs' checks
included); and large malformed files of several shapes read in a child process within bounded memory. Each case
ends in a result or one ``LabError`` line, and leaves a special file as it was."""

from __future__ import annotations

import json
import os
import random
import socket
import stat
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lab.core.errors import LabError
from lab.core.recipes import recipe
from lab.core.train import Trainer
from lab.files import autosave
from lab.files import experiment_file as ef
from lab.files.safe_io import check_writable, exists, is_folder, read_limited, write_atomic
from lab.ui.screens.path_prompt import problem

from tests.fuzz.limits import run_limited
from tests.fuzz.support import check_error, fuzz, ran

ROOT = os.geteuid() == 0
KINDS = ["fifo", "socket", "folder", "regular", "missing"] + (["null", "zero"] if ROOT else [])


def make(folder, kind: str):
    """A file of ``kind`` in ``folder`` (``link-KIND``: a symbolic link to one); returns its path and, for a
    socket, the listening socket to close."""
    base = kind.removeprefix("link-")
    target = folder / base
    server = None
    if base == "fifo":
        os.mkfifo(target)
    elif base == "socket":
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(target))
    elif base == "folder":
        target.mkdir()
    elif base == "regular":
        target.write_bytes(b"")
    elif base in ("null", "zero"):
        os.mknod(target, 0o600 | stat.S_IFCHR, os.makedev(1, 3 if base == "null" else 5))
    if kind.startswith("link-"):
        os.symlink(target, folder / kind)
        return folder / kind, server
    return target, server


def kind_now(path) -> str:
    """The file type at ``path`` (links followed), to check a case left it as it was."""
    try:
        return stat.filemode(os.stat(path).st_mode)[0]
    except OSError:
        return "absent"


def readers(path):
    """Every way nnlab reads a path."""
    return [lambda: ef.read(path), lambda: read_limited(path, 1 << 20), lambda: autosave.load(path)]


def writers(path):
    """Every way nnlab writes a path, and the checks made before writing."""
    return [lambda: write_atomic(path, b"{}"), lambda: check_writable(path), lambda: autosave.write(path, b"{}"),
            lambda: ef.write(path, recipe("keras-xor"))]


# (reader index, kind) pairs that succeed; every other read is refused
READ_OK = {(1, "regular"), (2, "missing")}
WRITE_REFUSED = {"fifo", "socket", "folder"}


@fuzz(80)
@given(st.sampled_from(sorted(KINDS + [f"link-{k}" for k in KINDS])), st.integers(0, 6))
def test_special_files_through_every_reader_and_writer(kind, action):
    """Reading anything but a regular file, or writing to anything but a regular file or a character device, is
    one LabError line; a special file is still what it was afterwards; the dialogs' checks agree."""
    ran()
    base = kind.removeprefix("link-")
    with tempfile.TemporaryDirectory() as tmp:
        path, server = make(Path(tmp), kind)
        try:
            before = kind_now(path)
            act = (readers(path) + writers(path))[action]
            try:
                act()
            except LabError as e:
                check_error(e)
                refused = True
            else:
                refused = False
            if action < 3:
                assert refused == ((action, base) not in READ_OK), (kind, action)
            else:
                assert refused == (base in WRITE_REFUSED), (kind, action)
            if base not in ("regular", "missing"):
                assert kind_now(path) == before
            opens = problem(str(path), True)
            assert (opens is None) == (kind_now(path) == "-"), opens
            saves = problem(str(path), False)
            assert (saves is None) == (base not in WRITE_REFUSED), saves
        finally:
            if server is not None:
                server.close()


FIELDS = [("x",), ("name",), ("table", "outputs"), ("architecture", "layers"), ("state", "weights", "W1"),
          ("state", "history", "loss"), ("state", "optimizer", "m")]


def nested(depth: int, opener: str) -> str:
    """A JSON value nested ``depth`` deep, of lists (``[``) or objects (``{``)."""
    if opener == "[":
        return "[" * depth + "]" * depth
    return '{"a":' * depth + "0" + "}" * depth


@fuzz(120)
@given(st.integers(1, 20_000), st.sampled_from("[{"), st.sampled_from(FIELDS), st.sampled_from([1, 2]))
def test_nesting_at_any_depth_in_any_field(depth, opener, where, version):
    """JSON nested from 1 to 20,000 deep in a known or unknown field: one LabError line (or, shallow enough, a
    valid file), never a RecursionError."""
    ran()
    trainer = Trainer(recipe("keras-xor"))
    trainer.run(epochs=2)
    doc = json.loads(ef.dumps(trainer.experiment, trainer.state()))
    doc["version"] = version
    target = doc
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = "__NEST__"
    text = json.dumps(doc).replace('"__NEST__"', nested(depth, opener))
    try:
        ef.loads(text)
    except LabError as e:
        check_error(e)


PATH_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12)


@fuzz(150)
@given(st.lists(st.tuples(PATH_TEXT, st.integers(1, 400)), min_size=1, max_size=5), st.booleans())
def test_paths_of_any_length_and_any_characters(scratch, parts, absolute):
    """Paths whose components repeat generated text up to 400 characters (over 255 bytes: a name too long),
    holding NUL bytes or any other character, through every call that touches a path: one line or a result."""
    ran()
    name = os.sep.join((text * (length // len(text) + 1))[:length].replace(os.sep, "_") for text, length in parts)
    path = (str(scratch) + os.sep if absolute else "") + name
    for act in readers(path) + writers(path) + [lambda: autosave.Autosaver(Path(path))]:
        try:
            act()
        except LabError as e:
            check_error(e)
    for must_exist in (True, False):
        message = problem(path, must_exist)
        assert message is None or ("\n" not in message and message), message
    exists(path), is_folder(path)  # never raise


SHAPES = ["numbers", "floats", "strings", "name", "nested", "whitespace", "keys", "heldout"]


def large_file(path, shape: str, size: int, rng: random.Random) -> None:
    """A malformed experiment file of about ``size`` bytes whose bulk has ``shape``."""
    head = (b'{"format": "nnlab-experiment", "version": ' + str(rng.choice([1, 2])).encode()
            + b', "table": {"inputs": 2, "outputs": ["0110"]')
    with open(path, "wb") as f:
        f.write(head)
        if shape == "numbers":
            f.write(b'}, "state": {"epoch": 3, "lr": 0.1, "weights": {}, "history": {"loss": [')
            f.write(b"1," * (size // 2) + b"1]}}}")
        elif shape == "floats":
            f.write(b'}, "state": {"epoch": 3, "lr": 0.1, "weights": {"W1": [')
            f.write(b"0.5," * (size // 4) + b"0.5]}}}")
        elif shape == "strings":
            f.write(b', "output_names": [' + b'"y",' * (size // 4) + b'"y"]}}')
        elif shape == "name":
            f.write(b'}, "name": "' + b"n" * size + b'"}')
        elif shape == "nested":
            f.write(b'}, "x": ' + b"[" * (size // 2) + b"]" * (size // 2) + b"}")
        elif shape == "whitespace":
            f.write(b"}" + b" " * size + b"}")
        elif shape == "keys":
            f.write(b'}, "architecture": {"layers": [' + b'{"units": 1},' * (size // 13) + b'{"units": 1}]}}')
        else:
            f.write(b', "heldout": [' + b"0," * (size // 2) + b"0]}}")


@pytest.mark.parametrize("case", range(8))
def test_large_malformed_files_within_bounded_memory(tmp_path, case):
    """Files of 20 to 70 MB shaped as long lists of numbers, floats, strings or objects, a long name, deep nesting
    or whitespace: each is one LabError line (a long name or whitespace makes a valid file), and reading it grows
    the peak memory by at most twice the file plus 64 MiB, plus 48 bytes for each number a version 1 file may
    spell out (its history: at most ``MAX_VALUES[1]``). Python objects for every value of a file would cost 16 to
    60 times the file."""
    rng = random.Random(case)
    ran()
    shape = SHAPES[case]
    path = tmp_path / f"{shape}.json"
    large_file(path, shape, rng.randint(20, 70) << 20, rng)
    size = os.path.getsize(path)
    done = run_limited(f"lab.files.experiment_file.read({str(path)!r})")
    valid = shape in ("name", "whitespace")
    assert done.outcome.startswith("LabError: ") != valid and "\n" not in done.outcome, done.outcome[:300]
    numbers = min(path.read_bytes().count(b","), ef.MAX_VALUES[1]) if shape in ("numbers", "floats") else 0
    bound = 2 * size + (64 << 20) + 48 * numbers
    assert done.growth < bound, f"{shape}: {size >> 20} MiB file, grew {done.growth >> 20} MiB"
