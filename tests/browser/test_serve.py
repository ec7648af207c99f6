"""``nnlab serve`` end to end: a real server, a real headless Chromium, a key pressed in the page.

Needs the serve extra (textual-serve, and with it aiohttp, which drives the browser) and Debian's ``chromium``;
``.ci/run`` installs both, so CI runs it. Elsewhere it skips, saying what is missing.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest

pytest.importorskip("textual_serve", reason='needs the serve extra: pip install -e ".[test,serve]"')
CHROMIUM = shutil.which("chromium")
if CHROMIUM is None:
    pytest.skip("needs Debian's chromium package (apt-get install -y chromium; .ci/run installs it)",
                allow_module_level=True)

from tests.browser.devtools import Chromium  # noqa: E402  (imports aiohttp, there only with the serve extra)

WIDTH, HEIGHT = 1200, 720  # the page's viewport in CSS pixels: about 125x37 cells at textual-serve's 16 px font
TIMEOUT = 30.0  # seconds for each wait; a run takes well under this even on a busy 2-core machine
TOKEN = "browser-test-token-0123456789"  # given through NNLAB_SERVE_TOKEN, as a presenter keeps it out of ps
STATUS = re.compile(r"^ \S (?P<state>\w+) · epoch (?P<epoch>[\d,]+)/", re.M)  # the lab's status line


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path, subprocess_env) -> Iterator[tuple[str, Path, subprocess.Popen]]:
    """``nnlab serve`` on a free port with app options to pass through; yields its URL, output file and process.

    The server runs in its own process group with the labs it starts for the browser, so none can outlive the test.
    """
    port = _free_port()
    log = tmp_path / "serve.log"
    env = subprocess_env | {"NNLAB_STATE_DIR": str(tmp_path / "state"),  # the files folder stays in tmp
                            "NNLAB_SERVE_TOKEN": TOKEN}
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "lab", "serve", "--port", str(port), "--gate", "full-adder",
                                 "--fps", "5"], stdout=out, stderr=subprocess.STDOUT, env=env, cwd=tmp_path,
                                start_new_session=True)
    try:
        yield f"http://127.0.0.1:{port}", log, proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)  # ctrl+c as a terminal sends it: the server and its labs quit
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # anything left of the group
        except ProcessLookupError:
            pass
        proc.wait()


async def _until(what: str, check: Callable[[], Awaitable[object]], timeout: float = TIMEOUT) -> object:
    """Poll ``check`` every 50 ms until it returns something true; fail naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := await check():
            return value
        await asyncio.sleep(0.05)
    pytest.fail(f"waited {timeout:g} s for {what}")


async def _listening(url: str, proc: subprocess.Popen, log: Path) -> bool:
    if proc.poll() is not None:
        pytest.fail(f"nnlab serve exited with status {proc.returncode}: {log.read_text(errors='replace')}")
    host, port = url.removeprefix("http://").split(":")
    try:
        _, writer = await asyncio.open_connection(host, int(port))
    except OSError:
        return False
    writer.close()
    return True


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


async def test_serve_in_chromium_trains_on_space(server, tmp_path):
    """The served lab opens in headless Chromium from the printed address with its token (the page's websocket
    and static files then pass on the cookie it set), with the options given to ``nnlab serve``; space, pressed
    with nothing clicked or focused by the test, starts training."""
    url, log, proc = server
    browser = Chromium(CHROMIUM, tmp_path / "chromium", WIDTH, HEIGHT)
    browser.start()  # Chromium starts while the server does
    await _until("nnlab serve to listen", lambda: _listening(url, proc, log))
    async with browser as page:
        await page.goto(f"{url}/?token={TOKEN}")
        await _until("the lab's first bytes in the page",
                     lambda: page.evaluate("!!document.body && document.body.classList.contains('-first-byte')"))
        await page.find_terminal()
        screen = await _until("the lab's idle status line", lambda: _status(page, "idle"))
        assert "Truth table · full-adder" in screen  # --gate reached the served lab
        # No click and no scripted focus: the page itself gives the terminal the keys as it loads.
        assert await page.evaluate("document.activeElement === document.querySelector('.xterm-helper-textarea')")
        await page.press(" ", "Space", 32, text=" ")
        screen = await _until("the status line to show training", lambda: _status(page, "training"))
        shot = await page.screenshot(tmp_path / "serve.png")
    assert _png_size(shot) == (WIDTH, HEIGHT)
    assert "▶ training" in screen
    out = log.read_text(errors="replace")
    assert f"nnlab: serving the lab at {url}/?token={TOKEN}" in out
    assert "nnlab: its labs read and write files only in " in out


async def _status(page: Chromium, state: str) -> str | None:
    """The terminal's text once its status line shows ``state`` (and, for training, an epoch past 0), else None."""
    screen = await page.screen_text()
    status = STATUS.search(screen)
    if status is None or status["state"] != state or (state == "training" and status["epoch"] == "0"):
        return None
    return screen
