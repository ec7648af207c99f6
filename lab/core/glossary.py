"""A word for every term the lab shows: one plain line each, grouped for the help screen.

The registries' names (activations, losses, optimizers, initialisers, stop rules) must all be here; a test holds
them to it. The words only: which key changes a field is the interface's (``lab.ui.tooltips``).
"""

from __future__ import annotations

from dataclasses import dataclass

GROUPS: dict[str, dict[str, str]] = {
    "Networks": {
        "neuron": "one unit of a network: it adds up its inputs times their weights, plus its bias (z), and passes "
                  "on its activation of that sum (a = f(z)); also called a unit",
        "unit": "a neuron",
        "weight": "a number on a connection: each input is multiplied by its weight before the neuron adds them "
                  "up; training changes the weights",
        "hidden layer": "neurons between the inputs and the output: they compute new features for the output to "
                        "combine",
        "features": "what a hidden layer computes from the inputs: new inputs for the next layer to combine",
        "z= a=": "z is a unit's weighted sum plus its bias; a = f(z) is its activation, what it passes on",
        "thresholded at f(0)": "a unit read as on or off for a row: on when its activation is above f(0), its "
                               "value for a zero sum (0.5 for sigmoid, 0 for tanh and relu)",
        "linear output": "an output neuron with no squashing: its answer can be any number, not a probability",
        "linearly separable": "a gate whose 1s and 0s one straight line (a flat cut, in more inputs) can split; "
                              "XOR is not, so one neuron cannot learn it",
        "level line": "where a neuron's weighted sum is the same: parallel straight lines across the input square",
        "generalisation": "answering rows never trained on (held out) by a rule learned from the others",
    },
    "Right and wrong": {
        "y > 0.5": "the rule for right, everywhere (Keras' binary accuracy): an output above 0.5 reads as 1, "
                   "anything else, exactly 0.5 included, as 0; NaN is never right",
        ".50+ .50-": "an output whose two decimals read .50: .50+ is above 0.5 (a 1), .50- is 0.5 or below (a 0)",
        "huge -big": "a linear output too big to show in four characters: huge from about 1e100, -big from about "
                     "-1e10",
        "NaN": "not a number: what an overflowing calculation gives; a run that meets one has diverged",
        "solved": "every training row right at once by the y > 0.5 rule (an answer of 0.51 for a 1 counts: solved "
                  "is not yet confident); the solved epoch is the first time it happens",
    },
    "Losses": {
        "loss": "one number for how wrong the network is on the training rows; training pushes it down",
        "mse": "mean squared error: the average of (output - target)² over rows and outputs",
        "sse": "sum-squared error, halved: ½ Σ (output - target)²; its gradient is the NumPy tutorials' update",
        "bce": "binary cross-entropy: -log of the probability given to the right answer; pairs with a sigmoid output",
    },
    "Optimizers": {
        "gradient": "how much the loss changes for a small change of each weight; training moves every weight a "
                    "step against it, downhill",
        "slope": "how steeply a function rises at a point (its derivative): the sigmoid's is largest at 0.5 and "
                 "near 0 at its ends, which slows learning there",
        "optimizer": "the rule that turns the loss's gradient into a change of the weights",
        "sgd": "plain gradient descent: every weight moves by -lr × its gradient",
        "momentum": "gradient descent that keeps 0.9 of its last move, rolling through flat stretches",
        "adam": "gradient steps scaled per weight by running averages of the gradient and its square (Keras' Adam)",
        "lr": "learning rate: the step size of each update; too small crawls, too large diverges",
        "learning rate": "the step size of each update (lr)",
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
        "stop solved": "stop rule: stop at the first epoch every training row is right (see solved)",
        "loss<X": "stop rule: stop once the training loss falls below X",
        "stop": "the stop rule: budget, solved or loss<X",
        "log scale": "an axis where each step is ten times the last: a loss falling steadily from "
                     "0.1 to 0.0001 shows as a straight slope",
        "accuracy": "the share of training rows whose every output reads as its target (y > 0.5 is a 1)",
        "diverged": "a step made a number infinite or NaN; the last finite weights are kept: lower lr",
        "held out": "a row (h) never trained on, scored apart: does the network guess it?",
        "dead unit": "a hidden unit with the same output on every row: it no longer learns or helps",
        "tick": "the lab's 0.1 s beat: speed 20/tick trains 20 epochs each tick (200 a second); max is unthrottled",
        ".50+ .50-": "an answer that two decimals show as .50: + is just above 0.5 (a 1), - just below (a 0)",
    },
    "Seeds": {
        "sweep": "the same experiment trained from many seeds at once",
        "p10": "10th percentile: a tenth of the seeds that solved did so by this epoch",
        "p90": "90th percentile: nine tenths of the seeds that solved did so by this epoch",
        "median": "the middle solve epoch: half the solving seeds were sooner, half later",
        "spread": "how far apart the seeds' solve epochs lie: from p10 to p90",
        "p10-p90": "the spread: eight tenths of the solving seeds solved between these epochs",
        "pinned": "a sweep kept as A so the next sweep, B, is drawn beside it",
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
        "✓ ✗": "the output reads as its target by the y > 0.5 rule / does not",
        "L ⅃": "chart legend: L marks a series on the left axis (the loss), ⅃ one on the right axis (accuracy)",
        "spread": "chart: ' marks the highest loss within each column's epochs, above the mean line: how noisy it is",
        "● ○": "surface: a training row with target 1 / 0, at its corner; ◆ ◇ a held-out row",
        "Karnaugh map": "the table laid out so neighbouring cells differ in one input; h marks held-out cells",
        "decision surface": "a two-input network's output over the whole unit square, 0 to 1",
        "h3 ~ a NAND b": "hidden unit 3, thresholded on every row, acts as the gate a NAND b",
    },
}
"""Every term by group: term -> one plain line."""

TERMS: dict[str, str] = {term: line for group in GROUPS.values() for term, line in group.items()}
"""Every term, whatever its group."""

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
    """The line for ``term`` (``loss<0.01`` reads as ``loss<X``; ``.50-`` is found in ``.50+ .50-``), or None."""
    if term in TERMS:
        return TERMS[term]
    if term.startswith("loss<"):
        return TERMS["loss<X"]
    return next((line for t, line in TERMS.items() if " " in t and term in t.split()), None)  # ".50-" in ".50+ .50-"


def lines(*terms: str) -> str:
    """``term: its line`` for each of ``terms``, one a line (the tooltips' text)."""
    return "\n".join(f"{t}: {TERMS[t]}" for t in terms)


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
    return lines(*VIEW_TERMS.get(view, ()))
