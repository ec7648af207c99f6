"""The limits the lab shows: the table pane's keys stop at the stated table limits and say the rule the core enforces,
in its words; the next seed wraps at the largest seed the core takes."""

from __future__ import annotations

from lab.core.experiment import MAX_SEED
from lab.core.table_size import INPUTS_RULE, MAX_INPUTS, MAX_OUTPUTS, MIN_INPUTS, MIN_OUTPUTS, OUTPUTS_RULE

from tests.ui.helpers import Said, make_app


async def test_adding_and_removing_stops_at_the_limits_with_the_rule():
    """From xor (2 inputs, 1 output): ``+`` up to ``MAX_INPUTS`` and once more, ``-`` down to ``MIN_INPUTS`` and once
    more, ``o`` up to ``MAX_OUTPUTS`` and once more, ``O`` down to ``MIN_OUTPUTS`` and once more: the table ends at
    each limit and each key past one shows the rule, once."""
    app = make_app(gate="xor")
    said = Said()
    async with app.run_test(size=(100, 30), message_hook=said) as pilot:
        table = lambda: app.experiment.table  # noqa: E731
        steps = [("plus", MAX_INPUTS - 2, lambda: table().n_inputs == MAX_INPUTS, INPUTS_RULE),
                 ("minus", MAX_INPUTS - MIN_INPUTS, lambda: table().n_inputs == MIN_INPUTS, INPUTS_RULE),
                 ("o", MAX_OUTPUTS - 1, lambda: table().n_outputs == MAX_OUTPUTS, OUTPUTS_RULE),
                 ("O", MAX_OUTPUTS - MIN_OUTPUTS, lambda: table().n_outputs == MIN_OUTPUTS, OUTPUTS_RULE)]
        for key, times, at_limit, rule in steps:
            await pilot.press(*[key] * times)
            await pilot.pause()
            assert at_limit(), key
            before = len(said.notes)
            await pilot.press(key)
            await pilot.pause()
            assert at_limit(), f"{key} went past the limit"
            assert [n.message for n in said.notes[before:]] == [rule]


async def test_the_next_seed_after_the_largest_is_0():
    """``N`` on the largest seed the core takes (``MAX_SEED``) starts again from seed 0, and says so."""
    app = make_app(seed=MAX_SEED)
    said = Said()
    async with app.run_test(size=(100, 30), message_hook=said) as pilot:
        await pilot.press("N")
        await pilot.pause()
        assert app.experiment.training.seed == 0
        assert "Reset with seed 0." in [n.message for n in said.notes]
