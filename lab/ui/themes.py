"""Which theme the lab starts in, and the lab's own colour variables (``$nnlab-*`` in the stylesheet) for any
Textual theme."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.theme import Theme

from lab.core.errors import LabError
from lab.ui.settings import load as load_settings

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
