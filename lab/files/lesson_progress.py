"""Lesson progress on disk: a small JSON file beside the autosave (``NNLAB_STATE_DIR`` moves both), read and written
through ``lab.files.safe_io`` (a regular file only, bounded, written atomically, readable by its owner only: 0600).
The lesson routing calls it; the lesson pane does no file I/O."""

from __future__ import annotations

import stat
from pathlib import Path

from lab.core.errors import LabError
from lab.core.lessons import Progress
from lab.files.autosave import default_path as autosave_path
from lab.files.safe_io import probe, read_limited, write_private

FILE_NAME = "lessons.json"
MAX_BYTES = 1 << 20  # progress is a few hundred bytes; anything this big is not ours


def default_path() -> Path:
    """``$NNLAB_STATE_DIR/lessons.json``, else the platform's user state directory for nnlab."""
    return autosave_path().parent / FILE_NAME


def load(path: Path) -> Progress:
    """The progress at ``path``; empty progress when there is no file.

    Raises:
        LabError: the file exists but is not lesson progress (the message names the file and why).
    """
    if probe(path) is None:
        return Progress()
    data = read_limited(path, MAX_BYTES, "lesson progress")
    try:
        return Progress.from_bytes(data)
    except LabError as e:
        raise LabError(f"{path}: {e}") from None


def save(path: Path, progress: Progress) -> None:
    """Write ``progress`` to ``path`` privately (``safe_io.write_private``: the folder 0700 when made, the file 0600),
    atomically.

    Raises:
        LabError: the folder cannot be made or the file written (the previous file is then intact).
    """
    st = probe(path)
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise LabError(f"{path}: not a regular file")
    write_private(path, progress.to_bytes(), what="the state folder")
