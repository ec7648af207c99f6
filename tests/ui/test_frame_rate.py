"""The lab asks Textual for 120 frames a second unless the person chose a rate (TEXTUAL_FPS)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

PROBE = "import lab.ui.app, textual.constants as c, textual.screen as s; print(c.MAX_FPS, round(1 / s.UPDATE_PERIOD))"


@pytest.mark.parametrize(("setting", "expected"), [(None, "120 120"), ("30", "30 30")])
def test_textual_frame_rate(setting, expected):
    env = {k: v for k, v in os.environ.items() if k != "TEXTUAL_FPS"}
    if setting is not None:
        env["TEXTUAL_FPS"] = setting
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == expected.split()
