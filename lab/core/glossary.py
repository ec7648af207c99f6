"""A word for every term the lab shows: one plain line each, grouped for the help screen.

The registries' names (activations, losses, optimizers, initialisers, stop rules) must all be here; a test holds
them to it. ``FIELD_HINTS`` gives the hint line of each architecture field, naming the keys that change it.
"""

from __future__ import annotations

from dataclasses import dataclass

GROUPS: dict[str, dict[str, str]] = {
    "Losses": {
        "loss": "one number for how wrong the network is on the training rows; training pushes it down",
        "mse": "mean squared error: the average of (output - target)² over rows and outputs",
        "sse": "sum-squared error, halved: ½ Σ (output - target)²; its gradient is the NumPy tutorials' update",
        "bce": "binary cross-entropy: -log of the probability given to the right answer; pairs with a sigmoid output",
    },
    "Optimizers": {
        "optimizer": "the rule that turns the loss's gradient into a change of the weights",
        "sgd": "plain gradient descent: every weight moves by -lr × its gradient",
        "momentum": "gradient descent that keeps 0.9 of its last move, rolling through flat stretches",
        "adam": "gradient steps scaled per weight by running averages of the gradient and its square (Keras' Adam)",
        "lr": "learning rate: the step size of each update; too small crawls, too large diverges",
    },
    "Activations": {
        "activation": "the function a unit applies to its weighted sum z",
        "sigmoid": "1 / (1 + e^-z): squashes any z into (0, 1), read as a probability",
        "tanh": "squashes z into (-1, 1), centred on 0",
        "relu": "max(z, 0): passes positive sums, zeros the rest; a unit stuck below 0 is dead",
        "leaky_relu": "like relu, but negative sums pass at 0.01 × z, so a unit cannot die completely",
        "linear": "z unchanged: no squashing (an output can be any number)",
    },
    "Initialisers": {
        "init": "how the first weights are drawn (from the seed) before any training",
        "uniform": "weights and biases uniform in (-1, 1), as the NumPy tutorials draw them",
        "normal": "weights and biases from a standard normal distribution (NumPy's randn)",
        "glorot_uniform": "Keras' default: uniform, scaled by the layer's fan in and fan out; biases start at 0",
        "he_normal": "normal scaled by √(2 / fan in), suited to relu layers; biases start at 0",
    },
    "Training": {
        "epoch": "one pass over every training row (one update with a full batch)",
        "batch": "rows per update: full uses every training row at once; 1 updates after each row",
        "seed": "the number the random first weights and the row shuffling are drawn from; same seed, same run",
        "bias": "a weight on an input that is always 1: lets a unit shift its split away from the origin",
        "budget": "stop rule: train every epoch of the budget (Epochs)",
        "solved": "stop rule: stop at the first epoch every training row is right; also the solved epoch itself",
        "loss<X": "stop rule: stop once the training loss falls below X",
        "stop": "the stop rule: budget, solved or loss<X",
        "accuracy": "the share of training rows whose every output rounds to its target (above 0.5 is a 1)",
        "diverged": "a step made a number infinite or NaN; the last finite weights are kept: lower lr",
        "held out": "a row (h) never trained on, scored apart: does the network guess it?",
        "dead unit": "a hidden unit with the same output on every row: it no longer learns or helps",
    },
    "Seeds": {
        "sweep": "the same experiment trained from many seeds at once (k)",
        "p10": "10th percentile: a tenth of the seeds that solved did so by this epoch",
        "p90": "90th percentile: nine tenths of the seeds that solved did so by this epoch",
        "median": "the middle solve epoch: half the solving seeds were sooner, half later",
        "net-ep/s": "network-epochs per second: seeds × epochs trained, divided by the seconds taken",
        "A / B": "A is a pinned sweep (A); B is the next sweep, drawn beside it for comparison",
    },
    "Views": {
        "‖W‖": "the size of a layer's weights: the square root of the sum of their squares",
        "‖∂L/∂W‖": "the size of the loss's gradient for a layer: how hard training is pushing its weights",
        "‖∇‖": "short for ‖∂L/∂W‖, the gradient's size",
        "centred differences": "a numeric slope, (L(w+h) - L(w-h)) / 2h, used to check backpropagation",
        "relative error": "|backprop - numeric| / (|backprop| + |numeric|): below 1e-7 agrees, above 1e-4 is a bug",
        "w(a→h1)": "the weight on the line from a to h1; bias(h1) is the number h1 adds to its weighted sum",
        "sum z": "a unit's weighted sum: each input times its weight, added up, plus the unit's bias",
        "output =": "a unit's activation of its sum z, what it passes on (for the inputs: the row's value)",
        "━ ╍": "picture: a weight of 1.5 or more in size, positive (solid) or negative (dashed); a fixed scale",
        "─ ╌": "picture: a weight from 0.25 to 1.5 in size, positive (solid) or negative (dashed)",
        "┈": "picture: a weight under 0.25 in size, too small to matter much (its colour gives its sign)",
        "○ ◔ ◑ ◕ ●": "picture: a unit's activation on the row, from the bottom of its range to the top",
        "✓ ✗": "the output rounds to the target / does not",
        "L ⅃": "chart legend: L marks a series on the left axis (the loss), ⅃ one on the right axis (accuracy)",
        "● ○": "surface: a training row with target 1 / 0, at its corner; ◆ ◇ a held-out row",
        "Karnaugh map": "the table laid out so neighbouring cells differ in one input; h marks held-out cells",
        "decision surface": "a two-input network's output over the whole unit square, 0 to 1",
        "h3 ~ a NAND b": "hidden unit 3, thresholded on every row, acts as the gate a NAND b",
    },
}
"""Every term by group: term -> one plain line."""

TERMS: dict[str, str] = {term: line for group in GROUPS.values() for term, line in group.items()}
"""Every term, whatever its group."""

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
    "seed": "where the random first weights come from; n next",
    "epochs": "the budget: epochs a run may train; ←/→",
    "stop": "when a run ends early: budget, solved, loss<X",
}
"""The hint line for each architecture field (``layer`` for a hidden layer line, ``add`` for its '+ layer' line)."""

SETTING_TERMS: dict[str, str] = {"layer": "activation", "add": "activation", "output": "activation",
                                 "bias": "bias", "loss": "loss", "optimizer": "optimizer", "lr": "lr",
                                 "batch_size": "batch", "init": "init", "seed": "seed", "epochs": "epoch",
                                 "stop": "stop"}
"""The glossary term behind each field, for the field's value (its value's own line is preferred)."""


@dataclass(frozen=True)
class Entry:
    """One glossary line: its group, its term and what it means."""

    group: str
    term: str
    line: str


def entries(query: str = "") -> tuple[Entry, ...]:
    """Every entry whose term, line or group contains ``query`` (case-insensitive), in group order."""
    q = query.strip().lower()
    return tuple(Entry(g, t, line) for g, terms in GROUPS.items() for t, line in terms.items()
                 if not q or q in t.lower() or q in line.lower() or q in g.lower())


def explain(term: str) -> str | None:
    """The line for ``term`` (``loss<0.01`` reads as ``loss<X``), or None."""
    if term in TERMS:
        return TERMS[term]
    if term.startswith("loss<"):
        return TERMS["loss<X"]
    return None


def field_hint(key: str, value: str = "") -> str:
    """What architecture field ``key`` means: for a choice (a loss, an activation...) what its ``value`` means
    (``mse: mean squared error...``), else the field's line with its keys (``the step size of each update; ]
    doubles it...``)."""
    meaning = explain(value.split()[-1]) if value else None
    if meaning and key not in ("lr", "seed", "epochs", "batch_size"):
        return f"{value}: {meaning}"
    return FIELD_HINTS.get(key, "")


def _lines(*terms: str) -> str:
    return "\n".join(f"{t}: {TERMS[t]}" for t in terms)


TOOLTIPS: dict[str, str] = {
    "#status": _lines("epoch", "loss", "accuracy", "held out", "solved", "lr", "diverged"),
    "#chart": "the training loss, the held-out loss and the accuracy per epoch; l switches the loss axis to log10, "
              "the solved epoch is marked\n" + _lines("loss", "accuracy", "L ⅃"),
    "#table-pane": "one row per input combination: its inputs, targets (y) and the network's live answers\n"
                   + _lines("✓ ✗", "held out") + "\nf flips a target, h holds a row out, p presets, e an expression",
    "#seeds": _lines("sweep", "median", "p10", "p90", "net-ep/s", "A / B"),
}
"""The tooltip of each pane (the app sets them), by CSS selector."""

VIEW_TERMS: dict[str, tuple[str, ...]] = {
    "network": ("w(a→h1)", "sum z", "output ="),
    "units": ("h3 ~ a NAND b", "dead unit"),
    "surface": ("decision surface", "● ○", "Karnaugh map"),
    "health": ("‖W‖", "‖∂L/∂W‖", "‖∇‖", "dead unit"),
    "gradcheck": ("centred differences", "relative error"),
    "summary": ("bias",),
    "picture": ("━ ╍", "─ ╌", "┈", "○ ◔ ◑ ◕ ●", "activation"),
}
"""The terms each inspect view shows."""


def view_tooltip(view: str) -> str:
    """The tooltip of inspect view ``view``: its symbols in plain words."""
    return _lines(*VIEW_TERMS.get(view, ()))
