"""The command palette, with paging that waits for the list to be laid out.

Textual 8.2's palette pages its list by the lines it has laid out; pressed before the list has its first layout
(``ctrl+p`` then ``page down`` at once, or typing then paging before the matches arrive), the list has no lines and
``OptionList`` raises ``KeyError``, ending the app. Here a page key does nothing until the list has a size; from then
on it pages as Textual's does. And a palette closes once: an enter queued behind the escape that closed it (a burst
of keys) would close it again, popping whatever screen is then on top, or failing on the last one and ending the app.
Nor does a closed palette search: a typed character or an enter queued behind the key that closed it (random bytes,
a paste) would otherwise start a search of a list already taken down (``NoMatches: CommandList``, ending the app).
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.await_complete import AwaitComplete
from textual.binding import Binding
from textual.command import CommandList, CommandPalette
from textual.message import Message
from textual.widgets import Button, Input, OptionList


class LabCommandPalette(CommandPalette):
    """Textual's ``CommandPalette`` whose page keys are ignored while its list has no layout yet, and which closes
    only while it is the screen on top."""

    BINDINGS = [
        Binding("pagedown", "page(1)", "Next page", show=False),
        Binding("pageup", "page(-1)", "Previous page", show=False),
    ]

    def action_page(self, direction: int) -> None:
        """Move the list's highlight a page down (1) or up (-1), once the list has been laid out."""
        commands = self.query_one(CommandList)
        if not commands.scrollable_content_region:  # no layout yet: no lines to page by
            return
        if direction > 0:
            commands.action_page_down()
        else:
            commands.action_page_up()

    @property
    def closed(self) -> bool:
        """Whether the palette is no longer the screen on top (it has been dismissed, its list is going)."""
        return self.app.screen is not self

    def dismiss(self, result: Any = None) -> AwaitComplete:
        """Close the palette, unless it is no longer the screen on top (already closed): then nothing happens."""
        if self.closed:
            return AwaitComplete()
        return super().dismiss(result)

    @on(Input.Changed)
    @on(Input.Submitted)
    @on(Button.Pressed)
    @on(OptionList.OptionSelected)
    @on(OptionList.OptionHighlighted)
    def _drop_when_closed(self, event: Message) -> None:
        """A message of the palette's input or list that arrives after it closed is dropped (Textual's own handlers
        would search, or select in, a list that is no longer there)."""
        if self.closed:
            event.stop()
            event.prevent_default()
