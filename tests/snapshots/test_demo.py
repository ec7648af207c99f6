"""SVG snapshot of the attract mode's caption bar at 80x24, holding on the XOR scene's result."""

from __future__ import annotations

import time

from textual.pilot import Pilot
from textual.widgets import Input

from lab.ui.demo import DemoApp


def test_demo_caption_holding_xor(snap_compare):
    """nnlab demo at 80x24: the caption bar with the take-over hint, XOR solved, its hidden units named."""

    async def run_before(pilot: Pilot) -> None:
        app: DemoApp = pilot.app  # type: ignore[assignment]
        for line in app.query(Input):
            line.cursor_blink = False
        deadline = time.monotonic() + 60
        while app.phase != "hold":  # the hold lasts ten minutes: the picture is taken on the first scene's result
            assert time.monotonic() < deadline, "the XOR scene never reached its result"
            await pilot.pause(0.02)
        await pilot.pause()

    assert snap_compare(DemoApp(hold=600, intro=0, speed=0), terminal_size=(80, 24), run_before=run_before)
