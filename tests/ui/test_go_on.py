"""The offer to go on after a spent budget (``GoOnScreen``), in a small host app: space again trains another
budget's worth, u until stopped, n or escape stays."""

from __future__ import annotations

import pytest
from textual.app import App

from lab.core.experiment import MAX_EPOCHS, UNTIL_STOPPED
from lab.ui.screens.go_on import GoOnScreen, another_budget

from tests.ui.helpers import shown_text


class Host(App[None]):
    """Pushes one GoOnScreen and keeps its answer."""

    def __init__(self, screen: GoOnScreen) -> None:
        super().__init__()
        self.offer = screen
        self.answers: list[int | None] = []

    def on_mount(self) -> None:
        self.push_screen(self.offer, self.answers.append)


@pytest.mark.parametrize("keys,answer", [(("space",), 2000), (("enter",), 2000), (("u",), UNTIL_STOPPED),
                                         (("n",), None), (("escape",), None)])
async def test_each_key_answers(keys, answer):
    """A budget of 1,000 spent: space or enter answers 2,000, u until stopped, n and escape nothing."""
    app = Host(GoOnScreen(1000, 1000))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert shown_text(app.screen.query_one("#confirm-question")) == (
            "The budget of 1,000 epochs is spent (not solved). Train on?")
        assert "space / enter: 1,000 more" in shown_text(app.screen.query_one("#confirm-keys"))
        await pilot.press(*keys)
        await pilot.pause()
    assert app.answers == [answer]


def test_another_budget_is_capped():
    """Another budget's worth after 1,500 epochs of a 1,000 budget is 2,500; never past the most a run may take."""
    assert another_budget(1000, 1500) == 2500
    assert another_budget(MAX_EPOCHS, MAX_EPOCHS) == MAX_EPOCHS
