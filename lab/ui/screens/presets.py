"""The preset list: every preset gate and tutorial recipe of the core, with its description."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from lab.core.gates import PRESETS
from lab.core.recipes import RECIPES
from lab.ui.screens.dialog import Dialog

NAME_WIDTH = max(map(len, (*PRESETS, *RECIPES)))


def _entry(name: str, *lines: Text) -> Table:
    """One option: the name in bold, and beside it ``lines``, each wrapped under the one before (never back to the
    first column, where the names are)."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=NAME_WIDTH, no_wrap=True)
    grid.add_column(ratio=1)
    for i, line in enumerate(lines):
        grid.add_row(Text(name, "bold") if i == 0 else "", line)
    return grid


class PresetScreen(Dialog[tuple[str, str] | None]):
    """Choose a preset (``("preset", name)``) or a recipe (``("recipe", name)``); escape returns None."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Close", id="presets.close")]

    def compose(self) -> ComposeResult:
        options: list[Option | None] = [Option(Text("Recipes: a whole experiment (network and training too)",
                                                    "bold underline"), disabled=True)]
        for name, r in RECIPES.items():
            options.append(Option(_entry(name, Text(r.description), Text(f"watch: {r.watch}", "dim")),
                                  id=f"recipe:{name}"))
        options += [None, Option(Text("Gates: the truth table only", "bold underline"), disabled=True)]
        for name, p in PRESETS.items():
            options.append(Option(_entry(name, Text.assemble(p.description, (f"  [{p.expression}]", "dim"))),
                                  id=f"preset:{name}"))
        with Vertical(id="presets-box"):
            yield Label("Recipes and gates · ↑↓ choose · enter picks · esc closes", id="presets-title")
            yield OptionList(*options, id="presets-list")

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        kind, _, name = (event.option.id or "").partition(":")
        self.close((kind, name))
