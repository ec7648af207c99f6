"""Headless Chromium driven over the Chrome DevTools Protocol, with aiohttp (which textual-serve depends on already).

Only what the browser test needs: start Chromium, open a page at a fixed viewport, run JavaScript, press a key as a
real keyboard event, read the text of the page's xterm.js terminal, and take a screenshot.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import aiohttp

# textual-serve's page asks Google for the Roboto Mono font; blocked so the test never waits on the internet (the
# terminal then draws in the machine's monospace font).
BLOCKED_URLS = ["*://fonts.googleapis.com/*", "*://fonts.gstatic.com/*"]

# The text of the terminal, row by row, from the xterm.js Terminal the page created. textual-serve keeps that object
# in a closure, so `find_terminal` finds it on the heap first and keeps it as window.__nnlabTerminal.
SCREEN_TEXT_JS = """(() => {
  const t = window.__nnlabTerminal, b = t.buffer.active, rows = [];
  for (let i = 0; i < t.rows; i++) rows.push(b.getLine(b.viewportY + i).translateToString(true));
  return rows.join("\\n");
})()"""


class DevToolsError(RuntimeError):
    """A DevTools command failed, or the browser did not start or answer in time."""


class Chromium:
    """A headless Chromium process and one page of it, under a DevTools session.

    Use as ``async with Chromium(binary, profile_dir) as page:``; the process (and its helpers, in their own process
    group) is ended on leaving.
    """

    def __init__(self, binary: str, profile: Path, width: int, height: int) -> None:
        self.binary, self.profile, self.width, self.height = binary, profile, width, height
        self.proc: subprocess.Popen | None = None
        self._http: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._session = ""
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future] = {}
        self._reader: asyncio.Task | None = None

    def start(self) -> None:
        """Start the browser process; `__aenter__` connects to it. Split so it can start while a server starts."""
        self.profile.mkdir(parents=True, exist_ok=True)
        (self.profile / "DevToolsActivePort").unlink(missing_ok=True)  # an old run's port is not this one's
        self.proc = subprocess.Popen(
            [self.binary, "--headless", "--remote-debugging-port=0", f"--user-data-dir={self.profile}",
             "--no-sandbox",  # the sandbox cannot start as root or in many containers; the page is our own
             "--disable-dev-shm-usage",  # containers often give /dev/shm only 64 MB
             "--enable-unsafe-swiftshader",  # software WebGL for xterm.js's renderer on machines without a GPU
             "--no-first-run", "--hide-scrollbars", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

    async def _browser_url(self, timeout: float) -> str:
        """The browser's DevTools websocket address, from the DevToolsActivePort file Chromium writes on start."""
        port_file = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise DevToolsError(f"chromium exited with status {self.proc.returncode} before it listened")
            lines = port_file.read_text().split() if port_file.exists() else []
            if len(lines) == 2:
                return f"ws://127.0.0.1:{lines[0]}{lines[1]}"
            await asyncio.sleep(0.05)
        raise DevToolsError(f"chromium did not open its DevTools port within {timeout:g} s")

    async def __aenter__(self) -> Chromium:
        if self.proc is None:
            self.start()
        try:
            url = await self._browser_url(timeout=30)
            self._http = aiohttp.ClientSession()
            self._ws = await self._http.ws_connect(url, max_msg_size=0)
            self._reader = asyncio.create_task(self._read())
            page = (await self.call("Target.createTarget", url="about:blank"))["targetId"]
            self._session = (await self.call("Target.attachToTarget", targetId=page, flatten=True))["sessionId"]
            await self.call("Emulation.setDeviceMetricsOverride", width=self.width, height=self.height,
                            deviceScaleFactor=1, mobile=False)
            await self.call("Network.enable")
            await self.call("Network.setBlockedURLs", urls=BLOCKED_URLS)
        except BaseException:
            await self.close()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Disconnect and end the browser process group (SIGTERM, then SIGKILL after 5 s)."""
        if self._reader is not None:
            self._reader.cancel()
        if self._ws is not None:
            await self._ws.close()
        if self._http is not None:
            await self._http.close()
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    async def _read(self) -> None:
        """Hand each command's answer to its caller; events, which nothing here subscribes to, are dropped."""
        assert self._ws is not None
        async for message in self._ws:
            data = json.loads(message.data)
            future = self._pending.pop(data.get("id"), None)
            if future is not None and not future.done():
                future.set_result(data)
        for future in self._pending.values():
            if not future.done():
                future.set_exception(DevToolsError("the browser closed the DevTools connection"))

    async def call(self, method: str, timeout: float = 30, **params: Any) -> dict:
        """Send one DevTools command (to the page once attached) and return its result."""
        assert self._ws is not None
        command_id = next(self._ids)
        message = {"id": command_id, "method": method, "params": params}
        if self._session:
            message["sessionId"] = self._session
        future = asyncio.get_running_loop().create_future()
        self._pending[command_id] = future
        try:
            await self._ws.send_json(message)
            answer = await asyncio.wait_for(future, timeout)
        finally:
            self._pending.pop(command_id, None)
        if "error" in answer:
            raise DevToolsError(f"{method}: {answer['error'].get('message')}")
        return answer["result"]

    async def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (JSON-serialisable values only)."""
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise DevToolsError(f"{expression[:60]!r}: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    async def goto(self, url: str) -> None:
        """Start loading ``url`` in the page (returns once navigation starts, not when the page has loaded)."""
        await self.call("Page.navigate", url=url)

    async def find_terminal(self) -> None:
        """Keep the page's xterm.js Terminal as window.__nnlabTerminal.

        textual-serve's script creates it inside a closure, so it is found among the page's live objects (V8's
        queryObjects, as the DevTools console's ``queryObjects(Object)``): the object whose ``terminal`` has a
        ``buffer.active``, which is textual-serve's own terminal wrapper.
        """
        objects = await self.call("Runtime.evaluate", expression="Object.prototype")
        found = await self.call("Runtime.queryObjects", prototypeObjectId=objects["result"]["objectId"])
        result = await self.call(
            "Runtime.callFunctionOn", objectId=found["objects"]["objectId"], returnByValue=True,
            functionDeclaration="function () { const w = this.find(o => o && o.terminal && o.terminal.buffer "
                                "&& o.terminal.buffer.active); window.__nnlabTerminal = w && w.terminal; return !!w; }")
        if not result["result"].get("value"):
            raise DevToolsError("no xterm.js terminal in the page")

    async def screen_text(self) -> str:
        """The terminal's visible rows, joined by newlines (after `find_terminal`)."""
        return await self.evaluate(SCREEN_TEXT_JS)

    async def press(self, key: str, code: str, key_code: int, text: str = "") -> None:
        """Press and release a key on the focused element, as the keyboard would (keydown with its text, keyup)."""
        await self.call("Input.dispatchKeyEvent", type="keyDown", key=key, code=code, text=text,
                        windowsVirtualKeyCode=key_code)
        await self.call("Input.dispatchKeyEvent", type="keyUp", key=key, code=code, windowsVirtualKeyCode=key_code)

    async def screenshot(self, path: Path) -> bytes:
        """Save the page as a PNG at ``path``; returns its bytes."""
        data = base64.b64decode((await self.call("Page.captureScreenshot", format="png"))["data"])
        path.write_bytes(data)
        return data
