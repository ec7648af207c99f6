"""The commands' reports laid out for the terminal they are printed on: its width (none for a file or a pipe, which
keep every line whole for scripts), a line broken at spaces with its value column kept, and a command broken before
its flags so it still pastes into a shell."""

from __future__ import annotations

import re
import shlex
import shutil
import sys

from lab.drawings.fit_text import hanging

VALUE_COLUMN = re.compile(r"^ *\S(?:\S| (?! ))*  +")
"""A report line's label and the spaces before its value (``  solved           100/100 ...``): a broken line goes
on under the value."""


def output_width() -> int | None:
    """The columns a report line may take: the terminal's less one (the last would wrap on some terminals) when
    standard output is one (COLUMNS overrides), else None: no limit, so a file or a pipe keeps every line whole."""
    return shutil.get_terminal_size((80, 24)).columns - 1 if sys.stdout.isatty() else None


def fit_line(line: str, width: int | None, indent: int | None = None) -> str:
    """``line`` broken at spaces to fit ``width`` (None: as it is), its next lines ``indent`` cells in (default: under
    its value, ``VALUE_COLUMN``, or without one two past its own indent); whole where too little room is left beside
    the indent (``fit_text.hanging``)."""
    if width is None or len(line) <= width:
        return line
    if indent is None:
        label = VALUE_COLUMN.match(line)
        indent = len(label.group(0)) if label else len(line) - len(line.lstrip(" ")) + 2
    return "\n".join(hanging(line, width, indent))


def command_lines(command: str, width: int | None) -> str:
    """``command`` indented two, broken before its ``--`` flags with a shell's `` \\`` where it would not fit
    ``width`` (None: one line), so it still pastes into a shell as one command; a flag stays with its values."""
    if width is None or len(command) + 2 <= width:
        return f"  {command}"
    groups: list[list[str]] = []
    for word in shlex.split(command):  # a quoted path holding " --" stays whole
        if not groups or word.startswith("--"):
            groups.append([])
        groups[-1].append(word)
    lines: list[str] = []
    for piece in map(shlex.join, groups):
        if lines and len(lines[-1]) + 1 + len(piece) + 2 <= width:
            lines[-1] += " " + piece
        else:
            lines.append(("  " if not lines else "      ") + piece)
    return " \\\n".join(lines)


__all__ = ["command_lines", "fit_line", "output_width"]
