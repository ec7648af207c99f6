"""``nnlab show``: the lab's views as text and numbers; the step's weights are the ones one more epoch saves."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from lab.commands.show import VIEW_NAMES
from lab.core.inspect.diagram import HORIZONTAL
from lab.core.recipes import recipe
from lab.core.train import Trainer
from lab.files.experiment_file import read, write


@pytest.fixture
def saved(tmp_path):
    """The two-layer recipe trained 50 epochs and saved (sgd), and keras-xor trained 20 (adam)."""
    paths = {}
    for name, epochs in (("two-layer", 50), ("keras-xor", 20)):
        trainer = Trainer(recipe(name))
        trainer.run(epochs)
        paths[name] = tmp_path / f"{name}.json"
        write(paths[name], trainer.experiment, trainer.state())
    return paths


@pytest.mark.parametrize("name", ["two-layer", "keras-xor"])
def test_the_steps_weights_after_are_what_one_more_epoch_saves(cli, saved, tmp_path, name):
    status, out, err = cli("show", str(saved[name]), "--view", "step", "--json")
    assert status == 0 and err == ""
    step = json.loads(out)
    after = tmp_path / "after.json"
    status, _, _ = cli("train", str(saved[name]), "--epochs", "51" if name == "two-layer" else "21", "--quiet",
                       "--save", str(after))
    assert status == 0
    _, trainer = read(after)
    assert trainer is not None
    for param, numbers in step["params"].items():
        assert np.abs(np.array(numbers["after"]) - trainer.net.params[param]).max() <= 1e-12, param
    _, before = read(saved[name])
    assert before is not None
    assert set(step["params"]) == {n for n, _ in before.net.shape.param_shapes()}
    for param, numbers in step["params"].items():
        assert np.array_equal(np.array(numbers["before"]), before.net.params[param])


@pytest.mark.parametrize("view", VIEW_NAMES)
def test_every_view_prints_text_and_numbers(cli, saved, view):
    status, out, err = cli("show", str(saved["keras-xor"]), "--view", view, "--row", "2")
    assert status == 0 and err == "" and out.strip()
    assert "\x1b" not in out
    status, out, err = cli("show", str(saved["keras-xor"]), "--view", view, "--row", "2", "--json")
    assert status == 0 and isinstance(json.loads(out), dict)


def test_the_picture_is_the_drawing_and_its_numbers_the_weights(cli, saved):
    status, out, _ = cli("show", str(saved["two-layer"]), "--width", "80")
    assert status == 0 and "━ ╍ |w|≥1.5" in out and set(out) & set(HORIZONTAL)
    assert max(len(line) for line in out.splitlines()) <= 80
    _, numbers, _ = cli("show", str(saved["two-layer"]), "--json")
    lines = {line["name"]: line["weight"] for line in json.loads(numbers)["lines"]}
    _, trainer = read(saved["two-layer"])
    assert trainer is not None
    assert lines["w(a→h1)"] == trainer.net.W[0][0, 0] and lines["w(h4→y)"] == trainer.net.W[1][3, 0]


def test_a_row_step_and_bad_rows(cli, saved):
    status, out, _ = cli("show", str(saved["two-layer"]), "--view", "step", "--row", "3")
    assert status == 0 and "row 3 (011)" in out and "w(a→h1): gradient = " in out
    status, _, err = cli("show", str(saved["two-layer"]), "--row", "8")
    assert status == 2 and err.count("\n") == 1 and "row 8 does not exist" in err


def test_names_from_the_file_cannot_drive_the_terminal(cli, tmp_path):
    """An output named with an escape sequence and a right-to-left override prints them escaped, in every view."""
    trainer = Trainer(recipe("keras-xor"))
    table = replace(trainer.experiment.table, output_names=("yNAME",))
    path = tmp_path / "named.json"
    write(path, trainer.experiment.with_table(table), trainer.state())  # nnlab refuses to save such a name itself
    path.write_text(path.read_text().replace('"yNAME"', json.dumps("y\x1b[31m\u202e")))
    for view in ("picture", "trace", "step"):
        status, out, _ = cli("show", str(path), "--view", view, "--row", "1")
        assert status == 0 and "\x1b" not in out and "\u202e" not in out
        assert "\\x1b[31m\\u202e" in out
