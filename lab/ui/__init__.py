"""The Textual face of the lab.

Textual paints at most ``TEXTUAL_FPS`` frames a second (60 unless set), and after a paint that outlasts a frame it
waits for the frame after next: on a 200x50 screen, where a paint takes 10-20 ms while the trainer runs, a key's
repaint waited up to 33 ms for its frame. At 120 frames a second that wait halves; frames are still only painted
when something changed, so nothing else grows. Textual reads the setting once, when it is first imported, so it is
set here, before any of the lab's Textual modules load; a ``TEXTUAL_FPS`` the person set wins.
"""

import os

FRAMES_PER_SECOND = "120"

os.environ.setdefault("TEXTUAL_FPS", FRAMES_PER_SECOND)
