"""How full a node is drawn: each unit's activation as a share of its activation's range, and as one of five
circles ``○ ◔ ◑ ◕ ●`` from the bottom of the range to the top (sigmoid 0 to 1, tanh -1 to 1, relu and linear 0 to
the largest activation given, or to 1 when that is smaller). The network picture (``lab.core.inspect.diagram``)
shades its nodes, and their pictures over the unit square, by it.
"""

from __future__ import annotations

import numpy as np

Array = np.ndarray

NODE_GLYPHS = "○◔◑◕●"  # activation from the bottom of its range to the top
RANGES = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}  # other activations: 0 to the largest on the row
RANGE_FLOOR = 1.0
"""The least top of an unbounded activation's range (relu, linear): a layer whose units all sit near 0 on a row
draws them near empty, as their values (``+0.0``) read, not spread from empty to full by differences too small to
print (which, while training, would change the picture at every redraw)."""


def fill(a: Array, activation: str) -> Array:
    """Each activation as a fraction of its activation's range, in [0, 1] (nan as the bottom)."""
    low, high = RANGES.get(activation, (0.0, max(float(np.max(np.abs(a), initial=0.0)), RANGE_FLOOR)))
    if activation not in RANGES and float(np.min(a, initial=0.0)) < 0:
        low = -high  # linear or leaky units below zero: centre the range on 0
    return np.clip((np.nan_to_num(a, nan=0.0) - low) / (high - low), 0.0, 1.0)


def node_levels(a: Array, activation: str) -> Array:
    """Each activation as a fill level 0-4 (an index into ``NODE_GLYPHS``)."""
    return np.rint(fill(a, activation) * (len(NODE_GLYPHS) - 1)).astype(np.intp)
