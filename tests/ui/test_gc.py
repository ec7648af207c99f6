"""The app leaves its start-up objects out of the garbage collector's full passes while it runs, and gives them
back when it ends (several apps may run in one process, as in these tests)."""

from __future__ import annotations

import gc

from tests.ui.helpers import make_app


async def test_startup_objects_are_frozen_while_the_app_runs_and_thawed_after():
    gc.unfreeze()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert gc.get_freeze_count() > 10_000
    assert gc.get_freeze_count() == 0
