"""Fuzzing ``nnlab train``'s flags: argument lists built from the real flag set with valid, invalid, huge, negative,
nan/inf and unicode values, and lists of random tokens, run in-process through ``lab.cli.main`` with a budget of a
few epochs. Each must exit 0 with its output, or exit 2 with exactly one line on stderr starting with ``nnlab``."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lab.commands.completion import flags_of
from lab.commands.train import parser
from lab.core.activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from lab.core.experiment import MAX_SEED, PRECISIONS
from lab.core.gates import PRESETS
from lab.core.init import INITIALISERS
from lab.core.losses import LOSSES
from lab.core.optim import OPTIMIZERS
from lab.core.recipes import RECIPES, recipe
from lab.core.train import Trainer
from lab.files.experiment_file import dumps

from tests.fuzz.support import (
    NUMBER_TEXT,
    SPECIAL,
    TEXT,
    check_json_result,
    check_train,
    fuzz,
    ran,
    random_tree,
    run_cli,
    write_program,
)

FLAGS = {name for flag in flags_of(parser()) for name in flag.names if name.startswith("--")}
SWITCHES = {"--no-bias", "--quiet", "--json"}
PATH_FLAGS = {"--log-csv", "--save-weights", "--save", "--export-script"}


@pytest.fixture(scope="module")
def files(scratch):
    """Experiment files in the scratch folder: a trained one, an untrained one, and a folder."""
    trainer = Trainer(recipe("keras-xor").with_training(epochs=3))
    trainer.run()
    (scratch / "trained.json").write_bytes(dumps(trainer.experiment, trainer.state()))
    (scratch / "untrained.json").write_bytes(dumps(recipe("two-layer")))
    (scratch / "folder").mkdir()
    return scratch


def names(registry, wrong=()) -> tuple[st.SearchStrategy, st.SearchStrategy]:
    """A registry's names; and the wrong ones: the same in upper case, names that are wrong here, any text."""
    known = list(registry)
    return st.sampled_from(known), st.one_of(st.sampled_from(known).map(str.upper),
                                             st.sampled_from(list(wrong) or [""]), TEXT)


def seeded(build) -> tuple[st.SearchStrategy, st.SearchStrategy]:
    """Good and bad values from ``build(rng, good)`` with a drawn seed (one draw is much faster than many)."""
    return tuple(st.integers(0, 2**64 - 1).map(lambda seed, good=good: build(random.Random(seed), good))
                 for good in (True, False))


def expression(rng: random.Random, good: bool) -> str:
    """A small valid program over a to d; or one with a stray character, or unicode."""
    text = write_program(rng, [random_tree(rng, rng.randint(1, 5), 4) for _ in range(rng.randint(1, 4))])
    if not good:
        i = rng.randint(0, len(text))
        text = text[:i] + rng.choice("()&|^~;=-é\n" + SPECIAL) + text[i + rng.randint(0, 2):]
    return text


def table(rng: random.Random, good: bool) -> str:
    """A ``--table`` spec of one to four columns of 2-16 bits (rarely 256); or a bad count, length or bit."""
    n = rng.choice([1, 2, 2, 3, 4, 8])
    cols = ["".join(rng.choice("01") for _ in range(2**n)) for _ in range(rng.randint(1, 4))]
    if not good:
        kind = rng.choice(["count", "length", "bit", "empty"])
        if kind == "count":
            cols += cols * 4
        elif kind == "length":
            cols[-1] = cols[-1][: rng.randrange(len(cols[-1]))] if rng.random() < 0.5 else cols[-1] * 3
        elif kind == "bit":
            i = rng.randrange(2**n)
            cols[0] = cols[0][:i] + rng.choice("2x é\n" + SPECIAL) + cols[0][i + 1:]
        else:
            cols.insert(rng.randrange(len(cols) + 1), "")
    return ",".join(cols)


def hidden(rng: random.Random, good: bool) -> str:
    """``--hidden``: 0-3 layers of 1-8 units (rarely 64) with known activations, or ``none``; or a bad count,
    size, activation or spelling."""
    if good and rng.random() < 0.1:
        return rng.choice(["none", "NONE", "", "4", " 4 : relu ", "64:relu,64:tanh"])
    layers = [[str(rng.choice([1, 2, 3, 4, 8])), rng.choice(HIDDEN_ACTIVATIONS)] for _ in range(rng.randint(0, 3))]
    if not good:
        kind = rng.choice(["units", "activation", "count", "spelling"])
        layers = layers or [["4", "relu"]]
        if kind == "units":
            layers[-1][0] = rng.choice(["0", "65", "-3", "1e1", "x", "9" * 5000, "", "4.0"])
        elif kind == "activation":
            layers[-1][1] = rng.choice(["swish", "RELU", "sigmoid:x", "é\n", "\x1b[31m"])
        elif kind == "count":
            layers *= 9
        else:
            return rng.choice([",", "16:", ":relu", "4:relu,", ",4", "4;relu", "16:relu:x"])
    return ",".join(":".join(layer) for layer in layers)


def holdout(rng: random.Random, good: bool) -> str:
    """``--holdout``: one or two rows of a two-input table by index or bit pattern; or rows that do not exist, junk."""
    if good:
        return ",".join(rng.choice([str(rng.randrange(4)), format(rng.randrange(4), "02b")])
                        for _ in range(rng.randint(1, 2)))
    return rng.choice(["0,1,2,3", "4", "-1", "²", "x", "9" * 40, "0,,x", "100", "1\n0", "٣"])


def number(low: float, high: float, log: bool = False, whole: bool = True, below: int | None = None):
    """Good values in [low, high] (log-spaced for learning rates); bad ones out of range (``below`` for the one under
    the range, ``low - 1`` by default), not numbers, nan, inf."""

    def build(rng: random.Random, good: bool) -> str:
        if good:
            if whole:
                return str(rng.randint(int(low), int(high)))
            return repr(10 ** rng.uniform(math.log10(low), math.log10(high)) if log else rng.uniform(low, high))
        under = int(low) - 1 if below is None else below
        return rng.choice([str(under), str(int(high) + 1), str(-(2**70)), str(2**70), "nan", "inf", "-inf",
                           "1e400", "-0.5", "0x10", "", " ", "fast", "٣", "1_0", "9" * 5000, "+", "1.5", "None"])

    return seeded(build)


def stop(rng: random.Random, good: bool) -> str:
    """``--stop``: budget, solved, loss<X; or a rule that is not one."""
    if good:
        return rng.choice(["budget", "solved", f"loss<{10 ** rng.uniform(-300, 300)!r}", "loss < 0.1", " solved "])
    return rng.choice(["BUDGET", "loss<", "loss<0", "loss<-1", "loss<nan", "loss<inf", "loss<1e400", "loss<1e-400",
                       "loss>1", "loss<x", "epochs", "solved\n", ""])


ODD_NAMES = ["", "", " é", "\u202e", "-1"]


def path(suffixes: list[str]):
    """Output paths: a plain name in the scratch folder; or a missing folder, a folder, a wrong suffix, a NUL."""

    def build(rng: random.Random, good: bool) -> str:
        if good:
            return f"out{rng.randrange(4)}{rng.choice(ODD_NAMES)}{suffixes[0]}"
        return rng.choice(["missing/x" + suffixes[0], "folder", ".", "", "out.bin", "out", "trained.json/x",
                           "a\x00b" + suffixes[0], "\udcff" + suffixes[-1], "é ü\n" + suffixes[-1]])

    return seeded(build)


def source_file(rng: random.Random, good: bool) -> str:
    """The experiment file: a trained or untrained one; or a folder, a missing file, a name that cannot exist."""
    if good:
        return rng.choice(["trained.json", "untrained.json"])
    return rng.choice(["folder", "missing.json", "", "-", "\udcff.json", "a\x00b", "--json"])


VALUES: dict[str, tuple[st.SearchStrategy, st.SearchStrategy]] = {
    "FILE": seeded(source_file),
    "--gate": names(PRESETS, ["xr", "adder", "parity"]),
    "--expr": seeded(expression),
    "--table": seeded(table),
    "--recipe": names(RECIPES, ["xor", "keras"]),
    "--holdout": seeded(holdout),
    "--hidden": seeded(hidden),
    "--output": names(OUTPUT_ACTIVATIONS, HIDDEN_ACTIVATIONS),
    "--loss": names(LOSSES, ["mae", "cross-entropy"]),
    "--optimizer": names(OPTIMIZERS, ["rmsprop", "SGD"]),
    "--lr": number(1e-9, 1e6, log=True, whole=False),
    "--batch-size": number(0, 8),
    "--init": names(INITIALISERS, ["zeros", "he_uniform"]),
    "--precision": names(PRECISIONS, ["float16", "double"]),
    "--epochs": number(1, 3, below=-1),  # 0 trains until stopped (up to 10 M epochs): valid, but not for a fuzzer
    "--seed": number(0, MAX_SEED),
    "--stop": seeded(stop),
    "--every": number(1, 5),
    "--log-csv": path([".csv"]),
    "--save-weights": path([".npz", ".txt", ".csv"]),
    "--save": path([".json"]),
    "--export-script": path([".py"]),
    "--tutorial-files": path([""]),
}
SOURCES = ["--gate", "--expr", "--table", "--recipe", "FILE"]


def test_every_flag_is_fuzzed():
    """The fuzzer knows every flag ``nnlab train`` has (a new flag needs values here)."""
    assert set(FLAGS) - {"--help"} == set(VALUES) - {"FILE"} | SWITCHES


@st.composite
def train_argv(draw) -> list[str]:
    """``train`` with at most a few sources and any subset of the flags, in random order and forms (``--lr 0.1``,
    ``--lr=0.1``, abbreviations), most values valid and none to three of them bad, sometimes a stray token, then a
    small ``--epochs`` (or a bad one)."""
    rng = random.Random(draw(st.integers(0, 2**64 - 1)))
    sources = rng.sample(SOURCES, rng.choice([0, 1, 1, 1, 1, 1, 1, 2]))
    others = rng.sample([f for f in VALUES if f not in SOURCES] + sorted(SWITCHES), rng.randint(0, 7))
    chosen = [f for f in sources + others if f not in PATH_FLAGS or rng.random() < 0.5]
    bad = set(rng.sample(chosen, min(len(chosen), rng.choice([0, 0, 0, 0, 1, 1, 2, 3]))))
    if "--epochs" not in chosen:
        chosen.append("--epochs")
    pairs: list[list[str]] = []
    for flag in chosen:
        value = None if flag in SWITCHES else draw(VALUES[flag][flag in bad])
        if flag == "FILE":
            pairs.append([value])
            continue
        short = rng.random() < 0.05 and flag != "--epochs"
        spelled = flag[: rng.randint(min(5, len(flag)), len(flag))] if short else flag
        if value is None:
            pairs.append([spelled])
        elif rng.random() < 0.2:
            pairs.append([f"{spelled}={value}"])
        else:
            pairs.append([spelled, value])
    rng.shuffle(pairs)
    epochs = next(i for i, pair in enumerate(pairs) if pair[0].startswith("--epochs"))
    pairs.append(pairs.pop(epochs))  # the budget last: a later --epochs would win over it
    if rng.random() < 0.04:
        pairs.insert(rng.randrange(len(pairs)), [rng.choice(["--speed", "-x", "--", "-", "--lr", "extra"])])
    return ["train", *(token for pair in pairs for token in pair)]


@fuzz(1500)
@given(train_argv())
def test_train_flags(files, argv):
    """Generated ``nnlab train`` argument lists: a run and its output, or exit 2 with one line on stderr."""
    ran()
    check_train(argv)


TOKENS = st.one_of(
    st.sampled_from([f for f in FLAGS if f not in PATH_FLAGS] + ["-h", "--", "-", "--speed", "--lr=", "--epochs=1"]),
    NUMBER_TEXT, TEXT, st.sampled_from(list(PRESETS) + list(RECIPES) + list(LOSSES) + ["a^b", "0110", "4:relu"]))


@fuzz(500)
@given(st.lists(TOKENS, max_size=10))
def test_random_tokens(files, tokens):
    """Random tokens after ``train`` (flags that write files left out), then ``--epochs 2``: the same contract."""
    ran()
    check_train(["train", *tokens, "--epochs", "2"])


def test_nan_never_shows_as_a_prediction(files):
    """A run that diverges at once (lr 1e6, linear layers) shows finite predictions in JSON and in text."""
    ran()
    argv = ["train", "--gate", "xor", "--hidden", "8:linear,8:linear", "--output", "linear", "--optimizer", "sgd",
            "--lr", "1e6", "--loss", "sse", "--init", "normal", "--epochs", "50"]
    status, out, err = run_cli(*argv, "--json")
    result = check_json_result(out)
    assert status == 0 and result["status"] == "diverged" and result["diverged_epoch"] >= 1
    assert all(math.isfinite(v) for row in result["predictions"] for v in row)
    check_train(argv)
