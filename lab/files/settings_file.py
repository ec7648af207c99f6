"""What the lab remembers between runs: the theme the person chose, in a small JSON file beside the autosave.

``$NNLAB_STATE_DIR/settings.json`` (else the platform's user state directory for nnlab), ``{"theme": "nord"}``,
written private (``safe_io.write_private``: created 0600 in a 0700 folder) and atomically, read through
``safe_io.read_limited`` (a regular file of at most 64 KiB). A file that cannot be read is reported in one line and
otherwise ignored: the lab starts with its defaults and overwrites it at the next change. Keys this version does
not know are kept out of the way, not refused, so an older nnlab reads a newer one's file.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from lab.core.errors import LabError
from lab.files.autosave import default_path as autosave_path
from lab.files.safe_io import probe, read_limited, write_private

FILE_NAME = "settings.json"
MAX_BYTES = 64 << 10


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
    if probe(path) is None:
        return Settings()
    try:
        data = json.loads(read_limited(path, MAX_BYTES, "a settings file").removeprefix(b"\xef\xbb\xbf"))
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
    write_private(path, json.dumps(asdict(settings), indent=2).encode() + b"\n", "the settings folder")
