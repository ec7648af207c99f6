"""Ask for a file path, with completion of folder and file names as you type (→ accepts the suggestion).

With a ``FileRoot`` (a served lab) the path is resolved inside that folder, completion lists only what is in it,
and a path that leaves it is refused on the dialog's error line.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.suggester import Suggester
from textual.widgets import Input, Label, Static

from lab.core.errors import LabError
from lab.files.folder import FileRoot
from lab.files.safe_io import kind_of, probe, write_kind
from lab.ui.screens.dialog import Dialog


class PathSuggester(Suggester):
    """Completes the last component of a path from what is on disk (folders get a trailing slash)."""

    def __init__(self, root: FileRoot | None = None) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.root = root

    async def get_suggestion(self, value: str) -> str | None:
        folder, _, stem = value.rpartition(os.sep)
        try:
            base = Path(os.path.expanduser(folder or ".")) if self.root is None else \
                self.root.resolve_folder(folder or ("/" if value.startswith(os.sep) else ""))
        except LabError:
            return None
        try:
            names = sorted(entry.name + (os.sep if entry.is_dir() else "") for entry in os.scandir(base)
                           if entry.name.startswith(stem) and not entry.name.startswith("."))
        except (OSError, ValueError):  # no such folder, no permission, a name too long or holding a NUL byte
            return None
        return (folder + os.sep if folder or value.startswith(os.sep) else "") + names[0] if names else None


class PathScreen(Dialog[Path | None]):
    """A title, a path input (prefilled with a suggestion) and a line for problems; escape returns None."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="path.cancel")]

    def __init__(self, title: str, suggestion: str = "", must_exist: bool = False,
                 root: FileRoot | None = None) -> None:
        """``root``: confine the path to that folder (a served lab); None takes any path, ``~`` expanded."""
        super().__init__()
        self.title_text = title
        self.suggestion = suggestion
        self.must_exist = must_exist
        self.root = root

    def compose(self) -> ComposeResult:
        with Vertical(id="path-box"):
            yield Label(self.title_text, id="path-title", markup=False)
            yield Input(self.suggestion, placeholder="a file path; → completes, enter confirms, esc cancels",
                        suggester=PathSuggester(self.root), id="path-input")
            yield Static("", id="path-error", markup=False)

    @on(Input.Submitted, "#path-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.root is not None:
            try:
                self.close(self.root.resolve(event.value, self.must_exist))
            except LabError as e:
                self._show_error(str(e))
            return
        error = problem(event.value, self.must_exist)
        if error:
            self._show_error(error)
            return
        self.close(Path(os.path.expanduser(event.value.strip())))

    def _show_error(self, error: str) -> None:
        self.query_one("#path-error", Static).update(Text(f"✗ {error}"))


def problem(text: str, must_exist: bool) -> str | None:
    """Why ``text`` cannot be used as a path to open (``must_exist``) or to save to, or None. Never raises: a name
    too long, a NUL byte or a folder that cannot be looked into is one line like any other problem."""
    text = text.strip()
    if not text:
        return "type a path"
    try:
        path = Path(os.path.expanduser(text))
        st = probe(path)
        if st is not None and stat.S_ISDIR(st.st_mode):
            return f"{path} is a folder: add a file name"
        if must_exist:
            if st is None:
                return f"{path}: no such file"
            if not stat.S_ISREG(st.st_mode):
                return f"{path}: is {kind_of(st.st_mode)}, not a file nnlab can open"
            return None
        folder = probe(path.parent)
        if folder is None:
            return f"the folder {path.parent} does not exist"
        if not stat.S_ISDIR(folder.st_mode):
            return f"{path.parent} is not a folder"
        write_kind(path)
    except LabError as e:
        return str(e)
    except (OSError, ValueError) as e:
        return f"{text}: not a usable path ({e})"
    return None
