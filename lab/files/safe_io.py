"""Every file nnlab reads or writes goes through here: regular files only, a size cap checked while reading, atomic
writes, and one line for every way a path can fail.

Reading opens with ``O_NONBLOCK`` (a named pipe with no writer would otherwise block the open for good) and decides
on the ``fstat`` of the open descriptor, so nothing can swap the file between the check and the read. A file is
read in chunks until the cap plus one byte, so ``/dev/zero``, a file that grows while read, or one whose
``st_size`` lies never costs more than the cap.

Writing goes through a temporary file in the same folder and a rename (``write_atomic``), except to a character
device: ``--save /dev/null`` is the shell's idiom for "throw it away", so those bytes go straight to the device
and the device node stays. Other targets that are not regular files (a named pipe, a socket, a folder, a block
device) are refused.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
import time
from pathlib import Path

from lab.core.errors import LabError, RunFailure

CHUNK = 1 << 20  # bytes read per call


def _read_umask() -> int:
    # os.umask can only be read by setting it; do it once, at import, before any thread exists.
    mask = os.umask(0)
    os.umask(mask)
    return mask


FILE_MODE = 0o666 & ~_read_umask()  # what open() would give a new file

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def kind_of(mode: int) -> str:
    """What a file of ``st_mode`` ``mode`` is, in words: ``a regular file``, ``a named pipe``, ``a folder``..."""
    if stat.S_ISREG(mode):
        return "a regular file"
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


_REASONS = {
    errno.ENOENT: "no such file",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
}


def shown(path: str | os.PathLike, width: int = 160) -> str:
    """``path`` as a message shows it: a path longer than ``width`` characters keeps its start and its end around
    an ellipsis, so a 300-character name still makes one readable line."""
    text = os.fsdecode(path) if isinstance(path, bytes) else str(path)
    if len(text) <= width:
        return text
    half = (width - 1) // 2
    return f"{text[:half]}…{text[-half:]}"


def path_error(path: str | os.PathLike, err: BaseException, doing: str = "cannot use this path") -> LabError:
    """One line for a failure touching ``path``: ``PATH: no such file``, ``PATH: permission denied``, else
    ``PATH: cannot read (File name too long)`` with ``doing`` naming the action. A ``ValueError`` (a NUL byte, a
    character the file system cannot encode) means no file can have this name."""
    where = shown(path)
    if isinstance(err, ValueError):
        return LabError(f"{where}: not a possible file name")
    if isinstance(err, OSError):
        known = _REASONS.get(err.errno or 0)
        return LabError(f"{where}: {known}" if known else f"{where}: {doing} ({err.strerror or err})")
    return LabError(f"{where}: {doing} ({err})")


def probe(path: str | os.PathLike) -> os.stat_result | None:
    """``os.stat(path)``, or None when nothing is there (the path or one of its folders does not exist).

    Raises:
        LabError: any other failure (a name too long, permission denied, a loop of links), in one line.
    """
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        if isinstance(e, OSError) and e.errno == errno.ENOTDIR:
            return None
        raise path_error(path, e) from None


def exists(path: str | os.PathLike) -> bool:
    """``Path.exists`` that never raises: a path that cannot even be looked at does not exist as far as a dialog is
    concerned (its reason comes from ``problem_reading`` or the write itself)."""
    try:
        return probe(path) is not None
    except LabError:
        return False


def is_folder(path: str | os.PathLike) -> bool:
    """``Path.is_dir`` that never raises."""
    try:
        st = probe(path)
    except LabError:
        return False
    return st is not None and stat.S_ISDIR(st.st_mode)


def read_limited(path: str | os.PathLike, limit: int, what: str = "a file nnlab reads") -> bytes:
    """The bytes of the regular file at ``path``, at most ``limit`` of them.

    Args:
        path: the file.
        limit: the most bytes accepted; a file with more is refused after reading ``limit + 1`` bytes at most.
        what: what the file should have been, for the messages (``an experiment file``).

    Raises:
        LabError: one line naming the path: no such file, ``is a named pipe, not an experiment file``, ``larger
            than 64 MiB, not an experiment file``, permission denied, a name too long...
    """
    p = str(path)
    try:
        before = os.stat(p)
        if not stat.S_ISREG(before.st_mode):  # a first look, so a device is never even opened
            raise LabError(f"{p}: is {kind_of(before.st_mode)}, not {what}")
        fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0))
    except LabError:
        raise
    except (OSError, ValueError) as e:
        raise path_error(p, e, "cannot read") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):  # what was opened is what counts: the path may have changed since the stat
            raise LabError(f"{p}: is {kind_of(mode)}, not {what}")
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, min(CHUNK, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise LabError(f"{p}: larger than {size_text(limit)}, not {what}")
        return b"".join(chunks)
    except OSError as e:
        raise path_error(p, e, "cannot read") from None
    finally:
        os.close(fd)


def size_text(n: int) -> str:
    """``64 MiB``, ``1 GiB``, ``512 KiB``: a byte count in the largest binary unit that divides it, else bytes."""
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if n >= 1 << shift and n % (1 << shift) == 0:
            return f"{n >> shift} {unit}"
    return f"{n:,} bytes"


# --- writing -------------------------------------------------------------------------------------------------------
REGULAR, DEVICE = "regular", "device"


def write_kind(path: str | os.PathLike) -> str:
    """How a write to ``path`` goes: ``REGULAR`` (a new file or a regular one: through a temporary file and a
    rename) or ``DEVICE`` (a character device such as ``/dev/null``: straight to it, the node left in place).

    Raises:
        LabError: the target is a folder, a named pipe, a socket or a block device, or cannot be looked at.
    """
    st = probe(path)
    if st is None or stat.S_ISREG(st.st_mode):
        return REGULAR
    if stat.S_ISCHR(st.st_mode):
        return DEVICE
    raise LabError(f"{path}: is {kind_of(st.st_mode)}: nnlab writes only to a regular file "
                   "(or a character device such as /dev/null)")


def check_writable(path: str | os.PathLike) -> None:
    """Check, before any work is done, that ``path`` can be written: its folder exists and may be written to, and
    the target is a regular file, a new one or a character device.

    Raises:
        LabError: one line saying why not.
    """
    if write_kind(path) == DEVICE:
        if not os.access(path, os.W_OK):
            raise RunFailure(f"{path}: permission denied")
        return
    p = Path(path)
    folder = p.parent if str(p.parent) else Path(".")
    st = probe(folder)
    if st is None:
        raise RunFailure(f"{p}: the folder {folder} does not exist")
    if not stat.S_ISDIR(st.st_mode):
        raise RunFailure(f"{p}: {folder} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise RunFailure(f"{p}: permission denied (cannot write in {folder})")
    if probe(p) is not None and not os.access(p, os.W_OK) and os.geteuid() != 0:
        raise RunFailure(f"{p}: permission denied")


def _write_device(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` straight to the character device at ``path`` (checked again on the open descriptor)."""
    fd = os.open(path, os.O_WRONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISCHR(mode):
            raise LabError(f"{path}: is {kind_of(mode)}: nnlab writes only to a regular file "
                           "(or a character device such as /dev/null)")
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def temp_prefix(name: str) -> str:
    """The start of the name of the temporary files ``write_atomic`` makes beside ``name``."""
    return f".{name}."


TEMP_SUFFIX = ".tmp"


def _missing_reason(folder: Path) -> str:
    """Why a file could not be created in ``folder`` when the system said "no such file or directory": the folder
    is missing, or it is there but takes no new files (a special file system such as /proc)."""
    if not folder.is_dir():
        return f"the folder {folder} does not exist"
    if not os.access(folder, os.W_OK):
        return f"the folder {folder} is not writable"
    return f"the folder {folder} does not take new files (a special or read-only file system)"


def write_atomic(path: str | os.PathLike, data: bytes, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename, so a crash or a full
    disk leaves either the old file or the new one, never half of one. A character device is written directly
    (see the module docstring); other special files are refused.

    Args:
        path: the target.
        data: the bytes.
        mode: the permissions the file gets (default: an existing file keeps its own, a new one gets what
            ``open`` would give, the umask applied).

    Raises:
        LabError: naming the path and the reason (folder missing, permission denied, disk full, special file...).
    """
    p = Path(path)
    tmp = None
    try:
        if write_kind(p) == DEVICE:
            _write_device(p, data)
            return
        fd, tmp = tempfile.mkstemp(prefix=temp_prefix(p.name), suffix=TEMP_SUFFIX,
                                   dir=p.parent if str(p.parent) else ".")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        old = probe(p)
        if mode is None:
            mode = old.st_mode & 0o7777 if old is not None else FILE_MODE
        os.chmod(tmp, mode)
        os.replace(tmp, p)
        tmp = None
    except LabError:
        raise
    except FileNotFoundError:
        raise RunFailure(f"{p}: {_missing_reason(p.parent)}") from None
    except ValueError as e:
        raise path_error(p, e, "cannot write") from None
    except OSError as e:
        raise RunFailure(str(path_error(p, e, "cannot write"))) from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def remove_stale_temps(path: str | os.PathLike, older_than: float | None = None) -> list[Path]:
    """Delete the temporary files ``write_atomic`` left beside ``path`` when its process was killed mid-write
    (``.NAME.*.tmp``) and last changed before ``older_than`` (a time; default: when this process started, so a
    write under way in another process is left alone).

    Returns:
        The files removed (a file that cannot be removed is left, silently: it harms nothing).
    """
    p = Path(path)
    cutoff = process_start_time() if older_than is None else older_than
    prefix = temp_prefix(p.name)
    removed: list[Path] = []
    try:
        entries = list(os.scandir(p.parent))
    except (OSError, ValueError):
        return removed
    for entry in entries:
        if not (entry.name.startswith(prefix) and entry.name.endswith(TEMP_SUFFIX)):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(st.st_mode) and st.st_mtime < cutoff:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def process_start_time() -> float:
    """When this process started, as a ``time.time()`` value (from ``/proc`` where there is one, else now)."""
    try:
        with open("/proc/self/stat", "rb") as f:
            ticks = int(f.read().rpartition(b")")[2].split()[19])
        with open("/proc/uptime", "rb") as f:
            uptime = float(f.read().split()[0])
        return time.time() - uptime + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return _IMPORTED_AT


_IMPORTED_AT = time.time()
