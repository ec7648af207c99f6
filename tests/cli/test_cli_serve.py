"""``nnlab serve`` without a browser: its one-line errors, the command it serves, and its labs ending with it.

The page in a real browser is tests/browser/test_serve.py.
"""

from __future__ import annotations

import asyncio
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lab.cli import _serve_parser
from lab.commands.serve import EXTRA_MISSING, app_command, public_url


@pytest.mark.parametrize("argv, message", [
    (["--port", "0"], "nnlab: error: --port: expected 1 to 65535, got 0"),
    (["--port", "70000"], "nnlab: error: --port: expected 1 to 65535, got 70000"),
    (["--fps", "100"], "nnlab serve: error: argument --fps: expected 0.5 to 30 updates a second, got '100'"),
    (["missing.json"], "nnlab: error: missing.json: no such file"),
    (["--recipe", "nope"], "nnlab serve: error: argument --recipe: invalid choice: 'nope'"),
    (["--port", "x"], "nnlab serve: error: argument --port: invalid int value: 'x'"),
    (["--gate", "xor", "--recipe", "two-layer"], "nnlab serve: error: argument --recipe: not allowed with argument"),
    (["--host", "0.0.0.0", "--no-token"], "nnlab: error: --no-token: refused on 0.0.0.0, which other machines can "
                                          "reach"),
    (["--host", "::", "--no-token"], "nnlab: error: --no-token: refused on ::"),
    (["--token", ""], "nnlab: error: --token: expected printable text without spaces at either end, got an empty"),
    (["--host", "0.0.0.0", "--token", "abc"], "nnlab: error: --token: at least 16 characters off loopback"),
    (["--max-sessions", "0"], "nnlab serve: error: argument --max-sessions: expected 1 to 256 labs, got '0'"),
])
def test_bad_options_fail_in_one_line_before_serving(cli, tmp_path, monkeypatch, argv, message):
    """Bad flags and files are refused at once, in one line with status 2, before any server starts; every
    interface without a token is refused."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NNLAB_SERVE_TOKEN", raising=False)
    status, out, err = cli("serve", *argv)
    assert status == 2 and out == ""
    assert err.startswith(message) and err.count("\n") == 1, err


def test_without_the_serve_extra(cli, monkeypatch):
    """Without textual-serve: one line naming the extra to install, status 1 (a failure at run time, not bad
    input)."""
    monkeypatch.setitem(sys.modules, "textual_serve", None)  # as if not installed: importing it raises ImportError
    monkeypatch.setitem(sys.modules, "textual_serve.server", None)
    status, out, err = cli("serve")
    assert (status, out, err) == (1, "", f"nnlab: error: {EXTRA_MISSING}\n")
    assert EXTRA_MISSING == 'nnlab serve needs the serve extra: pip install "neural-gate-lab[serve]"'


def test_port_in_use(cli):
    """A port another program holds: one line, status 1 (a failure at run time), before the address is
    announced."""
    pytest.importorskip("textual_serve", reason='needs the serve extra: pip install -e ".[test,serve]"')
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        status, out, err = cli("serve", "--port", str(port))
    assert status == 1 and out == ""
    assert err.startswith(f"nnlab: error: cannot listen on 127.0.0.1:{port}: ") and err.count("\n") == 1, err


def test_app_options_pass_through_quoted(tmp_path):
    """The files folder, FILE, --gate and --fps reach the served lab's command line, quoted for the shell;
    --host, --port and the token do not."""
    args = _serve_parser().parse_args(["my lab's.json", "--gate", "xor", "--fps", "2", "--host", "::1", "--port",
                                       "9000", "--token", "secret-secret-secret"])
    files = tmp_path / "a folder"
    assert shlex.split(app_command(args, files)) == [
        "exec", sys.executable, "-m", "lab.commands.served", "--files", str(files), "my lab's.json", "--gate", "xor",
        "--fps", "2.0"]
    args = _serve_parser().parse_args(["--recipe", "two-layer"])
    assert shlex.split(app_command(args, files))[6:] == ["--recipe", "two-layer"]  # the lab reads NNLAB_FPS itself


def test_public_url():
    """The address shown and put in the page: bracketed IPv6, and this machine's name for a wildcard host."""
    assert public_url("127.0.0.1", 8000) == "http://127.0.0.1:8000"
    assert public_url("::1", 8080) == "http://[::1]:8080"
    assert public_url("0.0.0.0", 8000) == f"http://{socket.gethostname()}:8000"


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended while we looked
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _ended(pid: int) -> bool:
    """Whether ``pid`` has exited (gone, or a zombie its new parent has not reaped yet)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from Linux's /proc")
async def test_a_killed_server_takes_its_labs_with_it(tmp_path, subprocess_env):
    """SIGKILL gives textual-serve no chance to tell its labs to quit; each lab notices and ends within seconds."""
    pytest.importorskip("textual_serve", reason='needs the serve extra: pip install -e ".[test,serve]"')
    import aiohttp  # textual-serve's own dependency

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = subprocess_env | {"NNLAB_STATE_DIR": str(tmp_path / "state"), "NNLAB_SERVE_TOKEN": "t" * 20}
    server = subprocess.Popen([sys.executable, "-m", "lab", "serve", "--port", str(port)], env=env, cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        async with aiohttp.ClientSession() as http:
            deadline = time.monotonic() + 30
            while True:  # until the server listens
                try:
                    url = f"http://127.0.0.1:{port}/ws?token={'t' * 20}&width=80&height=24"
                    ws = await http.ws_connect(url)
                    break
                except aiohttp.ClientConnectionError:
                    assert time.monotonic() < deadline and server.poll() is None, "nnlab serve did not listen"
                    await asyncio.sleep(0.1)
            message = await ws.receive(timeout=30)  # the lab's first screen bytes: it is running
            assert message.type == aiohttp.WSMsgType.BINARY
            labs = _children(server.pid)
            assert len(labs) == 1, labs  # the lab itself, not a shell around it
            server.kill()
            server.wait()
            deadline = time.monotonic() + 10
            while not _ended(labs[0]):
                assert time.monotonic() < deadline, "the lab outlived its killed server by 10 s"
                await asyncio.sleep(0.1)
            await ws.close()
    finally:
        try:
            os.killpg(server.pid, signal.SIGKILL)  # whatever is left of the group, should the test fail
        except ProcessLookupError:
            pass
        server.wait()
