"""Recipes: the tutorials nnlab grows from, each a ready experiment with a note on its source and what to watch.

The registry itself loads no NumPy (each recipe's experiment is built when asked for), so ``nnlab --help`` and the
completion scripts can name the recipes without loading it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lab.core.errors import LabError

if TYPE_CHECKING:
    from lab.core.experiment import Experiment


@dataclass(frozen=True)
class Recipe:
    """A named experiment with a one-line description, where it comes from, and what to watch for."""

    name: str
    description: str
    source: str
    watch: str
    build: Callable[[], Experiment]

    def experiment(self) -> Experiment:
        """A fresh copy of the recipe's experiment."""
        return self.build()


def _keras_xor(units: tuple[int, ...], name: str) -> Callable[[], Experiment]:
    """Keras' XOR net with hidden relu layers of ``units``."""

    def build() -> Experiment:
        from lab.core.experiment import Architecture, Experiment, Layer, Training
        from lab.core.gates import preset

        layers = tuple(Layer(n, "relu") for n in units)
        return Experiment(preset("xor"), Architecture(layers, "sigmoid"),
                          Training(loss="mse", optimizer="adam", lr=0.001, init="glorot_uniform", epochs=1000),
                          name=name)
    return build


def _single_neuron() -> Experiment:
    from lab.core.experiment import Architecture, Experiment, Training
    from lab.core.gates import preset

    # The tutorial trains on 001, 011, 101, 111 and asks about the unseen 100.
    table = preset("copy-first3").with_heldout({0, 2, 4, 6})
    return Experiment(table, Architecture((), "sigmoid", bias=False),
                      Training(loss="sse", optimizer="sgd", lr=1.0, init="uniform", epochs=15_000),
                      name="single-neuron")


def _two_layer() -> Experiment:
    from lab.core.experiment import Architecture, Experiment, Layer, Training
    from lab.core.gates import preset

    # As tutorial 003: no biases (3*4 + 4*1 = 16 weights), weights from randn, sse (its gradient is the tutorial's
    # update) and sgd at learning rate 1, so each epoch is the tutorial's epoch, line by line.
    return Experiment(preset("all-equal3"), Architecture((Layer(4, "sigmoid"),), "sigmoid", bias=False),
                      Training(loss="sse", optimizer="sgd", lr=1.0, init="normal", epochs=1000),
                      name="two-layer")


RECIPES: dict[str, Recipe] = {r.name: r for r in (
    Recipe("keras-xor", "XOR with Keras' classic net: 2 -> 16 relu -> 1 sigmoid, mse, adam lr 0.001, 1000 epochs",
           "the Keras XOR tutorial (Dense(16, relu), Dense(1, sigmoid), binary_accuracy)",
           "accuracy sits at 0.5 or 0.75 for a while, then jumps to 1.0 as the loss falls",
           _keras_xor((16,), "keras-xor")),
    Recipe("keras-xor-deeper", "keras-xor with a second hidden layer of 16 relu",
           "the Keras XOR tutorial's 'add a layer' exercise",
           "usually solves in fewer epochs than keras-xor; compare the solved epoch",
           _keras_xor((16, 16), "keras-xor-deeper")),
    Recipe("keras-xor-wide", "keras-xor with 32 relu neurons instead of 16",
           "the Keras XOR tutorial's 'more neurons' exercise",
           "wider also helps; whether more or less than a second layer is within the seeds' spread (k sweeps them)",
           _keras_xor((32,), "keras-xor-wide")),
    Recipe("single-neuron", "one sigmoid neuron, no bias, 15,000 sgd steps on four rows of a 3-input table",
           "the single-neuron NumPy tutorial (training set 001, 011, 101, 111; new situation 100)",
           "the held-out row 100 is never trained on, yet predicts above 0.99: the neuron learned 'copy a'",
           _single_neuron),
    Recipe("two-layer", "all-equal3 with a 3 -> 4 sigmoid -> 1 sigmoid network, no biases (16 weights), sse, sgd "
                        "lr 1, 1000 epochs",
           "the two-layer NumPy tutorial that logs its loss per epoch and saves its weights",
           "the loss falls fast then tails off; most seeds get every row right by epoch 1000 (17 of seeds 0-19), "
           "a few stay at 7 of 8 rows",
           _two_layer),
)}


def recipe(name: str) -> Experiment:
    """The experiment of recipe ``name``.

    Raises:
        LabError: naming the known recipes.
    """
    try:
        return RECIPES[name].experiment()
    except KeyError:
        raise LabError(f"unknown recipe '{name}': choose one of {', '.join(RECIPES)}") from None
