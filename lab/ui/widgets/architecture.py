"""The architecture pane: the list of hidden layers and training settings (``SettingsList``), a value line for
typed values and a line for refusals, and the hint for the selected line in the pane's bottom border.

Enter is the pane's priority binding, so the value line has the focus before the next key is dispatched and keys
typed in one burst go into it. Every change the list makes posts ``SettingsList.Changed`` with the new (validated)
architecture and training settings; the app decides whether it applies live or needs a reset, and may put the old
values back with ``set_values``.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Input, Static

from lab.core.experiment import Architecture, Training
from lab.drawings.fit_text import fitting
from lab.ui.widgets.settings_list import SettingsList

__all__ = ["ArchitecturePane", "SettingsList", "SettingsScroll"]

BORDER_TEXT_MARGIN = 6  # the cells a border title does not get: the corners, a dash and a space each side


class SettingsScroll(VerticalScroll, can_focus=False):
    """The settings list's scroll area: it scrolls with the list's cursor, so tab goes straight to the list."""


class ArchitecturePane(Vertical):
    """The settings list in a scroll area, with an input line for typed values and a line for refusals."""

    BINDINGS = [
        Binding("enter", "edit", "Type value", id="arch.edit", priority=True),
        Binding("escape", "close_editor", "Cancel", id="arch.close_editor"),
    ]

    def __init__(self, architecture: Architecture, training: Training, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._initial = (architecture, training)

    def compose(self) -> ComposeResult:
        with SettingsScroll(id="settings-scroll"):
            yield SettingsList(*self._initial, id="settings")
        with Vertical(id="settings-foot"):  # docked at the pane's foot (app.tcss): the list gives up rows to it
            yield Input(id="settings-input")
            yield Static("", id="settings-error", markup=False)

    def on_mount(self) -> None:
        self.watch(self.settings_list, "cursor", self.show_hint)

    def show_hint(self) -> None:
        """The hint line, in the pane's bottom border (it costs no row): what the selected field means and which
        keys change it, the fullest form that fits the border whole (the keys stay, the meaning goes first). As
        Text, so nothing in it is read as markup."""
        settings = self.settings_list
        choices = settings.hint_choices(settings.cursor)
        room = self.size.width - BORDER_TEXT_MARGIN
        self.border_subtitle = Text(fitting(choices, room))

    def on_resize(self) -> None:
        self.show_hint()

    @property
    def hint(self) -> str:
        """The hint line as plain text."""
        settings = self.settings_list
        return settings.hint_for(settings.cursor)

    @property
    def settings_list(self) -> SettingsList:
        """The list this pane owns."""
        return self.query_one(SettingsList)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Enter opens the value line, except in the value line itself, where it applies the value."""
        if action == "edit":
            return not self.query_one("#settings-input", Input).has_focus
        if action == "close_editor":  # escape, shown in the footer while the value line is open
            return bool(self.query_one("#settings-input", Input).display)
        return True

    def action_edit(self) -> None:
        """Open the value line for the selected setting, focused at once (see the module docstring)."""
        request = self.settings_list.edit_request()
        if request is None:
            return
        label, value = request
        line = self.query_one("#settings-input", Input)
        line.placeholder = f"{label}: type a value, enter applies, esc cancels"
        line.value = value
        line.display = True
        self.screen.set_focus(line)

    @on(Input.Submitted, "#settings-input")
    def _typed(self, event: Input.Submitted) -> None:
        event.stop()
        # Run in the list's own context, so its Changed message bubbles past this pane to the app.
        self.settings_list.call_later(self.settings_list.apply_text, event.value)

    @on(SettingsList.Refused)
    def _refused(self, event: SettingsList.Refused) -> None:
        error = self.query_one("#settings-error", Static)
        error.update(f"✗ {event.error}")
        error.display = True

    @on(SettingsList.Changed)
    def _changed(self, event: SettingsList.Changed) -> None:
        self.query_one("#settings-error", Static).display = False
        self.show_hint()
        if self.query_one("#settings-input", Input).display:
            self._close_editor()

    def _close_editor(self) -> None:
        self.query_one("#settings-input", Input).display = False
        self.settings_list.focus()

    def action_close_editor(self) -> None:
        """Close the value line, keeping the value as it was; a refusal of what was typed in it goes too (it named
        text no longer there)."""
        self.query_one("#settings-error", Static).display = False
        self._close_editor()


