"""The hint line of each architecture field: what it means and the keys that change it (the keys are the
interface's, so they live here and not in the core's glossary, which gives the words)."""

from __future__ import annotations

from lab.core.glossary import explain

FIELD_HINTS: dict[str, str] = {
    "layer": "←/→ units, c activation, a add, x remove",
    "add": "a adds a hidden layer",
    "output": "the output's activation; ←/→ change it",
    "bias": "a weight on a constant 1 per unit; ←/→ toggle",
    "loss": "how wrongness is measured; ←/→ change it",
    "optimizer": "the update rule; ←/→ change it",
    "lr": "step size of each update; ] doubles, [ halves",
    "batch_size": "rows per update (full = all); ←/→, enter types",
    "init": "how the first weights are drawn; ←/→",
    "seed": "where the random first weights come from; N next",
    "epochs": "the budget: epochs a run may train; ←/→",
    "stop": "when a run ends early: budget, solved, loss<X",
}
"""The hint line for each architecture field (``layer`` for a hidden layer line, ``add`` for its '+ layer' line)."""


def field_hint(key: str, value: str = "") -> str:
    """What architecture field ``key`` means: for a choice (a loss, an activation...) what its ``value`` means
    (``mse: mean squared error...``), else the field's line with its keys (``the step size of each update; ]
    doubles it...``)."""
    meaning = explain(value.split()[-1]) if value else None
    if meaning and key not in ("lr", "seed", "epochs", "batch_size"):
        return f"{value}: {meaning}"
    return FIELD_HINTS.get(key, "")
