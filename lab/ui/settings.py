"""The themes the lab can use, and the settings it remembers between runs (kept by ``lab.files.settings_file``,
re-exported here for the app)."""

from __future__ import annotations

from lab.core.errors import LabError
from lab.files.settings_file import Settings, default_path, load, save

__all__ = ["ANSI_THEMES", "FEW_COLOURS", "Settings", "check_theme", "default_path", "load", "save", "theme_names"]

ANSI_THEMES = {True: "ansi-dark", False: "ansi-light"}
"""The theme for a terminal of 16 colours, by whether the person's theme is dark: it draws in the terminal's own
palette, so the focus, the cursor and the marks keep distinct colours (another theme's colours, quantised to 16,
collapse into a few)."""
FEW_COLOURS = ("standard", "windows")
"""Rich's names for a terminal of 16 (or 8) colours."""


def theme_names() -> list[str]:
    """The themes the lab can use: Textual's built-in themes (the lab registers none of its own)."""
    from textual.theme import BUILTIN_THEMES

    return list(BUILTIN_THEMES)


def check_theme(name: str) -> str:
    """``name`` when it is a theme the lab can use.

    Raises:
        LabError: ``--theme: no theme 'x' (choose from textual-dark, ...)``.
    """
    names = theme_names()
    if name not in names:
        raise LabError(f"--theme: no theme '{name}' (choose from {', '.join(names)})")
    return name
