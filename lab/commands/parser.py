"""The argument parser every command uses: errors are one line on stderr with exit status 2."""

from __future__ import annotations

import argparse

from lab.core.errors import one_line


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line (``nnlab train: error: ...``) and exit status 2; a newline or
    other unprintable character in a quoted argument is escaped so the line stays one."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {one_line(message)} (see '{self.prog} --help')\n")
