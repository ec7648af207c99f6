"""The autosave: the current experiment kept in the user's state directory, so a crash loses seconds, not work.

The app writes it every few seconds while the experiment changes and on quit (atomically, so a kill -9 mid-write
leaves the previous one), and offers it back on the next start. ``NNLAB_STATE_DIR`` moves it (tests, several
users on one account).

- Private: the folder is made readable by its owner only (0700) and the file is written 0600.
- Small at any length: a history longer than ``2 * HISTORY_POINTS`` epochs is kept every ``stride``-th epoch
  before its last ``HISTORY_POINTS`` or so, which are exact (``experiment_file.capture``), so a 10-million-epoch
  run autosaves about 3 MB instead of 200 MB. A save (ctrl+s) keeps every epoch.
- Shared safely: two labs of one user share the autosave. Each ``Autosaver`` remembers the file as it was when its
  lab started or last wrote it; if it has changed since, another lab wrote it, and this lab writes to a second name
  (``autosave-PID.json``) instead of overwriting that lab's session, and says so.
- Tidy: a ``.autosave.json.*.tmp`` left by a lab killed mid-write (older than this process) is removed at start.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from lab.core.errors import LabError, RunFailure
from lab.core.experiment import Experiment
from lab.core.state import TrainingState
from lab.core.train import Trainer
from lab.files.experiment_file import ExperimentSpec, capture, dumps, read
from lab.files.safe_io import probe, remove_stale_temps, write_atomic

FILE_NAME = "autosave.json"
FOLDER_MODE = 0o700
FILE_MODE = 0o600
HISTORY_POINTS = 65_536  # per series: the sampled start and the exact latest stretch each hold about this many


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


def snapshot(experiment: Experiment, state: TrainingState | None) -> ExperimentSpec:
    """What the autosave holds of the experiment and a training state, a long history kept in part (see the module
    docstring)."""
    return capture(experiment, state, history_points=HISTORY_POINTS)


def load(path: Path) -> Autosaved | None:
    """The autosave at ``path``, or None when there is none.

    Raises:
        LabError: the file exists but cannot be read (the message names the field or the reason).
    """
    path = Path(path)
    st = probe(path)
    if st is None:
        return None
    experiment, trainer = read(path)
    return Autosaved(experiment, trainer, st.st_mtime)


def save(path: Path, experiment: Experiment, state: TrainingState | None) -> None:
    """Write the autosave (compact JSON), creating its folder (see ``write``)."""
    write(path, dumps(experiment, state, indent=False))


def make_folder(folder: Path) -> None:
    """Create the autosave folder (and its parents) readable by its owner only; an existing folder is left as is.

    Raises:
        LabError: the folder cannot be made.
    """
    try:
        folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    except (OSError, ValueError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else e
        raise RunFailure(f"{folder}: cannot create the autosave folder ({reason})") from None


def write(path: Path, data: bytes) -> None:
    """Write already encoded autosave bytes (mode 0600), creating the folder (0700).

    Raises:
        LabError: the folder cannot be made or the file written (the previous autosave is then intact).
    """
    path = Path(path)
    make_folder(path.parent)
    write_atomic(path, data, mode=FILE_MODE)


def _signature(path: Path) -> tuple[int, int, int] | None:
    """What identifies one write of ``path``: inode, modification time (ns) and size; None when absent."""
    try:
        st = probe(path)
    except LabError:
        return None
    return None if st is None else (st.st_ino, st.st_mtime_ns, st.st_size)


class Autosaver:
    """One lab's autosave: where it goes and whether another lab has written there since this one last looked.

    Made when the lab starts: it notes the file as it is then and removes temporary files left by a lab killed
    mid-write. Thread-safe: the lab writes from a worker and, on quit, from the interface thread.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        """Where this lab autosaves: the shared name, or its own second name once another lab wrote there."""
        self.shared_path = path
        self._lock = threading.Lock()
        self._seen = _signature(path)
        remove_stale_temps(path)

    def load(self) -> Autosaved | None:
        """The autosave as it is now (see ``load``), noted as seen."""
        with self._lock:
            self._seen = _signature(self.path)
            return load(self.path)

    def write(self, data: bytes) -> Path | None:
        """Write ``data`` as this lab's autosave.

        Returns:
            The second name written to, when another lab changed the shared file since this lab last saw it (this
            lab keeps writing there from then on); else None.

        Raises:
            LabError: the folder cannot be made or the file written (the previous autosave is then intact).
        """
        with self._lock:
            diverted = None
            if self.path == self.shared_path and _signature(self.path) != self._seen:
                self.path = self.path.with_name(f"{self.path.stem}-{os.getpid()}{self.path.suffix}")
                diverted = self.path
                remove_stale_temps(self.path)
            write(self.path, data)
            self._seen = _signature(self.path)
            return diverted
