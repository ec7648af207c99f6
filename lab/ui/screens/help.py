"""The help screen: every key of the app and of each pane, read from their bindings."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from lab.ui.screens.dialog import Dialog

NAMES = {"space": "space", "comma": ",", "full_stop": ".", "left_square_bracket": "[",
         "right_square_bracket": "]", "question_mark": "?", "plus": "+", "minus": "-", "enter": "enter",
         "delete": "del", "escape": "esc", "tab": "tab"}


def key_label(keys: str) -> str:
    """``left_square_bracket,x`` -> ``[ / x``."""
    return " / ".join(NAMES.get(k.strip(), k.strip()) for k in keys.split(","))


class HelpScreen(Dialog[None]):
    """Lists ``sections``: (title, bindings) pairs; any of escape, q or ? closes it."""

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="help.close")]

    def __init__(self, sections: list[tuple[str, list[Binding]]]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        text = Text()
        for title, bindings in self.sections:
            text.append(f"{title}\n", "bold underline")
            for b in bindings:
                if b.description:
                    text.append(f"  {key_label(b.key):<16}", "bold")
                    text.append(f"{b.description}\n")
            text.append("\n")
        text.append(f"  {'ctrl+p':<16}", "bold")
        text.append("command palette: every action by name")
        with VerticalScroll(id="help-box"):
            yield Static("nnlab keys · esc closes", id="help-title")
            yield Static(text, id="help-keys")
