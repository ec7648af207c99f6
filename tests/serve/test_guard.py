"""The served lab's guard (``lab.commands.serve_guard``) and ``nnlab serve``'s token and exposure rules, without a
server; tests/serve/test_attacks.py throws the same attacks at a real one."""

from __future__ import annotations

import socket

import pytest

from lab.cli import _serve_parser
from lab.commands.serve import choose_token, exposure
from lab.commands.serve_guard import Guard, host_name, is_loopback
from lab.core.errors import LabError

TOKEN = "s3cret-token-0123456789"


def guard(host: str = "127.0.0.1", public: str = "http://127.0.0.1:8000", allowed: tuple[str, ...] = ()) -> Guard:
    return Guard(TOKEN, host, 8000, public, allowed)


@pytest.mark.parametrize("header, name", [
    ("Example.COM:80", "example.com"), ("[::1]:8000", "::1"), ("::1", "::1"), ("localhost.", "localhost"),
    ("127.0.0.1", "127.0.0.1"),
])
def test_host_name(header, name):
    assert host_name(header) == name


@pytest.mark.parametrize("host, expected", [
    ("127.0.0.1", True), ("127.1.2.3", True), ("::1", True), ("localhost", True), ("0.0.0.0", False), ("::", False),
    ("192.168.1.5", False), ("example.com", False),
])
def test_is_loopback(host, expected):
    assert is_loopback(host) is expected


@pytest.mark.parametrize("header", ["127.0.0.1:8000", "localhost:8000", "LOCALHOST:8000", "[::1]:8000", "127.0.0.1"])
def test_loopback_hosts_pass(header):
    assert guard().host_allowed(header)


@pytest.mark.parametrize("header", ["evil.com:8000", "127.0.0.1.evil.com:8000", "localhost.evil:8000",
                                    "192.168.1.5:8000", "", None, "[::2]:8000", "127.0.0.2:8000"])
def test_foreign_hosts_refused(header):
    """DNS rebinding arrives with a foreign name in Host; an address this server was not given is refused too."""
    assert not guard().host_allowed(header)


def test_allowed_and_public_hosts():
    """--allow-host names and the --public-url host count; on every interface, this machine's name and any IP."""
    g = guard(public="https://lab.example.org", allowed=("Projector.local",))
    assert g.host_allowed("projector.local:8000") and g.host_allowed("lab.example.org")
    wild = guard(host="0.0.0.0", public=f"http://{socket.gethostname()}:8000")
    assert wild.host_allowed(f"{socket.gethostname()}:8000") and wild.host_allowed("10.1.2.3:8000")
    assert not wild.host_allowed("evil.com:8000")
    assert not guard().host_allowed("10.1.2.3:8000")  # loopback only: no other address reaches it anyway


@pytest.mark.parametrize("origin, host, allowed", [
    (None, "127.0.0.1:8000", True),  # not a browser
    ("http://127.0.0.1:8000", "127.0.0.1:8000", True),
    ("http://localhost:8000", "localhost:8000", True),
    ("http://localhost:3000", "localhost:8000", False),  # another port: another origin, though the same site
    ("http://evil.com", "127.0.0.1:8000", False),
    ("https://evil.com:8000", "127.0.0.1:8000", False),
    ("null", "127.0.0.1:8000", False),
    ("", "127.0.0.1:8000", False),
    ("http://localhost:8000", "127.0.0.1:8000", False),  # a page of one origin reaching another
])
def test_origin(origin, host, allowed):
    assert guard().origin_allowed(origin, host) is allowed


def test_public_origin_behind_a_proxy():
    """Behind a proxy that rewrites Host, the public URL's origin is still this page's."""
    assert guard(public="https://lab.example.org").origin_allowed("https://lab.example.org", "127.0.0.1:8000")


@pytest.mark.parametrize("given, ok", [
    (TOKEN, True), (None, False), ("", False), (TOKEN[:-1], False), (TOKEN + "x", False), ("é" * 20, False),
    ("\udcff", False),
])
def test_token(given, ok):
    assert guard().token_matches(given) is ok


def test_refusal_order_and_cookie():
    g = guard()
    assert g.refusal("127.0.0.1:8000", None, TOKEN, None) is None
    assert g.refusal("127.0.0.1:8000", None, None, TOKEN) is None  # the cookie
    assert "token" in g.refusal("127.0.0.1:8000", None, "wrong", "wrong")
    assert "another site" in g.refusal("127.0.0.1:8000", "http://evil.com", TOKEN, None)
    assert "--allow-host" in g.refusal("evil.com:8000", None, TOKEN, None)
    assert g.cookie == "nnlab-token-8000"
    assert TOKEN not in repr(g)  # a logged traceback shows no token


def args(*argv: str):
    return _serve_parser().parse_args(list(argv))


def test_token_made_given_or_from_the_environment(monkeypatch):
    monkeypatch.delenv("NNLAB_SERVE_TOKEN", raising=False)
    made = choose_token(args())
    assert len(made) >= 40 and made != choose_token(args())
    assert choose_token(args("--token", TOKEN)) == TOKEN
    monkeypatch.setenv("NNLAB_SERVE_TOKEN", "from-the-environment-1")
    assert choose_token(args()) == "from-the-environment-1"
    assert choose_token(args("--token", TOKEN)) == TOKEN  # the flag wins


@pytest.mark.parametrize("argv, words", [
    (["--token", ""], "empty token"),
    (["--token", " x"], "spaces at either end"),
    (["--host", "0.0.0.0", "--token", "short"], "at least 16 characters off loopback"),
    (["--host", "0.0.0.0", "--no-token"], "--no-token: refused on 0.0.0.0"),
    (["--host", "::", "--no-token"], "--no-token: refused on ::"),
    (["--host", "192.168.1.5", "--no-token"], "refused on 192.168.1.5"),
    (["--no-token", "--token", TOKEN], "choose one"),
])
def test_token_refusals(monkeypatch, argv, words):
    """Every interface without a token is refused; so are empty and short tokens where others can guess."""
    monkeypatch.delenv("NNLAB_SERVE_TOKEN", raising=False)
    with pytest.raises(LabError, match=words.replace(".", r"\.")):
        choose_token(args(*argv))


def test_no_token_on_loopback(monkeypatch):
    monkeypatch.delenv("NNLAB_SERVE_TOKEN", raising=False)
    assert choose_token(args("--no-token")) is None
    assert any("no token" in w for w in exposure("127.0.0.1", None))


def test_exposure_names_what_is_exposed():
    assert exposure("127.0.0.1", TOKEN) == []
    assert "every network interface" in exposure("0.0.0.0", TOKEN)[0]
    assert "listening on 192.168.1.5, which other machines can reach" in exposure("192.168.1.5", TOKEN)[0]


@pytest.mark.parametrize("header", ["[::1]@evil.com/x", "127.0.0.1:8000@evil.com", "user@127.0.0.1:8000",
                                    "127.0.0.1:8000/x", "127.0.0.1 evil.com", "localhost:80:80", "[::1", "[evil]:8000",
                                    "127.0.0.1:99999", "localhost:", "127.0.0.1\x00.evil.com", "localhost:+80"])
def test_malformed_hosts_are_refused(header):
    """A Host that is not exactly a name (or bracketed address) and a port is refused, not read by its first part:
    these passed as 127.0.0.1 and ::1."""
    assert host_name(header) is None and not guard().host_allowed(header)


@pytest.mark.parametrize("origin, host, secure, allowed", [
    ("http://127.0.0.1:8000", "127.0.0.1:8000", False, True),
    ("https://127.0.0.1:8000", "127.0.0.1:8000", False, False),  # another scheme is another origin
    ("http://localhost:8000", "localhost:8000", True, False),
    ("https://127.0.0.1:8000", "127.0.0.1:8000", True, True),
    ("ftp://127.0.0.1:8000", "127.0.0.1:8000", False, False),
    ("http://127.0.0.1", "127.0.0.1:80", False, True),
    ("http://127.0.0.1:8000/x", "127.0.0.1:8000", False, False),
])
def test_origin_compares_the_scheme(origin, host, secure, allowed):
    assert guard().origin_allowed(origin, host, secure) is allowed


def test_public_origin_needs_its_scheme():
    g = guard(public="https://lab.example.org")
    assert g.origin_allowed("https://lab.example.org", "127.0.0.1:8000")
    assert not g.origin_allowed("http://lab.example.org", "127.0.0.1:8000")


@pytest.mark.parametrize("public, host, secure, url", [
    ("http://127.0.0.1:8000", "127.0.0.1:8000", False, "ws://127.0.0.1:8000/ws"),
    ("http://127.0.0.1:8000", "localhost:8000", False, "ws://localhost:8000/ws"),  # the page's own name
    ("http://127.0.0.1:8000", "[::1]:8000", False, "ws://[::1]:8000/ws"),
    ("http://127.0.0.1:8000", None, False, "ws://127.0.0.1:8000/ws"),
    ("https://lab.example.org", "lab.example.org", False, "wss://lab.example.org/ws"),  # behind a TLS proxy
    ("https://lab.example.org", "127.0.0.1:8000", True, "wss://127.0.0.1:8000/ws"),
])
def test_websocket_url(public, host, secure, url):
    assert guard(public=public).websocket_url(host, secure) == url
