"""The one exception family the core raises for bad user input.

Every message is a single line that says what went wrong and where, so the CLI can print it after ``nnlab: `` and
the app can show it in a notification or beside the field that caused it.
"""

from __future__ import annotations


def one_line(text: str) -> str:
    """``text`` with every character that is not printable (a newline, a tab, a terminal escape, a lone surrogate)
    written as its Python escape (``\\n``, ``\\x1b``), so a message quoting what a person typed stays one plain line."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)


class LabError(ValueError):
    """Bad input from a person: a gate, an expression, a setting or a file. The message is one clear line: any
    character of it that is not printable, such as a newline in a quoted name, is escaped."""

    def __init__(self, message: str) -> None:
        super().__init__(one_line(str(message)))


class RunFailure(LabError):
    """Not bad input but a failure while carrying it out: a folder that is missing or cannot be written, a file from
    a newer nnlab, an optional extra that is not installed, an address that cannot be listened on. The command line
    exits 1 for it, 2 for bad input (as pip and click do)."""


def at(place: str, error: LabError) -> LabError:
    """``error`` with ``place`` before its message (``place: message``), of the same family: a failure at run time
    stays one."""
    return (RunFailure if isinstance(error, RunFailure) else LabError)(f"{place}: {error}")


class ExpressionError(LabError):
    """A boolean expression that does not parse.

    Attributes:
        col: 1-based column of the offending character (one past the end for "end of input").
        reason: the message without the column prefix.
    """

    def __init__(self, col: int, reason: str) -> None:
        self.col = col
        self.reason = reason
        super().__init__(f"col {col}: {reason}")


class ConfigError(LabError):
    """An architecture or training setting out of range, or a name not in its registry."""
