"""Which theme the lab starts in, the one the person picks (remembered), and the lab's own colour variables
(``$nnlab-*`` in the stylesheet) for any Textual theme."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.theme import Theme

from lab.core.errors import LabError
from lab.ui.settings import ANSI_THEMES, FEW_COLOURS, Settings
from lab.ui.settings import load as load_settings
from lab.ui.settings import save as save_settings

ANSI_VARIABLES = {
    dark: {"nnlab-border": "ansi_blue", "nnlab-focus": focus, "nnlab-cursor-background": background,
           "nnlab-cursor-foreground": foreground, "nnlab-settings-cursor-background": background,
           "nnlab-settings-cursor-foreground": foreground}
    for dark, focus, background, foreground in ((True, "ansi_bright_cyan", "ansi_white", "ansi_black"),
                                                (False, "ansi_magenta", "ansi_blue", "ansi_bright_white"))
}
"""The lab's colour variables in an ANSI theme (dark, light): blue borders, the focused one cyan or magenta, the
cursor a block of the terminal's white (dark) or blue (light), none of them red, the colour of ✗."""


def lab_variables(theme: Theme) -> dict[str, str]:
    """The unfocused and focused pane borders, and the table's and the settings' cursors, in ``theme``. In an ANSI
    theme they are ANSI colours picked to stay apart from each other and from ``$error`` (red, the ✗) in any terminal
    palette; in others, the theme's own colours."""
    if theme.ansi:
        return ANSI_VARIABLES[theme.dark]
    v = theme.to_color_system().generate()
    return {"nnlab-border": f"{v['primary']} 50%", "nnlab-focus": v["accent"],
            "nnlab-cursor-background": v["accent"], "nnlab-cursor-foreground": v["background"],
            "nnlab-settings-cursor-background": f"{v['accent']} 40%",
            "nnlab-settings-cursor-foreground": v["foreground"]}


def starting_theme(flag: str | None, settings_path: Path | None,
                   known: Callable[[str], bool]) -> tuple[str | None, str | None]:
    """The theme to start in: ``flag`` (``--theme``), else the one remembered in ``settings_path`` when ``known``
    names it, else None (Textual's default); and why the remembered one is not used, when it cannot be (a settings
    file that cannot be read, a theme that does not exist), else None."""
    remembered, error = None, None
    if settings_path is not None:
        try:
            remembered = load_settings(settings_path).theme
        except LabError as e:
            error = f"{e}; using the default theme"
    if flag is not None:
        return flag, error
    if remembered is not None and not known(remembered):
        return None, f"{settings_path}: no theme '{remembered}'; using the default"
    return remembered, error


class ThemeMemory:
    """The lab's theme: the one it starts in (``--theme``, else the remembered one, else Textual's), the ANSI theme
    in a terminal of few colours, and the one the person picks, remembered in the settings file.

    Attributes:
        start: the theme to start in (None: Textual's default).
        error: why the remembered theme is not used (told once mounted), or None.
    """

    def __init__(self, flag: str | None, settings_path: Path | None, known: Callable[[str], bool]) -> None:
        """``flag`` is ``--theme``; ``settings_path`` remembers the theme (None: nothing is remembered); ``known``
        says whether Textual has a theme of that name."""
        self.flag = flag
        self.settings_path = settings_path
        self.start, self.error = starting_theme(flag, settings_path, known)
        self.remembering = False  # on once the theme the lab starts with is set: later changes are the person's

    def few_colours(self, headless: bool, color_system: str | None, dark: bool) -> str | None:
        """In a real terminal of 16 colours (or 8; ``TERM=xterm``, ``screen``, ``linux``), without ``--theme``,
        the ANSI theme (light or dark as the current one): its colours are the terminal's own, so the focus, the
        cursor and ✗ stay apart, where another theme's colours, quantised, collapse into a few. Else None."""
        if self.flag is None and not headless and color_system in FEW_COLOURS:
            return ANSI_THEMES[dark]
        return None

    def chosen(self, theme: str) -> str | None:
        """Remember ``theme``, the person's choice (once ``remembering``); why it could not be, or None."""
        if not self.remembering or self.settings_path is None:
            return None
        try:
            save_settings(self.settings_path, Settings(theme=theme))
        except LabError as e:
            return f"The theme is not remembered: {e}"
        return None
