"""The interface's own hints: the tooltip of each pane (by CSS id) and the hint line of each architecture field,
with the keys that change it. The keys and ids are the interface's, so they live here; the core's glossary
(``lab.core.glossary``) gives the words."""

from __future__ import annotations

from lab.core.glossary import explain, lines

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


TOOLTIPS: dict[str, str] = {
    "#status": lines("epoch", "loss", "accuracy", "held out", "solved", "lr", "diverged"),
    "#chart": "the training loss, the held-out loss and the accuracy per epoch; l switches the loss axis to log10, "
              "the solved epoch is marked\n" + lines("loss", "accuracy", "L ⅃"),
    "#table-pane": "one row per input combination: its inputs, targets (y) and the network's live answers\n"
                   + lines("✓ ✗", "held out") + "\nf flips a target, h holds a row out, p presets, e an expression",
    "#seeds": lines("sweep", "median", "p10", "p90", "net-ep/s", "A / B"),
}
"""The tooltip of each pane (the app sets them), by CSS selector."""
