"""The lab's entry points ask Textual for 120 frames a second unless the person chose a rate (TEXTUAL_FPS); merely
importing the lab's interface changes nothing process-wide."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

ENTRY = ("from lab.ui import use_frame_rate; use_frame_rate(); "
         "import lab.ui.app, textual.constants as c, textual.screen as s; print(c.MAX_FPS, round(1 / s.UPDATE_PERIOD))")
IMPORT_ONLY = "import os, lab.ui.app, lab.ui.demo; print(os.environ.get('TEXTUAL_FPS', 'unset'))"


def probe(code: str, setting: str | None) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k != "TEXTUAL_FPS"}
    if setting is not None:
        env["TEXTUAL_FPS"] = setting
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return out.stdout.split()


@pytest.mark.parametrize(("setting", "expected"), [(None, "120 120"), ("30", "30 30")])
def test_the_entry_point_sets_the_frame_rate_unless_the_person_did(setting, expected):
    assert probe(ENTRY, setting) == expected.split()


def test_importing_the_interface_changes_no_environment():
    assert probe(IMPORT_ONLY, None) == ["unset"]


def test_the_command_line_asks_for_it_on_the_way_to_the_interface():
    """``nnlab``'s way to the interface (``lab.cli.prepare_interface``, after the terminal check, which a driver of
    its own lets through) sets the rate before Textual loads."""
    code = ("import os; os.environ['TEXTUAL_DRIVER'] = 'x'; import lab.cli; lab.cli.prepare_interface('nnlab'); "
            "import textual.constants as c; print(c.MAX_FPS)")
    assert probe(code, None) == ["120"]
