"""The lab's own colour variables (``$nnlab-*`` in the stylesheet) for any Textual theme."""

from __future__ import annotations

from textual.theme import Theme

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
