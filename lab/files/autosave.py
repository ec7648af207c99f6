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
- Tidy: a ``.autosave.json.PID.*.tmp`` left by a lab killed mid-write (its process gone) is removed at start and
  before each write.
- Never lost: a file this nnlab cannot read (a newer version's, a truncated or broken one) is moved aside to
  ``autosave.unreadable-TIME.json`` before anything is written in its place, and the message names it
  (``Unreadable``). At start every autosave a lab left (the shared one and any second name whose lab is gone) is
  offered back (``Autosaver.recoverable``).
"""

from __future__ import annotations

import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from lab.core.errors import LabError
from lab.core.experiment import Experiment
from lab.core.state import TrainingState
from lab.core.train import Trainer
from lab.files.experiment_file import ExperimentSpec, capture, dumps, read
from lab.files.safe_io import (
    PRIVATE_FOLDER_MODE,
    exists,
    probe,
    process_alive,
    remove_stale_temps,
    write_private,
)

FILE_NAME = "autosave.json"
FOLDER_MODE = PRIVATE_FOLDER_MODE
FILE_MODE = 0o600  # what write_private creates
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
        """``keras-xor (xor) at epoch 1,234, saved 3 minutes ago``; a run named by its gate once: ``a & b at ...``."""
        epoch = self.trainer.epoch if self.trainer is not None else 0
        minutes = max(0, int((time.time() - self.saved_at) // 60))
        ago = "just now" if minutes == 0 else f"{minutes} minute{'s' * (minutes != 1)} ago"
        e = self.experiment
        named = e.name if e.name == e.table.name else f"{e.name} ({e.table.name})"  # a & b, not a & b (a & b)
        return f"{named} at epoch {epoch:,}, saved {ago}"


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


def write(path: Path, data: bytes) -> None:
    """Write already encoded autosave bytes, private (``safe_io.write_private``: the folder 0700, the file 0600).

    Raises:
        LabError: the folder cannot be made or the file written (the previous autosave is then intact).
    """
    write_private(path, data, "the autosave folder")


class Unreadable(LabError):
    """An autosave that cannot be read, moved aside so nothing overwrites it.

    Attributes:
        kept: where it now is, or None when it could not be moved (then this lab autosaves to a second name).
    """

    def __init__(self, path: Path, reason: LabError, kept: Path | None) -> None:
        self.kept = kept
        where = f"kept as {kept}" if kept is not None else "left in place; this lab autosaves to a second name"
        super().__init__(f"{path}: cannot be read ({reason}); {where}")


def set_aside(path: Path) -> Path:
    """Move the file at ``path`` to a free name beside it, ``autosave.unreadable-20261207-031500.json`` (a number
    added when taken), and return that name.

    Raises:
        LabError: it cannot be moved.
    """
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for n in range(1000):
        target = path.with_name(f"{path.stem}.unreadable-{stamp}{f'-{n}' if n else ''}{path.suffix}")
        if exists(target):
            continue
        try:
            os.link(path, target)  # fails if the name was taken meanwhile: nothing is overwritten
            os.unlink(path)
        except FileExistsError:
            continue
        except OSError:
            try:
                os.rename(path, target)  # a file system without hard links
            except OSError as e:
                raise LabError(f"{path}: cannot be moved aside ({e.strerror or e})") from None
        return target
    raise LabError(f"{path}: cannot be moved aside (no free name)")


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
    mid-write. Before its first write it makes sure the file there can be read, else moves it aside
    (``Unreadable``). Thread-safe: the lab writes from a worker and, on quit, from the interface thread.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        """Where this lab autosaves: the shared name, or its own second name once another lab wrote there."""
        self.shared_path = path
        self._lock = threading.Lock()
        self._seen = _signature(path)
        self._checked = self._seen is None  # nothing there: nothing to keep
        self._restored: Path | None = None
        remove_stale_temps(path)

    def second_name(self, pid: int | None = None) -> Path:
        """This lab's own autosave name beside the shared one: ``autosave-PID.json``."""
        return self.shared_path.with_name(f"{self.shared_path.stem}-{pid or os.getpid()}{self.shared_path.suffix}")

    def load(self) -> Autosaved | None:
        """The autosave as it is now (see ``load``), noted as seen.

        Raises:
            Unreadable: it cannot be read; it has been moved aside (or this lab writes to a second name).
        """
        with self._lock:
            return self._load_checked()

    def _load_checked(self) -> Autosaved | None:
        try:
            saved = load(self.path)
        except LabError as e:
            self._checked = True
            try:
                kept: Path | None = set_aside(self.path)
            except LabError:
                kept, self.path = None, self.second_name()
            self._seen = _signature(self.path)
            raise Unreadable(self.shared_path, e, kept) from None
        self._seen, self._checked = _signature(self.path), True
        return saved

    def recoverable(self) -> list[tuple[Path, Autosaved]]:
        """Every autosave a lab left that can be offered back, newest first: the shared one and each second name
        (``autosave-PID.json``) whose lab no longer runs.

        Raises:
            Unreadable: the shared autosave cannot be read (moved aside); unreadable second names are skipped.
        """
        found: list[tuple[Path, Autosaved]] = []
        with self._lock:
            shared = self._load_checked()
        if shared is not None:
            found.append((self.shared_path, shared))
        pattern = re.compile(re.escape(self.shared_path.stem) + r"-([0-9]+)" + re.escape(self.shared_path.suffix))
        try:
            names = sorted(os.listdir(self.shared_path.parent))
        except OSError:
            names = []
        for name in names:
            m = pattern.fullmatch(name)
            if m is None or int(m[1]) == os.getpid() or process_alive(int(m[1])):
                continue
            try:
                saved = load(self.shared_path.with_name(name))
            except LabError:
                continue
            if saved is not None:
                found.append((self.shared_path.with_name(name), saved))
        return sorted(found, key=lambda item: -item[1].saved_at)

    def restored(self, path: Path) -> None:
        """Note that the session in ``path`` was restored into this lab: a second name's file is removed once this
        lab's next autosave holds the session (the shared one is simply written over)."""
        self._restored = path if path != self.shared_path else None

    def write(self, data: bytes) -> Path | None:
        """Write ``data`` as this lab's autosave.

        Returns:
            The second name written to, when another lab changed the shared file since this lab last saw it (this
            lab keeps writing there from then on); else None.

        Raises:
            LabError: the folder cannot be made or the file written (the previous autosave is then intact).
            Unreadable: after writing, when the file there could not be read: it was moved aside first, and the
                message says where.
        """
        with self._lock:
            diverted, unreadable = None, None
            if not self._checked and self.path == self.shared_path:
                try:
                    self._load_checked()  # an unreadable one is moved aside before anything replaces it
                except Unreadable as e:
                    unreadable = e
            if self.path == self.shared_path and _signature(self.path) != self._seen:
                self.path = self.second_name()
                diverted = self.path
                remove_stale_temps(self.path)
            write(self.path, data)
            self._seen = _signature(self.path)
            if self._restored is not None and self._restored != self.path:
                try:
                    os.unlink(self._restored)
                except OSError:
                    pass
                self._restored = None
            if unreadable is not None:
                raise unreadable
            return diverted

