"""Fuzzing the experiment file: random experiments saved and read back identically, then their files mutated
(wrong types, unknown and deleted fields, huge numbers, unicode, truncated or flipped bytes, random JSON) through
``lab.files.experiment_file.loads`` and through ``nnlab train FILE`` and ``nnlab predict FILE``. A file reads back
as an experiment (that saves again to the same and can train) or fails with one ``LabError`` line."""

from __future__ import annotations

import functools
import json
import math
import random
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lab.core.activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from lab.core.errors import LabError, one_line
from lab.core.experiment import Architecture, Experiment, Layer, Training
from lab.core.gates import TruthTable
from lab.core.init import INITIALISERS
from lab.core.losses import LOSSES
from lab.core.optim import OPTIMIZERS
from lab.core.recipes import recipe
from lab.core.train import Trainer
from lab.files import experiment_file as ef

from tests.fuzz.support import (
    SPECIAL,
    TEXT,
    check_error,
    check_outcome,
    check_train,
    experiments,
    fuzz,
    ran,
    run_cli,
    same_trainer,
)


# --- round trips ---------------------------------------------------------------------------------------------------
@fuzz(300)
@given(experiments(), st.integers(0, 5), st.booleans(), st.booleans())
def test_saved_then_loaded_is_identical(experiment, epochs, trained, indent):
    """Saved (indented or not, with or without a trained state) and read back: the same experiment, the same weights,
    optimizer state, history and shuffler; saving it again gives the same bytes; both continue alike. A name that
    holds a control or bidirectional character is refused at save, and goes round as a file read shows it."""
    ran()
    names = (experiment.name, experiment.table.name, *experiment.table.output_names)
    if any(one_line(name) != name for name in names):
        with pytest.raises(LabError, match="holds a control or bidirectional character"):
            ef.dumps(experiment)
        try:
            table = replace(experiment.table, name=one_line(experiment.table.name),
                            output_names=tuple(map(one_line, experiment.table.output_names)))
        except LabError:
            return  # two names alike once made visible: refused as a file holding them would be
        experiment = replace(experiment, name=one_line(experiment.name), table=table)
    trainer = None
    if trained:
        trainer = Trainer(experiment)
        trainer.run(epochs=epochs)
    data = ef.dumps(experiment if trainer is None else trainer.experiment, trainer and trainer.state(), indent=indent)
    again, restored = ef.loads(data)
    assert again == (experiment if trainer is None else trainer.experiment)
    assert (restored is None) == (trainer is None)
    assert ef.dumps(again, restored and restored.state(), indent=indent) == data
    if trainer is not None:
        same_trainer(trainer, restored)
        assert np.isfinite(restored.predict()).all()
        if trainer.diverged_epoch is None:  # a file does not record a divergence: a resumed run tries again
            trainer.run(epochs=2)
            restored.run(epochs=2)
            same_trainer(trainer, restored)


# --- mutations -----------------------------------------------------------------------------------------------------
def random_experiment(rng: random.Random) -> Experiment:
    """A small experiment drawn from ``rng`` (used as the base of the mutated files)."""
    n = rng.randint(1, 3)
    columns = tuple("".join(rng.choice("01") for _ in range(2**n)) for _ in range(rng.randint(1, 3)))
    heldout = frozenset(rng.sample(range(2**n), rng.randint(0, 2**n - 1)))
    table = TruthTable(n, columns, heldout, rng.choice(["xor", "custom", "é gate"]))
    layers = tuple(Layer(rng.randint(1, 4), rng.choice(HIDDEN_ACTIVATIONS)) for _ in range(rng.randint(0, 2)))
    architecture = Architecture(layers, rng.choice(OUTPUT_ACTIVATIONS), rng.random() < 0.8)
    training = Training(rng.choice(list(LOSSES)), rng.choice(list(OPTIMIZERS)), 10 ** rng.uniform(-4, 0),
                        rng.choice([0, 0, 1, 2]), rng.choice(list(INITIALISERS)), rng.randrange(2**32),
                        rng.randint(1, 50), rng.choice(["budget", "solved", "loss<0.01"]))
    return Experiment(table, architecture, training, rng.choice(["experiment", "xor", "ü"]))


@functools.cache
def base_documents() -> list[bytes]:
    """Forty saved files to mutate: untrained, and trained for 0 to 6 epochs."""
    rng = random.Random(20240611)
    documents = []
    for _ in range(40):
        experiment = random_experiment(rng)
        trainer = None
        if rng.random() < 0.7:
            trainer = Trainer(experiment)
            trainer.run(epochs=rng.randint(0, 6))
        documents.append(ef.dumps(experiment, trainer and trainer.state(), indent=rng.random() < 0.5))
    return documents


def random_json(rng: random.Random, depth: int = 0):
    """A JSON value of any type: huge and tiny numbers, unicode text, nested lists and objects."""
    kind = rng.choice(["int", "float", "str", "bool", "null", "list", "dict"] if depth < 3 else ["int", "str", "null"])
    if kind == "int":
        return rng.choice([0, 1, -1, 2, 7, 64, 65, 2**31, 2**32, 2**63, 2**64, -(2**63), 10**30, -(10**30)])
    if kind == "float":
        return rng.choice([0.5, -0.0, 1e-320, 5e-324, 1e308, -1e308, 1.7976931348623157e308, 1e-9, 3.5, 1e6, 1e7])
    if kind == "str":
        return rng.choice(["", "x", "relu", "tanh", "sigmoid", "adam", "0110", "budget", "loss<0.1", "1", "nan",
                           "W1", "é", "\u202e", "\n", "\x00", "a" * 300, rng.choice(SPECIAL) * rng.randint(1, 3)])
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "null":
        return None
    if kind == "list":
        return [random_json(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    keys = ["x", "units", "inputs", "", "é"]
    return {rng.choice(keys): random_json(rng, depth + 1) for _ in range(rng.randint(0, 2))}


def places(doc, path=()):
    """Every (container, key) in a JSON document, depth first."""
    items = doc.items() if isinstance(doc, dict) else enumerate(doc) if isinstance(doc, list) else ()
    for key, value in items:
        yield doc, key
        yield from places(value, path + (key,))


def mutate(doc, rng: random.Random) -> None:
    """Apply one random edit to ``doc`` in place: delete, retype, perturb a number, edit a string, add an unknown
    field, shorten or lengthen a list."""
    spots = list(places(doc))
    if not spots:
        return
    container, key = rng.choice(spots)
    value = container[key]
    kind = rng.random()
    if kind < 0.15 and isinstance(container, dict):
        del container[key]
    elif kind < 0.4:
        container[key] = random_json(rng)
    elif kind < 0.55 and isinstance(value, (int, float)) and not isinstance(value, bool):
        container[key] = rng.choice([value + 1, value - 1, -value, value * 1e300, value * 10**20, value / 3,
                                     int(value) if math.isfinite(value) else 0, float(value)])
    elif kind < 0.65 and isinstance(value, str):
        i = rng.randint(0, len(value))
        container[key] = value[:i] + rng.choice(["", "x", "é", "\n", "0", "1", rng.choice(SPECIAL)]) + value[i + 1:]
    elif kind < 0.8 and isinstance(value, dict):
        value[rng.choice(["extra", "Units", "unknown", "é", ""])] = random_json(rng)
    elif isinstance(value, list):
        if value and rng.random() < 0.5:
            del value[rng.randrange(len(value))]
        else:
            value.append(rng.choice(value) if value else random_json(rng))
    else:
        container[key] = random_json(rng)


def retarget(doc, rng: random.Random) -> None:
    """Apply one edit that keeps the types right but the meaning wrong or extreme: another registry name, another
    size, every row held out, weights scaled by 1e200, an optimizer step count that is negative or fractional,
    history or epochs that disagree."""
    table, arch, training, state = (doc.get(key) if isinstance(doc.get(key), dict) else {}
                                    for key in ("table", "architecture", "training", "state"))
    edit = rng.choice(["name", "inputs", "units", "heldout", "scale", "t", "epoch", "history", "lr", "shuffle",
                       "solved", "optimizer"])
    if edit == "name" and training:
        registry = rng.choice([("loss", list(LOSSES)), ("optimizer", list(OPTIMIZERS)), ("init", list(INITIALISERS))])
        training[registry[0]] = rng.choice(registry[1])
    elif edit == "name" and arch:
        arch["output_activation"] = rng.choice(OUTPUT_ACTIVATIONS + HIDDEN_ACTIVATIONS)
    elif edit == "inputs" and table:
        table["inputs"] = rng.choice([0, 1, 2, 3, 8, 9])
    elif edit == "units" and isinstance(arch.get("layers"), list) and arch["layers"]:
        layer = rng.choice(arch["layers"])
        if isinstance(layer, dict):
            layer["units"] = rng.choice([0, 1, 5, 64, 65])
    elif edit == "heldout" and table and isinstance(table.get("inputs"), int) and 0 < table["inputs"] < 9:
        table["heldout"] = list(range(2 ** table["inputs"]))[: rng.choice([None, -1, 1])]
    elif edit == "scale" and isinstance(state.get("weights"), dict):
        factor = rng.choice([1e200, -1e200, 1e155, 1e300])
        for name in rng.sample(sorted(state["weights"]), rng.randint(1, len(state["weights"]))):
            state["weights"][name] = json.loads(json.dumps(state["weights"][name]),
                                                parse_float=lambda v: float(v) * factor)
    elif edit == "t" and isinstance(state.get("optimizer"), dict) and "t" in state["optimizer"]:
        state["optimizer"]["t"] = rng.choice([-1, -10000.0, -(10**6), 0.5, 1e300, 10**30, -1e-300])
    elif edit == "epoch" and state:
        state["epoch"] = rng.choice([-1, 0, 1, 10**9, 10**30])
    elif edit == "history" and isinstance(state.get("history"), dict):
        for key in state["history"]:
            if isinstance(state["history"][key], list) and rng.random() < 0.5:
                state["history"][key] = state["history"][key][:-1] + [rng.choice([None, -1.0, 1e308, 2.0])]
    elif edit == "lr" and state:
        state["lr"] = rng.choice([0.0, -1.0, 1e7, 1e-320, 1e6])
    elif edit == "shuffle" and isinstance(state.get("shuffle"), dict):
        key = rng.choice(sorted(state["shuffle"]) or ["state"])
        state["shuffle"][key] = rng.choice(["-1", "x", "", str(2**200), "٣", "9" * 5000, "0"])
    elif edit == "solved" and state:
        state["solved_epoch"] = rng.choice([0, -1, 1, 10**6, None])
    elif edit == "optimizer" and isinstance(state.get("optimizer"), dict):
        state["optimizer"] = rng.choice([{}, {"velocity": [0.0]}, {"m": [], "v": [], "t": 1.0}, {"x": 1.0}])


def encode(doc, rng: random.Random) -> bytes:
    """JSON text of ``doc``, escaped to ASCII or not (a lone surrogate then becomes bytes that are not UTF-8)."""
    text = json.dumps(doc, ensure_ascii=rng.random() < 0.5)
    return text.encode("utf-8", "surrogatepass")


@st.composite
def mutated_files(draw) -> bytes:
    """A saved file with one to four random edits (of its structure or of its meaning), or its bytes truncated,
    flipped, inserted or deleted."""
    rng = random.Random(draw(st.integers(0, 2**64 - 1)))
    data = rng.choice(base_documents())
    kind = rng.random()
    if kind < 0.75:
        doc = json.loads(data)
        for _ in range(rng.randint(1, 4)):
            (mutate if rng.random() < 0.5 else retarget)(doc, rng)
        return encode(doc, rng)
    if kind < 0.85:
        return data[: rng.randrange(len(data) + 1)]
    raw = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(raw))
        op = rng.choice(["flip", "insert", "delete"])
        if op == "flip":
            raw[i] ^= 1 << rng.randrange(8)
        elif op == "insert":
            raw[i:i] = bytes([rng.randrange(256)]) if rng.random() < 0.5 else "é".encode()
        else:
            del raw[i]
    return bytes(raw)


def load_or_error(data: bytes) -> tuple[Experiment, Trainer | None] | None:
    """``loads(data)``: a result that saves back to itself, gives finite outputs and trains, or one LabError."""
    try:
        experiment, trainer = ef.loads(data)
    except LabError as e:
        check_error(e)
        return None
    again, restored = ef.loads(ef.dumps(experiment, trainer and trainer.state()))
    assert again == experiment
    if trainer is not None:
        same_trainer(trainer, restored)
        assert np.isfinite(trainer.predict()).all(), "a file's weights must give finite outputs"
    runner = trainer or Trainer(experiment)
    try:
        runner.run(epochs=2)
    except LabError as e:  # a file may hold every row out
        assert str(e).startswith("every row is held out")
    return experiment, trainer


@fuzz(1500)
@given(mutated_files())
def test_mutated_files(data):
    """A mutated file reads as an experiment or fails with one LabError line."""
    ran()
    load_or_error(data)


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
                    max_leaves=12)
KEYS = st.sampled_from(["format", "version", "table", "architecture", "training", "name", "state", "inputs",
                        "outputs", "layers", "units", "weights", "epoch", "history"])


@fuzz(400)
@given(st.one_of(
    JSON.map(json.dumps),
    st.fixed_dictionaries({"format": st.just(ef.FORMAT), "version": st.sampled_from([1, 0, 2, 1.0, "1", -1, 10**30])},
                          optional={k: JSON for k in ("table", "architecture", "training", "name", "state")}
                          ).map(json.dumps),
    st.dictionaries(KEYS, JSON, max_size=6).map(json.dumps),
    st.binary(max_size=200),
))
def test_random_json(data):
    """Random JSON, JSON with the right header and random sections, and random bytes: one LabError (or, should
    chance build a valid experiment, a result)."""
    ran()
    load_or_error(data.encode() if isinstance(data, str) else data)


# --- regressions: files the fuzzer found that once escaped as another exception or as NaN ---------------------------
def adam_file(edit) -> bytes:
    """keras-xor with a linear output trained 3 epochs (Adam, so the state has a step count ``t``), its saved
    document edited by ``edit(document)``."""
    trainer = Trainer(recipe("keras-xor").with_architecture(output_activation="linear"))
    trainer.run(epochs=3)
    doc = json.loads(ef.dumps(trainer.experiment, trainer.state()))
    edit(doc)
    return json.dumps(doc).encode()


def scale_weights(doc, factor: float = 1e200) -> None:
    """Multiply every weight of a saved state by ``factor``."""
    doc["state"]["weights"] = {k: (np.asarray(v) * factor).tolist() for k, v in doc["state"]["weights"].items()}


REGRESSIONS = {
    "Adam's step count 1e300 (an OverflowError, or a TypeError on divergence)": (
        lambda: adam_file(lambda d: d["state"]["optimizer"].update(t=1e300)),
        "state.optimizer.t: expected a whole number of steps from 0 to 2**53, got 1e+300"),
    "a negative step count (an OverflowError in the next Adam step)": (
        lambda: adam_file(lambda d: d["state"]["optimizer"].update(t=-10000)),
        "state.optimizer.t: expected a whole number of steps from 0 to 2**53, got -10000"),
    "weights whose outputs overflow (NaN predictions)": (
        lambda: adam_file(scale_weights),
        "state.weights: the network's output for row 0 is not a finite number (the weights are too large)"),
    "a string that is not UTF-8 (a UnicodeDecodeError)": (
        lambda: adam_file(lambda d: None).replace(b'"keras-xor"', b'"\xffkeras"', 1),
        "not valid JSON (not UTF-8 text at byte"),
}


@pytest.mark.parametrize("build,message", REGRESSIONS.values(), ids=REGRESSIONS.keys())
def test_regressions(scratch, build, message):
    """Files that once escaped as another exception or printed NaN: one LabError line, through the CLI too."""
    ran()
    data = build()
    with pytest.raises(LabError) as info:
        ef.loads(data)
    assert str(info.value).startswith(message)
    (scratch / "regression.json").write_bytes(data)
    for argv in (["train", "regression.json", "--epochs", "2", "--quiet"], ["predict", "regression.json", "1", "0"]):
        status, out, err = run_cli(*argv)
        assert (status, out) == (2, "") and err.startswith(f"nnlab: error: regression.json: {message}"), err


# --- through the command line --------------------------------------------------------------------------------------
def inputs_of(data: bytes) -> int:
    """The input count a file claims, or 2 when it says nothing usable."""
    try:
        n = json.loads(data)["table"]["inputs"]
    except Exception:
        return 2
    return n if isinstance(n, int) and 1 <= n <= 8 else 2


@fuzz(350)
@given(mutated_files(), st.sampled_from([["--quiet"], ["--json"], ["--quiet", "--stop", "solved"], []]))
def test_train_from_mutated_files(scratch, data, flags):
    """``nnlab train FILE --epochs 2``: a run, or exit 2 with one line on stderr."""
    ran()
    (scratch / "case.json").write_bytes(data)
    check_train(["train", "case.json", "--epochs", "2", *flags])


@fuzz(350)
@given(mutated_files(), st.integers(0, 2**64 - 1))
def test_predict_from_mutated_files(scratch, data, seed):
    """``nnlab predict FILE VALUES``: finite outputs (text or JSON), or exit 2 with one line on stderr."""
    ran()
    rng = random.Random(seed)
    (scratch / "case.json").write_bytes(data)
    n = inputs_of(data)
    values = rng.choice([
        ["".join(rng.choice("01") for _ in range(n))],
        [repr(rng.random()) for _ in range(n)],
        [rng.choice(["0", "1", "0.5", "2", "-1", "nan", "x", "1e-300"]) for _ in range(rng.choice([n, n, n + 1]))],
    ])
    argv = ["predict", "case.json", *values, *(["--json"] if rng.random() < 0.4 else [])]
    status, out, err = run_cli(*argv)
    check_outcome(status, out, err, argv)
    if status != 0:
        return
    if "--json" in argv:
        result = json.loads(out, parse_constant=lambda c: pytest.fail(f"{c} in JSON"))
        assert all(math.isfinite(v) for v in result["outputs"].values())
    else:
        assert not any(word in out for word in ("nan", "inf")), out
