"""A Keras-style model summary: one row per dense layer with its output shape and parameter count."""

from __future__ import annotations

from dataclasses import dataclass

from lab.core.nn import Shape


@dataclass(frozen=True)
class SummaryRow:
    """One dense layer: Keras' name (``dense``, ``dense_1``, ...), activation, units and parameter count."""

    name: str
    activation: str
    units: int
    params: int

    @property
    def output_shape(self) -> str:
        """``(None, units)`` as Keras prints it."""
        return f"(None, {self.units})"


def summary_rows(shape: Shape) -> list[SummaryRow]:
    """The rows of the summary of ``shape``."""
    return [SummaryRow("dense" if l == 0 else f"dense_{l}", shape.activations[l], shape.sizes[l + 1], params)
            for l, params in enumerate(shape.layer_params())]


def summary_text(shape: Shape, name: str = "sequential") -> str:
    """The summary as Keras 2 prints it, with the activation beside each layer::

        Model: "keras-xor"
        _________________________________________________________________
         Layer (type)                Output Shape              Param #
        =================================================================
         dense (Dense, relu)         (None, 16)                48
         ...
    """
    rule, double = "_" * 65, "=" * 65
    lines = [f'Model: "{name}"', rule, f" {'Layer (type)':<28}{'Output Shape':<26}Param #", double]
    rows = summary_rows(shape)
    for i, row in enumerate(rows):
        lines.append(f" {row.name + ' (Dense, ' + row.activation + ')':<28}{row.output_shape:<26}{row.params}")
        if i < len(rows) - 1:
            lines.append("")
    total = shape.n_params
    lines += [double, f"Total params: {total:,}", f"Trainable params: {total:,}", "Non-trainable params: 0", rule]
    return "\n".join(lines)
