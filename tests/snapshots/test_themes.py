"""SVG snapshots of the lab in 16 colours (the ANSI theme a terminal of 16 colours gets) and in a light theme."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from lab.ui.app import LabApp
from lab.ui.widgets.truth_table import TruthTableView

from tests.snapshots.test_panes import steps
from tests.ui.helpers import make_app


def themed(theme: str, **training) -> LabApp:
    """keras-xor in ``theme`` (as ``--theme`` gives it)."""
    app = make_app(**training)
    app.theme = theme
    return app


def _wrong_then_cursor(n: int):
    """Train ``n`` epochs by hand, then put the table's cursor on row 2 (the table keeps the focus)."""

    async def run_before(pilot: Pilot) -> None:
        await steps(n)(pilot)
        pilot.app.query_one(TruthTableView).cursor_row = 2
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("theme", ["ansi-dark", "ansi-light"])
def test_sixteen_colours(snap_compare, theme):
    """16 colours: the focused table pane's border (bright cyan on dark, magenta on light), the cursor block
    (white or blue) and the ✗ marks (red) in three different ANSI colours, every background the terminal's own."""
    assert snap_compare(themed(theme, lr=0.01), terminal_size=(80, 24), run_before=_wrong_then_cursor(12))


def test_light_theme_chart(snap_compare):
    """textual-light after 150 epochs: the loss, accuracy and solved line in the light palette's darker colours."""
    assert snap_compare(themed("textual-light", lr=0.01), terminal_size=(100, 30), run_before=steps(150))
