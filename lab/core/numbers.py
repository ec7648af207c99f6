"""Numbers as people read them: four decimals, as Keras prints metrics, unless that would take a screenful."""

from __future__ import annotations

FIXED_LIMIT = 1e6  # from here on (a linear output or loss running away) scientific notation


def four(x: float) -> str:
    """``0.2549``; ``1.2346e+09`` from a million up; ``nan``, ``inf`` and ``-inf`` as themselves.

    Keras prints metrics with four decimals, which for a diverging linear network would be hundreds of digits.
    """
    return f"{x:.4f}" if abs(x) < FIXED_LIMIT else f"{x:.4e}"  # nan and inf format as themselves either way


SMALL_LIMIT = 1e-3  # below this a loss in four decimals reads 0.0000 while it still falls: scientific notation


def loss_text(x: float) -> str:
    """A loss or other metric as Keras' progress bar prints it: ``0.2549`` from 0.001 up, ``1.1921e-10`` below
    (so a loss that keeps falling never reads ``0.0000``), and scientific from a million up as ``four`` does."""
    return f"{x:.4f}" if SMALL_LIMIT <= abs(x) < FIXED_LIMIT else f"{x:.4e}"
def seconds_text(seconds: float) -> str:
    """A time taken, never ``0.000 s``: ``1.234 s`` from a second up, ``12.3 ms`` and ``0.41 ms`` below it (three
    significant digits), ``<1 µs`` for less than half a microsecond (a run of no epochs)."""
    if seconds < 0.5e-6:
        return "<1 µs"
    for scale, unit in ((1e6, "µs"), (1e3, "ms")):
        text = f"{seconds * scale:.3g}"
        if float(text) < 1000:  # 999.6 µs rounds to 1e+03: the next unit says it
            return f"{text} {unit}"
    return f"{seconds:.3f} s"


def percent(count: int, total: int, decimals: int = 0) -> str:
    """``count`` of ``total`` as a percentage that never claims all or none when it is not: ``100%`` only when
    ``count == total``, ``0%`` only when ``count == 0``.

    Otherwise one more decimal is used when ``decimals`` rounds to 0 or 100, and beyond that ``>99.9%`` or
    ``<0.1%``: 9,992 of 10,000 is ``99.9%`` (at ``decimals=0``), 99,999 of 100,000 ``>99.9%``.
    ``-`` when ``total`` is 0.
    """
    if total <= 0:
        return "-"
    if count in (0, total):
        return f"{100 * count // total:.{decimals}f}%"
    value = 100 * count / total
    for places in range(decimals, max(decimals, 1) + 1):
        text = f"{value:.{places}f}"
        if 0 < float(text) < 100:
            return f"{text}%"
    edge = f"{10.0 ** -max(decimals, 1):.{max(decimals, 1)}f}"
    return f"<{edge}%" if value < 50 else f">{100 - float(edge):.{max(decimals, 1)}f}%"
