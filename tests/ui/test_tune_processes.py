"""The tune screen's search on worker processes, inside the app: multiprocessing's resource tracker, which those
processes need, is started before Textual captures ``sys.stderr`` (its capture has no file descriptor to hand the
tracker), so no process-wide swap of ``sys.stderr`` is needed. Each case runs in a fresh interpreter, where no
tracker runs yet."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

SEARCH_IN_THE_APP = textwrap.dedent("""
    import asyncio, sys
    from lab.ui.screens.tune import TuneScreen
    from lab.ui.widgets.tune_view import TuneView
    from tests.ui.helpers import make_app

    async def main():
        app = make_app(epochs=60)
        app.tune_seeds, app.tune_jobs = 2, 2
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("t")
            await pilot.pause()
            assert isinstance(app.screen, TuneScreen)
            await app.workers.wait_for_complete()
            await pilot.pause()
            view = app.screen.query_one(TuneView)
            print(view.done, view.total, view.error, sys.stderr.fileno())  # Textual's capture: -1

    asyncio.run(main())
""")

CAPTURED_WITHOUT_A_TRACKER = textwrap.dedent("""
    import io, sys, threading
    from lab.core.errors import LabError
    from lab.core.tune import Plan, search
    from lab.core.recipes import recipe
    from lab.ui.widgets.tune_view import default_space

    class Capture(io.StringIO):
        def fileno(self):
            return -1

    threading.Thread(target=threading.Event().wait, args=(5,), daemon=True).start()  # no fork with threads
    experiment = recipe("keras-xor").with_training(epochs=20)
    sys.stderr = Capture()
    try:
        search(Plan(default_space(experiment), seeds=2), jobs=2)
    except LabError as e:
        sys.__stdout__.write(str(e))
""")


APP_WITH_A_CAPTURED_STDERR = textwrap.dedent("""
    import asyncio, io, sys
    from tests.ui.helpers import make_app

    class Capture(io.StringIO):
        def fileno(self):
            return -1

    async def main():
        sys.stderr = Capture()  # before the app loads: the tracker cannot be handed a descriptor
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("down")
            print(app.table_view.cursor_row)

    asyncio.run(main())
""")


def run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600,
                          env=os.environ | {"PYTHONPATH": os.getcwd()})
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_search_on_two_processes_inside_the_app_completes():
    done, total, error, stderr = run(SEARCH_IN_THE_APP).split()
    assert done == total and error == "None" and stderr == "-1"


def test_a_search_with_a_captured_stderr_and_no_tracker_is_one_clear_line():
    """Outside the app, a caller that captured ``sys.stderr`` without starting the tracker first gets one line."""
    out = run(CAPTURED_WITHOUT_A_TRACKER)
    assert out.startswith("tune: cannot start worker processes (") and "start_resource_tracker()" in out
    assert "\n" not in out


def test_an_app_whose_tracker_cannot_start_still_runs():
    """A ``sys.stderr`` with no descriptor before the app loads: the lab starts and takes keys all the same."""
    assert run(APP_WITH_A_CAPTURED_STDERR).split() == ["1"]
