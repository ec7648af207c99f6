"""The preset list: every preset gate and tutorial recipe of the core, with its description."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option


from lab.ui.screens.dialog import Dialog
from lab.core.gates import PRESETS
from lab.core.recipes import RECIPES


class PresetScreen(Dialog[tuple[str, str] | None]):
    """Choose a preset (``("preset", name)``) or a recipe (``("recipe", name)``); escape returns None."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Close", id="presets.close")]

    def compose(self) -> ComposeResult:
        options: list[Option | None] = []
        for name, p in PRESETS.items():
            text = Text.assemble((f"{name:<12}", "bold"), f" {p.description}", (f"  [{p.expression}]", "dim"))
            options.append(Option(text, id=f"preset:{name}"))
        options.append(None)
        for name, r in RECIPES.items():
            text = Text.assemble((f"{name:<17}", "bold"), f" {r.description}\n", (f"{'':<18}watch: {r.watch}", "dim"))
            options.append(Option(text, id=f"recipe:{name}"))
        with Vertical(id="presets-box"):
            yield Label("Gates (the table only) and recipes (a whole experiment) · enter picks · esc closes",
                        id="presets-title")
            yield OptionList(*options, id="presets-list")

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        kind, _, name = (event.option.id or "").partition(":")
        self.close((kind, name))
