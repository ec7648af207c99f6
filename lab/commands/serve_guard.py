"""Who may use a served lab: the token, the ``Host`` and ``Origin`` checks, as Jupyter and code-server do them.

Every request to ``nnlab serve`` (the page, its websocket, its static files, its downloads) passes ``Guard.refusal``
first; anything it refuses gets 403 and a short page saying why.

- **Token.** A secret made at start (``secrets.token_urlsafe``) or given; the presenter opens ``/?token=...``. A
  valid token in the query sets an ``HttpOnly``, ``SameSite=Strict`` cookie, and later requests carry it: the page's
  own script (textual-serve's ``textual.js``) appends ``?width=..&height=..`` to the websocket address and builds
  download addresses from ``location.origin``, so a token in those addresses would need a patched script, while a
  cookie reaches every request of the page unchanged. ``SameSite=Strict`` keeps a foreign site's requests from
  carrying it. Tokens are compared in constant time (``hmac.compare_digest``).
- **Host.** The ``Host`` header must name this server: a loopback name, the address it listens on, the public
  URL's host, a name the presenter allowed (``--allow-host``) or, listening on every interface, this machine's name
  or any IP address. A foreign name is how DNS rebinding reaches a local server; an IP address cannot be rebound.
- **Origin.** When present (browsers send it with every websocket), it must be this page's own origin: the same
  host and port as ``Host``, or the public URL's. A page on another site, or on another port of this machine,
  cannot open the websocket (cross-site websocket hijacking).
"""

from __future__ import annotations

import hmac
import ipaddress
import socket
from dataclasses import dataclass, field
from urllib.parse import urlsplit

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", ""})


def is_loopback(host: str) -> bool:
    """Whether listening on ``host`` reaches this machine only: ``localhost``, 127.x.x.x, ``::1``."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def host_name(header: str) -> str:
    """The host of a ``Host`` header or URL netloc without its port: ``Example.com:80`` -> ``example.com``,
    ``[::1]:8000`` -> ``::1``; lower case, trailing dot dropped."""
    header = header.strip().lower()
    if header.startswith("["):
        name = header[1:].partition("]")[0]
    elif header.count(":") == 1:
        name = header.partition(":")[0]
    else:
        name = header
    return name.rstrip(".")


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
        object.__setattr__(self, "names", frozenset(names))

    @property
    def cookie(self) -> str:
        """The name of the cookie that carries the token: ``nnlab-token-8000``."""
        return f"nnlab-token-{self.port}"

    def host_allowed(self, header: str | None) -> bool:
        """Whether a ``Host`` header names this server (see the module's docstring)."""
        if not header:
            return False
        name = host_name(header)
        if name in self.names:
            return True
        return self.host in WILDCARD_HOSTS and _is_ip(name)

    def origin_allowed(self, origin: str | None, host: str | None) -> bool:
        """Whether an ``Origin`` header is this page's own: absent, or the same host and port as ``host`` (the
        request's ``Host``) or as the public URL."""
        if origin is None:
            return True  # not a browser's cross-site request: browsers send Origin with every websocket
        netloc = urlsplit(origin.strip()).netloc.lower()
        if not netloc:
            return False  # "null" (a sandboxed frame, a file: page) or garbage
        return netloc == (host or "").strip().lower() or netloc == urlsplit(self.public_url).netloc.lower()

    def token_matches(self, given: str | None) -> bool:
        """Whether ``given`` is the token, compared in constant time; always True without a token."""
        if self.token is None:
            return True
        if given is None:
            return False
        return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), self.token.encode("utf-8"))

    def refusal(self, host: str | None, origin: str | None, query_token: str | None,
                cookie_token: str | None) -> str | None:
        """Why a request is refused (one sentence for its 403 page), or None when it may pass."""
        if not self.host_allowed(host):
            return ("This server does not answer to the name in the address bar. Open the address nnlab serve "
                    "printed, or start it with --allow-host NAME.")
        if not self.origin_allowed(origin, host):
            return "A page from another site cannot use this lab."
        if not (self.token_matches(query_token) or self.token_matches(cookie_token)):
            return "This lab needs its token: open the address with ?token=... that nnlab serve printed."
        return None
