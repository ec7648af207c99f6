"""``nnlab train``: Keras-style epoch lines, the ``--json`` contract, and the files it writes."""

from __future__ import annotations

import csv
import json
import os
import re
import stat

import numpy as np
import pytest

from lab.core.gates import PRESETS
from lab.core.recipes import RECIPES, recipe
from lab.core.train import Trainer
from lab.files.experiment_file import read

JSON_KEYS = {"gate", "inputs", "outputs", "epochs_run", "solved_epoch", "final_loss", "train_accuracy",
             "heldout_accuracy", "status", "diverged_epoch", "seconds", "us_per_epoch", "predictions",
             "interrupted"}
LOSS = r"\d+\.\d{4}(?:e[+-]\d\d+)?"  # Keras' form: four decimals, scientific below 0.001
EPOCH_LINE = re.compile(rf"Epoch (\d+)/(\d+) - loss: ({LOSS}) - binary_accuracy: (\d\.\d{{4}})"
                        rf"( - val_loss: {LOSS} - val_binary_accuracy: \d\.\d{{4}})?")


def keras_xor(epochs: int = 1000) -> Trainer:
    """The keras-xor recipe trained in-process, the reference the CLI must match."""
    trainer = Trainer(recipe("keras-xor").with_training(epochs=epochs))
    trainer.run()
    return trainer


def test_json_prints_exactly_one_object(cli):
    """``train --json`` prints one JSON object, on one line, with the documented keys and the run's numbers."""
    status, out, err = cli("train", "--json")
    assert status == 0 and err == ""
    assert out.count("\n") == 1
    result = json.loads(out)
    assert set(result) == JSON_KEYS
    reference = keras_xor()
    assert (result["gate"], result["inputs"], result["outputs"]) == ("xor", 2, 1)
    assert (result["epochs_run"], result["solved_epoch"], result["status"]) == (1000, 70, "budget")
    assert result["final_loss"] == reference.history.loss[-1]
    assert result["train_accuracy"] == 1.0 and result["heldout_accuracy"] is None
    assert result["diverged_epoch"] is None
    assert result["predictions"] == reference.predict().tolist()
    assert result["seconds"] >= 0 and result["us_per_epoch"] > 0


def test_epoch_lines_in_keras_format(cli):
    """The default run prints the summary, Keras-style epoch lines (every 100 and the solved one), rows, a result."""
    status, out, _ = cli("train")
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == 'Model: "keras-xor"'
    epoch_lines = [l for l in lines if l.startswith("Epoch ")]
    assert all(EPOCH_LINE.fullmatch(l) for l in epoch_lines)
    epochs = [int(EPOCH_LINE.fullmatch(l).group(1)) for l in epoch_lines]
    assert epochs == [70, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]
    reference = keras_xor()
    h = reference.history
    assert epoch_lines[0] == f"Epoch 70/1000 - loss: {h.loss[69]:.4f} - binary_accuracy: 1.0000"
    assert epoch_lines[-1] == f"Epoch 1000/1000 - loss: {h.loss[-1]:.4f} - binary_accuracy: {h.accuracy[-1]:.4f}"
    rows = [l.split() for l in lines if re.fullmatch(r"\s*[01]{2}\s+[01]\s+\d\.\d{4}\s+ok", l)]
    assert [r[0] for r in rows] == ["00", "01", "10", "11"]
    assert [float(r[2]) for r in rows] == [round(v, 4) for v in reference.predict()[:, 0]]
    assert lines[-1].startswith("status: budget · solved at epoch 70 · loss ")


def test_every_and_stop_solved(cli):
    """--every N prints every N epochs; --stop solved ends at the solved epoch with its line last."""
    _, out, _ = cli("train", "--every", "25", "--stop", "solved")
    epochs = [int(m.group(1)) for m in map(EPOCH_LINE.fullmatch, out.splitlines()) if m]
    assert epochs == [25, 50, 70]
    assert out.splitlines()[-1].startswith("status: solved · solved at epoch 70")


def test_heldout_rows_get_val_metrics(cli):
    """With --holdout the epoch lines add val_loss and val_binary_accuracy and the JSON has heldout_accuracy."""
    _, out, _ = cli("train", "--recipe", "single-neuron", "--every", "5000")
    epoch_lines = [l for l in out.splitlines() if l.startswith("Epoch ")]
    assert [int(EPOCH_LINE.fullmatch(l).group(1)) for l in epoch_lines] == [3, 5000, 10000, 15000]
    assert all(EPOCH_LINE.fullmatch(l).group(5) for l in epoch_lines)
    assert "   100       1  1.0000  ok  (held out)" in out.splitlines()
    _, out, _ = cli("train", "--gate", "and", "--holdout", "11", "--epochs", "50", "--json")
    result = json.loads(out)
    assert result["heldout_accuracy"] in (0.0, 1.0) and result["gate"] == "and"


def test_quiet_prints_only_the_result_line(cli):
    """--quiet prints the one result line."""
    status, out, _ = cli("train", "--quiet", "--epochs", "10")
    assert status == 0 and out.count("\n") == 1 and out.startswith("status: budget · not solved · loss ")


def test_divergence_is_a_status_not_a_crash(cli):
    """lr 1000 with sgd, two relu layers and a linear output ends as diverged, with exit status 0."""
    args = ("train", "--hidden", "16:relu,16:relu", "--output", "linear", "--optimizer", "sgd", "--lr", "1000")
    status, out, err = cli(*args, "--json")
    result = json.loads(out)
    assert status == 0 and err == ""
    assert result["status"] == "diverged" and result["diverged_epoch"] == result["epochs_run"] + 1
    assert result["final_loss"] is not None
    status, out, _ = cli(*args)
    assert status == 0 and re.search(r"^status: diverged at epoch \d+ \(the loss or a weight became NaN",
                                      out.splitlines()[-1])


@pytest.mark.parametrize("flags,check", [
    (("--gate", "half-adder"), lambda r: r["outputs"] == 2 and len(r["predictions"][0]) == 2),
    (("--expr", "a ^ b ^ c"), lambda r: r["gate"] == "expr" and r["inputs"] == 3),
    (("--table", "0110,0001"), lambda r: r["outputs"] == 2 and r["gate"] == "custom"),
    (("--recipe", "two-layer"), lambda r: r["epochs_run"] == 1000 and r["gate"] == "all-equal3"),
    (("--batch-size", "2", "--seed", "3", "--no-bias", "--init", "he_normal"), lambda r: r["epochs_run"] == 1000),
    (("--loss", "bce", "--optimizer", "momentum", "--lr", "0.1", "--stop", "loss<0.1"),
     lambda r: r["status"] == "loss-reached" and r["final_loss"] < 0.1),
])
def test_gate_and_network_flags(cli, flags, check):
    """Each gate source and network flag reaches the experiment that is trained."""
    status, out, _ = cli("train", "--json", *flags)
    assert status == 0
    assert check(json.loads(out))


def test_log_csv(cli, tmp_path):
    """--log-csv writes a header and one row per epoch."""
    path = tmp_path / "loss.csv"
    assert cli("train", "--quiet", "--epochs", "20", "--log-csv", str(path))[0] == 0
    rows = list(csv.reader(path.open()))
    assert rows[0] == ["epoch", "loss", "accuracy"] and len(rows) == 21
    assert [float(r[1]) for r in rows[1:]] == keras_xor(20).history.loss


def test_save_weights_npz_and_txt(cli, tmp_path):
    """--save-weights writes W1, b1, W2, b2 to .npz, or one text file per layer for .txt."""
    reference = keras_xor(30)
    assert cli("train", "--quiet", "--epochs", "30", "--save-weights", str(tmp_path / "w.npz"))[0] == 0
    with np.load(tmp_path / "w.npz") as data:
        assert all(np.array_equal(data[k], v) for k, v in reference.net.params.items())
    assert cli("train", "--quiet", "--epochs", "30", "--save-weights", str(tmp_path / "w.txt"))[0] == 0
    assert sorted(p.name for p in tmp_path.glob("w_layer*.txt")) == ["w_layer1.txt", "w_layer2.txt"]
    assert np.array_equal(np.loadtxt(tmp_path / "w_layer2.txt", ndmin=2),
                          np.vstack([reference.net.W[1], reference.net.b[1][None, :]]))


def test_save_then_predict(cli, tmp_path):
    """--save writes the trained experiment; ``predict FILE 1 0`` answers with the saved network."""
    path = tmp_path / "xor.json"
    assert cli("train", "--quiet", "--save", str(path))[0] == 0
    _, trainer = read(path)
    expected = float(trainer.predict(np.array([[1.0, 0.0]]))[0, 0])
    status, out, err = cli("predict", str(path), "1", "0")
    assert status == 0 and err == ""
    assert out == f"y = {expected:.4f}  (rounds to 1)\n"
    status, out, _ = cli("predict", str(path), "10", "--json")
    assert json.loads(out) == {"inputs": [1.0, 0.0], "outputs": {"y": expected}}
    status, out, _ = cli("predict", str(path), "0.5", "0.25")
    assert status == 0 and out.startswith("y = ")


def test_saved_run_continues_like_one_run(cli, tmp_path):
    """Training 40 epochs, saving, then training the file to 90 equals 90 epochs in one go (mini-batch too)."""
    path = tmp_path / "run.json"
    for extra in ((), ("--batch-size", "1")):
        assert cli("train", "--quiet", "--epochs", "40", "--save", str(path), *extra)[0] == 0
        _, resumed, _ = cli("train", str(path), "--epochs", "90", "--json")
        _, whole, _ = cli("train", "--epochs", "90", "--json", *extra)
        resumed, whole = json.loads(resumed), json.loads(whole)
        assert resumed["epochs_run"] == whole["epochs_run"] == 90
        assert resumed["predictions"] == whole["predictions"] and resumed["final_loss"] == whole["final_loss"]
    assert cli("train", "--quiet", "--epochs", "40", "--save", str(path))[0] == 0
    _, out, _ = cli("train", str(path), "--epochs", "90", "--quiet")
    assert " · 50 epochs in " in out  # the speed counts only the epochs this run trained


def test_gates_and_recipes_list_every_name(cli):
    """``gates`` lists every preset with its description; ``recipes`` every recipe."""
    status, out, _ = cli("gates")
    assert status == 0
    assert [l.split()[0] for l in out.splitlines()] == list(PRESETS)
    assert all(p.description in out for p in PRESETS.values())
    status, out, _ = cli("recipes")
    assert status == 0
    assert [l.split()[0] for l in out.splitlines() if not l.startswith(" ")] == list(RECIPES)


def test_help_exits_zero(cli):
    """``train --help`` prints the usage and exits 0."""
    status, out, _ = cli("train", "--help")
    assert status == 0 and out.startswith("usage: nnlab train")


# --- output paths checked before training --------------------------------------------------------------------------
@pytest.mark.parametrize("flags,message,expected", [
    (["--log-csv", "{tmp}/missing/x.csv"], "--log-csv: {tmp}/missing/x.csv: the folder {tmp}/missing does not exist",
     1),
    (["--save-weights", "{tmp}/w.bin"], "--save-weights: {tmp}/w.bin: weights are saved as .npz or .txt, got '.bin'",
     2),
    (["--log-csv", "{tmp}"], "--log-csv: {tmp}: is a folder: nnlab writes only to a regular file (or a "
                                  "character device such as /dev/null)", 2),
    (["--export-script", "{tmp}/" + "s" * 300], "--export-script: ", 2),
    (["--log-csv", "{tmp}/ok.json"], "--log-csv: {tmp}/ok.json is also the --save file", 2),
])
def test_every_output_path_is_checked_before_training(cli, tmp_path, flags, message, expected):
    """A bad output path stops the command before it trains (nothing printed, nothing written), in one line: status
    2 for a path that cannot be right, 1 for a folder that is not there (a failure at run time)."""
    argv = ["train", "--epochs", "3000", "--save", f"{tmp_path}/ok.json",
            *[f.format(tmp=tmp_path) for f in flags]]
    status, out, err = cli(*argv)
    assert status == expected and out == ""
    assert err.startswith(f"nnlab: error: {message.format(tmp=tmp_path)}") and err.count("\n") == 1, err
    assert "Traceback" not in err and len(err) < 240
    assert not (tmp_path / "ok.json").exists()


def test_a_named_pipe_as_the_experiment_file_or_a_target_is_refused(cli, tmp_path):
    """Opening a named pipe does not block; writing to one is refused before training, and it stays a pipe."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    status, out, err = cli("train", str(fifo))
    assert status == 2 and err == f"nnlab: error: {fifo}: is a named pipe, not an experiment file\n"
    status, out, err = cli("train", "--save", str(fifo))
    assert status == 2 and out == "" and "is a named pipe: nnlab writes only to a regular file" in err
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_saving_to_a_null_device_keeps_the_device(cli, tmp_path):
    """``--save /dev/null`` (here a twin of it made in a temporary folder) writes to the device: every output may
    go there, and the node stays a character device."""
    twin = tmp_path / "null"
    os.mknod(twin, 0o600 | stat.S_IFCHR, os.makedev(1, 3))
    status, _, err = cli("train", "--epochs", "20", "--quiet", "--save", str(twin), "--log-csv", str(twin),
                         "--export-script", str(twin))
    assert status == 0 and err == ""
    assert stat.S_ISCHR(os.stat(twin).st_mode) and os.listdir(tmp_path) == ["null"]


def test_the_experiment_is_written_first(cli, tmp_path, monkeypatch):
    """When several outputs are asked for and a later one fails while writing, the experiment is already saved."""
    from lab.files import exports

    def failing(path, trainer):
        raise exports.LabError(f"{path}: cannot write (disk full)")

    monkeypatch.setattr("lab.commands.train.write_history_csv", failing)
    status, _, err = cli("train", "--epochs", "20", "--quiet", "--log-csv", f"{tmp_path}/l.csv",
                         "--save", f"{tmp_path}/ok.json")
    assert status == 2 and "disk full" in err
    assert read(tmp_path / "ok.json")[1].epoch == 20


@pytest.mark.parametrize("json_flag", [False, True])
def test_ctrl_c_writes_the_epochs_done_and_exits_130(subprocess_env, tmp_path, json_flag):
    """A real SIGINT (to the process group, as a terminal sends it) part way through a long run: the run stops after
    a whole epoch, ``--save`` and ``--log-csv`` both hold the epochs done (the saved run resumes from there), stderr
    says so in one line, ``--json`` says ``"interrupted": true``, and the status is 130."""
    import signal
    import subprocess
    import sys

    argv = [sys.executable, "-m", "lab", "train", "--epochs", "10000000", "--every", "500",
            "--save", "part.json", "--log-csv", "part.csv", *(["--json"] if json_flag else [])]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
                            env=subprocess_env, start_new_session=True)
    try:
        assert proc.stdout is not None
        if json_flag:  # nothing on stdout until the end: wait until it has spent CPU time training
            import time

            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and _cpu_seconds(proc.pid) < 3:
                time.sleep(0.05)
        else:
            while "Epoch 500/" not in (line := proc.stdout.readline()):  # an epoch line: training is under way
                assert line, "the run ended before its first epoch line"
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130, err
    experiment, trainer = read(tmp_path / "part.json")
    assert trainer is not None and 0 < trainer.epoch < 10_000_000
    with open(tmp_path / "part.csv", newline="") as f:
        rows = list(csv.reader(f))
    assert len(rows) == trainer.epoch + 1  # a header and one row per epoch done
    assert err == f"nnlab: interrupted at epoch {trainer.epoch:,} of 10,000,000: part.json, part.csv hold the epochs " \
                  "done\n"
    if json_flag:
        result = json.loads(out)
        assert result["interrupted"] is True and result["epochs_run"] == trainer.epoch


def _cpu_seconds(pid: int) -> float:
    """The CPU time process ``pid`` has used (Linux ``/proc``), in seconds."""
    fields = open(f"/proc/{pid}/stat").read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
