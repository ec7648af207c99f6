"""``nnlab sweep``: the text report, the ``--json`` contract, ``--vs``, ``--jobs`` and bad input."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from lab.core.experiment import Layer
from lab.core.gates import preset
from lab.core.recipes import recipe
from lab.core.sweep_jobs import usable_cpus
from lab.core.train import Trainer

CONFIG_KEYS = {"label", "flags", "network", "loss", "optimizer", "lr", "batch_size", "init", "bias", "epochs", "stop",
               "precision",
               "first_seed", "seeds", "solved", "success_rate", "solved_epochs", "median_solved_epoch",
               "p10_solved_epoch", "p90_solved_epoch", "final_loss", "diverged", "network_epochs", "seconds",
               "network_epochs_per_s", "jobs"}
CPUS = usable_cpus()

pytestmark = pytest.mark.usefixtures("process_deadline")  # every test here may start worker processes


def trainers(experiment, seeds) -> list[Trainer]:
    """The single-trainer runs the sweep must reproduce."""
    out = []
    for seed in seeds:
        trainer = Trainer(experiment.with_training(seed=seed))
        trainer.run()
        out.append(trainer)
    return out


def test_json_is_one_object_with_the_contract(cli):
    """``--json`` prints one line, one object; each seed's solved epoch and the final losses are the Trainer's."""
    status, out, err = cli("sweep", "--seeds", "6", "--epochs", "150", "--seed", "10", "--json")
    assert status == 0 and err == "" and out.count("\n") == 1
    result = json.loads(out)
    assert result["gate"] == "xor" and len(result["configurations"]) == 1
    config = result["configurations"][0]
    assert set(config) == CONFIG_KEYS
    assert (config["label"], config["flags"], config["seeds"], config["first_seed"]) == (
        "base", "--epochs 150 --seed 10", 6, 10)
    assert config["network"] == "2 -> 16 relu -> 1 sigmoid"
    reference = trainers(recipe("keras-xor").with_training(epochs=150), range(10, 16))
    assert config["solved_epochs"] == [t.solved_epoch for t in reference]
    solved = [t.solved_epoch for t in reference if t.solved_epoch]
    assert config["solved"] == len(solved) and config["success_rate"] == len(solved) / 6
    assert 0 < len(solved) < 6  # 150 epochs is not enough for every seed: nulls appear
    assert config["median_solved_epoch"] == float(np.median(solved))
    assert config["p10_solved_epoch"] == float(np.percentile(solved, 10))
    losses = [t.history.loss[-1] for t in reference]
    assert config["final_loss"]["min"] == pytest.approx(min(losses), rel=1e-9)
    assert config["final_loss"]["max"] == pytest.approx(max(losses), rel=1e-9)
    assert config["diverged"] == 0 and config["network_epochs"] == 900
    assert config["seconds"] > 0 and config["network_epochs_per_s"] > 0


def test_vs_adds_a_second_configuration_on_the_same_gate(cli):
    """``--vs`` applies its flags over the base's: the second configuration is the base with those changed."""
    status, out, _ = cli("sweep", "--gate", "and", "--seeds", "4", "--epochs", "60", "--lr", "0.01", "--json",
                         "--vs", "--hidden 4:tanh --optimizer momentum --lr 0.1")
    assert status == 0
    result = json.loads(out)
    assert result["gate"] == "and"
    base, vs = result["configurations"]
    assert (base["label"], vs["label"]) == ("base", "vs")
    assert base["flags"] == "--lr 0.01 --epochs 60"
    assert vs["flags"] == "--hidden 4:tanh --optimizer momentum --lr 0.1 --epochs 60"
    assert vs["network"] == "2 -> 4 tanh -> 1 sigmoid" and vs["optimizer"] == "momentum" and vs["epochs"] == 60
    experiment = recipe("keras-xor").with_table(preset("and")).with_architecture(layers=(Layer(4, "tanh"),))
    experiment = experiment.with_training(optimizer="momentum", lr=0.1, epochs=60)
    assert vs["solved_epochs"] == [t.solved_epoch for t in trainers(experiment, range(4))]


def test_vs_takes_a_lone_flag(cli):
    """``--vs --no-bias`` (a value that looks like a flag) is the second configuration, not an argparse error."""
    status, out, _ = cli("sweep", "--seeds", "2", "--epochs", "5", "--json", "--vs", "--no-bias")
    assert status == 0
    base, vs = json.loads(out)["configurations"]
    assert (base["bias"], vs["bias"], vs["flags"]) == (True, False, "--no-bias --epochs 5")


def test_text_report_has_rates_percentiles_and_a_plain_histogram(cli):
    """The report gives the success rate, percentiles, loss spread, '#' bars with counts, and no colour codes."""
    status, out, _ = cli("sweep", "--seeds", "20", "--epochs", "150", "--vs", "--hidden 16:relu,16:relu")
    assert status == 0
    assert "\x1b" not in out
    lines = out.splitlines()
    assert lines[0] == "sweep: xor · 20 seeds per configuration"
    assert sum(l.startswith("base: 2 -> 16 relu -> 1 sigmoid") for l in lines) == 1
    assert sum(l.startswith("vs: 2 -> 16 relu -> 16 relu -> 1 sigmoid") for l in lines) == 1
    solved = re.compile(r"  solved +\d+/20 \(\d+\.\d%\) within 150 epochs · 0 diverged")
    assert len([l for l in lines if solved.fullmatch(l)]) == 2
    assert len([l for l in lines if re.match(r"  epochs to solve +median [\d.]+ · 10th percentile [\d.]+ · "
                                             r"90th percentile [\d.]+$", l)]) == 2
    assert len([l for l in lines if l.startswith("  final loss       min ")]) == 2
    bars = [l for l in lines if re.fullmatch(r" +(\d+-\d+|not solved) \| #* +\d+", l)]
    per_config = len(bars) // 2
    assert per_config >= 3 and len(bars) == 2 * per_config
    counts = [int(l.split()[-1]) for l in bars]
    assert sum(counts[:per_config]) == 20 and sum(counts[per_config:]) == 20
    assert bars[:per_config][0].split("|")[0].strip() == bars[per_config:][0].split("|")[0].strip()  # shared bins
    assert re.search(r"20 networks, [\d,]+ network-epochs in \d+\.\d{3} s \([\d.]+k? network-epochs/s\)", out)


def test_jobs_change_only_the_speed(cli, workers_for_any_sweep):
    """``--jobs 1`` trains in this process, ``--jobs 2`` on two worker processes (for any sweep, in this test): the
    same report but for the time, the speed and ``jobs``."""
    if CPUS < 2:
        pytest.skip("needs two usable CPUs")
    runs = {}
    for jobs in ("1", "2"):
        status, out, err = cli("sweep", "--seeds", "7", "--epochs", "120", "--stop", "solved", "--batch-size", "2",
                               "--jobs", jobs, "--json")
        assert status == 0 and err == ""
        runs[jobs] = json.loads(out)["configurations"][0]
    assert (runs["1"]["jobs"], runs["2"]["jobs"]) == (1, 2)
    timing = {"seconds", "network_epochs_per_s", "jobs", "final_loss"}
    assert {k: v for k, v in runs["1"].items() if k not in timing} == {
        k: v for k, v in runs["2"].items() if k not in timing}
    for key in ("min", "median", "max"):
        assert runs["2"]["final_loss"][key] == pytest.approx(runs["1"]["final_loss"][key], rel=1e-9)


def test_jobs_default_to_every_usable_cpu_for_a_large_sweep(cli):
    """Without ``--jobs`` a large enough sweep runs on every usable CPU; a small one in this process."""
    status, out, _ = cli("sweep", "--seeds", str(200 * CPUS), "--epochs", "400", "--json", "--vs", "--epochs 10")
    assert status == 0
    large, small = json.loads(out)["configurations"]
    assert (large["jobs"], small["jobs"]) == (CPUS, 1)


def test_a_worker_s_lab_error_is_the_usual_line(cli, workers_for_any_sweep):
    """Every row held out fails inside the workers and is reported exactly as a one-process sweep reports it."""
    status, out, err = cli("sweep", "--holdout", "0,1,2,3", "--seeds", "4", "--epochs", "5", "--jobs", str(CPUS))
    assert (status, out) == (2, "")
    assert err == "nnlab: error: every row is held out: keep at least one row to train on\n"


def _children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        return [int(c) for c in f.read().split()]


@pytest.mark.skipif(not sys.platform.startswith("linux") or CPUS < 2, reason="needs Linux's /proc and two CPUs")
def test_ctrl_c_ends_the_workers_and_returns_to_the_shell(subprocess_env):
    """Ctrl-C (SIGINT to the foreground process group, as a terminal sends it) during a parallel sweep: the command
    reports the configurations done (none) and exits 130, and its worker processes are gone."""
    proc = subprocess.Popen([sys.executable, "-m", "lab", "sweep", "--seeds", "4000", "--epochs", "100000"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=subprocess_env,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while len(workers := _children(proc.pid)) < 2:
            assert proc.poll() is None and time.monotonic() < deadline, "the workers never started"
            time.sleep(0.02)
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert (proc.returncode, out, err) == (
        130, "sweep: xor · 4,000 seeds per configuration\ninterrupted: 0 of 1 configurations done\n", "")
    assert not [pid for pid in workers if os.path.exists(f"/proc/{pid}")]


BAD = {
    "no seeds": (["--seeds", "0"], "nnlab: error: --seeds: expected 1 to 100,000, got 0"),
    "too many seeds": (["--seeds", "100001"], "nnlab: error: --seeds: expected 1 to 100,000, got 100001"),
    "seeds not a number": (["--seeds", "many"], "nnlab sweep: error: argument --seeds: invalid int value: 'many'"),
    "past the largest seed": (["--seed", "4294967295", "--seeds", "2"],
                              "nnlab: error: --seeds: 2 seeds from 4294967295 would pass the largest seed"),
    "bad base flag": (["--lr", "0"], "nnlab: error: --lr: the learning rate must be above 0"),
    "vs unknown flag": (["--vs", "--gate and"], "nnlab: error: --vs: unrecognized arguments: --gate and"),
    "vs bad value": (["--vs", "--hidden 4:swish"], "nnlab: error: --vs: hidden layer 1.activation: unknown 'swish'"),
    "vs not a number": (["--vs", "--lr fast"], "nnlab: error: --vs: argument --lr: invalid float value: 'fast'"),
    "vs unbalanced quote": (["--vs", "--hidden '4:tanh"], "nnlab: error: --vs: No closing quotation"),
    "no jobs": (["--jobs", "0"], f"nnlab sweep: error: argument --jobs: expected 1 to {CPUS} processes, got '0'"),
    "more jobs than CPUs": (["--jobs", str(CPUS + 1)],
                            f"nnlab sweep: error: argument --jobs: expected 1 to {CPUS} processes, got '{CPUS + 1}'"),
    "jobs not whole": (["--jobs", "1.5"], f"nnlab sweep: error: argument --jobs: expected 1 to {CPUS} processes, "
                                          "got '1.5'"),
    "every row held out": (["--holdout", "0,1,2,3"],
                           "nnlab: error: every row is held out: keep at least one row to train on"),
}


@pytest.mark.parametrize("argv,start", BAD.values(), ids=BAD.keys())
def test_bad_input_is_one_line_and_status_2(cli, argv, start):
    """Bad input exits 2 with one line on stderr and nothing on stdout."""
    status, out, err = cli("sweep", "--epochs", "5", *argv)
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith(start), err


def test_a_sweep_that_will_not_fit_in_memory_is_refused(subprocess_env, tmp_path):
    """100,000 seeds of a 64x6 network would need about 125 GiB: refused at once, in one line giving the figure
    (run under an address-space cap, so a build without the guard fails instead of exhausting the machine)."""
    from tests.fuzz.limits import run_limited

    hidden = ",".join(["64:relu"] * 6)
    done = run_limited(f"""
        import contextlib, io
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            status = main(["sweep", "--hidden", "{hidden}", "--seeds", "100000"])
        raise SystemExit(f"{{status}} {{err.getvalue()}}")
        """, imports="from lab.cli import main", memory=2 << 30)
    memory = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2**30
    assert done.outcome == ("SystemExit: 2 nnlab: error: --seeds: 100,000 seeds of this 21,057-parameter network "
                            f"need about 125.5 GiB, more than the {memory:,.1f} GiB of memory here: "
                            "use fewer seeds or a smaller network\n"), done.outcome


def test_the_memory_guard_uses_the_apps_estimate():
    """The CLI's guard and the seeds view's share one estimate, ``sweep_bytes``; a sweep within the limit passes."""
    from lab.core.errors import LabError
    from lab.core.sweep import sweep_bytes
    from lab.core.sweep_jobs import check_memory

    experiment = recipe("keras-xor")
    need = sweep_bytes(experiment.shape, 4, 1000)
    assert check_memory(experiment, 1000, limit=need) == need
    with pytest.raises(LabError, match=r"^1,000 seeds of this 65-parameter network need about 0\.0 GiB"):
        check_memory(experiment, 1000, limit=need - 1)


def test_ctrl_c_writes_the_configurations_done_as_json(subprocess_env):
    """A real SIGINT while the second configuration trains (its progress line, on a terminal, says so): ``--json``
    still prints one object, with the first configuration's numbers and ``"interrupted": true``, and exits 130."""
    import pty
    import select

    master, child = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "lab", "sweep", "--seeds", "8", "--epochs", "50", "--json",
                             "--vs", "--epochs 10000000"], stdout=subprocess.PIPE, stderr=child, text=True,
                            env=subprocess_env, start_new_session=True)
    os.close(child)
    seen = b""
    try:
        deadline = time.monotonic() + 60
        while b"/10,000,000" not in seen and time.monotonic() < deadline:  # the second configuration's progress
            if select.select([master], [], [], 0.2)[0]:
                seen += os.read(master, 4096)
        os.killpg(proc.pid, signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        os.close(master)
    assert proc.returncode == 130, seen[-500:]
    result = json.loads(out)
    assert result["interrupted"] is True and [c["label"] for c in result["configurations"]] == ["base"]
    assert result["configurations"][0]["seeds"] == 8 and result["configurations"][0]["epochs"] == 50
