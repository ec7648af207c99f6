"""The search space of ``nnlab tune``: axes, each a list of values, and the configurations they span.

An axis is one setting of an experiment with the values to try: hidden ``layers`` (0 to a few), ``units`` per hidden
layer, hidden ``activation``, learning rate ``lr``, ``optimizer``, ``loss``, ``batch_size`` and ``init``. Every
hidden layer of a configuration has the same units and activation, so the architecture axes span the hidden stacks
``(units:activation,) * layers``. An axis left out keeps the base experiment's value; when all three architecture
axes are left out, the base's hidden layers are kept exactly as they are (even when they differ from layer to layer).

A configuration with no hidden layer has no units or activation: those axes read ``None`` for it, and the grid holds
it once, not once per unit count. The values and names are the experiment's own (``lab.core.experiment``), so a bad
value fails here with the same words as in ``nnlab train``, naming the axis.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from lab.core.activations import HIDDEN_ACTIVATIONS
from lab.core.errors import LabError
from lab.core.experiment import MAX_HIDDEN_LAYERS, MAX_UNITS, MIN_UNITS, Experiment, Layer
from lab.core.init import INITIALISERS
from lab.core.losses import LOSSES
from lab.core.optim import OPTIMIZERS

AXES = ("layers", "units", "activation", "lr", "optimizer", "loss", "batch_size", "init")
ARCHITECTURE_AXES = ("layers", "units", "activation")
FLAG = {name: "--" + name.replace("_", "-") for name in AXES}
MAX_VALUES = 64  # values on one axis at the most
Value = int | float | str | None


def _float(value: Value) -> float:
    """A numeric axis value (``lr``) as a float."""
    if isinstance(value, int | float):
        return float(value)
    raise TypeError(f"expected a number, got {value!r}")


def _int(value: Value) -> int:
    """A whole-number axis value (layers, units, batch size) as an int."""
    if isinstance(value, int | float):
        return int(value)
    raise TypeError(f"expected a whole number, got {value!r}")


def _whole(text: str, low: int, high: int, what: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise LabError(f"{what}: expected a whole number, got '{text}'") from None
    if not low <= value <= high:
        raise LabError(f"{what}: expected {low} to {high}, got {value}")
    return value


def _rate(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise LabError(f"{what}: expected a number, got '{text}'") from None
    if not (math.isfinite(value) and 0 < value <= 1e6):
        raise LabError(f"{what}: a learning rate is above 0 and at most 1e6, got '{text}'")
    return value


def _name(registry: Sequence[str]):
    def parse(text: str, what: str) -> str:
        if text not in registry:
            raise LabError(f"{what}: unknown '{text}', choose from {', '.join(registry)}")
        return text
    return parse


PARSERS = {
    "layers": lambda text, what: _whole(text, 0, MAX_HIDDEN_LAYERS, what),
    "units": lambda text, what: _whole(text, MIN_UNITS, MAX_UNITS, what),
    "activation": _name(HIDDEN_ACTIVATIONS),
    "lr": _rate,
    "optimizer": _name(tuple(OPTIMIZERS)),
    "loss": _name(tuple(LOSSES)),
    "batch_size": lambda text, what: _whole(text, 0, 1 << 16, what),
    "init": _name(tuple(INITIALISERS)),
}


def parse_axis(name: str, text: str) -> tuple[Value, ...]:
    """The values of axis ``name`` from a comma-separated list (``2,4,8``), in order, repeats dropped.

    Raises:
        LabError: for an empty list, an empty item, or a bad value, in one line naming the flag and the item.
    """
    what = FLAG[name]
    items = [item.strip() for item in text.split(",")]
    if not text.strip():
        raise LabError(f"{what}: expected a comma-separated list of values, got nothing")
    if "" in items:
        raise LabError(f"{what}: item {items.index('') + 1} of '{text}' is empty")
    values = tuple(dict.fromkeys(PARSERS[name](item, f"{what} item {i + 1}") for i, item in enumerate(items)))
    if len(values) > MAX_VALUES:
        raise LabError(f"{what}: at most {MAX_VALUES} values on an axis, got {len(values)}")
    return values


@dataclass(frozen=True)
class Config:
    """One configuration: the hidden layers and the training settings the axes vary.

    Attributes:
        hidden: the hidden layers, in order.
        lr, optimizer, loss, batch_size, init: the training settings.
    """

    hidden: tuple[Layer, ...]
    lr: float
    optimizer: str
    loss: str
    batch_size: int
    init: str

    def value(self, axis: str) -> Value:
        """This configuration's value on ``axis`` (units and activation are None without hidden layers, and are
        the first layer's when the layers differ)."""
        if axis == "layers":
            return len(self.hidden)
        if axis == "units":
            return self.hidden[0].units if self.hidden else None
        if axis == "activation":
            return self.hidden[0].activation if self.hidden else None
        return getattr(self, axis)

    def experiment(self, base: Experiment) -> Experiment:
        """``base`` with this configuration's layers and settings."""
        return base.with_architecture(layers=self.hidden).with_training(
            lr=self.lr, optimizer=self.optimizer, loss=self.loss, batch_size=self.batch_size, init=self.init)

    def hidden_text(self) -> str:
        """The hidden layers as ``--hidden`` takes them: ``16:relu,16:relu`` or ``none``."""
        return ",".join(f"{l.units}:{l.activation}" for l in self.hidden) or "none"


def value_text(value: Value) -> str:
    """An axis value as a person reads it: ``0.01``, ``relu``, ``-`` for none."""
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


@dataclass(frozen=True)
class SearchSpace:
    """The axes of a search over a base experiment.

    Attributes:
        base: the experiment every configuration starts from (gate, output, bias, epochs, seed, stop rule).
        axes: each axis's values; an axis absent here keeps the base's value.
    """

    base: Experiment
    axes: dict[str, tuple[Value, ...]]

    def __post_init__(self) -> None:
        for name, values in self.axes.items():
            if name not in AXES:
                raise LabError(f"unknown axis '{name}': choose from {', '.join(AXES)}")
            if not values:
                raise LabError(f"{FLAG[name]}: expected at least one value")

    def values(self, axis: str) -> tuple[Value, ...]:
        """The values axis ``axis`` takes (the base's alone when it is not searched)."""
        if axis in self.axes:
            return self.axes[axis]
        if axis in ARCHITECTURE_AXES:
            return tuple(dict.fromkeys(config.value(axis) for config in self._stacks_as_configs()))
        return (getattr(self.base.training, axis),)

    def _hidden_stacks(self) -> list[tuple[Layer, ...]]:
        """Every distinct hidden stack the architecture axes span, in axis order."""
        layers = self.base.architecture.layers
        if not any(name in self.axes for name in ARCHITECTURE_AXES):
            return [layers]
        first = layers[0] if layers else Layer(16, "relu")
        counts = self.axes.get("layers", (len(layers),))
        units = self.axes.get("units", (first.units,))
        acts = self.axes.get("activation", (first.activation,))
        stacks: dict[tuple[Layer, ...], None] = {}
        for count in counts:
            for u in units:
                for act in acts:
                    stacks[(Layer(_int(u), str(act)),) * _int(count)] = None
        return list(stacks)

    def _stacks_as_configs(self) -> list[Config]:
        t = self.base.training
        return [Config(stack, t.lr, t.optimizer, t.loss, t.batch_size, t.init) for stack in self._hidden_stacks()]

    def _settings(self) -> list[tuple[Value, ...]]:
        t = self.base.training
        return [self.axes.get(name, (getattr(t, name),)) for name in ("lr", "optimizer", "loss", "batch_size", "init")]

    def size(self) -> int:
        """How many configurations the grid holds."""
        return len(self._hidden_stacks()) * math.prod(len(v) for v in self._settings())

    def config(self, index: int) -> Config:
        """Configuration ``index`` of the grid (0 to ``size() - 1``), in the order ``grid`` lists them: the hidden
        stacks outermost, then lr, optimizer, loss, batch size and initialiser."""
        settings = self._settings()
        picks = []
        for values in reversed(settings):
            index, i = divmod(index, len(values))
            picks.append(values[i])
        lr, optimizer, loss, batch_size, init = reversed(picks)
        return Config(self._hidden_stacks()[index], _float(lr), str(optimizer), str(loss), _int(batch_size), str(init))

    def grid(self) -> Iterator[Config]:
        """Every configuration, in index order."""
        stacks = self._hidden_stacks()
        t_values = self._settings()
        for stack in stacks:
            for lr in t_values[0]:
                for optimizer in t_values[1]:
                    for loss in t_values[2]:
                        for batch_size in t_values[3]:
                            for init in t_values[4]:
                                yield Config(stack, _float(lr), str(optimizer), str(loss), _int(batch_size),
                                             str(init))

    def varied(self) -> list[str]:
        """The axes searched with more than one value, in ``AXES`` order."""
        return [name for name in AXES if len(self.axes.get(name, ())) > 1]


__all__ = ["AXES", "Config", "FLAG", "SearchSpace", "parse_axis", "value_text"]
