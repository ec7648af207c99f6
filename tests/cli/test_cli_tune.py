"""``nnlab tune``: the report, the ``--json`` contract against ``nnlab sweep``, bad input in one line, Ctrl-C."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.usefixtures("process_deadline")  # every test here may start worker processes


def test_json_equals_a_sweep_of_each_configuration(cli):
    """Every configuration's numbers are those of ``nnlab sweep`` of the flags tune prints for it."""
    status, out, err = cli("tune", "--gate", "xor", "--units", "2,8", "--lr", "0.01,0.1", "--seeds", "6",
                           "--epochs", "80", "--seed", "3", "--json")
    assert status == 0 and err == "" and out.count("\n") == 1
    result = json.loads(out)
    assert (result["strategy"], result["candidates"], result["interrupted"]) == ("grid", 4, False)
    configs = result["configurations"]
    assert [c["rank"] for c in configs] == [1, 2, 3, 4] and result["best"] == configs[0]
    for c in configs:
        assert c["flags"].startswith("nnlab train --gate xor --epochs 80 --seed 3 --hidden ")
        words = c["flags"].split()[2:]
        status, sweep_out, _ = cli("sweep", *words, "--seeds", "6", "--json")
        assert status == 0
        sweep = json.loads(sweep_out)["configurations"][0]
        for key in ("seeds", "solved", "success_rate", "median_solved_epoch", "p10_solved_epoch",
                    "p90_solved_epoch", "final_loss", "diverged"):
            assert c[key] == sweep[key], key
        assert (c["units"], c["layers"], c["first_seed"]) == (int(sweep["network"].split()[2]), 1, 3)


def test_float32_is_in_the_json_and_in_the_flags_that_reproduce_a_member(cli):
    """``--precision float32``: the report says so, the flags carry it, and ``nnlab train`` of the best
    configuration's flags with ``--seed k`` solves at member k's epoch (``nnlab sweep`` of the same flags)."""
    status, out, _ = cli("tune", "--gate", "xor", "--units", "4,8", "--seeds", "5", "--epochs", "300",
                         "--precision", "float32", "--json")
    report = json.loads(out)
    assert status == 0 and report["precision"] == "float32"
    flags = report["best"]["flags"]
    assert "--precision float32" in flags
    words = flags.split()[2:]
    _, sweep_out, _ = cli("sweep", *words, "--seeds", "5", "--json")
    member = json.loads(sweep_out)["configurations"][0]
    assert member["precision"] == "float32" and member["solved"] == report["best"]["solved"]
    for k, epoch in enumerate(member["solved_epochs"]):
        status, train_out, _ = cli("train", *words, "--seed", str(k), "--quiet")
        assert status == 0 and (f"solved at epoch {epoch} " if epoch else "not solved") in train_out


def test_text_report_has_table_heatmap_and_flags(cli):
    status, out, err = cli("tune", "--layers", "1,2", "--units", "2,4", "--seeds", "4", "--epochs", "50")
    assert status == 0 and err == ""  # no progress line: stderr is not a terminal
    lines = out.splitlines()
    assert lines[0] == ("tune: xor · grid of 4 configurations · 4 seeds each · 50 epochs · stop budget · "
                        "objective reliable")
    assert lines[2].split()[:3] == ["rank", "configuration", "solved"]
    assert sum(line.split()[0] in "1234" for line in lines[3:7]) == 4
    heat = lines.index("heatmap: success rate and median epochs to solve, layers down, units across (the best over "
                       "the other axes)")
    assert lines[heat + 2].split() == ["2", "4"]
    assert [line.split()[0] for line in lines[heat + 3: heat + 5]] == ["1", "2"]
    assert any(line.startswith("  nnlab train --epochs 50 --hidden ") for line in lines)


@pytest.mark.parametrize("argv, message", [
    (["--units", "0"], "nnlab: error: --units item 1: expected 1 to 64, got 0"),
    (["--units", ""], "nnlab: error: --units: expected a comma-separated list of values, got nothing"),
    (["--activation", "relu,swish"], "nnlab: error: --activation item 2: unknown 'swish'"),
    (["--layers", "1", "--hidden", "4"], "nnlab: error: --hidden: give either --hidden or the axes"),
    (["--strategy", "best"], "nnlab: error: --strategy: unknown 'best', choose from grid, random, halving"),
    (["--objective", "pretty"], "nnlab: error: --objective: unknown 'pretty', choose from reliable, fast"),
    (["--heatmap", "layers"], "nnlab: error: --heatmap: expected two different axes"),
    (["--heatmap", "layers,colour"], "nnlab: error: --heatmap: unknown axis 'colour'"),
    (["--strategy", "random", "--samples", "0"], "nnlab: error: --samples: expected 1 to 2,000, got 0"),
    (["--units", ",".join(map(str, range(1, 51))), "--lr", ",".join(str(i / 1000) for i in range(1, 51))],
     "nnlab: error: the grid holds 2,500 configurations, more than 2,000"),
    (["--units", "64", "--layers", "8", "--seeds", "10000", "--epochs", "1000000"],
     "nnlab: error: the search needs about"),
    (["--seeds", "0"], "nnlab: error: --seeds: expected 1 to 10,000, got 0"),
    (["--top", "0"], "nnlab: error: --top: expected at least 1, got 0"),
])
def test_bad_input_is_one_line(cli, argv, message):
    status, out, err = cli("tune", *argv)
    assert status == 2 and out == "" and err.startswith(message) and err.count("\n") == 1


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_prints_what_is_done(subprocess_env, jobs):
    """Ctrl-C (SIGINT to the process group, as a terminal sends it) part way: exit 130 with the configurations
    done so far reported, and no worker left behind."""
    proc = subprocess.Popen([sys.executable, "-m", "lab", "tune", "--units", "1,2,3,4,5,6,7,8,9,10",
                             "--seeds", "50", "--epochs", "20000", "--jobs", jobs],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=subprocess_env,
                            start_new_session=True)
    try:
        time.sleep(3)
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130 and err == ""
    lines = out.splitlines()
    assert lines[1].startswith("interrupted: ") and lines[1].endswith(" of 10 configurations done")


def test_a_cluster_without_dask_here_is_one_line_with_the_fix(cli, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if the [cluster] extra were not installed
    status, out, err = cli("tune", "--units", "2", "--seeds", "2", "--epochs", "5", "--cluster", "tcp://10.0.0.5:8786")
    assert (status, out) == (1, "")  # a missing extra is a failure at run time, not bad input
    assert err == 'nnlab: error: --cluster: Dask is not installed here: pip install "neural-gate-lab[cluster]"\n'


def test_an_empty_nnlab_cluster_trains_here(cli, monkeypatch):
    monkeypatch.setenv("NNLAB_CLUSTER", "")
    status, out, _ = cli("tune", "--units", "2", "--seeds", "2", "--epochs", "5")
    assert status == 0 and out.endswith("s\n") and "configurations in" in out


def _read_until(fd: int, wanted: bytes, limit: float = 60.0) -> bytes:
    """What ``fd`` gives until ``wanted`` is in it (or ``limit`` seconds pass: the test then fails on the content)."""
    import select

    got = b""
    end = time.monotonic() + limit
    while wanted not in got and time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            got += chunk
    return got


@pytest.mark.parametrize("term", ["xterm-256color", "dumb"])
def test_header_and_progress_come_before_the_first_configuration_finishes(subprocess_env, term):
    """parity3 from 1,000 seeds takes long per configuration: the header is on stdout and the progress line (with
    the time so far) on the terminal before any configuration is done. On a dumb terminal the line holds no escape
    code."""
    import pty

    master, child = pty.openpty()
    env = dict(subprocess_env, TERM=term)
    proc = subprocess.Popen([sys.executable, "-m", "lab", "tune", "--gate", "parity3", "--units", "4,8",
                             "--seeds", "1000", "--epochs", "20000", "--jobs", "1"],
                            stdout=subprocess.PIPE, stderr=child, env=env, start_new_session=True)
    os.close(child)
    try:
        assert proc.stdout is not None
        header = _read_until(proc.stdout.fileno(), b"\n")
        assert header.startswith(b"tune: parity3 \xc2\xb7 grid of 2 configurations"), header
        line = _read_until(master, b"training the first")
        assert re.search(rb"0/2 configurations \xc2\xb7 \d+:\d\d:\d\d", line) and b"training the first" in line, line
        assert (b"\x1b" in line) == (term != "dumb"), line
        os.killpg(proc.pid, signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
        line += _read_until(master, b"\0", limit=1)  # the rest of the terminal's output, to show on failure
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        os.close(master)
    assert proc.returncode == 130, line
    assert out.decode().splitlines()[0] == "interrupted: 0 of 2 configurations done"

