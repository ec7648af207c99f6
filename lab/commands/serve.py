"""``nnlab serve``: the lab in a web browser, through textual-serve (the optional ``serve`` extra).

textual-serve is a small aiohttp web server. Each browser tab that opens its page gets its own ``nnlab`` process,
started through the shell with Textual's web driver, whose screen reaches the page over a websocket and is drawn by
xterm.js. That process runs as the user who started the server, so the server is locked down as Jupyter is
(``serve_guard``, ``serve_server``): a secret token on every request, ``Host`` and ``Origin`` checked, at most
``--max-sessions`` labs, bounded terminal sizes; and every lab reads and writes files only inside one folder
(``--files``, by default a fresh one under the user's state directory; ``lab.files.folder``). It listens on
127.0.0.1 unless ``--host`` says otherwise, and says what another address exposes.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shlex
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from lab.commands.serve_guard import WILDCARD_HOSTS, Guard, is_loopback
from lab.core.errors import LabError, RunFailure

EXTRA_MISSING = 'nnlab serve needs the serve extra: pip install "neural-gate-lab[serve]"'
TOKEN_ENV = "NNLAB_SERVE_TOKEN"
MIN_TOKEN = 16  # characters of a token given off loopback; the made one has 43


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


def app_command(args: argparse.Namespace, files: Path) -> str:
    """The shell command textual-serve runs for each browser tab: this very Python (so the virtual environment or
    PYTHONPATH that found this nnlab finds it again) running the lab under `lab.commands.served`, confined to the
    files folder ``files``, every word quoted for the platform's shell. On POSIX the shell ``exec``s it, so the lab
    is the server's own child and notices when the server is gone."""
    words = [sys.executable, "-m", "lab.commands.served", "--files", str(files), *app_argv(args)]
    return subprocess.list2cmdline(words) if os.name == "nt" else "exec " + shlex.join(words)


def public_url(host: str, port: int) -> str:
    """The address a browser uses: ``http://host:port``, with this machine's name for a wildcard host (a browser
    cannot connect to 0.0.0.0) and brackets around an IPv6 address."""
    if host in WILDCARD_HOSTS:
        host = socket.gethostname()
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def choose_token(args: argparse.Namespace) -> str | None:
    """The token: ``--token``, else ``$NNLAB_SERVE_TOKEN``, else a new ``secrets.token_urlsafe(32)``; None with
    ``--no-token``, which only a loopback address may use.

    Raises:
        LabError: an empty token, ``--no-token`` with a token or off loopback, a short token off loopback.
    """
    given = args.token if args.token is not None else os.environ.get(TOKEN_ENV)
    if args.no_token:
        if given is not None:
            raise LabError(f"--no-token: a token is also given (--token or {TOKEN_ENV}); choose one")
        if not is_loopback(args.host):
            raise LabError(f"--no-token: refused on {args.host or 'every interface'}, which other machines can "
                           "reach; it is only allowed with a loopback --host such as 127.0.0.1")
        return None
    if given is None:
        return secrets.token_urlsafe(32)
    if not given.strip() or given != given.strip() or not given.isprintable():
        raise LabError("--token: expected printable text without spaces at either end, got "
                       f"{'an empty token' if not given.strip() else repr(given)}")
    if not is_loopback(args.host) and len(given) < MIN_TOKEN:
        raise LabError(f"--token: at least {MIN_TOKEN} characters off loopback (other machines can guess a short "
                       f"one), got {len(given)}")
    return given


def exposure(host: str, token: str | None, port: int = 8000) -> list[str]:
    """The warnings ``nnlab serve`` prints for ``host``, ``token`` and ``port``: what is exposed, and to whom."""
    warnings = []
    if host in WILDCARD_HOSTS:
        warnings.append(f"warning: listening on {host or 'every interface'}, every network interface of this "
                        "machine: anyone on those networks who has the address with its token drives a lab that "
                        "runs as you and writes to the files folder; plain http sends the token unencrypted, so on "
                        f"a network you do not control prefer an SSH tunnel (ssh -L {port}:127.0.0.1:{port} HOST)")
    elif not is_loopback(host):
        warnings.append(f"warning: listening on {host}, which other machines can reach: anyone there who has the "
                        "address with its token drives a lab that runs as you and writes to the files folder; plain "
                        "http sends the token unencrypted, so on a network you do not control prefer an SSH tunnel")
    if token is None:
        warnings.append("warning: no token (--no-token): any program or user on this machine can drive a lab that "
                        "runs as you and writes to the files folder")
    return warnings


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
        raise RunFailure(f"cannot listen on {host}:{port}: {e.strerror or e}") from None


def serve_main(args: argparse.Namespace) -> int:
    """Run ``nnlab serve`` until ctrl+c (or SIGTERM); returns 0. A bad port or token, a missing extra, a files
    folder that cannot be made or an address that cannot be listened on raise LabError. The app options are checked
    by the caller before this is called."""
    if not 1 <= args.port <= 65535:
        raise LabError(f"--port: expected 1 to 65535, got {args.port}")
    token = choose_token(args)
    try:
        import textual_serve.server  # noqa: F401  (first: the extra itself, even when nnlab's module is loaded)

        from lab.commands.serve_server import LabServer
    except ImportError:
        raise RunFailure(EXTRA_MISSING) from None
    from lab.files.autosave import default_path
    from lab.files.folder import files_folder

    url = (args.public_url or public_url(args.host, args.port)).rstrip("/")
    guard = Guard(token, args.host, args.port, url, tuple(args.allow_host or ()))
    check_listen(args.host, args.port)
    root = files_folder(args.files, default_path().parent)

    def ready() -> None:
        shown = f"{url}/?token={quote(token, safe='')}" if token is not None else f"{url}/"
        print(f"nnlab: serving the lab at {shown}  (ctrl+c stops it)", flush=True)
        print(f"nnlab: its labs read and write files only in {root.folder}", flush=True)
        for warning in exposure(args.host, token, args.port):
            print(f"nnlab: {warning}", file=sys.stderr, flush=True)

    server = LabServer(app_command(args, root.folder), guard, args.max_sessions, ready)
    try:
        server.serve()
    except OSError as e:
        raise LabError(f"cannot listen on {args.host}:{args.port}: {e.strerror or e}") from None
    return 0


__all__ = ["serve_main", "app_command", "public_url", "choose_token", "exposure", "EXTRA_MISSING"]
