"""Choose what to export: the loss history, the weights, a standalone Python script, or the two-layer tutorial's
own files."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from lab.ui.screens.dialog import Dialog

# kind -> (label, file suffix)
EXPORTS: dict[str, tuple[str, str]] = {
    "csv": ("Loss history as CSV (epoch, loss, accuracy, held-out)", "-loss.csv"),
    "npz": ("Weights as a NumPy .npz (W1, b1, W2, ...)", "-weights.npz"),
    "txt": ("Weights as text, one file per layer (the tutorials' form)", "-weights.txt"),
    "script": ("A standalone Python script with the trained weights (needs only NumPy)", "-network.py"),
    "tutorial": ("The two-layer tutorial's own files, in a folder (loss list and weightsLayer1/2.txt)", "-tutorial"),
}


class ExportScreen(Dialog[str | None]):
    """Returns the chosen kind (a key of ``EXPORTS``) or None."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="export.cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(id="export-box"):
            yield Label("Export · enter picks · esc cancels", id="export-title")
            yield OptionList(*(Option(label, id=kind) for kind, (label, _) in EXPORTS.items()), id="export-list")

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.close(event.option.id)
