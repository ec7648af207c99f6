"""The autosave: the current experiment kept in the user's state directory, so a crash loses seconds, not work.

The app writes it every few seconds while the experiment changes and on quit (atomically, so a kill -9 mid-write
leaves the previous one), and offers it back on the next start. ``NNLAB_STATE_DIR`` moves it (tests, several
users on one account).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from lab.core.errors import LabError
from lab.core.experiment import Experiment
from lab.core.train import Trainer
from lab.files.experiment_file import dumps, read, write_atomic

FILE_NAME = "autosave.json"


def default_path() -> Path:
    """``$NNLAB_STATE_DIR/autosave.json``, else the platform's user state directory for nnlab."""
    folder = os.environ.get("NNLAB_STATE_DIR") or platformdirs.user_state_dir("nnlab", appauthor=False)
    return Path(folder) / FILE_NAME


@dataclass(frozen=True)
class Autosaved:
    """What an autosave holds, to offer it back: the experiment, its trainer and when it was written."""

    experiment: Experiment
    trainer: Trainer | None
    saved_at: float

    def describe(self) -> str:
        """``xor at epoch 1,234, saved 3 minutes ago``."""
        epoch = self.trainer.epoch if self.trainer is not None else 0
        minutes = max(0, int((time.time() - self.saved_at) // 60))
        ago = "just now" if minutes == 0 else f"{minutes} minute{'s' * (minutes != 1)} ago"
        return f"{self.experiment.name} ({self.experiment.table.name}) at epoch {epoch:,}, saved {ago}"


def load(path: Path) -> Autosaved | None:
    """The autosave at ``path``, or None when there is none.

    Raises:
        LabError: the file exists but cannot be read (the message names the field or the reason).
    """
    if not path.exists():
        return None
    experiment, trainer = read(path)
    return Autosaved(experiment, trainer, path.stat().st_mtime)


def save(path: Path, experiment: Experiment, trainer: Trainer | None) -> None:
    """Write the autosave (compact JSON), creating its folder (see ``write``)."""
    write(path, dumps(experiment, trainer, indent=False))


def write(path: Path, data: bytes) -> None:
    """Write already encoded autosave bytes, creating the folder.

    Raises:
        LabError: the folder cannot be made or the file written (the previous autosave is then intact).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise LabError(f"{path.parent}: cannot create the autosave folder ({e.strerror or e})") from None
    write_atomic(path, data)

