"""An experiment: a gate, the network's architecture and the training settings, each validated on construction.

Every name (activation, loss, optimizer, initialiser) is looked up in the same registry the CLI, the app and the
experiment file use, and every bad value raises ``ConfigError`` with one line naming the field.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace

import numpy as np

from lab.core.activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from lab.core.errors import ConfigError, LabError
from lab.core.gates import TruthTable, preset
from lab.core.init import INITIALISERS
from lab.core.losses import LOSSES
from lab.core.nn import DType, Shape
from lab.core.optim import OPTIMIZERS

MIN_UNITS, MAX_UNITS = 1, 64
MAX_HIDDEN_LAYERS = 8
MAX_EPOCHS = 10_000_000
MAX_LR = 1e6
# The floating-point types training may run in: float64 (the default everywhere, exact to the tests' 1e-9 against
# independent oracles) or float32 (half the memory traffic, faster sweeps; solved epochs can differ from float64's on
# harder gates: docs/performance.md has the agreement measured, benchmarks/bench_precision.py measures it).
PRECISIONS: dict[str, DType] = {"float64": np.float64, "float32": np.float32}
LR_FACTOR = 2.0
"""One step of the learning rate by hand (the ``[`` and ``]`` keys, the settings list's arrows): halve or double."""


def stepped_lr(lr: float, direction: int) -> float:
    """``lr`` halved (``direction`` < 0) or doubled (> 0), to six significant digits (so steps back and forth stay
    on round values)."""
    return float(f"{lr * (LR_FACTOR if direction > 0 else 1 / LR_FACTOR):.6g}")


def _choose(value: str, allowed, what: str) -> str:
    if value not in allowed:
        raise ConfigError(f"{what}: unknown '{value}', choose one of {', '.join(allowed)}")
    return value


@dataclass(frozen=True)
class Layer:
    """A hidden dense layer: ``units`` neurons (1-64) with activation ``activation``."""

    units: int
    activation: str = "relu"

    def check(self, where: str) -> None:
        """Raise ConfigError naming ``where`` if the layer is out of range."""
        if isinstance(self.units, bool) or not isinstance(self.units, int):
            raise ConfigError(f"{where}.units: expected a whole number, got {self.units!r}")
        if not MIN_UNITS <= self.units <= MAX_UNITS:
            raise ConfigError(f"{where}.units: a layer has {MIN_UNITS} to {MAX_UNITS} neurons, got {self.units}")
        _choose(self.activation, HIDDEN_ACTIVATIONS, f"{where}.activation")


@dataclass(frozen=True)
class Architecture:
    """What a person shapes: hidden layers, output activation and whether layers have biases.

    The input and output sizes come from the truth table.
    """

    layers: tuple[Layer, ...] = (Layer(16, "relu"),)
    output_activation: str = "sigmoid"
    bias: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "layers", tuple(self.layers))
        if len(self.layers) > MAX_HIDDEN_LAYERS:
            raise ConfigError(f"layers: at most {MAX_HIDDEN_LAYERS} hidden layers, got {len(self.layers)}")
        for i, layer in enumerate(self.layers):
            layer.check(f"layers[{i}]")
        _choose(self.output_activation, OUTPUT_ACTIVATIONS, "output_activation")

    def shape(self, n_inputs: int, n_outputs: int) -> Shape:
        """The network shape for a table with ``n_inputs`` inputs and ``n_outputs`` outputs."""
        sizes = (n_inputs, *(layer.units for layer in self.layers), n_outputs)
        acts = (*(layer.activation for layer in self.layers), self.output_activation)
        return Shape(sizes, acts, self.bias)

    def describe(self) -> str:
        """The hidden layers in the CLI's ``--hidden`` syntax: ``16:relu,8:tanh`` or ``none``."""
        return ",".join(f"{l.units}:{l.activation}" for l in self.layers) or "none"


@dataclass(frozen=True)
class StopRule:
    """When a run ends early: ``budget`` (never; run every epoch), ``solved``, or ``loss<X``."""

    kind: str = "budget"
    threshold: float = 0.0

    @classmethod
    def parse(cls, text: str) -> StopRule:
        """Parse ``budget``, ``solved`` or ``loss<X`` (X a positive number)."""
        text = text.strip().replace(" ", "")
        if text in ("budget", "solved"):
            return cls(text)
        m = re.fullmatch(r"loss<(.+)", text)
        if m:
            try:
                value = float(m.group(1))
            except ValueError:
                value = math.nan
            if math.isfinite(value) and value > 0:
                return cls("loss", value)
            raise ConfigError(f"stop: 'loss<X' needs a positive number X, got '{m.group(1)}'")
        raise ConfigError(f"stop: expected budget, solved or loss<X (e.g. loss<0.01), got '{text}'")

    def __str__(self) -> str:
        return f"loss<{self.threshold:g}" if self.kind == "loss" else self.kind


@dataclass(frozen=True)
class Training:
    """How the network is trained.

    Attributes:
        loss: a name in ``LOSSES``.
        optimizer: a name in ``OPTIMIZERS``.
        lr: learning rate, > 0 and at most 1e6.
        batch_size: rows per update; 0 means the whole training set (full batch).
        init: a name in ``INITIALISERS``.
        seed: seeds initialisation and mini-batch shuffling.
        epochs: the epoch budget.
        stop: the stop rule, ``budget``, ``solved`` or ``loss<X``.
        precision: the floating-point type training runs in, a name in ``PRECISIONS`` (the initial weights are
            drawn in float64 whatever it is, then rounded to it).
    """

    loss: str = "mse"
    optimizer: str = "adam"
    lr: float = 0.001
    batch_size: int = 0
    init: str = "glorot_uniform"
    seed: int = 0
    epochs: int = 1000
    stop: str = "budget"
    precision: str = "float64"

    def __post_init__(self) -> None:
        _choose(self.loss, LOSSES, "loss")
        _choose(self.precision, PRECISIONS, "precision")
        _choose(self.optimizer, OPTIMIZERS, "optimizer")
        _choose(self.init, INITIALISERS, "init")
        if isinstance(self.lr, bool) or not isinstance(self.lr, (int, float)):
            raise ConfigError(f"lr: expected a number, got {self.lr!r}")
        if not (math.isfinite(self.lr) and 0 < self.lr <= MAX_LR):
            raise ConfigError(f"lr: the learning rate must be above 0 and at most {MAX_LR:g}, got {self.lr:g}")
        object.__setattr__(self, "lr", float(self.lr))
        for name, low, high in (("batch_size", 0, 1 << 16), ("seed", 0, 2**32 - 1), ("epochs", 1, MAX_EPOCHS)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ConfigError(f"{name}: expected a whole number, got {value!r}")
            if not low <= value <= high:
                raise ConfigError(f"{name}: expected {low} to {high}, got {value}")
        object.__setattr__(self, "stop", str(StopRule.parse(self.stop)))

    @property
    def stop_rule(self) -> StopRule:
        """The parsed stop rule."""
        return StopRule.parse(self.stop)


@dataclass(frozen=True)
class Experiment:
    """A gate, an architecture and training settings: everything needed to train from scratch.

    Attributes:
        table: the truth table, with its held-out rows.
        architecture: hidden layers, output activation, bias.
        training: loss, optimizer, lr, batch size, init, seed, epochs, stop rule.
        name: a label for summaries and files.
    """

    table: TruthTable = field(default_factory=lambda: preset("xor"))
    architecture: Architecture = field(default_factory=Architecture)
    training: Training = field(default_factory=Training)
    name: str = "experiment"

    def __post_init__(self) -> None:
        try:
            self.name.encode("utf-8")
        except UnicodeEncodeError as e:
            # A lone surrogate cannot be written to a file or a terminal: refuse it here, not at the first save.
            raise ConfigError(f"name: not valid text (character {e.start + 1} is a lone surrogate)") from None

    @property
    def dtype(self) -> DType:
        """The floating-point type training runs in (``training.precision``)."""
        return PRECISIONS[self.training.precision]

    @property
    def shape(self) -> Shape:
        """The network shape this experiment trains."""
        return self.architecture.shape(self.table.n_inputs, self.table.n_outputs)

    def with_table(self, table: TruthTable) -> Experiment:
        """The experiment with another table."""
        return replace(self, table=table)

    def with_training(self, **changes) -> Experiment:
        """The experiment with some training settings changed (validated)."""
        return replace(self, training=replace(self.training, **changes))

    def with_architecture(self, **changes) -> Experiment:
        """The experiment with some architecture settings changed (validated)."""
        return replace(self, architecture=replace(self.architecture, **changes))


def parse_hidden(spec: str) -> tuple[Layer, ...]:
    """Parse ``16:relu,8:tanh`` (activation optional, default relu) or ``none`` into hidden layers.

    Raises:
        ConfigError: naming the bad item.
    """
    spec = spec.strip()
    if spec.lower() in ("none", ""):
        return ()
    layers = []
    for i, item in enumerate(spec.split(",")):
        units_text, _, act = item.strip().partition(":")
        try:
            units = int(units_text)
        except ValueError:
            raise ConfigError(f"hidden layer {i + 1}: expected a neuron count such as 16 or 16:relu, "
                              f"got '{item.strip()}'") from None
        layer = Layer(units, act.strip() or "relu")
        layer.check(f"hidden layer {i + 1}")
        layers.append(layer)
    if len(layers) > MAX_HIDDEN_LAYERS:
        raise ConfigError(f"hidden: at most {MAX_HIDDEN_LAYERS} hidden layers, got {len(layers)}")
    return tuple(layers)


__all__ = ["Architecture", "Experiment", "Layer", "LabError", "StopRule", "Training", "parse_hidden"]
