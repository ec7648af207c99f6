"""The lab as ``nnlab serve`` runs it for one browser tab: ``python -m lab.commands.served [nnlab options]``.

It is ``nnlab`` with those options, plus a watchdog: textual-serve tells a tab's lab to quit when the tab closes or
the server stops, but a server that is killed outright (SIGKILL, a crash, the out-of-memory killer) tells it nothing,
and Textual's web driver does not end the app when its input closes. The orphan would run on unseen, and with its
output pipe broken it can spin a core. So the lab ends itself once the process that started it is gone; the
autosave, written every few seconds while the experiment changes, keeps what it had.
"""

from __future__ import annotations

import os
import sys
import threading
import time

from lab.cli import main


def exit_when_orphaned(parent: int, interval: float = 1.0) -> None:
    """Poll every ``interval`` seconds; end the process at once when its parent is no longer ``parent`` (it died
    and the process was handed to another). ``os._exit``: the app's own shutdown would write to the dead server."""
    while True:
        time.sleep(interval)
        if os.getppid() != parent:
            os._exit(1)


def served_main(argv: list[str]) -> int:
    """Run the lab with ``argv`` under the watchdog; returns its exit status."""
    threading.Thread(target=exit_when_orphaned, args=(os.getppid(),), name="nnlab-serve-watchdog", daemon=True).start()
    return main(argv)


if __name__ == "__main__":
    sys.exit(served_main(sys.argv[1:]))
