"""The lab as ``nnlab serve`` runs it for one browser tab:
``python -m lab.commands.served --files DIR [nnlab options]``.

It is ``nnlab`` with those options, confined to the files folder ``DIR`` (``lab.files.folder``): every path a
browser types into a file dialog is resolved inside it, its autosave lives there (one per running lab, see
``AutosaveClaim``), and a FILE given to ``nnlab serve`` is read at start but never written back (saving asks for a
name in the folder). Plus a watchdog: textual-serve tells a tab's lab to quit when the tab closes or
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

from lab.commands.app_options import app_options_parser, opening
from lab.core.errors import LabError, RunFailure
from lab.files.folder import AutosaveClaim, FileRoot


def exit_when_orphaned(parent: int, interval: float = 1.0) -> None:
    """Poll every ``interval`` seconds; end the process at once when its parent is no longer ``parent`` (it died
    and the process was handed to another). ``os._exit``: the app's own shutdown would write to the dead server."""
    while True:
        time.sleep(interval)
        if os.getppid() != parent:
            os._exit(1)


def served_main(argv: list[str]) -> int:
    """Run the lab with ``argv`` (``--files DIR`` first, then the app options) under the watchdog; returns its
    exit status: 0, or 2 with one line on stderr for bad options or a folder that cannot be used."""
    threading.Thread(target=exit_when_orphaned, args=(os.getppid(),), name="nnlab-serve-watchdog", daemon=True).start()
    try:
        if argv[:1] != ["--files"] or len(argv) < 2:
            raise LabError("the served lab needs --files DIR first")
        root = FileRoot(argv[1])
        args = app_options_parser().parse_args(argv[2:])
        experiment, trainer, fps = opening(args)
        from lab.ui import use_frame_rate

        use_frame_rate()  # before Textual loads, as the command line does
        from lab.ui.app import LabApp  # imported late, as the command line does
        from lab.ui.process import run_app

        claim = AutosaveClaim(root)
        app = LabApp(experiment, trainer=trainer, autosave_path=claim.path, fps=fps)
        app.files.file_root = root
        return run_app(app, claim.path.parent)
    except LabError as e:
        print(f"nnlab: error: {e}", file=sys.stderr)
        return 1 if isinstance(e, RunFailure) else 2


if __name__ == "__main__":
    sys.exit(served_main(sys.argv[1:]))
