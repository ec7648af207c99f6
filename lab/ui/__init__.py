"""The Textual face of the lab.

Textual paints at most ``TEXTUAL_FPS`` frames a second (60 unless set), and after a paint that outlasts a frame it
waits for the frame after next, which a big screen's paint does while the trainer runs (docs/performance.md
has the figures). At 120 frames a second that wait halves; frames are still only painted when something
changed, so nothing else grows. Textual reads the setting once per process, when it is first imported, so it is not
one of an app's ``Timings`` settings: the process that runs the lab asks for it before Textual loads
(``use_frame_rate``, called by the command line's entry points and the benchmarks); importing this package changes
nothing, and a ``TEXTUAL_FPS`` the person set wins.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping

FRAMES_PER_SECOND = 120


def use_frame_rate(environ: MutableMapping[str, str] = os.environ) -> None:
    """Ask Textual for ``FRAMES_PER_SECOND`` unless the person set ``TEXTUAL_FPS``: call before Textual is imported
    (it reads the setting once, at import). For a process's entry point only, never a library class."""
    environ.setdefault("TEXTUAL_FPS", str(FRAMES_PER_SECOND))
