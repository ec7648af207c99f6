"""What the lab remembers between runs: the theme the person chose, in a small JSON file beside the autosave.

``$NNLAB_STATE_DIR/settings.json`` (else the platform's user state directory for nnlab), ``{"theme": "nord"}``,
written atomically with mode 0600. A file that cannot be read is reported in one line and otherwise ignored: the lab
starts with its defaults and overwrites it at the next change. Keys this version does not know are kept out of the
way, not refused, so an older nnlab reads a newer one's file.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from lab.core.errors import LabError
from lab.files.autosave import default_path as autosave_path
from lab.files.experiment_file import write_atomic

FILE_NAME = "settings.json"
FILE_MODE = 0o600
ANSI_THEMES = {True: "ansi-dark", False: "ansi-light"}
"""The theme for a terminal of 16 colours, by whether the person's theme is dark: it draws in the terminal's own
palette, so the focus, the cursor and the marks keep distinct colours (another theme's colours, quantised to 16,
collapse into a few)."""
FEW_COLOURS = ("standard", "windows")
"""Rich's names for a terminal of 16 (or 8) colours."""


def default_path() -> Path:
    """``settings.json`` in the autosave's folder (``NNLAB_STATE_DIR`` or the user state directory)."""
    return autosave_path().parent / FILE_NAME


@dataclass(frozen=True)
class Settings:
    """The remembered settings."""

    theme: str | None = None
    """The name of the Textual theme last chosen, or None for the default."""


def load(path: Path) -> Settings:
    """The settings at ``path`` (the defaults when there is no file).

    Raises:
        LabError: the file exists but is not a settings file (one line naming the path and the reason).
    """
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        return Settings()
    except OSError as e:
        raise LabError(f"{path}: cannot read the settings ({e.strerror or e})") from None
    except ValueError as e:  # not UTF-8, or not JSON
        raise LabError(f"{path}: the settings are not JSON ({e})") from None
    if not isinstance(data, dict):
        raise LabError(f"{path}: the settings should be a JSON object, got {type(data).__name__}")
    theme = data.get("theme")
    if theme is not None and not isinstance(theme, str):
        raise LabError(f"{path}: theme: expected a theme's name, got {json.dumps(theme)[:40]}")
    return Settings(theme=theme)


def save(path: Path, settings: Settings) -> None:
    """Write ``settings`` to ``path`` atomically (creating its folder), readable by the user alone.

    Raises:
        LabError: the folder cannot be made or the file written (the previous file is then intact).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise LabError(f"{path.parent}: cannot create the settings folder ({e.strerror or e})") from None
    write_atomic(path, json.dumps(asdict(settings), indent=2).encode() + b"\n")
    try:
        os.chmod(path, FILE_MODE)
    except OSError as e:
        raise LabError(f"{path}: cannot make the settings private ({e.strerror or e})") from None


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
