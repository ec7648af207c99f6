"""The one folder a served lab's files live in: every path a browser names is resolved inside it, or refused.

``nnlab serve`` gives each browser tab a lab that runs as the presenter. Whatever a browser types into the open,
save, save-as or export dialog goes through ``FileRoot.resolve``, which returns a path inside the folder or raises
one ``LabError`` line. The check follows symbolic links as the kernel does (``os.path.realpath``: a link is read
before the ``..`` after it), so a link inside the folder that points out of it, or a linked parent folder, is as
far out as ``../x`` or ``/etc/x``. The folder is created readable by the user only.

The remaining gap is a race with another program of the presenter's own account that swaps a checked name for a
link between the check and the open; a browser cannot make links, so it cannot use it.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

from lab.core.errors import LabError, RunFailure

NAME_MAX = 255  # bytes in one path component (Linux, macOS, Windows)
PATH_MAX = 4000  # bytes in a whole path, a little under Linux's 4096
AUTOSAVE_PREFIX = ".autosave-"


class FileRoot:
    """A folder that confines file names: ``FileRoot(folder).resolve("xor.json") -> folder/xor.json``.

    Attributes:
        folder: the folder's real path (absolute, symbolic links resolved).
    """

    def __init__(self, folder: str | os.PathLike) -> None:
        """Confine to ``folder``, which must exist and be a folder.

        Raises:
            LabError: ``folder`` is missing, not a folder, or cannot be resolved.
        """
        try:
            real = Path(os.path.realpath(folder, strict=True))
        except (OSError, ValueError) as e:
            reason = getattr(e, "strerror", None) or e
            raise RunFailure(f"{folder}: the files folder cannot be used ({reason})") from None
        if not real.is_dir():
            raise RunFailure(f"{folder}: the files folder is not a folder")
        self.folder = real

    def __repr__(self) -> str:
        return f"FileRoot({str(self.folder)!r})"

    def resolve(self, text: str, must_exist: bool = False) -> Path:
        """The real path of the file ``text`` names, relative to the folder (or absolute, inside it).

        Args:
            text: what the person typed: ``xor.json``, ``runs/a.json`` or an absolute path inside the folder.
            must_exist: the file must exist (to open it); else its folder must (to save there).

        Returns:
            An absolute path inside the folder, every symbolic link in it resolved.

        Raises:
            LabError: one line saying why the path is refused: empty, a NUL byte, too long, ``~``, outside the
                folder (by ``..``, an absolute path or a link), a folder, missing, or in a missing folder.
        """
        target = self._inside(text)
        if target == self.folder or target.is_dir():
            raise LabError(f"{text.strip()}: is a folder: add a file name")
        if must_exist and not target.exists():
            raise LabError(f"{text.strip()}: no such file in the files folder")
        if not must_exist and not target.parent.is_dir():
            raise LabError(f"{text.strip()}: the folder {self.show(target.parent)} does not exist")
        return target

    def resolve_folder(self, text: str) -> Path:
        """The real path of the folder ``text`` names inside the folder ("" is the folder itself), for completion.

        Raises:
            LabError: as ``resolve``, or the name is not a folder.
        """
        target = self.folder if not text.strip() else self._inside(text)
        if not target.is_dir():
            raise LabError(f"{text.strip()}: not a folder")
        return target

    def check(self, path: Path) -> Path:
        """``path`` again, resolved, just before it is read or written: still inside the folder (a link made
        since the dialog checked it counts). Returns the real path; raises LabError when it has left."""
        return self._inside(str(path))

    def show(self, path: Path) -> str:
        """``path`` as the person sees it: relative to the folder (``runs/a.json``), ``.`` for the folder."""
        try:
            return str(path.relative_to(self.folder)) or "."
        except ValueError:
            return str(path)

    def _inside(self, text: str) -> Path:
        """The real path ``text`` names, checked to be the folder or below it; LabError otherwise."""
        text = text.strip()
        if not text:
            raise LabError("type a file name")
        if "\0" in text:
            raise LabError("a file name cannot hold a NUL character")
        if text.startswith("~"):
            raise LabError(f"{text}: ~ is a home folder; files here live in the lab's files folder")
        try:
            encoded = os.fsencode(text)
        except UnicodeError:
            raise LabError(f"{text}: not a possible file name") from None
        if len(encoded) > PATH_MAX or any(len(part) > NAME_MAX for part in encoded.split(os.fsencode(os.sep))):
            raise LabError(f"{text[:40]}…: file name too long")
        try:
            real = Path(os.path.realpath(self.folder / text))
        except (OSError, ValueError) as e:
            raise LabError(f"{text}: not a possible file name ({getattr(e, 'strerror', None) or e})") from None
        if real != self.folder and not real.is_relative_to(self.folder):
            raise LabError(f"{text}: outside the lab's files folder; files here are read and written only there")
        return real


def fresh_folder(parent: Path) -> Path:
    """A new, empty folder under ``parent`` (created, with its parents), readable by the user only:
    ``parent/files-20250101-120000-abcd``.

    Raises:
        LabError: ``parent`` cannot be created or written.
    """
    import tempfile

    try:
        parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        return Path(tempfile.mkdtemp(prefix=time.strftime("files-%Y%m%d-%H%M%S-"), dir=parent))  # mode 0700
    except OSError as e:
        raise LabError(f"{parent}: cannot create the served lab's files folder ({e.strerror or e})") from None


def files_folder(given: str | None, state_dir: Path) -> FileRoot:
    """The served lab's files folder: ``given`` (created if missing, mode 0700), else a fresh folder under
    ``state_dir/served``.

    Raises:
        LabError: the folder cannot be made or used.
    """
    if given is None:
        return FileRoot(fresh_folder(state_dir / "served"))
    path = Path(given).expanduser()
    if not path.exists():
        try:
            path.mkdir(parents=True, mode=0o700)
        except OSError as e:
            raise LabError(f"{given}: cannot create the files folder ({e.strerror or e})") from None
    return FileRoot(path)


class AutosaveClaim:
    """The autosave file one served lab owns inside the files folder, held by an exclusive lock while it runs.

    Every tab gets its own lab; sharing one autosave, each would overwrite the others'. So each lab claims a file
    ``.autosave-*.json``: the most recent one no running lab holds (a reloaded tab finds the session its old lab
    just left, or the lab before it, if that one never wrote its autosave), else a new one; so the folder holds as
    many autosaves as labs have run there at once. The lock (``fcntl.flock``) is on a ``.lock`` file beside it,
    which is never replaced (the autosave itself is, by each atomic write), and ends with the process, however it
    ends. Without ``fcntl`` (Windows) each lab takes a new file.

    Attributes:
        path: the autosave file this lab writes.
    """

    def __init__(self, root: FileRoot) -> None:
        self._fd: int | None = None
        locks = [lock for lock in root.folder.glob(AUTOSAVE_PREFIX + "*.lock") if not lock.is_symlink()]
        for lock in sorted(locks, key=lambda lock: max(_mtime(lock), _mtime(lock.with_suffix(".json"))),
                           reverse=True):
            path = lock.with_suffix(".json")
            if not path.is_symlink() and self._lock(path):
                self.path = path
                return
        stamp = time.strftime("%Y%m%d-%H%M%S")
        self.path = root.folder / f"{AUTOSAVE_PREFIX}{stamp}-{secrets.token_hex(4)}.json"
        self._lock(self.path)

    def release(self) -> None:
        """Let another lab claim this autosave (the lock also ends with the process)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _lock(self, path: Path) -> bool:
        """Take the lock of autosave ``path`` for the life of this process; False when another lab holds it."""
        try:
            import fcntl
        except ImportError:
            return False
        try:
            fd = os.open(path.with_suffix(".lock"), os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except OSError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        return True


def _mtime(path: Path) -> float:
    try:
        return path.lstat().st_mtime
    except OSError:
        return 0.0
