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


KERAS_WIDTH = 65  # Keras 2's rule length; its columns start at 1, 29 and 55
GAP = 2  # cells between narrowed columns


def summary_text(shape: Shape, name: str = "sequential", width: int = KERAS_WIDTH) -> str:
    """The summary as Keras 2 prints it, with the activation beside each layer, laid out for ``width`` cells::

        Model: "keras-xor"
        _________________________________________________________________
         Layer (type)                Output Shape              Param #
        =================================================================
         dense (Dense, relu)         (None, 16)                48
         ...

    From ``KERAS_WIDTH`` (65) on it is Keras' own layout. Narrower, the columns shrink to their contents (two
    cells apart) and the rules to the width; then the layer's type goes (``dense (relu)``, every layer being
    Dense); narrower still, each layer takes two lines, its output shape and parameter count under its name.
    From 28 cells on no line is wider than ``width`` but the model's name, which the caller wraps.
    """
    rows = summary_rows(shape)
    shapes = [row.output_shape for row in rows]
    counts = [f"{row.params:,}" for row in rows]  # "1,056" at every width, as the totals
    if width >= KERAS_WIDTH:
        labels = [f"{row.name} (Dense, {row.activation})" for row in rows]
        return _table(name, KERAS_WIDTH, ("Layer (type)", 28), ("Output Shape", 26), labels, shapes, counts,
                      shape.n_params)
    count_width = max(len("Param #"), *map(len, counts))
    for header, labels in (("Layer (type)", [f"{row.name} (Dense, {row.activation})" for row in rows]),
                           ("Layer (Dense)", [f"{row.name} ({row.activation})" for row in rows])):
        first = (header, max(len(header), *map(len, labels)) + GAP)
        second = ("Output Shape", max(len("Output Shape"), *map(len, shapes)) + GAP)
        needed = 1 + first[1] + second[1] + count_width
        if needed <= width:
            return _table(name, needed, first, second, labels, shapes, counts, shape.n_params)
    labels = [f"{row.name} ({row.activation})" for row in rows]
    body = [f" {label}\n   {shape_}  {count} params"
            for label, shape_, count in zip(labels, shapes, counts, strict=True)]
    rule_width = max(12, min(width, max(len(line) for text in body for line in text.split("\n"))))
    return _assemble(name, rule_width, [" Layer (Dense)"], body, shape.n_params)


def _table(name: str, rule_width: int, first: tuple[str, int], second: tuple[str, int], labels: list[str],
           shapes: list[str], counts: list[str], total: int) -> str:
    """The summary with one line per layer: ``first`` and ``second`` are the first two columns' headers and
    widths."""
    body = [f" {label:<{first[1]}}{shape_:<{second[1]}}{count}"
            for label, shape_, count in zip(labels, shapes, counts, strict=True)]
    return _assemble(name, rule_width, [f" {first[0]:<{first[1]}}{second[0]:<{second[1]}}Param #"], body, total)


def _assemble(name: str, rule_width: int, header: list[str], body: list[str], total: int) -> str:
    """The name, rules, ``header``, the layers' ``body`` (a blank line between layers) and the totals."""
    rule, double = "_" * rule_width, "=" * rule_width
    lines = [f'Model: "{name}"', rule, *header, double]
    for i, text in enumerate(body):
        lines.append(text)
        if i < len(body) - 1:
            lines.append("")
    lines += [double, f"Total params: {total:,}", f"Trainable params: {total:,}", "Non-trainable params: 0", rule]
    return "\n".join(lines)
