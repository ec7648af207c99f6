"""A sweep on several processes against the same sweep in one: ``Sweep.merged`` joins finished shares into what the
whole sweep gives (full batch and mini-batch, held-out rows, divergence, shares that stop at different epochs, with
and without history), ``run_sweep`` gets there through worker processes, small sweeps and ``jobs=1`` stay in this
process, and a worker's failure is one line."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading

import numpy as np
import pytest

from lab.core import sweep_jobs
from lab.core.errors import LabError
from lab.core.experiment import Experiment, Layer
from lab.core.gates import preset
from lab.core.recipes import recipe
from lab.core.sweep import Sweep
from lab.core.sweep_jobs import run_sweep, shares, start_method, usable_cpus, worker_count

TOL = dict(rtol=1e-9, atol=1e-9)
EXACT = ("seeds", "epochs_run", "solved_epoch", "diverged_epoch", "active", "last_accuracy",
         "last_heldout_accuracy")
CLOSE = ("last_loss", "last_heldout_loss")
METRICS = ("loss", "accuracy", "heldout_loss", "heldout_accuracy")

pytestmark = pytest.mark.usefixtures("process_deadline")  # every test here may start worker processes


def xor(epochs: int, **training) -> Experiment:
    return recipe("keras-xor").with_training(epochs=epochs, **training)


CASES = {
    "full batch, adam": xor(80),
    "mini-batch 3 with a held-out row (per-member shuffles)": xor(60, batch_size=3, lr=0.01).with_table(
        preset("parity3").with_heldout({5})),
    "sgd lr 0.5, sse, linear out: some members diverge": xor(
        60, loss="sse", optimizer="sgd", lr=0.5, init="normal").with_architecture(
        layers=(Layer(4, "leaky_relu"),), output_activation="linear"),
    "sgd lr 1000, sse, linear out: every member diverges": xor(
        40, optimizer="sgd", lr=1000.0, loss="sse").with_architecture(
        layers=(Layer(4, "leaky_relu"),), output_activation="linear"),
    "stop solved: shares stop at different epochs": xor(400, stop="solved", lr=0.01),
}


def assert_same_sweep(merged: Sweep, whole: Sweep) -> None:
    """Everything a finished sweep shows agrees: discrete results exactly, losses and weights to 1e-9."""
    assert merged.epoch == whole.epoch and merged.size == whole.size and merged.done and merged.step() == 0
    for name in EXACT:
        assert np.array_equal(getattr(merged, name), getattr(whole, name), equal_nan=True), name
    for name in CLOSE:
        np.testing.assert_allclose(getattr(merged, name), getattr(whole, name), **TOL)
    np.testing.assert_allclose(merged.weights(), whole.weights(), **TOL)
    assert [merged.status(k) for k in range(whole.size)] == [whole.status(k) for k in range(whole.size)]
    assert np.array_equal(merged.solved_counts(), whole.solved_counts())
    assert np.array_equal(merged.success_curve(), whole.success_curve())
    assert (merged.solved, merged.diverged, merged.keep_history) == (whole.solved, whole.diverged, whole.keep_history)
    for name in METRICS:
        mine, theirs = merged.history.matrix(name), whole.history.matrix(name)
        assert mine.shape == theirs.shape, name
        assert np.array_equal(np.isnan(mine), np.isnan(theirs)), name  # nan exactly where a member did not train
        np.testing.assert_allclose(mine, theirs, **TOL)


def whole_sweep(experiment: Experiment, seeds: int, keep_history: bool) -> Sweep:
    sweep = Sweep(experiment, seeds, keep_history=keep_history)
    sweep.run()
    return sweep


@pytest.mark.parametrize("keep_history", [True, False], ids=["history", "no history"])
@pytest.mark.parametrize("experiment", CASES.values(), ids=CASES.keys())
def test_merged_shares_are_the_whole_sweep(experiment, keep_history):
    """Three uneven shares trained apart and merged give the whole sweep, history padded with nan included."""
    whole = whole_sweep(experiment, 11, keep_history)
    parts = []
    for share in shares(list(whole.seeds), 3):
        part = Sweep(experiment, share, keep_history=keep_history)
        part.run()
        parts.append(part.arrays())
    assert [len(p.seeds) for p in parts] == [4, 4, 3]
    assert_same_sweep(Sweep.merged(experiment, parts), whole)


def test_only_finished_parts_of_one_kind_merge():
    """A part still training, no parts, or parts that disagree on the history are refused."""
    experiment = xor(20)
    running = Sweep(experiment, 2)
    running.run(epochs=5)
    done = whole_sweep(experiment, [2], False)
    with pytest.raises(ValueError, match="every part must have finished"):
        Sweep.merged(experiment, [running.arrays()])
    with pytest.raises(ValueError, match="at least one part"):
        Sweep.merged(experiment, [])
    with pytest.raises(ValueError, match="either every part keeps its history or none does"):
        Sweep.merged(experiment, [whole_sweep(experiment, [1], True).arrays(), done.arrays()])


def test_the_cases_diverge_and_stop_apart():
    """The diverging case has members that diverge and others that do not; under 'stop solved' the shares end at
    different epochs (so the merge pads), some members before others."""
    some = whole_sweep(CASES["sgd lr 0.5, sse, linear out: some members diverge"], 11, False)
    assert 0 < some.diverged < 11
    assert whole_sweep(CASES["sgd lr 1000, sse, linear out: every member diverges"], 11, False).diverged == 11
    solved = CASES["stop solved: shares stop at different epochs"]
    epochs = set()
    for share in shares(list(range(11)), 3):
        part = Sweep(solved, share, keep_history=False)
        part.run()
        epochs.add(part.epoch)
        assert len(set(part.epochs_run)) > 1
    assert len(epochs) == 3


@pytest.mark.parametrize("experiment,keep_history", [
    (CASES["mini-batch 3 with a held-out row (per-member shuffles)"], True),
    (CASES["stop solved: shares stop at different epochs"], False),
], ids=["mini-batch, held out, history", "stop solved"])
def test_run_sweep_on_worker_processes_is_the_whole_sweep(workers_for_any_sweep, experiment, keep_history):
    """Through two worker processes (this platform's start method) the result is the one-process sweep."""
    assert worker_count(experiment, 9, 2) == 2
    assert_same_sweep(run_sweep(experiment, 9, jobs=2, keep_history=keep_history),
                      whole_sweep(experiment, 9, keep_history))


def test_spawned_workers_give_the_same_sweep(workers_for_any_sweep):
    """The start method used from a threaded program or without a safe fork, ``spawn``, gives the same result."""
    experiment = xor(30)
    assert_same_sweep(run_sweep(experiment, [5, 3, 8], jobs=2, start="spawn"), whole_sweep(experiment, [5, 3, 8],
                                                                                             False))


def test_fork_only_without_other_python_threads():
    """``fork`` on Linux while this is the only Python thread; ``spawn`` while another runs."""
    if not sys.platform.startswith("linux") or threading.active_count() != 1:
        pytest.skip("needs Linux and no other Python thread")
    assert start_method() == "fork"
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert start_method() == "spawn"
    finally:
        release.set()
        other.join()


def test_one_job_or_a_small_sweep_trains_in_this_process(monkeypatch):
    """``jobs=1``, one seed, too few members to share or too little work never starts a worker; otherwise there are
    at most ``jobs`` workers, each with at least ``MIN_SHARE`` member-parameters."""
    def no_workers(*args):
        raise AssertionError("a worker process was started")

    monkeypatch.setattr(sweep_jobs, "_run_in_workers", no_workers)
    monkeypatch.setattr(sweep_jobs, "MIN_SHARE", 6_500)  # 100 members of keras-xor's 65 parameters
    monkeypatch.setattr(sweep_jobs, "MIN_PARALLEL_WORK", 6_500_000)  # 1000 of them for 100 epochs
    big = xor(1000)
    assert worker_count(big, 1000, 1) == 1 and worker_count(big, 1, 2) == 1
    assert worker_count(big, 199, 2) == 1  # a second worker's share would be under 100 members
    assert worker_count(big, 1000, 100) == 10 and worker_count(big, 1000, 4) == 4
    assert worker_count(xor(99), 1000, 4) == 1  # too little work
    assert worker_count(big, 1000) == min(usable_cpus(), 10)
    experiment = xor(50)
    assert_same_sweep(run_sweep(experiment, 6, jobs=1, keep_history=True), whole_sweep(experiment, 6, True))
    assert_same_sweep(run_sweep(experiment, 6, jobs=2), whole_sweep(experiment, 6, False))


def test_shares_are_contiguous_and_even():
    """Shares keep the seeds' order, differ in size by at most one, and are never empty."""
    assert shares([9, 8, 7, 6, 5], 2) == [[9, 8, 7], [6, 5]]
    assert shares([4, 2], 8) == [[4], [2]]


@pytest.mark.parametrize("jobs", [0, -2])
def test_bad_jobs(jobs):
    with pytest.raises(LabError, match=f"jobs: expected at least 1, got {jobs}"):
        run_sweep(xor(10), 2, jobs=jobs)


def test_a_lab_error_in_a_worker_is_the_sweep_s_own_line(workers_for_any_sweep):
    """Every row held out fails inside each worker; the parent raises the one-process sweep's LabError."""
    experiment = xor(20).with_table(preset("xor").with_heldout({0, 1, 2, 3}))
    with pytest.raises(LabError) as alone:
        whole_sweep(experiment, 4, False)
    with pytest.raises(LabError) as workers:
        run_sweep(experiment, 4, jobs=2)
    assert str(workers.value) == str(alone.value) == "every row is held out: keep at least one row to train on"


class _OutOfMemory(Sweep):
    def run(self, *args, **kwargs) -> int:
        raise MemoryError("cannot allocate 8 GiB")


class _Killed(Sweep):
    def run(self, *args, **kwargs) -> int:
        os.kill(os.getpid(), signal.SIGKILL)
        return 0


@pytest.mark.parametrize("sweep_class,message", [
    (_OutOfMemory, "sweep worker 1 of 2 failed: MemoryError: cannot allocate 8 GiB"),
    (_Killed, "sweep worker 1 of 2 ended without a result (its process died: killed, or out of memory)"),
], ids=["an exception", "killed"])
def test_a_failing_worker_is_one_line_and_no_worker_is_left(workers_for_any_sweep, monkeypatch, sweep_class,
                                                            message):
    """A worker that raises something other than a LabError, or dies, is a one-line LabError; the others end."""
    if start_method() != "fork":
        pytest.skip("the failures are planted in this process's memory, which only a forked worker shares")
    monkeypatch.setattr(sweep_jobs, "Sweep", sweep_class)
    with pytest.raises(LabError) as failed:
        run_sweep(xor(20), 4, jobs=2)
    assert str(failed.value) in {message, message.replace("1 of 2", "2 of 2")}
    assert "\n" not in str(failed.value)
    assert not multiprocessing.active_children()  # the pool was shut down and waited for


ORPHAN = """
import multiprocessing, sys, time
from lab.core.sweep_jobs import local_executor
with local_executor(2, start=sys.argv[1]) as (executor, board):
    for done in [executor.submit(time.sleep, 0.01) for _ in range(8)]:
        done.result()
    print(*sorted(child.pid for child in multiprocessing.active_children()), flush=True)
    time.sleep(120)
"""


def _ended(pid: int) -> bool:
    """Whether process ``pid`` has exited (gone, or a zombie nobody reaped yet)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_idle_workers_end_with_a_killed_parent(method, tmp_path):
    """A pool's workers waiting for work end when their parent is killed (SIGKILL: no shutdown runs), instead of
    waiting on the pool's queue for ever: each watches its parent's sentinel."""
    import subprocess
    import time

    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {method} here")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [os.getcwd(), os.environ.get("PYTHONPATH")])))
    parent = subprocess.Popen([sys.executable, "-c", ORPHAN, method], stdout=subprocess.PIPE, text=True, env=env,
                              cwd=tmp_path)
    try:
        workers = [int(pid) for pid in parent.stdout.readline().split()]  # type: ignore[union-attr]
        assert len(workers) == 2 and parent.pid not in workers
    finally:
        parent.kill()
        parent.wait()
    while not all(_ended(pid) for pid in workers):  # the module's process deadline bounds this wait
        time.sleep(0.05)
