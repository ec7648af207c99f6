"""``nnlab tune`` on a Dask cluster: a real ``distributed.LocalCluster`` (worker processes) gives the local run's
JSON; a worker without nnlab, a scheduler that goes away and workers that all die are each one line, with the
configurations done so far kept, and nothing hangs (every wait is bounded). Skipped, saying so, without Dask."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from lab.core import tune_cluster
from lab.core.errors import LabError
from lab.core.recipes import recipe
from lab.core.tune import Plan, search
from lab.core.tune_space import SearchSpace

distributed = pytest.importorskip("distributed", reason="Dask distributed is not installed (the [cluster] extra)")

pytestmark = pytest.mark.usefixtures("process_deadline")  # every test here starts worker processes
TUNE = ["tune", "--gate", "xor", "--units", "2,8", "--lr", "0.01,0.1", "--seeds", "6", "--epochs", "80", "--json"]
WITHOUT_NNLAB = '''
import importlib.abc, sys

class NoLab(importlib.abc.MetaPathFinder):
    """A worker machine where nnlab is not installed."""

    def find_spec(self, name, path, target=None):
        if name == "lab" or name.startswith("lab."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

for name in [n for n in sys.modules if n == "lab" or n.startswith("lab.")]:
    del sys.modules[name]
sys.meta_path.insert(0, NoLab())
'''


def tune(*argv: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lab", *argv], capture_output=True, text=True, timeout=120,
                          env=env)


def without_seconds(report: dict) -> dict:
    """A ``--json`` report less its timings, the only figures a cluster may change."""
    report = dict(report, seconds=None)
    for c in [*report["configurations"], report["best"]]:
        c["seconds"] = None
    return report


def test_the_cluster_run_s_json_is_the_local_run_s(subprocess_env):
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as c:
        local = tune(*TUNE, env=subprocess_env)
        remote = tune(*TUNE, "--cluster", c.scheduler_address, env=subprocess_env)
        from_env = tune(*TUNE, env=subprocess_env | {"NNLAB_CLUSTER": c.scheduler_address})
    assert local.returncode == remote.returncode == from_env.returncode == 0, remote.stderr
    assert remote.stderr == ""
    reports = [without_seconds(json.loads(done.stdout)) for done in (local, remote, from_env)]
    assert reports[0] == reports[1] == reports[2]
    assert len(reports[0]["configurations"]) == 4


def test_no_scheduler_at_the_address_is_one_line(cli, monkeypatch):
    monkeypatch.setattr(tune_cluster, "CONNECT_SECONDS", 1.0)  # nothing listens there: no need to wait 10 s
    status, out, err = cli(*TUNE, "--cluster", "tcp://127.0.0.1:9")
    assert status == 2 and out == "" and err.startswith("nnlab: error: --cluster: cannot reach a Dask scheduler")
    assert err.count("\n") == 1


@pytest.fixture
def dask_processes(tmp_path, subprocess_env):
    """Start a Dask scheduler and workers as on real machines (``dask scheduler``, ``dask worker``), each its own
    process: ``start(workers, *worker_flags)`` gives ``(address, scheduler process, worker processes)``; all are
    ended afterwards."""
    started: list[subprocess.Popen] = []

    def start(workers: int, *flags: str) -> tuple[str, subprocess.Popen, list[subprocess.Popen]]:
        file = tmp_path / "scheduler.json"
        started.append(subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--port", "0",
                                         "--no-dashboard", "--scheduler-file", str(file)],
                                        stderr=subprocess.DEVNULL, env=subprocess_env))
        deadline = time.monotonic() + 60
        while not file.exists() or not file.read_text():
            assert time.monotonic() < deadline, "the scheduler did not start within 60 s"
            time.sleep(0.05)
        address = json.loads(file.read_text())["address"]
        started.extend(subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address, "--no-nanny",
                                         "--nthreads", "1", "--no-dashboard", *flags], stderr=subprocess.DEVNULL,
                                        env=subprocess_env) for _ in range(workers))
        return address, started[0], started[1:]

    yield start
    for process in started:
        process.kill()
        process.wait(timeout=30)


def test_a_worker_without_nnlab_is_one_line_with_the_fix(dask_processes, subprocess_env, tmp_path):
    preload = tmp_path / "no_lab.py"
    preload.write_text(WITHOUT_NNLAB)
    address, _, _ = dask_processes(1, "--preload", str(preload))
    done = tune(*TUNE, "--cluster", address, env=subprocess_env)
    assert done.returncode == 2 and done.stdout == ""
    line = done.stderr.strip()
    assert "\n" not in line and "No module named 'lab'" in line and "install neural-gate-lab" in line


# Twelve configurations of 3,000 epochs: long enough that most are still to do when the first result comes.
SLOW = SearchSpace(recipe("keras-xor").with_training(epochs=3000), {"units": (2, 4, 8, 16, 32, 64),
                                                                   "lr": (0.01, 0.1)})


@pytest.mark.parametrize("gone", ["scheduler", "workers"])
def test_a_cluster_that_goes_away_is_one_line_and_keeps_what_is_done(dask_processes, gone, monkeypatch):
    address, scheduler_process, workers = dask_processes(2)
    monkeypatch.setattr(tune_cluster, "NO_WORKERS_SECONDS", 1.0)
    heard = []

    def first_then_gone(result, done, total):
        heard.append(result)
        if len(heard) == 1:
            for process in [scheduler_process] if gone == "scheduler" else workers:
                process.kill()

    with pytest.raises(LabError) as failed, tune_cluster.cluster_executor(address) as cluster:
        search(Plan(SLOW, seeds=50), first_then_gone, jobs=2, executor=cluster.executor, alive=cluster.alive)
    message = tune_cluster.explain(str(failed.value), address)
    assert "\n" not in message
    assert ("went away" if gone == "scheduler" else f"no Dask worker at {address}") in message
    assert 1 <= len(failed.value.results) < 12 and failed.value.results[0] in heard


def test_a_worker_that_dies_mid_search_leaves_the_numbers_as_they_were(dask_processes):
    """One of two workers killed after the first result: Dask gives its task to the other, the search ends, and its
    numbers are the local search's."""
    address, _, workers = dask_processes(2)
    space = SearchSpace(recipe("keras-xor").with_training(epochs=1500), {"units": (2, 4, 8, 16), "lr": (0.01, 0.1)})
    heard = []

    def first_then_one_dies(result, done, total):
        heard.append(result)
        if len(heard) == 1:
            workers[0].kill()

    with tune_cluster.cluster_executor(address) as cluster:
        remote = search(Plan(space, seeds=20), first_then_one_dies, jobs=2, executor=cluster.executor,
                        alive=cluster.alive)
    local = search(Plan(space, seeds=20), jobs=1)
    assert [(r.label, r.stats.solved, r.stats.median_solved_epoch, r.stats.final_loss) for r in remote] == \
        [(r.label, r.stats.solved, r.stats.median_solved_epoch, r.stats.final_loss) for r in local]
