"""The experiment file: round trips, exact resumption, one-line errors naming the field, atomic writes."""

from __future__ import annotations

import base64
import errno
import json
import math
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lab.core.activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from lab.core.errors import LabError
from lab.core.experiment import Architecture, Experiment, Layer, Training
from lab.core.gates import TruthTable, preset
from lab.core.init import INITIALISERS
from lab.core.losses import LOSSES
from lab.core.optim import OPTIMIZERS
from lab.core.recipes import recipe
from lab.core.train import Trainer
from lab.files import experiment_file as ef
from lab.files.exports import history_csv

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def printable_names(max_size: int) -> st.SearchStrategy[str]:
    """Names a file can hold: printable text (a name with a control or bidirectional character is refused at save,
    tests/fuzz/test_hostile_files.py)."""
    return st.text(st.characters(exclude_categories=("Cs",)).filter(str.isprintable), max_size=max_size)


@st.composite
def experiments(draw) -> Experiment:
    """Small random experiments: 1-3 inputs, 1-2 outputs, up to two hidden layers of up to 4 units."""
    n_inputs = draw(st.integers(1, 3))
    n_rows = 2**n_inputs
    n_outputs = draw(st.integers(1, 2))
    columns = tuple(draw(st.text("01", min_size=n_rows, max_size=n_rows)) for _ in range(n_outputs))
    heldout = draw(st.frozensets(st.integers(0, n_rows - 1), max_size=n_rows - 1))
    names = draw(st.one_of(st.just(()), st.lists(printable_names(4), min_size=n_outputs, max_size=n_outputs)))
    table = TruthTable(n_inputs, columns, heldout, draw(st.sampled_from(["custom", "xor", "my gate"])), tuple(names))
    layers = draw(st.lists(st.builds(Layer, st.integers(1, 4), st.sampled_from(HIDDEN_ACTIVATIONS)), max_size=2))
    architecture = Architecture(tuple(layers), draw(st.sampled_from(OUTPUT_ACTIVATIONS)), draw(st.booleans()))
    training = Training(
        loss=draw(st.sampled_from(list(LOSSES))), optimizer=draw(st.sampled_from(list(OPTIMIZERS))),
        lr=draw(st.floats(1e-4, 1.0)), batch_size=draw(st.integers(0, 3)),
        init=draw(st.sampled_from(list(INITIALISERS))),
        seed=draw(st.integers(0, 2**32 - 1)), epochs=draw(st.integers(1, 50)),
        stop=draw(st.sampled_from(["budget", "solved", "loss<0.05"])))
    return Experiment(table, architecture, training, draw(printable_names(12)))


def same_trainer(a: Trainer, b: Trainer) -> None:
    """Assert that two trainers hold the same state, number for number."""
    assert np.array_equal(a.net.theta, b.net.theta)
    assert a.history == b.history
    assert (a.epoch, a.lr, a.solved_epoch, a.diverged_epoch) == (b.epoch, b.lr, b.solved_epoch, b.diverged_epoch)
    assert a.status == b.status
    sa, sb = a.optimizer.state(), b.optimizer.state()
    assert sa.keys() == sb.keys() and all(np.array_equal(sa[k], sb[k]) for k in sa)
    assert a.state().shuffle == b.state().shuffle


# --- round trips -----------------------------------------------------------------------------------------------------
@SETTINGS
@given(experiments())
def test_experiment_round_trip(experiment):
    """An experiment without a trained state reads back equal, with no trainer."""
    again, trainer = ef.loads(ef.dumps(experiment))
    assert again == experiment and trainer is None


@SETTINGS
@given(experiments(), st.integers(0, 6), st.integers(1, 4))
def test_trained_round_trip(experiment, epochs, more):
    """A trained experiment reads back with the same state, and both continue with the very same numbers."""
    trainer = Trainer(experiment)
    trainer.run(epochs=epochs)
    again, restored = ef.loads(ef.dumps(experiment, trainer.state()))
    assert again == experiment
    same_trainer(trainer, restored)
    trainer.run(epochs=more)  # a diverged run stays diverged in both
    restored.run(epochs=more)
    same_trainer(trainer, restored)


def test_file_is_versioned_indented_json():
    """The file is indented JSON with the format name and version first."""
    text = ef.dumps(recipe("keras-xor")).decode()
    data = json.loads(text)
    assert list(data)[:2] == ["format", "version"] and data["format"] == "nnlab-experiment" and data["version"] == 2
    assert data["table"] == {"inputs": 2, "outputs": ["0110"], "heldout": [], "name": "xor", "output_names": ["y"]}
    assert text.endswith("\n") and "\n  " in text


@pytest.mark.parametrize("optimizer", ["adam", "momentum", "sgd"])
@pytest.mark.parametrize("batch_size", [0, 3])
def test_resume_equals_one_run(tmp_path, optimizer, batch_size):
    """N epochs, saved and read back, then M more, give exactly the numbers of N + M epochs in one go."""
    experiment = recipe("keras-xor").with_table(preset("full-adder").with_heldout({5})).with_training(
        optimizer=optimizer, batch_size=batch_size, lr=0.01, epochs=70, seed=4)
    first = Trainer(experiment)
    first.run(epochs=30)
    ef.write(tmp_path / "run.json", experiment, first.state())
    _, resumed = ef.read(tmp_path / "run.json")
    resumed.run()
    whole = Trainer(experiment)
    whole.run()
    assert whole.epoch == resumed.epoch == 70
    same_trainer(whole, resumed)


def listed(data: dict) -> dict:
    """A saved file's JSON object with each packed history series spelled as a list (version 1's form, null for
    nan), which a reader takes too."""
    history = data.get("state", {}).get("history", {})
    for key, value in history.items():
        if isinstance(value, str):
            values = np.frombuffer(base64.b64decode(value), dtype="<f8").tolist()
            history[key] = [None if math.isnan(v) else v for v in values]
    return data


def test_nan_heldout_values_survive_a_round_trip():
    """Epochs without held-out rows (nan in the history) are packed as nan, or listed as null, and read back as
    nan."""
    trainer = Trainer(recipe("keras-xor"))
    trainer.run(epochs=2)
    trainer.set_table(trainer.experiment.table.toggle_heldout(3))
    trainer.run(epochs=2)
    data = json.loads(ef.dumps(trainer.experiment, trainer.state()))
    packed = np.frombuffer(base64.b64decode(data["state"]["history"]["heldout_loss"]), dtype="<f8")
    assert np.isnan(packed[:2]).all() and np.isfinite(packed[2:]).all()
    for form in (data, listed(dict(data, version=1))):
        _, restored = ef.loads(json.dumps(form))
        assert [math.isnan(v) for v in restored.history.heldout_loss] == [True, True, False, False]
        assert restored.history.loss == trainer.history.loss


def test_history_is_packed_float64_and_version_1_lists_still_load():
    """Each series is the base64 of its float64 bytes (exact, about 10.7 bytes a value); the same run written
    as a version 1 file (JSON lists) reads back to the same trainer."""
    trainer = Trainer(recipe("keras-xor"))
    trainer.run(epochs=300)
    data = json.loads(ef.dumps(trainer.experiment, trainer.state()))
    loss = data["state"]["history"]["loss"]
    assert isinstance(loss, str) and len(loss) == 4 * math.ceil(300 * 8 / 3)
    assert np.frombuffer(base64.b64decode(loss), dtype="<f8").tolist() == trainer.history.loss
    old = listed(dict(data, version=1))
    assert isinstance(old["state"]["history"]["loss"], list)
    _, restored = ef.loads(json.dumps(old))
    same_trainer(trainer, restored)


def test_a_training_field_left_out_takes_the_engines_default():
    """A hand-written file may leave training settings out: each takes ``Training``'s own default."""
    data = json.loads(ef.dumps(recipe("keras-xor")))
    data["training"] = {}
    experiment, _ = ef.loads(json.dumps(data))
    assert experiment.training == Training()


# --- errors ----------------------------------------------------------------------------------------------------------
def saved() -> dict:
    """A trained mini-batch experiment with a held-out row, as the JSON object of its file."""
    experiment = recipe("keras-xor-deeper").with_table(preset("xor").with_heldout({3})).with_training(batch_size=2)
    trainer = Trainer(experiment)
    trainer.run(epochs=5)
    return listed(json.loads(ef.dumps(experiment, trainer.state())))


def edit(change) -> bytes:
    """The saved file after ``change(data)``."""
    data = saved()
    change(data)
    return json.dumps(data).encode()


@pytest.mark.parametrize("change,message", [
    (lambda d: d["architecture"]["layers"][1].update(units="8"),
     "architecture.layers[1].units: expected int, got str"),
    (lambda d: d["training"].update(speed=2), "training.speed: unknown field"),
    (lambda d: d.update(extra=1), "extra: unknown field"),
    (lambda d: d.update(version=3),
     "version: the file is format version 3, newer than this nnlab reads (2); upgrade nnlab to open it"),
    (lambda d: d.update(version=0), "version: expected 1 to 2, got 0"),
    (lambda d: d.update(format="keras"),
     'format: expected "nnlab-experiment", got "keras": this is not an nnlab experiment'),
    (lambda d: d.pop("table"), "object missing required field table"),
    (lambda d: d["table"].update(outputs=["011"]), "table: output 1: expected 4 bits (one per row), got 3"),
    (lambda d: d["architecture"]["layers"][0].update(units=0),
     "architecture.layers[0].units: a layer has 1 to 64 neurons, got 0"),
    (lambda d: d["training"].update(lr=-0.5), "training.lr: the learning rate must be above 0 and at most 1e+06, "
                                              "got -0.5"),
    (lambda d: d["state"]["weights"]["W1"][0].pop(), "state.weights.W1: rows of different lengths"),
    (lambda d: d["state"]["weights"].pop("b3"), "state.weights: missing b3 for a network of sizes (2, 16, 16, 1)"),
    (lambda d: d["state"]["weights"].update(W9=[[1.0]]),
     "state.weights.W9: not a parameter of a network of sizes (2, 16, 16, 1)"),
    (lambda d: d["state"]["optimizer"].update(m=[0.0]), "state.optimizer.m: expected shape (337,), got (1,)"),
    (lambda d: d["state"].update(epoch=4), "state.epoch: 4 does not match the 5 epochs of history"),
    (lambda d: d["state"]["history"]["accuracy"].pop(),
     "state.history.accuracy: expected 5 values (one per epoch), got 4"),
    (lambda d: d["state"]["history"]["heldout_loss"].pop(),
     "state.history.heldout_loss: expected 5 values (one per epoch), got 4"),
    (lambda d: d["state"]["history"].update(heldout_accuracy=[]),
     "state.history.heldout_accuracy: expected 5 values (one per epoch), got 0"),
    (lambda d: d["state"]["history"].update(loss="not base64!"),
     "state.history.loss: not base64 of float64 values"),
    (lambda d: d["state"]["history"].update(loss="AAAA"),
     "state.history.loss: 3 bytes is not a whole number of float64 values"),
    (lambda d: d["state"]["history"]["loss"].__setitem__(2, None),
     "state.history.loss[2]: expected a number, got null"),
    (lambda d: d["state"]["history"].update(stride=0), "state.history.stride: expected at least 1, got 0"),
    (lambda d: d["state"]["history"].update(stride=2, tail=0),
     "state.history.tail: expected 0 to 5 with the epochs before it a whole number of strides (2), got 0"),
    (lambda d: d["state"]["history"].update(stride=2, tail=1),
     "state.history.loss: expected 3 values for 5 epochs kept every 2, got 5"),
    (lambda d: d["state"].update(solved_epoch=9), "state.solved_epoch: expected 1 to 5 or null, got 9"),
    (lambda d: d["state"]["shuffle"].update(state=str(2**200)), "state.shuffle: not a saved random generator state"),
    (lambda d: d["state"]["shuffle"].update(inc="-1"), "state.shuffle: not a saved random generator state"),
    (lambda d: d["state"].update(lr="fast"), "state.lr: expected float, got str"),
])
def test_bad_fields_name_their_path(change, message):
    """Each wrong type, unknown key, bad value or inconsistent state is one LabError line naming the field."""
    with pytest.raises(LabError) as info:
        ef.loads(edit(change))
    assert str(info.value) == message


@pytest.mark.parametrize("data,message", [
    (b"", "not valid JSON (input data was truncated)"),
    (b"[1, 2]", "expected object, got array"),
    (b"{\"format\": \"nnlab-experiment\", \"version\": 1, \"table\": {\"inputs\": 2,",
     "not valid JSON (input data was truncated)"),
    (b"\xff\xfe{}", "not valid JSON (JSON is malformed: invalid character (byte 0))"),
])
def test_corrupt_bytes(data, message):
    """Truncated, binary or wrongly shaped files are one LabError line."""
    with pytest.raises(LabError) as info:
        ef.loads(data)
    assert str(info.value) == message


def test_truncated_file_at_every_length_is_a_lab_error():
    """A saved file cut short anywhere is a LabError, never another exception."""
    data = ef.dumps(recipe("two-layer"))
    for cut in range(0, len(data) - 2, 7):
        with pytest.raises(LabError):
            ef.loads(data[:cut])


@settings(max_examples=120, deadline=None)
@given(st.data())
def test_mutated_file_loads_or_is_a_lab_error(data):
    """A file with a span replaced by random text loads (then trains and exports) or is a LabError, nothing else."""
    text = FUZZ_BASE
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start, min(len(text), start + 8)))
    junk = data.draw(st.text(alphabet='0123456789-.e,:[]{}"truefalsn ', max_size=6))
    try:
        _, trainer = ef.loads(text[:start] + junk + text[end:])
    except LabError:
        return
    if trainer is not None and trainer.x_train.shape[0]:
        trainer.run(epochs=1)
        history_csv(trainer.state().history)


def _fuzz_base() -> str:
    experiment = recipe("two-layer").with_table(preset("all-equal3").with_heldout({2})).with_training(batch_size=3)
    trainer = Trainer(experiment)
    trainer.run(epochs=3)
    return json.dumps(json.loads(ef.dumps(experiment, trainer.state())))  # compact: every character matters


FUZZ_BASE = _fuzz_base()


# --- reading and writing files ---------------------------------------------------------------------------------------
def test_read_errors_name_the_path(tmp_path):
    """A missing file, a folder or a bad file is a LabError that starts with the path."""
    with pytest.raises(LabError, match=r"missing\.json: no such file$"):
        ef.read(tmp_path / "missing.json")
    with pytest.raises(LabError, match="is a folder, not an experiment file$"):
        ef.read(tmp_path)
    bad = tmp_path / "bad.json"
    bad.write_bytes(edit(lambda d: d["training"].update(epochs="many")))
    with pytest.raises(LabError) as info:
        ef.read(bad)
    assert str(info.value) == f"{bad}: training.epochs: expected int, got str"


def test_write_to_a_missing_folder(tmp_path):
    """Writing into a folder that does not exist is a LabError naming the folder."""
    target = tmp_path / "no" / "such" / "x.json"
    with pytest.raises(LabError) as info:
        ef.write(target, recipe("keras-xor"))
    assert str(info.value) == f"{target}: the folder {target.parent} does not exist"


@pytest.mark.parametrize("error,reason", [
    (OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)), "cannot write (No space left on device)"),
    (OSError(errno.EROFS, os.strerror(errno.EROFS)), "read-only file system"),
    (PermissionError(errno.EACCES, os.strerror(errno.EACCES)), "permission denied"),
])
def test_failed_write_keeps_the_old_file(tmp_path, monkeypatch, error, reason):
    """When the final rename fails (full disk, read-only folder), the old file is intact and no temporary is left."""
    target = tmp_path / "x.json"
    ef.write(target, recipe("keras-xor"))
    old = target.read_bytes()

    def failing_replace(src, dst):
        raise error

    monkeypatch.setattr(ef.os, "replace", failing_replace)
    with pytest.raises(LabError) as info:
        ef.write(target, recipe("two-layer"))
    assert str(info.value) == f"{target}: {reason}"
    assert target.read_bytes() == old
    assert os.listdir(tmp_path) == ["x.json"]


def test_write_below_a_file(tmp_path):
    """A path whose parent is a file, not a folder, is a LabError too."""
    (tmp_path / "plain").write_text("")
    with pytest.raises(LabError, match=r"plain/x\.json: cannot write \(Not a directory\)$"):
        ef.write(tmp_path / "plain" / "x.json", recipe("keras-xor"))


def test_write_replaces_atomically(tmp_path):
    """A successful write replaces the file's content and leaves nothing else behind."""
    target = tmp_path / "x.json"
    ef.write(target, recipe("keras-xor"))
    ef.write(target, recipe("two-layer"))
    assert ef.read(target)[0] == recipe("two-layer")
    assert os.listdir(tmp_path) == ["x.json"]


def test_learning_rate_changed_mid_run_is_resumed(tmp_path):
    """A run whose lr was changed with set_lr saves it and reads back with it, experiment and trainer alike."""
    trainer = Trainer(recipe("keras-xor"))
    trainer.run(epochs=3)
    trainer.set_lr(0.25)
    assert trainer.experiment.training.lr == 0.25
    for saved_with in (trainer.experiment, recipe("keras-xor")):  # the latter still says lr 0.001
        ef.write(tmp_path / "x.json", saved_with, trainer.state())
        experiment, restored = ef.read(tmp_path / "x.json")
        assert restored.lr == experiment.training.lr == restored.experiment.training.lr == 0.25


def test_a_diverged_run_reads_back_diverged():
    """A run that diverged is saved with its diverged epoch and reads back diverged (done, saying why); a run that did
    not writes no such field, so its file is as before."""
    experiment = Experiment(preset("xor"), Architecture((Layer(16, "relu"), Layer(16, "relu")), "linear"),
                            Training(optimizer="sgd", lr=1000.0, epochs=500))
    trainer = Trainer(experiment)
    assert trainer.run() == "diverged"
    data = json.loads(ef.dumps(experiment, trainer.state()))
    assert data["state"]["diverged_epoch"] == trainer.epoch + 1
    _, restored = ef.loads(ef.dumps(experiment, trainer.state()))
    assert restored.status == "diverged" and restored.done and restored.diverged_epoch == trainer.epoch + 1
    calm = Trainer(recipe("keras-xor"))
    calm.run(epochs=3)
    assert "diverged_epoch" not in json.loads(ef.dumps(recipe("keras-xor"), calm.state()))["state"]
