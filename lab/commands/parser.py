"""The argument parser every command uses (errors are one line on stderr with exit status 2) and its number type."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from lab.core.errors import one_line


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line (``nnlab train: error: ...``) and exit status 2; a newline or
    other unprintable character in a quoted argument is escaped so the line stays one."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {one_line(message)} (see '{self.prog} --help')\n")


def bounded(low: float, high: float, unit: str, kind: Callable[[str], float] = float) -> Callable[[str], float]:
    """An argparse type: a number from ``low`` to ``high`` (NaN and infinity refused), named with ``unit``; ``kind``
    ``int`` takes whole numbers only."""

    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            value = float("nan")
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"expected {low:g} to {high:g} {unit}, got '{text}'")
        return value

    return parse
