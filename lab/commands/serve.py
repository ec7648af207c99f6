"""``nnlab serve``: the lab in a web browser, through textual-serve (the optional ``serve`` extra).

textual-serve is a small aiohttp web server. Each browser tab that opens its page gets its own ``nnlab`` process,
started through the shell with Textual's web driver, whose screen reaches the page over a websocket and is drawn by
xterm.js. There is no login: whoever can reach the port drives a real lab process, which opens, saves and exports
files as the user who started the server. So the server listens on 127.0.0.1 unless ``--host`` says otherwise, and
says so when it starts.
"""

from __future__ import annotations

import argparse
import os
import shlex
import socket
import subprocess
import sys
from typing import Any

from lab.core.errors import LabError

EXTRA_MISSING = 'nnlab serve needs the serve extra: pip install "nnlab[serve]"'
WARNING = ("warning: the served lab has no login: anyone who can reach this address drives a real nnlab process "
           "that opens and saves files as you")
WILDCARD_HOSTS = ("0.0.0.0", "::", "")


def app_argv(args: argparse.Namespace) -> list[str]:
    """The app options of ``nnlab serve`` (FILE, --recipe, --gate, --fps, --theme) as the ``nnlab`` arguments they
    stand for."""
    argv = [args.file] if args.file else []
    if args.recipe:
        argv += ["--recipe", args.recipe]
    if args.gate:
        argv += ["--gate", args.gate]
    if args.theme:
        argv += ["--theme", args.theme]
    return argv + (["--fps", repr(args.fps)] if args.fps is not None else [])  # else NNLAB_FPS or the default


def app_command(args: argparse.Namespace) -> str:
    """The shell command textual-serve runs for each browser tab: this very Python (so the virtual environment or
    PYTHONPATH that found this nnlab finds it again) running the lab under `lab.commands.served`'s watchdog, every
    word quoted for the platform's shell. On POSIX the shell ``exec``s it, so the lab is the server's own child and
    notices when the server is gone."""
    words = [sys.executable, "-m", "lab.commands.served", *app_argv(args)]
    return subprocess.list2cmdline(words) if os.name == "nt" else "exec " + shlex.join(words)


def public_url(host: str, port: int) -> str:
    """The address a browser uses: ``http://host:port``, with this machine's name for a wildcard host (a browser
    cannot connect to 0.0.0.0) and brackets around an IPv6 address."""
    if host in WILDCARD_HOSTS:
        host = socket.gethostname()
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def check_listen(host: str, port: int) -> None:
    """Raise LabError when ``host:port`` cannot be listened on (in use, not this machine's address, no permission).

    textual-serve binds only after its start-up hook, where the address is announced, so this binds and releases the
    address first: a port in use fails before an address that does not work is printed. SO_REUSEADDR as aiohttp
    sets it, so a port whose last server has just closed still counts as free.
    """
    try:
        for family, kind, proto, _, address in socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM,
                                                                  flags=socket.AI_PASSIVE):
            with socket.socket(family, kind, proto) as s:
                if os.name != "nt":
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(address)
    except OSError as e:
        raise LabError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None


def _server(command: str, host: str, port: int, url: str) -> Any:
    """A textual-serve ``Server`` that prints the address and the warning, in place of its logo, once it starts."""
    try:
        from textual_serve.server import Server
    except ImportError:
        raise LabError(EXTRA_MISSING) from None

    class LabServer(Server):
        async def on_startup(self, app: Any) -> None:
            """Called by aiohttp as the server starts: where textual-serve prints its logo, nnlab says where to go."""
            print(f"nnlab: serving the lab at {url}  (ctrl+c stops it)", flush=True)
            print(f"nnlab: {WARNING}", file=sys.stderr, flush=True)

    return LabServer(command, host=host, port=port, title="nnlab", public_url=url)


def serve_main(args: argparse.Namespace) -> int:
    """Run ``nnlab serve`` until ctrl+c (or SIGTERM); returns 0. A bad port, a missing extra or an address that
    cannot be listened on raise LabError. The app options are checked by the caller before this is called."""
    if not 1 <= args.port <= 65535:
        raise LabError(f"--port: expected 1 to 65535, got {args.port}")
    url = args.public_url or public_url(args.host, args.port)
    server = _server(app_command(args), args.host, args.port, url)
    check_listen(args.host, args.port)
    try:
        server.serve()
    except OSError as e:
        raise LabError(f"cannot listen on {args.host}:{args.port}: {e.strerror or e}") from None
    return 0


__all__ = ["serve_main", "app_command", "public_url", "EXTRA_MISSING"]
