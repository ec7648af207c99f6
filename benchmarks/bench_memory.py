"""Benchmark: what a run costs in memory per epoch, and what a hostile tab can make a served lab hold.

Three figures:
- the headless trainer's bytes per epoch (tracemalloc, one ``state()`` at the end, as an autosave takes);
- the app's resident memory per epoch while it trains unthrottled, headless (``/proc/self/status``), between a
  point after start-up and the end of ``--seconds`` (``--autosave``: autosaving every 3 s to a temporary folder,
  as ``nnlab`` does; without it the app writes nothing);
- a served lab's worst resident memory after one websocket message of a million keys and its tab closed, and how
  long it ran on after the close (``nnlab serve`` in a subprocess; needs the serve extra and Linux's /proc).

Run: ``python benchmarks/bench_memory.py`` (about a minute); ``--seconds`` sets the app's run, ``--skip-served``
leaves the server out. Figures measured on a loaded machine move by a few bytes per epoch.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path


def rss(pid: int | str = "self") -> int:
    """Resident bytes of process ``pid`` (0 once it is gone)."""
    try:
        return int(re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text())[1]) * 1024
    except (OSError, TypeError):
        return 0


def trainer_bytes(epochs: int) -> float:
    """Bytes per epoch the headless trainer keeps (tracemalloc), one frozen state taken at the end."""
    from lab.core.recipes import recipe
    from lab.core.train import Trainer

    trainer = Trainer(recipe("keras-xor").with_training(epochs=10_000_000))
    trainer.run(epochs=1000)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    trainer.run(epochs=epochs)
    state = trainer.state()
    gc.collect()
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    del state
    return sum(d.size_diff for d in after.compare_to(before, "filename")) / epochs


def app_bytes(seconds: float, autosave: bool = False) -> tuple[float, int]:
    """The app's resident bytes per epoch while training unthrottled for ``seconds`` (``autosave``: autosaving to a
    temporary folder at the usual interval), and the epochs it ran."""
    from lab.ui import use_frame_rate

    use_frame_rate()
    from lab.core.recipes import recipe
    from lab.ui.app import LabApp

    result: list[tuple[float, int]] = []

    async def run() -> None:
        folder = tempfile.TemporaryDirectory(prefix="nnlab-bench-memory-") if autosave else None
        app = LabApp(recipe("keras-xor").with_training(epochs=10_000_000),
                     autosave_path=Path(folder.name) / "autosave.json" if folder else None)
        async with app.run_test(size=(100, 30)) as pilot:
            app.lab_run.epochs_per_tick = 0
            await pilot.press("space")
            await asyncio.sleep(3)  # past start-up: the first draws, the caches filled
            first, start = app.lab_run.session.trainer.epoch, rss()
            await asyncio.sleep(seconds)
            await pilot.press("space")
            await asyncio.sleep(1)
            epochs = app.lab_run.session.trainer.epoch - first
            result.append(((rss() - start) / epochs, epochs))
            await pilot.press("q")
        if folder:
            folder.cleanup()

    asyncio.run(run())
    return result[0]


def served_flood() -> tuple[float, float, float]:
    """A served lab's resident MiB at start and at worst after a million keys in one message and its tab
    closed, and the seconds it ran on after the close."""
    import aiohttp

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    token = "bench-memory-token-0123456789"
    folder = Path(tempfile.mkdtemp(prefix="nnlab-bench-memory-"))
    env = os.environ | {"NNLAB_SERVE_TOKEN": token, "NNLAB_STATE_DIR": str(folder / "state")}
    server = subprocess.Popen([sys.executable, "-m", "lab", "serve", "--port", str(port), "--files",
                               str(folder / "files")], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def labs() -> list[int]:
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == server.pid and fields[0] != "Z":
                found.append(int(stat.parent.name))
        return found

    async def run() -> tuple[float, float, float]:
        async with aiohttp.ClientSession() as http:
            for _ in range(600):
                try:
                    ws = await http.ws_connect(f"http://127.0.0.1:{port}/ws?token={token}&width=80&height=24")
                    break
                except aiohttp.ClientError:
                    await asyncio.sleep(0.1)
            while (await ws.receive(timeout=60)).type != aiohttp.WSMsgType.BINARY:
                pass
            [lab] = labs()
            start = worst = rss(lab)
            await ws.send_str(json.dumps(["stdin", "a" * 1_000_000]))
            await asyncio.sleep(1)
            await ws.close()
            closed = time.monotonic()
            while lab in labs() and time.monotonic() - closed < 600:
                worst = max(worst, rss(lab))
                await asyncio.sleep(0.05)
            return start / 2**20, worst / 2**20, time.monotonic() - closed

    try:
        return asyncio.run(run())
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=300_000, help="the headless trainer's epochs")
    parser.add_argument("--seconds", type=float, default=30.0, help="the app's unthrottled run")
    parser.add_argument("--skip-served", action="store_true", help="leave the served lab out")
    parser.add_argument("--autosave", action="store_true", help="the app autosaves (to a temporary folder)")
    args = parser.parse_args()
    print(f"headless trainer: {trainer_bytes(args.epochs):.1f} bytes per epoch over {args.epochs:,} epochs")
    per_epoch, epochs = app_bytes(args.seconds, args.autosave)
    print(f"app, training unthrottled{', autosaving' if args.autosave else ''}: {per_epoch:.1f} resident bytes per "
          f"epoch over {epochs:,} epochs")
    if not args.skip_served:
        start, worst, after = served_flood()
        print(f"served lab, a million keys then its tab closed: {start:.0f} MiB at start, {worst:.0f} MiB at "
              f"worst, ended {after:.1f} s after the close")


if __name__ == "__main__":
    main()
