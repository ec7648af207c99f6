"""Ask for a file path, with completion of folder and file names as you type (→ accepts the suggestion)."""

from __future__ import annotations

import os
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.suggester import Suggester
from textual.widgets import Input, Label, Static

from lab.ui.screens.dialog import Dialog


class PathSuggester(Suggester):
    """Completes the last component of a path from what is on disk (folders get a trailing slash)."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        folder, _, stem = value.rpartition(os.sep)
        base = Path(os.path.expanduser(folder or "."))
        try:
            names = sorted(entry.name + (os.sep if entry.is_dir() else "") for entry in os.scandir(base)
                           if entry.name.startswith(stem) and not entry.name.startswith("."))
        except (OSError, ValueError):  # no such folder, no permission, a name too long or holding a NUL byte
            return None
        return (folder + os.sep if folder or value.startswith(os.sep) else "") + names[0] if names else None


class PathScreen(Dialog[Path | None]):
    """A title, a path input (prefilled with a suggestion) and a line for problems; escape returns None."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="path.cancel")]

    def __init__(self, title: str, suggestion: str = "", must_exist: bool = False) -> None:
        super().__init__()
        self.title_text = title
        self.suggestion = suggestion
        self.must_exist = must_exist

    def compose(self) -> ComposeResult:
        with Vertical(id="path-box"):
            yield Label(self.title_text, id="path-title", markup=False)
            yield Input(self.suggestion, placeholder="a file path; → completes, enter confirms, esc cancels",
                        suggester=PathSuggester(), id="path-input")
            yield Static("", id="path-error", markup=False)

    @on(Input.Submitted, "#path-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        error = problem(event.value, self.must_exist)
        if error:
            self.query_one("#path-error", Static).update(f"✗ {error}")
            return
        self.close(Path(os.path.expanduser(event.value.strip())))


def problem(text: str, must_exist: bool) -> str | None:
    """Why ``text`` cannot be used as a path to open (``must_exist``) or to save to, or None."""
    text = text.strip()
    if not text:
        return "type a path"
    path = Path(os.path.expanduser(text))
    if path.is_dir():
        return f"{path} is a folder: add a file name"
    if must_exist and not path.exists():
        return f"{path}: no such file"
    if not must_exist and not path.parent.exists():
        return f"the folder {path.parent} does not exist"
    return None
