"""The tutorials, exactly: the two-layer recipe is tutorial 003's network (16 weights, no biases) and its epochs are
the tutorial's epochs, line by line from the same start; the tutorial's own files come out of `nnlab train` and the
lab's export as the tutorial writes them."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from lab.core.errors import LabError
from lab.core.recipes import recipe
from lab.core.train import Trainer
from lab.files.exports import TUTORIAL_FILES, tutorial_files, write_tutorial_files


def tutorial_003(x: np.ndarray, y: np.ndarray, w1: np.ndarray, w2: np.ndarray, epochs: int):
    """The tutorial's loop, written as it is (an independent oracle): sigmoid layers, no biases, the delta rule at
    learning rate 1; the mean of squared errors logged per epoch before the update."""
    sig = lambda z: 1.0 / (1.0 + np.exp(-z))  # noqa: E731
    losses = []
    for _ in range(epochs):
        h = sig(x @ w1)
        o = sig(h @ w2)
        error = y - o
        losses.append(float(np.mean(np.square(error))))
        delta = error * o * (1 - o)
        hidden_delta = delta @ w2.T * h * (1 - h)
        w2 = w2 + h.T @ delta
        w1 = w1 + x.T @ hidden_delta
    return losses, w1, w2


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_two_layer_repeats_the_tutorial_line_by_line(seed):
    """From the same first weights, every epoch's loss and the final weights agree with tutorial 003's loop to
    rounding (1e-12), for 1,000 epochs."""
    experiment = recipe("two-layer").with_training(seed=seed)
    trainer = Trainer(experiment)
    start = trainer.state().params()
    assert set(start) == {"W1", "W2"} and start["W1"].shape == (3, 4) and start["W2"].shape == (4, 1)
    assert trainer.net.theta.size == 16
    table = experiment.table
    losses, w1, w2 = tutorial_003(table.inputs, table.targets, start["W1"], start["W2"], 1000)
    trainer.run()
    ours = tutorial_files(experiment, trainer.state())
    logged = [float(line.split(",")[1]) for line in ours["SumSquaredLossList.csv"].decode().splitlines()]
    np.testing.assert_allclose(logged, losses, rtol=1e-12, atol=1e-15)
    end = trainer.state().params()
    np.testing.assert_allclose(end["W1"], w1, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(end["W2"], w2, rtol=1e-12, atol=1e-12)


def test_tutorial_files_are_the_tutorials_format(tmp_path):
    """No header, ``i,loss`` from 0; the weights read back with np.loadtxt as W1 (3, 4) and W2 (4, 1)."""
    trainer = Trainer(recipe("two-layer").with_training(epochs=5))
    trainer.run()
    written = write_tutorial_files(tmp_path / "out", trainer.experiment, trainer.state())
    assert [p.name for p in written] == list(TUTORIAL_FILES)
    lines = (tmp_path / "out" / "SumSquaredLossList.csv").read_text().splitlines()
    assert [line.split(",")[0] for line in lines] == ["0", "1", "2", "3", "4"]
    assert float(lines[0].split(",")[1]) == pytest.approx(2 * trainer.history.loss[0] / 8)
    assert np.loadtxt(tmp_path / "out" / "weightsLayer1.txt").shape == (3, 4)
    np.testing.assert_array_equal(np.loadtxt(tmp_path / "out" / "weightsLayer2.txt").reshape(4, 1),
                                  trainer.state().params()["W2"])


@pytest.mark.parametrize("change,message", [
    (lambda e: e.with_architecture(bias=True), "without biases"),
    (lambda e: e.with_training(loss="bce"), "train with the sse or mse loss"),
])
def test_other_networks_are_refused_in_one_line(change, message):
    experiment = change(recipe("two-layer"))
    with pytest.raises(LabError, match=message):
        tutorial_files(experiment, Trainer(experiment).state())


def test_nnlab_train_writes_the_tutorial_files(tmp_path):
    """``nnlab train --recipe two-layer --tutorial-files DIR`` leaves the three files; a network with biases is
    refused before training, in one line, exit 2."""
    run = subprocess.run([sys.executable, "-m", "lab", "train", "--recipe", "two-layer", "--quiet",
                          "--tutorial-files", str(tmp_path / "t")], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in (tmp_path / "t").iterdir()) == sorted(TUTORIAL_FILES)
    assert len((tmp_path / "t" / "SumSquaredLossList.csv").read_text().splitlines()) == 1000
    bad = subprocess.run([sys.executable, "-m", "lab", "train", "--gate", "xor", "--hidden", "4:tanh", "--quiet",
                          "--tutorial-files", str(tmp_path / "u")], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "without biases" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "u").exists()
