"""u undoes the truth table's edits, several steps back: flips, held-out rows, inputs and outputs, an expression and
a preset; an edit the person declined is not one to undo."""

from __future__ import annotations

from lab.core.gates import preset
from lab.ui.widgets.truth_table import TruthTableView

from tests.ui.helpers import make_app


async def test_u_goes_back_through_the_edits_one_at_a_time():
    """Two flips, a held-out row and an expression, then u four times: the table (and the experiment it trains)
    goes back one edit a press, to XOR; a fifth u changes nothing and says so."""
    app = make_app()
    xor = preset("xor")
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.query_one(TruthTableView)
        view.focus()
        await pilot.press("f", "down", "f", "h", "e", *"a | b", "enter")
        await pilot.pause()
        seen = [app.experiment.table]
        assert seen[0].columns == ("0111",) and seen[0].name == "a | b"
        for _ in range(4):
            await pilot.press("u")
            await pilot.pause()
            seen.append(app.experiment.table)
            assert view.table == app.experiment.table
        assert [t.columns[0] for t in seen] == ["0111", "1010", "1010", "1110", "0110"]
        assert seen[1].heldout == {1} and seen[2].heldout == frozenset()
        assert seen[-1] == xor
        await pilot.press("u")
        await pilot.pause()
        assert app.experiment.table == xor


async def test_a_declined_edit_and_a_preset_undo_as_they_should():
    """An input added to a trained network and declined is no edit: u then undoes the flip before it. A preset
    chosen is undone like an edit."""
    app = make_app(lr=0.05)
    async with app.run_test(size=(100, 30)) as pilot:
        app.action_step()
        view = app.query_one(TruthTableView)
        view.focus()
        await pilot.press("f")
        await pilot.pause()
        flipped = app.experiment.table
        await pilot.press("plus")  # needs a new network: asks first
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert app.experiment.table == flipped and view.table == flipped
        await pilot.press("u")
        await pilot.pause()
        assert app.experiment.table == preset("xor")
        app.change_experiment(app.experiment.with_table(preset("xnor")))  # as the preset list does
        await pilot.pause()
        assert view.table == preset("xnor")
        await pilot.press("u")
        await pilot.pause()
        assert app.experiment.table == preset("xor")
