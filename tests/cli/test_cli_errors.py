"""Bad input to the CLI: exit status 2 and exactly one line on stderr, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from lab.core.recipes import recipe
from lab.files.experiment_file import dumps


@pytest.fixture
def files(tmp_path):
    """A corrupt file, an untrained experiment file, a trained one and a missing path, by name."""
    (tmp_path / "corrupt.json").write_text('{"format": "nnlab-experiment", "version": 1, "table": {"inp')
    data = json.loads(dumps(recipe("keras-xor")))
    data["architecture"]["layers"][0]["units"] = "16"
    (tmp_path / "wrong-type.json").write_text(json.dumps(data))
    (tmp_path / "untrained.json").write_bytes(dumps(recipe("keras-xor")))
    return tmp_path


BAD = {
    "unknown gate": (["train", "--gate", "xr"], "nnlab: error: unknown gate 'xr': choose one of and, or, "),
    "malformed expression": (["train", "--expr", "(a & b) |"],
                             "nnlab: error: col 10: expected a variable or '(' but found end of input"),
    "expression nested too deeply": (["train", "--expr", "(" * 300 + "a" + ")" * 300],
                                     "nnlab: error: col 33: nested too deeply"),
    "unknown variable": (["train", "--expr", "a ^ z"], "nnlab: error: col 5: unknown name 'z' (inputs are a to h)"),
    "malformed table": (["train", "--table", "01x0"], "nnlab: error: output 1, row 2: expected 0 or 1, got 'x'"),
    "wrong bit count": (["train", "--table", "011"],
                        "nnlab: error: output 1: expected 2, 4, 8, ... or 256 bits (2**inputs), got 3"),
    "columns disagree": (["train", "--table", "0110,01"],
                         "nnlab: error: output 2: expected 4 bits (one per row), got 2"),
    "9 inputs": (["train", "--table", "01" * 256],
                 "nnlab: error: output 1: expected 2, 4, 8, ... or 256 bits (2**inputs), got 512"),
    "negative lr": (["train", "--lr", "-1"],
                    "nnlab: error: --lr: the learning rate must be above 0 and at most 1e+06, got -1"),
    "lr not a number": (["train", "--lr", "fast"], "nnlab train: error: argument --lr: invalid float value: 'fast'"),
    "0 neurons": (["train", "--hidden", "0"], "nnlab: error: hidden layer 1.units: a layer has 1 to 64 neurons, got 0"),
    "unknown activation": (["train", "--hidden", "4:swish"],
                           "nnlab: error: hidden layer 1.activation: unknown 'swish'"),
    "relu output": (["train", "--output", "relu"], "nnlab: error: --output: unknown 'relu', choose one of sigmoid"),
    "zero epochs": (["train", "--epochs", "0"], "nnlab: error: --epochs: expected 1 to 10000000, got 0"),
    "negative seed": (["train", "--seed", "-1"], "nnlab: error: --seed: expected 0 to 4294967295, got -1"),
    "bad stop rule": (["train", "--stop", "loss<x"], "nnlab: error: --stop: 'loss<X' needs a positive number X"),
    "every 0": (["train", "--every", "0"], "nnlab: error: --every: expected a whole number of at least 1, got 0"),
    "every row held out": (["train", "--holdout", "0,1,2,3"],
                           "nnlab: error: every row is held out: keep at least one row to train on"),
    "held-out row out of range": (["train", "--holdout", "4"], "nnlab: error: held-out row '4': expected a row index"),
    "two gate sources": (["train", "--gate", "xor", "--expr", "a"],
                         "nnlab train: error: argument --expr: not allowed with argument --gate"),
    "unknown flag": (["train", "--speed"], "nnlab train: error: unrecognized arguments: --speed"),
    "unknown recipe": (["train", "--recipe", "xor"], "nnlab: error: unknown recipe 'xor': choose one of"),
    "missing file": (["train", "{tmp}/missing.json"], "nnlab: error: {tmp}/missing.json: no such file"),
    "corrupt file": (["train", "{tmp}/corrupt.json"],
                     "nnlab: error: {tmp}/corrupt.json: not valid JSON (input data was truncated)"),
    "wrong type in file": (["train", "{tmp}/wrong-type.json"],
                           "nnlab: error: {tmp}/wrong-type.json: architecture.layers[0].units: expected int, got str"),
    "weights extension": (["train", "--epochs", "1", "--quiet", "--save-weights", "{tmp}/w.csv"],
                          "nnlab: error: --save-weights: {tmp}/w.csv: weights are saved as .npz or .txt, got '.csv'"),
    "predict without arguments": (["predict"], "nnlab predict: error: the following arguments are required"),
    "predict a missing file": (["predict", "{tmp}/missing.json", "1", "0"],
                               "nnlab: error: {tmp}/missing.json: no such file"),
    "predict an untrained file": (["predict", "{tmp}/untrained.json", "1", "0"],
                                  "nnlab: error: {tmp}/untrained.json: holds no trained weights"),
    "gates takes no arguments": (["gates", "xor"], "nnlab gates: error: unrecognized arguments: xor"),
    "open a missing file": (["open", "{tmp}/missing.json"], "nnlab: error: {tmp}/missing.json: no such file"),
    "fps too high": (["--fps", "100"], "nnlab: error: argument --fps: expected 0.5 to 30 updates a second, got '100'"),
    "fps not a number": (["--fps", "nan"],
                         "nnlab: error: argument --fps: expected 0.5 to 30 updates a second, got 'nan'"),
}


@pytest.mark.parametrize("argv,start", BAD.values(), ids=BAD.keys())
def test_bad_input_is_one_line_and_status_2(cli, files, argv, start):
    """Each bad input exits 2 with one stderr line saying what and where, and prints nothing but maybe the summary."""
    status, out, err = cli(*(a.replace("{tmp}", str(files)) for a in argv))
    assert status == 2
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert err.startswith(start.replace("{tmp}", str(files))), err
    assert "Traceback" not in err
    assert out == "" or out.startswith("Model: ")


@pytest.mark.parametrize("values,message", [
    (["1"], "nnlab: error: expected 2 input values (a b), got 1\n"),
    (["1", "2"], "nnlab: error: input b: expected a number from 0 to 1, got '2'\n"),
    (["1", "nan"], "nnlab: error: input b: expected a number from 0 to 1, got 'nan'\n"),
])
def test_predict_checks_its_inputs(cli, tmp_path, values, message):
    """predict wants one value in [0, 1] per input (or one bit string)."""
    path = tmp_path / "xor.json"
    assert cli("train", "--quiet", "--epochs", "5", "--save", str(path))[0] == 0
    status, out, err = cli("predict", str(path), *values)
    assert (status, out, err) == (2, "", message)


def test_subprocess_bad_input(tmp_path, subprocess_env):
    """``python -m lab train --gate nope`` exits 2 with one stderr line."""
    run = subprocess.run([sys.executable, "-m", "lab", "train", "--gate", "nope"], capture_output=True, text=True,
                         cwd=tmp_path, env=subprocess_env, timeout=60)
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.startswith("nnlab: error: unknown gate 'nope'") and run.stderr.count("\n") == 1


def test_subprocess_json(tmp_path, subprocess_env):
    """``python -m lab train --json`` prints one JSON object, the same as in-process."""
    run = subprocess.run([sys.executable, "-m", "lab", "train", "--json", "--epochs", "50"], capture_output=True,
                         text=True, cwd=tmp_path, env=subprocess_env, timeout=60)
    assert run.returncode == 0 and run.stderr == ""
    result = json.loads(run.stdout)
    assert result["epochs_run"] == 50 and result["status"] == "budget" and len(result["predictions"]) == 4


@pytest.mark.parametrize("value,message", [
    ("fast", "nnlab: error: NNLAB_FPS: expected 0.5 to 30 updates a second, got 'fast'\n"),
    ("0", "nnlab: error: NNLAB_FPS: expected 0.5 to 30 updates a second, got '0'\n"),
])
def test_bad_fps_setting_is_one_line(cli, monkeypatch, value, message):
    """The NNLAB_FPS setting (for slow links) is checked like the flag, before any screen is drawn."""
    monkeypatch.setenv("NNLAB_FPS", value)
    assert cli() == (2, "", message)


def _nnlab(*argv: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lab", *argv], capture_output=True, text=True, cwd=cwd, timeout=120)


@pytest.mark.parametrize("case, argv, status, says", [
    ("an unknown flag", ["train", "--epochz", "3"], 2, "unrecognized arguments"),
    ("a bad value", ["train", "--lr", "-1"], 2, "--lr"),
    ("an unknown gate", ["train", "--gate", "xr"], 2, "unknown gate"),
    ("a missing folder", ["train", "--epochs", "3", "--save", "no-such-folder/x.json"], 1,
     "nnlab: error: --save: no-such-folder/x.json: the folder no-such-folder does not exist"),
    ("a file from a newer nnlab", ["train", "newer.json", "--epochs", "3"], 1, "newer than this nnlab"),
])
def test_usage_errors_exit_2_and_failures_at_run_time_exit_1(tmp_path, case, argv, status, says):
    """As pip and click: 2 when the command line itself is wrong, 1 when a right command fails while running (a
    folder that is not there, a file this nnlab is too old to read, a missing extra: see test_cli_serve). One line
    either way."""
    data = json.loads(dumps(recipe("keras-xor")))
    data["version"] += 1
    (tmp_path / "newer.json").write_text(json.dumps(data))
    done = _nnlab(*argv, cwd=tmp_path)
    assert done.returncode == status, (case, done.returncode, done.stderr)
    assert says in done.stderr and done.stderr.count("\n") == 1 and done.stdout == "", (case, done.stderr)
