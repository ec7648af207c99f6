"""Settings that cannot learn, said in words before the person wonders why nothing moves.

Binary cross-entropy takes its outputs as probabilities. After a sigmoid they are always inside (0, 1); after a
linear or tanh output they are clipped to [eps, 1 - eps] (as Keras does, ``lab.core.losses``), and the clipped loss is
flat outside that range: an output at or below 0, or at or above 1, gets no gradient at all. A tanh or linear output
starting below 0 on every row (half of all starts, for a tanh) then never moves.
"""

from __future__ import annotations

from dataclasses import dataclass

from lab.core.experiment import Architecture, Training

BOUNDED_OUTPUTS = ("sigmoid",)  # outputs that stay inside (0, 1): the only ones bce's gradient always reaches


@dataclass(frozen=True)
class Advice:
    """A warning about a combination of settings: a sentence for a notification and a few words for the status
    line."""

    message: str
    hint: str


def settings_advice(architecture: Architecture, training: Training) -> Advice | None:
    """Why these settings may train nothing, or None when nothing stands out."""
    output = architecture.output_activation
    if training.loss == "bce" and output not in BOUNDED_OUTPUTS:
        return Advice(f"bce after a {output} output: outputs at or below 0 or at or above 1 are clipped and get no "
                      "gradient, so they stay frozen. Use a sigmoid output with bce, or the loss mse.",
                      f"bce needs a sigmoid output ({output}: may not learn)")
    return None
