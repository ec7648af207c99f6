"""A lesson's setup: the ``KEY VALUE`` lines of its header (and of a step's ``Setup:`` lines), each value checked as
it is read, applied in one order to a fixed start (the header's ``recipe``), never to whatever the lab held before
(see ``lab.core.lessons`` for the file format)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from lab.core.activations import OUTPUT_ACTIVATIONS
from lab.core.errors import LabError
from lab.core.experiment import Experiment, StopRule, parse_hidden
from lab.core.gates import PRESETS, parse_rows, preset, table_from_expression
from lab.core.init import INITIALISERS
from lab.core.lesson_checks import parse_number
from lab.core.losses import LOSSES
from lab.core.optim import OPTIMIZERS
from lab.core.recipes import RECIPES, recipe

SPEEDS = {"1": 1, "5": 5, "20": 20, "100": 100, "500": 500, "max": 0}
"""The lab's speeds (epochs per 0.1 s tick) by the name a lesson uses."""
VIEW_NAMES = ("chart", "picture", "network", "units", "surface", "health", "gradcheck", "summary", "seeds")


# --- setup ------------------------------------------------------------------------------------------------------------
def _choice(options) -> Callable[[str], str]:
    def check(value: str) -> str:
        if value not in options:
            raise LabError(f"unknown '{value}', choose one of {', '.join(options)}")
        return value
    return check


def _positive_number(value: str) -> str:
    if not parse_number(value) > 0:
        raise LabError(f"expected a number above 0, got '{value}'")
    return value


def _whole(value: str) -> str:
    if not re.fullmatch(r"\d+", value.replace(",", "").replace("_", "")):
        raise LabError(f"expected a whole number, got '{value}'")
    return value


def _hidden(value: str) -> str:
    parse_hidden(value)
    return value


def _expr(value: str) -> str:
    table_from_expression(value)
    return value


def _batch(value: str) -> str:
    return value if value == "full" else _whole(value)


def _stop(value: str) -> str:
    StopRule.parse(value)
    return value


SETUP_KEYS: dict[str, Callable[[str], str]] = {
    "recipe": _choice(tuple(RECIPES)), "gate": _choice(tuple(PRESETS)), "expr": _expr, "holdout": str,
    "hidden": _hidden, "output": _choice(OUTPUT_ACTIVATIONS), "bias": _choice(("on", "off")),
    "loss": _choice(tuple(LOSSES)), "optimizer": _choice(tuple(OPTIMIZERS)), "lr": _positive_number,
    "batch": _batch, "init": _choice(tuple(INITIALISERS)), "seed": _whole, "epochs": _whole, "stop": _stop,
    "speed": _choice(tuple(SPEEDS)), "view": _choice(VIEW_NAMES), "log": _choice(("on", "off")), "cursor": _whole,
}
"""Every setup key and the check of its value (each raises LabError with the reason)."""

ORDER = tuple(SETUP_KEYS)  # the order setup is applied in: the experiment first, then its table, network, training
SCREEN_KEYS = ("speed", "view", "log", "cursor")
"""Setup keys about the screen, not the experiment: applying only these keeps the network as it is."""
SCREEN_DEFAULTS = {"log": "off", "cursor": "0"}
"""What a lesson's start sets when its header does not say (``speed`` and ``view`` it must say)."""
REQUIRED = ("recipe", "speed", "view")
"""Header keys every lesson must declare: with them its start is complete whatever came before."""


@dataclass(frozen=True)
class Setup:
    """Setup lines in the order they are applied (``recipe`` and ``gate`` before what changes them)."""

    items: tuple[tuple[str, str], ...] = ()

    def get(self, key: str) -> str | None:
        """The value of ``key``, or None."""
        return next((v for k, v in self.items if k == key), None)

    def __bool__(self) -> bool:
        return bool(self.items)

    def experiment(self, current: Experiment) -> Experiment:
        """``current`` changed by this setup (``current`` itself when nothing in it is about the experiment).

        Raises:
            LabError: when the combination does not make a valid experiment (a holdout row the gate lacks).
        """
        e = current
        items = sorted(self.items, key=lambda kv: ORDER.index(kv[0]))
        for key, value in items:
            if key == "recipe":
                e = recipe(value)
            elif key == "gate":
                e = replace(e.with_table(preset(value)), name=value)
            elif key == "expr":
                e = e.with_table(table_from_expression(value, name="custom"))
            elif key == "holdout":
                e = e.with_table(e.table.with_heldout(parse_rows(value, e.table.n_inputs)))
            elif key == "hidden":
                e = e.with_architecture(layers=parse_hidden(value))
            elif key == "output":
                e = e.with_architecture(output_activation=value)
            elif key == "bias":
                e = e.with_architecture(bias=value == "on")
            elif key in ("loss", "optimizer", "init", "stop"):
                e = e.with_training(**{key: value})
            elif key == "lr":
                e = e.with_training(lr=parse_number(value))
            elif key == "batch":
                e = e.with_training(batch_size=0 if value == "full" else int(value))
            elif key in ("seed", "epochs"):
                e = e.with_training(**{key: int(value.replace(",", "").replace("_", ""))})
        return e

    @property
    def changes_experiment(self) -> bool:
        """Whether applying it replaces the experiment (anything but the ``SCREEN_KEYS``)."""
        return any(k not in SCREEN_KEYS for k, _ in self.items)

    def screen(self) -> dict[str, str]:
        """The screen keys it sets (``speed``, ``view``, ``log``, ``cursor``)."""
        return {k: v for k, v in self.items if k in SCREEN_KEYS}


def start_line(e: Experiment, screen: dict[str, str]) -> str:
    """The one line that says where a lesson (or step) starts: ``xor · 2 -> 4 tanh -> 1 linear, bias on · mse, sgd lr
    0.001, batch full, init glorot_uniform, seed 0, 2,000 epochs, stop budget · chart view, speed max``."""
    a, t, table = e.architecture, e.training, e.table
    sizes = " -> ".join([str(table.n_inputs), *(f"{l.units} {l.activation}" for l in a.layers),
                         f"{table.n_outputs} {a.output_activation}"])
    held = f" (rows {','.join(table.row_label(r) for r in sorted(table.heldout))} held out)" if table.heldout else ""
    batch = "full" if t.batch_size == 0 else str(t.batch_size)
    return (f"{table.name}{held} · {sizes}, bias {'on' if a.bias else 'off'} · {t.loss}, {t.optimizer} lr {t.lr:g}, "
            f"batch {batch}, init {t.init}, seed {t.seed}, {t.epochs:,} epochs, stop {t.stop} · "
            f"{screen.get('view', 'chart')} view, speed {screen.get('speed', '20')}")
