"""Lesson progress on disk: a small JSON file beside the autosave (``NNLAB_STATE_DIR`` moves both), written
atomically and readable by its owner only (0600)."""

from __future__ import annotations

import os
from pathlib import Path

from lab.core.errors import LabError
from lab.core.lessons import Progress
from lab.files.autosave import default_path as autosave_path
from lab.files.experiment_file import write_atomic

FILE_NAME = "lessons.json"
MODE = 0o600
MAX_BYTES = 1 << 20  # progress is a few hundred bytes; anything this big is not ours


def default_path() -> Path:
    """``$NNLAB_STATE_DIR/lessons.json``, else the platform's user state directory for nnlab."""
    return autosave_path().parent / FILE_NAME


def load(path: Path) -> Progress:
    """The progress at ``path``; empty progress when there is no file.

    Raises:
        LabError: the file exists but is not lesson progress (the message names the file and why).
    """
    if not path.exists():
        return Progress()
    if not path.is_file():
        raise LabError(f"{path}: not a regular file")
    try:
        if path.stat().st_size > MAX_BYTES:
            raise LabError(f"{path}: too large to be lesson progress")
        return Progress.from_bytes(path.read_bytes())
    except OSError as e:
        raise LabError(f"{path}: cannot read ({e.strerror or e})") from None
    except LabError as e:
        raise LabError(f"{path}: {e}") from None


def save(path: Path, progress: Progress) -> None:
    """Write ``progress`` to ``path`` atomically, mode 0600, creating the folder.

    Raises:
        LabError: the folder cannot be made or the file written (the previous file is then intact).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() and not path.is_file():
            raise LabError(f"{path}: not a regular file")
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, MODE))  # write_atomic keeps an existing file's mode
        os.chmod(path, MODE)
    except OSError as e:
        raise LabError(f"{path}: cannot write ({e.strerror or e})") from None
    write_atomic(path, progress.to_bytes())
