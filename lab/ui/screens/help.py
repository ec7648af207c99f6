"""The help screen: every key of the app and of each pane, read from their bindings, and the glossary (a plain line
for every term the lab shows), both narrowed as you type in the filter line."""

from __future__ import annotations

import textwrap

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Input, Static

from lab.core.glossary import entries
from lab.drawings.fit_text import MIN_ROOM
from lab.ui.screens.dialog import Dialog

NAMES = {"space": "space", "comma": ",", "full_stop": ".", "left_square_bracket": "[",
         "right_square_bracket": "]", "question_mark": "?", "plus": "+", "minus": "-", "enter": "enter",
         "delete": "del", "escape": "esc", "tab": "tab", "greater_than_sign": ">", "less_than_sign": "<",
         "equals_sign": "=", "left": "←", "right": "→", "up": "↑", "down": "↓"}
TERM_WIDTH = 20


def key_label(keys: str) -> str:
    """``left_square_bracket,x`` -> ``[ / x``."""
    return " / ".join(NAMES.get(k.strip(), k.strip()) for k in keys.split(","))


def help_text(sections: list[tuple[str, list[Binding]]], query: str = "", width: int | None = None) -> Text:
    """The keys of ``sections`` and the glossary, each line kept when it contains ``query`` (case-insensitive). Given
    the ``width`` it is shown in, a word's meaning that does not fit goes on under itself (a hanging indent), not
    under the word."""
    q = query.strip().lower()
    text = Text()
    for title, bindings in sections:
        lines = [(key_label(b.key), b.description) for b in bindings if b.description]
        lines = [(k, d) for k, d in lines if not q or q in k.lower() or q in d.lower() or q in title.lower()]
        if not lines:
            continue
        text.append(f"{title}\n", "bold underline")
        for key, description in lines:
            text.append(f"  {key:<16}", "bold")
            text.append(f"{description}\n")
        text.append("\n")
    if not q or q in "ctrl+p command palette":
        text.append(f"  {'ctrl+p':<16}", "bold")
        text.append("command palette: every action by name\n\n")
    group = None
    for entry in entries(query):
        if entry.group != group:
            group = entry.group
            text.append(f"Words · {group}\n", "bold underline")
        term = f"  {entry.term:<{TERM_WIDTH}}"
        text.append(term, "bold")
        room = 0 if width is None else width - len(term)
        meaning = (textwrap.wrap(entry.line, room) if room >= MIN_ROOM else []) or [entry.line]
        text.append("\n".join([meaning[0], *(" " * len(term) + line for line in meaning[1:])]) + "\n")
    if not text.plain.strip():
        text.append(f"Nothing matches '{query}'.")
    return text


class HelpScreen(Dialog[None]):
    """Lists ``sections``: (title, bindings) pairs, then the glossary; typing filters both; escape closes it."""

    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="help.close"),
        # The filter line has the focus and takes no up/down or page keys: they scroll the list from there.
        Binding("up", "scroll('up')", "Scroll up", show=False),
        Binding("down", "scroll('down')", "Scroll down", show=False),
        Binding("pageup", "scroll('page_up')", "Page up", show=False),
        Binding("pagedown", "scroll('page_down')", "Page down", show=False),
    ]

    def __init__(self, sections: list[tuple[str, list[Binding]]]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static("nnlab keys and words · type to filter · esc closes", id="help-title")
            yield Input(placeholder="filter: a key, a word (adam, p10, ‖∇‖...)", id="help-filter")
            with VerticalScroll(id="help-scroll"):
                yield Static(help_text(self.sections), id="help-keys")

    def on_mount(self) -> None:
        self.query_one("#help-filter", Input).focus()

    def action_scroll(self, how: str) -> None:
        """Scroll the list one line or one page (``up``, ``down``, ``page_up``, ``page_down``)."""
        scroll = self.query_one("#help-scroll", VerticalScroll)
        getattr(scroll, f"scroll_{how}")(animate=False)

    @property
    def text(self) -> str:
        """What the screen lists now, as plain text."""
        return help_text(self.sections, self.query_one("#help-filter", Input).value).plain

    @on(Input.Changed, "#help-filter")
    def _filter(self, event: Input.Changed) -> None:
        self._show(event.value)
        self.query_one("#help-scroll", VerticalScroll).scroll_home(animate=False)

    def on_resize(self) -> None:
        """Wrap the words' meanings again for the new width."""
        self._show(self.query_one("#help-filter", Input).value)

    def _show(self, query: str) -> None:
        keys = self.query_one("#help-keys", Static)
        keys.update(help_text(self.sections, query, keys.content_size.width or None))
