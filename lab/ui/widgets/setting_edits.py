"""Every edit the architecture pane can make, with no widget: each setting after the hidden layers (how it is
shown, stepped by left/right and parsed from typed text) and the edits of the hidden layers. Each takes the current
``Architecture`` and ``Training`` and gives the next ones; the core validates them (a ``LabError`` says why not), and
``SettingsList`` proposes the result.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from lab.core.activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from lab.core.errors import LabError
from lab.core.experiment import MAX_UNITS, MIN_UNITS, Architecture, Layer, StopRule, Training, parse_hidden, stepped_lr
from lab.core.init import INITIALISERS
from lab.core.losses import LOSSES
from lab.core.optim import OPTIMIZERS

BATCH_STEPS = (0, 1, 2, 4, 8, 16, 32, 64, 128)
EPOCH_STEPS = (10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000,
               1_000_000)
STOP_CHOICES = ("budget", "solved", "loss<0.01", "loss<0.001")
NEW_LAYER = Layer(4, "relu")  # what ``a`` adds to a network with no hidden layer

Values = tuple[Architecture, Training]
"""The values the pane edits: the architecture and the training settings."""


def _cycle(options: tuple, value, step: int):
    """The option ``step`` places after ``value`` (wrapping)."""
    i = options.index(value) if value in options else 0
    return options[(i + step) % len(options)]


def _ladder(steps: tuple[int, ...], value: int, step: int) -> int:
    """The next rung of ``steps`` above (step 1) or below (step -1) ``value``, clamped to the ends."""
    if step > 0:
        return next((s for s in steps if s > value), steps[-1])
    return next((s for s in reversed(steps) if s < value), steps[0])


@dataclass(frozen=True)
class Setting:
    """One line of the list: its label, how to show it, step it and parse typed text."""

    key: str
    label: str
    show: Callable[[Architecture, Training], str]
    step: Callable[[Architecture, Training, int], Values]
    parse: Callable[[Architecture, Training, str], Values] | None = None


def _train_field(name: str, convert: Callable[[str], Any]) -> Callable[[Architecture, Training, str], Values]:
    def parse(a: Architecture, t: Training, text: str) -> Values:
        try:
            value = convert(text.strip())
        except ValueError:
            raise LabError(f"{name}: '{text.strip()}' is not a number") from None
        return a, replace(t, **{name: value})
    return parse


def _lr_step(a: Architecture, t: Training, step: int) -> Values:
    return a, replace(t, lr=stepped_lr(t.lr, step))


def _stop_parse(a: Architecture, t: Training, text: str) -> Values:
    return a, replace(t, stop=str(StopRule.parse(text)))


def settings() -> list[Setting]:
    """Every setting after the hidden layers, in the order they are listed."""
    return [
        Setting("output", "Output", lambda a, t: a.output_activation,
                lambda a, t, s: (replace(a, output_activation=_cycle(OUTPUT_ACTIVATIONS, a.output_activation, s)), t)),
        Setting("bias", "Bias", lambda a, t: "on" if a.bias else "off",
                lambda a, t, s: (replace(a, bias=not a.bias), t)),
        Setting("loss", "Loss", lambda a, t: t.loss,
                lambda a, t, s: (a, replace(t, loss=_cycle(tuple(LOSSES), t.loss, s)))),
        Setting("optimizer", "Optim", lambda a, t: t.optimizer,
                lambda a, t, s: (a, replace(t, optimizer=_cycle(tuple(OPTIMIZERS), t.optimizer, s)))),
        Setting("lr", "LR", lambda a, t: f"{t.lr:g}", _lr_step, _train_field("lr", float)),
        Setting("batch_size", "Batch", lambda a, t: "full" if t.batch_size == 0 else str(t.batch_size),
                lambda a, t, s: (a, replace(t, batch_size=_ladder(BATCH_STEPS, t.batch_size, s))),
                _train_field("batch_size", lambda x: 0 if x.lower() == "full" else int(x))),
        Setting("init", "Init", lambda a, t: t.init,
                lambda a, t, s: (a, replace(t, init=_cycle(tuple(INITIALISERS), t.init, s)))),
        Setting("seed", "Seed", lambda a, t: str(t.seed),
                lambda a, t, s: (a, replace(t, seed=max(0, t.seed + s))), _train_field("seed", int)),
        Setting("epochs", "Epochs", lambda a, t: f"{t.epochs:,}",
                lambda a, t, s: (a, replace(t, epochs=_ladder(EPOCH_STEPS, t.epochs, s))),
                _train_field("epochs", lambda x: int(x.replace(",", "").replace("_", "")))),
        Setting("stop", "Stop", lambda a, t: t.stop,
                lambda a, t, s: (a, replace(t, stop=_cycle(STOP_CHOICES, t.stop, s))), _stop_parse),
    ]


# --- the hidden layers ---------------------------------------------------------------------------------------------
def with_layer(a: Architecture, index: int, layer: Layer) -> Architecture:
    """``a`` with hidden layer ``index`` replaced by ``layer``."""
    return replace(a, layers=a.layers[:index] + (layer,) + a.layers[index + 1 :])


def step_units(a: Architecture, index: int, step: int) -> Architecture:
    """Layer ``index`` one neuron smaller (step -1) or larger (+1), within the core's bounds."""
    units = max(MIN_UNITS, min(MAX_UNITS, a.layers[index].units + step))
    return with_layer(a, index, replace(a.layers[index], units=units))


def next_activation(a: Architecture, index: int) -> Architecture:
    """Layer ``index`` with the next hidden activation."""
    layer = a.layers[index]
    return with_layer(a, index, replace(layer, activation=_cycle(HIDDEN_ACTIVATIONS, layer.activation, 1)))


def added_at(a: Architecture, after: int | None) -> int:
    """Where ``add_layer(a, after)`` puts the new layer: after layer ``after``, or for None at the end."""
    return len(a.layers) if after is None else after + 1


def add_layer(a: Architecture, after: int | None) -> Architecture:
    """A hidden layer inserted after layer ``after`` (a copy of it) or, for None, at the end (a copy of the last,
    or ``NEW_LAYER``). The core refuses more than its most hidden layers."""
    at = added_at(a, after)
    new = a.layers[after] if after is not None else (a.layers[-1] if a.layers else NEW_LAYER)
    return replace(a, layers=a.layers[:at] + (new,) + a.layers[at:])


def remove_layer(a: Architecture, index: int) -> Architecture:
    """``a`` without hidden layer ``index``."""
    return replace(a, layers=a.layers[:index] + a.layers[index + 1 :])


def parse_layer(a: Architecture, index: int, text: str) -> Architecture:
    """Layer ``index`` as typed, ``units:activation`` (``8:tanh``); a ``LabError`` when it is not one layer."""
    parsed = parse_hidden(text)
    if len(parsed) != 1:
        raise LabError("type one layer as units:activation, e.g. 8:tanh")
    return with_layer(a, index, parsed[0])
