"""Exports: the standalone script reproduces the trainer's outputs exactly, the loss CSV, and the weight files."""

from __future__ import annotations

import csv
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest

from lab.core.errors import LabError
from lab.core.experiment import Layer
from lab.core.gates import preset
from lab.core.recipes import recipe
from lab.core.train import Trainer
from lab.files.exports import history_csv, write_history_csv, write_script, write_weights


def trained(experiment, epochs: int = 40) -> Trainer:
    """A trainer after ``epochs`` epochs of ``experiment``."""
    trainer = Trainer(experiment)
    trainer.run(epochs=epochs)
    return trainer


CASES = {
    "keras-xor": recipe("keras-xor"),
    "full-adder, two outputs, tanh and leaky_relu": recipe("keras-xor").with_table(preset("full-adder"))
    .with_architecture(layers=(Layer(5, "tanh"), Layer(3, "leaky_relu"))),
    "no bias, linear output": recipe("two-layer").with_architecture(bias=False, output_activation="linear"),
    "single neuron, a hostile name": replace(recipe("single-neuron"), name='quote """ and C:\\New\\'),
}


@pytest.mark.parametrize("experiment", CASES.values(), ids=CASES.keys())
def test_standalone_script_prints_the_trainers_outputs(tmp_path, experiment):
    """The exported script, run on its own, prints every row's bits and exactly the outputs of trainer.predict()."""
    trainer = trained(experiment)
    script = tmp_path / "net.py"
    write_script(script, trainer.experiment, trainer.state())
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    table = experiment.table
    assert len(lines) == table.n_rows
    expected = trainer.predict()
    for r, line in enumerate(lines):
        bits, outputs = line.split(" -> ")
        assert bits.split() == list(table.row_label(r))
        assert [float(v) for v in outputs.split()] == expected[r].tolist()


def test_history_csv_has_a_header_and_a_row_per_epoch(tmp_path):
    """The CSV starts with epoch,loss,accuracy and holds one row per epoch with the exact history values."""
    trainer = trained(recipe("keras-xor"), 25)
    path = tmp_path / "loss.csv"
    write_history_csv(path, trainer.state().history)
    rows = list(csv.reader(path.open()))
    assert rows[0] == ["epoch", "loss", "accuracy"]
    assert len(rows) == 26
    assert [int(r[0]) for r in rows[1:]] == list(range(1, 26))
    assert [float(r[1]) for r in rows[1:]] == trainer.history.loss
    assert [float(r[2]) for r in rows[1:]] == trainer.history.accuracy


def test_history_csv_adds_heldout_columns():
    """With held-out rows the CSV has heldout_loss and heldout_accuracy columns too."""
    trainer = trained(recipe("single-neuron"), 5)
    rows = history_csv(trainer.state().history).splitlines()
    assert rows[0] == "epoch,loss,accuracy,heldout_loss,heldout_accuracy"
    assert len(rows) == 6 and float(rows[1].split(",")[3]) == trainer.history.heldout_loss[0]


def test_history_csv_after_holding_a_row_out_mid_run():
    """Holding a row out mid-run gives nan held-out cells for the epochs before, not an error."""
    trainer = trained(recipe("keras-xor"), 2)
    trainer.set_table(trainer.experiment.table.toggle_heldout(0))
    trainer.run(epochs=2)
    rows = [r.split(",") for r in history_csv(trainer.state().history).splitlines()[1:]]
    assert [r[3] for r in rows[:2]] == ["nan", "nan"] and rows[2][3] != "nan"


def test_npz_holds_every_parameter(tmp_path):
    """The .npz file holds W1, b1, W2, b2 with the trained values."""
    trainer = trained(recipe("keras-xor"))
    path = tmp_path / "w.npz"
    assert write_weights(path, trainer.state()) == [path]
    with np.load(path) as data:
        assert sorted(data.files) == ["W1", "W2", "b1", "b2"]
        for name, view in trainer.net.params.items():
            assert np.array_equal(data[name], view)


@pytest.mark.parametrize("bias", [True, False])
def test_txt_writes_one_file_per_layer(tmp_path, bias):
    """The .txt form writes NAME_layerN.txt per layer: W's rows and, with a bias, the bias as a last row."""
    trainer = trained(recipe("two-layer").with_architecture(bias=bias))
    written = write_weights(tmp_path / "weights.txt", trainer.state())
    assert written == [tmp_path / "weights_layer1.txt", tmp_path / "weights_layer2.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["weights_layer1.txt", "weights_layer2.txt"]
    for l, path in enumerate(written):
        values = np.loadtxt(path, ndmin=2)
        w = trainer.net.W[l]
        expected = np.vstack([w, trainer.net.b[l][None, :]]) if bias else w
        assert np.array_equal(values, expected)
        assert path.read_text().startswith(f"# layer {l + 1}: W ({w.shape[0]}x{w.shape[1]})")


def test_weights_need_a_known_extension(tmp_path):
    """Any other extension is a LabError naming it."""
    with pytest.raises(LabError, match=r"weights are saved as \.npz or \.txt, got '\.csv'$"):
        write_weights(tmp_path / "w.csv", trained(recipe("keras-xor"), 1).state())
    with pytest.raises(LabError, match="got 'no extension'$"):
        write_weights(tmp_path / "w", trained(recipe("keras-xor"), 1).state())
