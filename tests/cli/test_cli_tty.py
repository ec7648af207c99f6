"""The interactive commands refuse, in one line, to draw into a file or a pipe (where they would write escape codes
for ever at full speed); the scriptable ones and a lab with a driver of its own (``nnlab serve``'s tabs) go on."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from lab.core.recipes import recipe
from lab.files.experiment_file import dumps


@pytest.mark.parametrize("args", [["demo"], [], ["open", "FILE"], ["FILE"], ["--recipe", "single-neuron"], ["learn"],
                                  ["learn", "1"]])
def test_interactive_commands_refuse_without_a_terminal(tmp_path, args):
    """stdout a file and stdin not a terminal: exit status 2, one line naming the command, nothing else written."""
    path = tmp_path / "x.json"
    path.write_bytes(dumps(recipe("keras-xor")))
    out = tmp_path / "out.txt"
    argv = [str(path) if a == "FILE" else a for a in args]
    env = {k: v for k, v in os.environ.items() if k != "TEXTUAL_DRIVER"}
    with open(out, "wb") as stdout:
        proc = subprocess.run([sys.executable, "-m", "lab", *argv], stdin=subprocess.DEVNULL, stdout=stdout,
                              stderr=subprocess.PIPE, env=env, timeout=30)
    assert proc.returncode == 2
    lines = proc.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and "must be a terminal" in lines[0] and lines[0].startswith("nnlab: error: nnlab")
    assert out.read_bytes() == b""


def test_a_bad_file_is_reported_before_the_terminal_check(tmp_path):
    """A missing file is the error the person needs first, terminal or not."""
    proc = subprocess.run([sys.executable, "-m", "lab", str(tmp_path / "missing.json")], stdin=subprocess.DEVNULL,
                          capture_output=True, timeout=60)
    assert proc.returncode == 2 and b"must be a terminal" not in proc.stderr


def test_headless_commands_need_no_terminal():
    """nnlab train writes its report into a pipe as before."""
    proc = subprocess.run([sys.executable, "-m", "lab", "train", "--epochs", "5"], stdin=subprocess.DEVNULL,
                          capture_output=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout
