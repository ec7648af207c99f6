"""The one exception family the core raises for bad user input.

Every message is a single line that says what went wrong and where, so the CLI can print it after ``nnlab: `` and
the app can show it in a notification or beside the field that caused it.
"""

from __future__ import annotations


class LabError(ValueError):
    """Bad input from a person: a gate, an expression, a setting or a file. The message is one clear line."""


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
