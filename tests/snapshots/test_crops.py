"""SVG snapshots at 80x24 of what used to be cut there: each shows its words whole."""

from __future__ import annotations

from tests.snapshots.test_panes import steps
from tests.ui.helpers import make_app

SMALL = (80, 24)


def test_full_adder_answers_at_80x24(snap_compare):
    """A full adder trained 200 epochs: both outputs' answers with their ✓/✗ in the 30-column table."""
    assert snap_compare(make_app(gate="full-adder", lr=0.02), terminal_size=SMALL, run_before=steps(200))


def test_refused_layer_at_80x24(snap_compare):
    """100 units typed for layer 2: the refusal names hidden layer 2, under the open value line."""
    assert snap_compare(make_app(), terminal_size=SMALL,
                        run_before=steps(0, "tab", "a", "enter", "ctrl+u", *"100", "enter"))


def test_prediction_refusal_at_80x24(snap_compare):
    """Three values typed for parity4's four inputs: the refusal wraps whole in the prediction pane."""
    assert snap_compare(make_app(gate="parity4"), terminal_size=SMALL,
                        run_before=steps(0, "shift+tab", *"1 0 1"))


def test_export_dialog_at_80x24(snap_compare):
    """ctrl+e: the export dialog with its title and every choice."""
    assert snap_compare(make_app(), terminal_size=SMALL, run_before=steps(20, "ctrl+e"))


def test_script_export_path_at_80x24(snap_compare):
    """ctrl+e, the script: the path dialog's long title wraps whole over two lines."""
    assert snap_compare(make_app(), terminal_size=SMALL,
                        run_before=steps(20, "ctrl+e", "down", "down", "down", "enter"))


def test_surface_legend_at_80x24(snap_compare):
    """The decision surface of a trained XOR net, its legend on one whole line, no scrollbar."""
    assert snap_compare(make_app(lr=0.01), terminal_size=SMALL, run_before=steps(150, "v", "v", "v"))
