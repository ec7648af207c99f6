"""Attacks on a real ``nnlab serve`` (a subprocess on a free port), through aiohttp's client as an attacker's
program or a hostile page would send them: no token or a wrong one (page, websocket, static files, downloads), a
foreign ``Origin`` (cross-site websocket hijacking), a foreign ``Host`` (DNS rebinding), too many sessions, an
oversize terminal and malformed messages, and a path escape typed into a served lab's save dialog over the
websocket. The same checks without a server are in test_guard.py; every file dialog is in
test_confined_actions.py."""

from __future__ import annotations

import asyncio
import json
import re
import time
from pathlib import Path

import pytest

pytest.importorskip("textual_serve", reason='needs the serve extra: pip install -e ".[test,serve]"')
if not Path("/proc/self/stat").exists():
    pytest.skip("reads the labs' processes from Linux's /proc", allow_module_level=True)

import aiohttp  # noqa: E402  (textual-serve's own dependency)

from tests.serve.server import TOKEN, Served, serve  # noqa: E402

TIMEOUT = 60.0


def cookie(s: Served, token: str = TOKEN) -> dict[str, str]:
    return {"Cookie": f"nnlab-token-{s.port}={token}"}


async def until(what: str, check, timeout: float = TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := check():
            return value
        await asyncio.sleep(0.1)
    pytest.fail(f"waited {timeout:g} s for {what}")


async def first_bytes(ws: aiohttp.ClientWebSocketResponse) -> bytes:
    """The lab's first screen bytes (it runs)."""
    while True:
        message = await ws.receive(timeout=TIMEOUT)
        assert message.type in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT), message
        if message.type == aiohttp.WSMsgType.BINARY:
            return message.data


async def status(http: aiohttp.ClientSession, url: str, **headers: str) -> int:
    async with http.get(url, headers=headers, allow_redirects=False) as r:
        await r.read()
        return r.status


async def ws_status(http: aiohttp.ClientSession, url: str, headers: dict[str, str]) -> int:
    """The status a websocket handshake is refused with (101 if it is accepted, then closed at once)."""
    try:
        ws = await http.ws_connect(url, headers=headers)
    except aiohttp.WSServerHandshakeError as e:
        return e.status
    await ws.close()
    return 101


async def test_the_token_guards_every_route(tmp_path, subprocess_env):
    """Page, websocket, static files and downloads: 403 without the token or with a wrong one; the token (query or
    cookie) passes; a valid ?token= sets an HttpOnly, SameSite=Strict cookie; the token stays out of ``ps``."""
    async with serve(tmp_path, subprocess_env) as s, aiohttp.ClientSession() as http:
        for path in ("/", "/static/js/textual.js", "/static/css/xterm.css", "/download/abc", "/nowhere"):
            assert await status(http, s.url + path) == 403, path
            assert await status(http, s.url + path + "?token=wrong") == 403, path
            assert await status(http, s.url + path, **cookie(s, "wrong")) == 403, path
            assert await status(http, s.url + path + "?token=" + TOKEN[:-1]) == 403, path
        for headers in ({}, cookie(s, "wrong"), {"Origin": s.url}):
            assert await ws_status(http, f"{s.url}/ws?width=80&height=24", headers) == 403
        assert await ws_status(http, f"{s.url}/ws?token=wrong&width=80&height=24", {}) == 403

        async with http.get(f"{s.url}/?token={TOKEN}") as r:
            page = await r.text()
            assert r.status == 200
            set_cookie = r.headers["Set-Cookie"]
            assert r.headers["X-Frame-Options"] == "DENY"
        assert set_cookie.startswith(f"nnlab-token-{s.port}={TOKEN};")
        assert "HttpOnly" in set_cookie and "SameSite=Strict" in set_cookie
        assert not re.search(r"(src|href)=\"(https?:)?//", page), "the page fetches something from outside"
        assert "googleapis" not in page and f'data-session-websocket-url="ws://127.0.0.1:{s.port}/ws"' in page
        assert await status(http, s.url + "/static/js/textual.js", **cookie(s)) == 200
        assert await status(http, s.url + "/download/abc", **cookie(s)) == 404  # past the guard: no such download
        assert TOKEN not in Path(f"/proc/{s.process.pid}/cmdline").read_bytes().decode(errors="replace")
    out = s.output()
    assert f"nnlab: serving the lab at {s.url}/?token={TOKEN}  (ctrl+c stops it)" in out
    assert f"nnlab: its labs read and write files only in {s.files.resolve()}" in out
    assert "warning" not in out  # loopback with a token: nothing exposed


async def test_no_directory_listing(tmp_path, subprocess_env):
    """Static folders are not listed, even with the token."""
    async with serve(tmp_path, subprocess_env) as s, aiohttp.ClientSession() as http:
        for path in ("/static/", "/static/js/", "/static/fonts"):
            async with http.get(s.url + path, headers=cookie(s)) as r:
                body = await r.text()
                assert r.status in (403, 404), (path, r.status)
                assert "textual.js" not in body and "Index of" not in body, path


async def test_foreign_origin_and_host(tmp_path, subprocess_env):
    """With a valid token still: a websocket from another site's page (or another port of this machine) and any
    request naming a foreign host (DNS rebinding) get 403; this page's own origin and loopback names pass."""
    async with serve(tmp_path, subprocess_env, "--max-sessions", "4") as s, aiohttp.ClientSession() as http:
        ws = f"{s.url}/ws?token={TOKEN}&width=80&height=24"
        for origin in ("http://evil.com", f"http://evil.com:{s.port}", "http://localhost:1", "null",
                       f"http://127.0.0.1:{s.port}.evil.com", f"https://127.0.0.1:{s.port + 1}"):
            assert await ws_status(http, ws, {"Origin": origin}) == 403, origin
        for host in ("evil.com", f"evil.com:{s.port}", f"127.0.0.1.nip.io:{s.port}", f"localhost.evil:{s.port}",
                     f"192.168.0.1:{s.port}", ""):
            assert await status(http, f"{s.url}/?token={TOKEN}", Host=host) == 403, host
            assert await ws_status(http, ws, {"Host": host}) == 403, host
            assert await ws_status(http, ws, {"Host": host, "Origin": f"http://{host}"}) == 403, host
        assert await status(http, f"{s.url}/?token={TOKEN}", Host=f"localhost:{s.port}") == 200
        assert await ws_status(http, ws, {"Origin": s.url}) == 101
        assert await ws_status(http, ws, {"Host": f"localhost:{s.port}", "Origin": f"http://localhost:{s.port}"}) \
            == 101


async def test_allow_host_and_public_url_names(tmp_path, subprocess_env):
    """--allow-host and --public-url's host are names browsers may use; others are still refused."""
    async with serve(tmp_path, subprocess_env, "--allow-host", "projector.local", "--public-url",
                     "https://lab.example.org") as s, aiohttp.ClientSession() as http:
        url = f"{s.url}/?token={TOKEN}"
        assert await status(http, url, Host="projector.local:8000") == 200
        assert await status(http, url, Host="lab.example.org") == 200
        assert await status(http, url, Host="other.example.org") == 403
    assert "nnlab: serving the lab at https://lab.example.org/?token=" in s.output()


async def test_too_many_sessions(tmp_path, subprocess_env):
    """Past --max-sessions the page is a clear 503 page and the websocket is refused; a closed tab frees its place."""
    async with serve(tmp_path, subprocess_env, "--max-sessions", "1") as s, aiohttp.ClientSession() as http:
        ws_url = f"{s.url}/ws?token={TOKEN}&width=80&height=24"
        first = await http.ws_connect(ws_url)
        await first_bytes(first)
        assert await ws_status(http, ws_url, {}) == 503
        async with http.get(f"{s.url}/?token={TOKEN}") as r:
            assert r.status == 503 and r.content_type == "text/html"
            page = await r.text()
        assert "runs at most 1 lab at once" in page and "--max-sessions" in page and "<script" not in page
        await first.close()
        await until("the closed tab's place to free", lambda: not s.labs())
        second = await http.ws_connect(ws_url)
        await first_bytes(second)
        await second.close()


async def test_oversize_terminal_and_malformed_messages(tmp_path, subprocess_env):
    """A terminal size from the query is clamped (to 400x200 and at least 1x1) before the lab starts; huge resizes
    and malformed messages neither end the session nor the lab, which still answers."""
    async with serve(tmp_path, subprocess_env) as s, aiohttp.ClientSession() as http:
        ws = await http.ws_connect(f"{s.url}/ws?token={TOKEN}&width=100000000&height=-7")
        await first_bytes(ws)
        [lab] = s.labs()
        environ = dict(item.split("=", 1) for item in
                       Path(f"/proc/{lab}/environ").read_bytes().decode(errors="replace").split("\0") if "=" in item)
        assert (environ["COLUMNS"], environ["ROWS"]) == ("400", "1")
        for message in ("not json", "[]", "{}", '["resize"]', '["resize", {"width": 1e308, "height": "x"}]',
                        '["resize", {"width": 99999999999999999999999, "height": 99999999999}]', '["stdin", 5]',
                        "[" * 10000 + "]" * 10000, json.dumps(["resize", {"width": 10 ** 9, "height": 10 ** 9}])):
            await ws.send_str(message)
        await ws.send_str(json.dumps(["ping", "still-there"]))
        while True:
            message = await ws.receive(timeout=TIMEOUT)
            assert message.type in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT), message
            if message.type == aiohttp.WSMsgType.TEXT and json.loads(message.data) == ["pong", "still-there"]:
                break
        await asyncio.sleep(2)  # the lab draws at the clamped size
        assert s.labs() == [lab]
        rss_kib = int(re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{lab}/status").read_text())[1])
        assert rss_kib < 1024 * 1024, f"the lab holds {rss_kib} KiB after the resizes"
        await ws.close()


class Screen:
    """The text a served lab sends over its websocket (escape sequences dropped), read as it comes: a lab whose
    output is not read stalls once the pipes fill."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.seen = ""

    async def keys(self, text: str) -> None:
        await self.ws.send_str(json.dumps(["stdin", text]))

    async def read(self) -> None:
        """Read what comes within 0.1 s (or wait that long, once the websocket is closed)."""
        if self.ws.closed:
            await asyncio.sleep(0.1)
            return
        try:
            message = await self.ws.receive(timeout=0.1)
        except TimeoutError:
            return
        if message.type == aiohttp.WSMsgType.BINARY:
            text = re.sub(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]", b"", message.data).decode(errors="replace")
            self.seen = (self.seen + text)[-20000:]

    async def until(self, what: str, check) -> None:
        """Read until ``check()`` is true; fail naming ``what`` and showing the screen's end after TIMEOUT."""
        deadline = time.monotonic() + TIMEOUT
        while not check():
            assert time.monotonic() < deadline, f"waited {TIMEOUT:g} s for {what}; the screen ends: {self.seen[-1500:]}"
            await self.read()

    async def shows(self, words: str) -> None:
        self.seen = ""
        await self.until(repr(words), lambda: words in self.seen)


async def test_a_path_escape_typed_into_the_served_lab(tmp_path, subprocess_env):
    """Keys over the websocket, as a browser sends them: ctrl+s and ``../escaped.json`` is refused (nothing written
    outside); the plain name that follows lands in the files folder, and the lab's autosave lives there too."""
    async with serve(tmp_path, subprocess_env) as s, aiohttp.ClientSession() as http:
        lab = Screen(await http.ws_connect(f"{s.url}/ws?token={TOKEN}&width=100&height=30"))
        await lab.shows("idle")
        await lab.keys("s")  # one epoch, so there is something to save
        await lab.keys("\x13")  # ctrl+s: no file yet, so it asks for a path
        await lab.shows("Save the experiment")
        await lab.keys("../escaped.json\r")  # typing replaces the suggestion, selected as the dialog opens
        await lab.shows("outside the lab's files folder")
        await lab.keys("\x15")  # ctrl+u clears the input
        await lab.shows("a file path;")  # the placeholder: text sent at once after ctrl+u is lost (Textual 8.2)
        await lab.keys("inside.json\r")
        await lab.until("the save inside the files folder", lambda: (s.files / "inside.json").is_file())
        await lab.keys("q")
        await lab.until("the lab to quit", lambda: not s.labs())
    assert not (tmp_path / "escaped.json").exists() and not (s.files.parent / "escaped.json").exists()
    assert sorted(p.suffix for p in s.files.glob(".autosave-*")) == [".json", ".lock"]
    assert not (tmp_path / "state" / "autosave.json").exists()  # the terminal lab's autosave is not touched


def rss_mib(pid: int) -> float:
    """A process's resident memory in MiB (0 once it is gone)."""
    try:
        return int(re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text())[1]) / 1024
    except (OSError, TypeError):
        return 0.0


async def test_a_flood_of_keys_then_a_closed_tab(tmp_path, subprocess_env):
    """Messages of a million keys (under the 1 MiB message cap) and a flood of resizes, then the tab closes: what
    is beyond the tab's input budget is dropped, the lab stays small, and it ends within seconds of the close (it
    grew past a gigabyte and ran on for minutes when every key reached it)."""
    async with serve(tmp_path, subprocess_env) as s, aiohttp.ClientSession() as http:
        ws = await http.ws_connect(f"{s.url}/ws?token={TOKEN}&width=80&height=24")
        await first_bytes(ws)
        [lab] = s.labs()
        start = rss_mib(lab)
        for _ in range(3):
            await ws.send_str(json.dumps(["stdin", "a" * 1_000_000]))
        for i in range(5000):  # each a layout for the lab, unless dropped
            await ws.send_str(json.dumps(["resize", {"width": 60 + i % 100, "height": 20 + i % 30}]))
        await ws.send_str(json.dumps(["ping", "after the flood"]))
        while True:  # the ping is answered at once: the server does not wait for the lab to read the keys
            message = await ws.receive(timeout=TIMEOUT)
            assert message.type in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT), message
            if message.type == aiohttp.WSMsgType.TEXT and json.loads(message.data) == ["pong", "after the flood"]:
                break
        await ws.close()
        closed = time.monotonic()
        worst = start
        while lab in s.labs():
            worst = max(worst, rss_mib(lab))
            assert time.monotonic() - closed < 20, f"the lab still runs 20 s after its tab closed ({worst:.0f} MiB)"
            await asyncio.sleep(0.1)
    assert worst - start < 100, f"the lab grew from {start:.0f} to {worst:.0f} MiB"


async def test_served_labs_have_no_token_in_their_environment(tmp_path, subprocess_env):
    """The token given in NNLAB_SERVE_TOKEN is the server's: a lab (which runs what a tab types) does not get it."""
    async with serve(tmp_path, subprocess_env) as s, aiohttp.ClientSession() as http:
        ws = await http.ws_connect(f"{s.url}/ws?token={TOKEN}&width=80&height=24")
        await first_bytes(ws)
        [lab] = s.labs()
        environ = Path(f"/proc/{lab}/environ").read_bytes()
        assert b"NNLAB_SERVE_TOKEN" not in environ and TOKEN.encode() not in environ
        await ws.close()


async def raw(port: int, request: bytes) -> bytes:
    """Send ``request`` as it is on a fresh connection; what comes back."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    await writer.drain()
    try:
        return await asyncio.wait_for(reader.read(), TIMEOUT)
    finally:
        writer.close()


async def test_an_absolute_request_line_and_a_malformed_host(tmp_path, subprocess_env):
    """``GET http://evil.com/`` with a good Host gets this server's websocket address, not ``ws://evil.com/ws``;
    Hosts that only start with a loopback name are refused."""
    async with serve(tmp_path, subprocess_env) as s, aiohttp.ClientSession() as http:
        page = await raw(s.port, f"GET http://evil.com/?token={TOKEN} HTTP/1.1\r\nHost: 127.0.0.1:{s.port}\r\n"
                                 "Connection: close\r\n\r\n".encode())
        assert b" 200 " in page.split(b"\r\n", 1)[0] and b"evil.com" not in page
        assert f"ws://127.0.0.1:{s.port}/ws".encode() in page
        for host in ("[::1]@evil.com/x", f"127.0.0.1:{s.port}@evil.com"):
            assert await status(http, f"{s.url}/?token={TOKEN}", Host=host) == 403, host
        ws = f"{s.url}/ws?token={TOKEN}&width=80&height=24"
        assert await ws_status(http, ws, {"Origin": f"https://127.0.0.1:{s.port}"}) == 403


async def test_malformed_requests_log_one_line_each_without_the_token(tmp_path, subprocess_env):
    """A flood of malformed requests (no token needed to send them) prints at most a few one-line notes, none of
    them a traceback or the token (each printed a traceback, some quoting the token)."""
    async with serve(tmp_path, subprocess_env) as s:
        bad = [b"GARBAGE\r\n\r\n", f"GET /\x00?token={TOKEN} HTTP/1.1\r\n\r\n".encode(),
               f"GET /?token={TOKEN} HTTP/1.1\r\nHost: a\x00b\r\n\r\n".encode(),
               b"GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n"]
        for i in range(60):
            await raw(s.port, bad[i % len(bad)])
        output = s.output().split("(ctrl+c stops it)", 1)[1]  # after the address printed at start
    assert "Traceback" not in output and TOKEN not in output
    notes = [line for line in output.splitlines() if line.startswith("nnlab serve:")]
    assert 1 <= len(notes) <= 10, output


async def test_sessions_beyond_the_memory_are_refused(tmp_path, subprocess_env):
    """With memory for one lab at its largest (--memory; by default what the machine has available), a second tab
    is refused with a page that says so, and the server warned at start (8 sessions at the 10 M-epoch cap needed
    about 15 GB and nothing checked)."""
    async with serve(tmp_path, subprocess_env, "--memory", "1200") as s, aiohttp.ClientSession() as http:
        ws_url = f"{s.url}/ws?token={TOKEN}&width=80&height=24"
        first = await http.ws_connect(ws_url)
        await first_bytes(first)
        assert await ws_status(http, ws_url, {}) == 503
        async with http.get(f"{s.url}/?token={TOKEN}") as r:
            assert r.status == 503 and "what its memory holds" in await r.text()
        await first.close()
    assert "1 lab at once, not 8" in s.output()
