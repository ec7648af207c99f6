"""``nnlab tune`` and ``nnlab sweep`` on an 80-column terminal (a real pseudo-terminal of that size): every line of
the report fits in 79 columns (the last column would wrap on some terminals); into a pipe every line stays whole."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import shlex
import struct
import subprocess
import sys
import termios
import time

ARGS = {"tune": ["tune", "--recipe", "keras-xor", "--layers", "1,2", "--units", "4,8", "--lr", "0.001,0.01",
                 "--seeds", "6", "--epochs", "200", "--jobs", "1"],
        "sweep": ["sweep", "--recipe", "keras-xor", "--seeds", "6", "--epochs", "200",
                  "--vs=--hidden 16:relu,16:relu --init he_normal --optimizer momentum --lr 0.05 --batch-size 2"]}


def on_a_terminal(args: list[str], env: dict[str, str], columns: int = 80) -> tuple[int, list[str]]:
    """``nnlab ARGS`` with standard output a terminal of ``columns`` columns: its exit status and its lines."""
    master, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    env = {k: v for k, v in env.items() if k not in ("COLUMNS", "LINES")}
    proc = subprocess.Popen([sys.executable, "-m", "lab", *args], stdout=child, stderr=subprocess.DEVNULL, env=env)
    os.close(child)
    out = b""
    try:
        end = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < end:
            if select.select([master], [], [], 0.1)[0]:
                try:
                    out += os.read(master, 65536)
                except OSError:  # the child closed its end
                    break
        while select.select([master], [], [], 0.1)[0]:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    return proc.returncode, out.decode().replace("\r\n", "\n").splitlines()


def test_tune_fits_80_columns_and_its_command_still_pastes(subprocess_env):
    """The table leaves out its last columns and says which, the sentences wrap at spaces, and the best's command
    breaks before its flags with a shell's backslash, so a shell reads the same words."""
    status, lines = on_a_terminal(ARGS["tune"], subprocess_env)
    assert status == 0 and all(len(line) <= 79 for line in lines), "\n".join(lines)
    assert any(line.endswith(": left out to fit 79 columns; --json has every figure)") for line in lines)
    best = next(i for i, line in enumerate(lines) if line.startswith("best: "))
    command = "\n".join(lines[best + 1:]).split("\n\n")[0]
    assert " \\\n      --" in command
    words = shlex.split(command.replace(" \\\n", " "))
    assert words[:4] == ["nnlab", "train", "--recipe", "keras-xor"] and words[-2:] == ["--init", "glorot_uniform"]


def test_sweep_fits_80_columns_each_line_going_on_under_its_value(subprocess_env):
    status, lines = on_a_terminal(ARGS["sweep"], subprocess_env)
    assert status == 0 and all(len(line) <= 79 for line in lines), "\n".join(lines)
    flags = next(i for i, line in enumerate(lines) if line.startswith("  flags            --hidden"))
    assert lines[flags + 1].startswith(" " * 19 + "--")  # the flags go on under the value column
    assert any(line.startswith("vs: 2 -> 16 relu -> 16 relu") for line in lines)


def test_into_a_pipe_every_line_stays_whole(subprocess_env):
    proc = subprocess.run([sys.executable, "-m", "lab", *ARGS["sweep"]], capture_output=True, text=True,
                          env=subprocess_env, timeout=60)
    lines = proc.stdout.splitlines()
    assert proc.returncode == 0
    flags = [line for line in lines if line.startswith("  flags            --hidden")]
    assert flags and flags[0].endswith("--init he_normal --epochs 200")


def test_train_fits_80_columns_with_held_out_rows(subprocess_env):
    """The Keras-style epoch lines (with val_ figures, wider than 80) and the last line break at spaces."""
    status, lines = on_a_terminal(["train", "--recipe", "two-layer", "--holdout", "3"], subprocess_env)
    assert status == 0 and all(len(line) <= 79 for line in lines), "\n".join(lines)
    assert "  val_binary_accuracy: 0.0000" in lines and any(line.startswith("status: budget") for line in lines)


def test_show_step_breaks_before_an_operator_on_a_terminal(subprocess_env, tmp_path):
    """The step of the two-layer tutorial's network: each line within 79 columns on an 80-column terminal, a line
    going on indented at an operator; into a pipe the same lines whole."""
    saved = tmp_path / "two.json"
    subprocess.run([sys.executable, "-m", "lab", "train", "--recipe", "two-layer", "--quiet", "--save", str(saved)],
                   check=True, capture_output=True, env=subprocess_env, timeout=60)
    status, lines = on_a_terminal(["show", str(saved), "--view", "step", "--row", "3"], subprocess_env)
    assert status == 0 and all(len(line) <= 79 for line in lines), "\n".join(lines)
    assert any(line.startswith("      · new = ") for line in lines)
    piped = subprocess.run([sys.executable, "-m", "lab", "show", str(saved), "--view", "step", "--row", "3"],
                           capture_output=True, text=True, env=subprocess_env, timeout=60).stdout.splitlines()
    assert any(len(line) > 79 for line in piped) and " ".join(" ".join(piped).split()) == " ".join(
        " ".join(lines).split())


def test_show_units_fits_80_columns(subprocess_env, tmp_path):
    """The units view's first line, 84 columns for three inputs, breaks at a space on an 80-column terminal."""
    saved = tmp_path / "two.json"
    subprocess.run([sys.executable, "-m", "lab", "train", "--recipe", "two-layer", "--quiet", "--save", str(saved)],
                   check=True, capture_output=True, env=subprocess_env, timeout=60)
    status, lines = on_a_terminal(["show", str(saved), "--view", "units"], subprocess_env)
    assert status == 0 and all(len(line) <= 79 for line in lines), "\n".join(lines)
    assert lines[1].startswith("  ") and "thresholded at" in " ".join(lines[:2])


def test_gates_and_recipes_fit_80_columns_each_line_under_its_own_text(subprocess_env):
    for command, name, indent in (("gates", "xor ", 19), ("recipes", "single-neuron ", 18)):
        status, lines = on_a_terminal([command], subprocess_env)
        assert status == 0 and all(len(line) <= 79 for line in lines), "\n".join(lines)
        first = next(i for i, line in enumerate(lines) if line.startswith(name))
        assert lines[first + 1].startswith(" " * indent) and lines[first + 1][indent] != " "


def test_a_line_too_narrow_to_hang_is_left_whole_for_the_terminal():
    """At 20 columns a sweep's flags line has 0 cells beside its value column: broken there, its words came out a
    letter a line; it is left whole instead. With room it still breaks under the value."""
    from lab.commands.text_width import fit_line

    line = "  flags            --hidden 16:relu,16:relu --lr 0.05"
    assert fit_line(line, 19) == line
    assert fit_line(line, 44).splitlines() == ["  flags            --hidden 16:relu,16:relu",
                                               "                   --lr 0.05"]
