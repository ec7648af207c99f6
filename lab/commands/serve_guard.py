"""Who may use a served lab: the token, the ``Host`` and ``Origin`` checks, as Jupyter and code-server do them.

Every request to ``nnlab serve`` (the page, its websocket, its static files, its downloads) passes ``Guard.refusal``
first; anything it refuses gets 403 and a short page saying why.

- **Token.** A secret made at start (``secrets.token_urlsafe``) or given; the presenter opens ``/?token=...``. A
  valid token in the query sets an ``HttpOnly``, ``SameSite=Strict`` cookie, and later requests carry it: the page's
  own script (textual-serve's ``textual.js``) appends ``?width=..&height=..`` to the websocket address and builds
  download addresses from ``location.origin``, so a token in those addresses would need a patched script, while a
  cookie reaches every request of the page unchanged. ``SameSite=Strict`` keeps a foreign site's requests from
  carrying it. Tokens are compared in constant time (``hmac.compare_digest``).
- **Host.** The ``Host`` header, parsed strictly (a name or bracketed address and an optional port, nothing
  else: ``[::1]@evil.com/x`` is refused, not read as ``::1``), must name this server: a loopback name, the address
  it listens on, the public URL's host, a name the presenter allowed (``--allow-host``) or, listening on every
  interface, this machine's name or any IP address. A foreign name is how DNS rebinding reaches a local server;
  an IP address cannot be rebound.
- **Origin.** When present (browsers send it with every websocket), it must be this page's own origin: the same
  scheme, host and port as the request (``Host``), or the public URL's. A page on another site, on another port
  of this machine or over the other scheme cannot open the websocket (cross-site websocket hijacking).
"""

from __future__ import annotations

import hmac
import ipaddress
import re
import socket
from dataclasses import dataclass, field
from urllib.parse import urlsplit

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", ""})
DEFAULT_PORTS = {"http": 80, "https": 443}


def is_loopback(host: str) -> bool:
    """Whether listening on ``host`` reaches this machine only: ``localhost``, 127.x.x.x, ``::1``."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_HOST = re.compile(r"(?:\[(?P<v6>[0-9a-f:.]+)\]|(?P<name>[a-z0-9_.-]+))(?::(?P<port>[0-9]{1,5}))?")


def split_host(header: str) -> tuple[str, int | None] | None:
    """A ``Host`` header or URL netloc parsed strictly: its host (lower case, trailing dot dropped) and its port, or
    None when it is not one (``[::1]@evil.com/x``, ``127.0.0.1:8000@evil.com``, a user, a path, a space, an
    unbracketed name with a colon). A bare IPv6 address (``::1``) is taken as one with no port."""
    header = header.strip().lower()
    if ":" in header and not header.startswith("[") and _is_ip(header):
        return header, None
    m = _HOST.fullmatch(header)
    if m is None or (m["v6"] is not None and not _is_ip(m["v6"])):
        return None
    port = int(m["port"]) if m["port"] is not None else None
    if port is not None and not 0 < port <= 65535:
        return None
    name = (m["v6"] or m["name"]).rstrip(".")
    return (name, port) if name else None


def host_name(header: str) -> str | None:
    """The host of a ``Host`` header or URL netloc without its port: ``Example.com:80`` -> ``example.com``,
    ``[::1]:8000`` -> ``::1``; lower case, trailing dot dropped; None when it does not parse (``split_host``)."""
    parsed = split_host(header)
    return None if parsed is None else parsed[0]


def _origin(url: str) -> tuple[str, str, int] | None:
    """An origin as (scheme, host, port), the port filled in for http and https; None for anything else."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    parsed = split_host(parts.netloc) if scheme in DEFAULT_PORTS and not parts.path.strip("/") else None
    if parsed is None:
        return None
    name, port = parsed
    return scheme, name, DEFAULT_PORTS[scheme] if port is None else port


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Guard:
    """The checks for one server.

    Attributes:
        token: the secret every request must carry, or None (``--no-token``, loopback only).
        host: the address the server listens on.
        port: its port (names the cookie, so two servers on one machine keep their own).
        public_url: the address printed for browsers.
        allowed_hosts: extra names the presenter allowed (``--allow-host``).
    """

    token: str | None = field(repr=False)
    host: str
    port: int
    public_url: str
    allowed_hosts: tuple[str, ...] = ()
    names: frozenset[str] = field(init=False)
    """Every host name a ``Host`` header may carry."""

    def __post_init__(self) -> None:
        names = set(LOOPBACK_NAMES) | {host_name(h) for h in self.allowed_hosts}
        names.add(host_name(urlsplit(self.public_url).netloc))
        if self.host in WILDCARD_HOSTS:
            names.add(socket.gethostname().lower())
        else:
            names.add(host_name(self.host))
        names.discard(None)
        object.__setattr__(self, "names", frozenset(names))

    @property
    def cookie(self) -> str:
        """The name of the cookie that carries the token: ``nnlab-token-8000``."""
        return f"nnlab-token-{self.port}"

    def host_allowed(self, header: str | None) -> bool:
        """Whether a ``Host`` header names this server (see the module's docstring); one that does not parse
        strictly (``split_host``) never does."""
        name = host_name(header) if header else None
        if name is None:
            return False
        if name in self.names:
            return True
        return self.host in WILDCARD_HOSTS and _is_ip(name)

    def origin_allowed(self, origin: str | None, host: str | None, secure: bool = False) -> bool:
        """Whether an ``Origin`` header is this page's own: absent, or the same scheme, host and port as the
        request (``host`` its ``Host``, ``secure`` whether it came over TLS) or as the public URL."""
        if origin is None:
            return True  # not a browser's cross-site request: browsers send Origin with every websocket
        given = _origin(origin)
        if given is None:
            return False  # "null" (a sandboxed frame, a file: page) or garbage
        own = _origin(f"{'https' if secure else 'http'}://{(host or '').strip()}")
        return given == own or given == _origin(self.public_url)

    def websocket_url(self, host: str | None, secure: bool = False) -> str:
        """The websocket address for a page requested with the ``Host`` header ``host`` (already allowed): the
        public URL's, or, when the page was opened under another name this server answers to (``localhost`` for
        ``127.0.0.1``), that name as ``split_host`` parsed it, so the page's cookie and origin still match. Never
        the request line's host: ``GET http://evil.com/`` with a good Host yields this server's address."""
        public = urlsplit(self.public_url)
        parsed = split_host(host) if host else None
        if parsed is None or parsed[0] == host_name(public.netloc):
            return f"{'wss' if public.scheme == 'https' else 'ws'}://{public.netloc}/ws"
        name, port = parsed
        netloc = (f"[{name}]" if ":" in name else name) + ("" if port is None else f":{port}")
        return f"{'wss' if secure else 'ws'}://{netloc}/ws"

    def token_matches(self, given: str | None) -> bool:
        """Whether ``given`` is the token, compared in constant time; always True without a token."""
        if self.token is None:
            return True
        if given is None:
            return False
        return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), self.token.encode("utf-8"))

    def refusal(self, host: str | None, origin: str | None, query_token: str | None,
                cookie_token: str | None, secure: bool = False) -> str | None:
        """Why a request is refused (one sentence for its 403 page), or None when it may pass; ``secure`` says
        whether it came over TLS (the scheme its page's origin has)."""
        if not self.host_allowed(host):
            return ("This server does not answer to the name in the address bar. Open the address nnlab serve "
                    "printed, or start it with --allow-host NAME.")
        if not self.origin_allowed(origin, host, secure):
            return "A page from another site cannot use this lab."
        if not (self.token_matches(query_token) or self.token_matches(cookie_token)):
            return "This lab needs its token: open the address with ?token=... that nnlab serve printed."
        return None
