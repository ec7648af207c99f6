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
