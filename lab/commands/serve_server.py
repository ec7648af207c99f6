"""The web server behind ``nnlab serve``: textual-serve's ``Server`` with nnlab's guard, limits and page.

textual-serve (checked against 1.1.3) builds its aiohttp application in a private method and trusts every request.
This subclass goes through its public surface only: it overrides ``serve`` to run an application of its own, with
textual-serve's public handlers for downloads and its ``AppService`` for each tab's lab, and these changes:

- a middleware runs ``Guard.refusal`` (token, ``Host``, ``Origin``) on every request and answers 403 with a short
  page; it sets the token's cookie after a valid ``?token=``, and asks browsers not to frame, cache or refer;
- the page is nnlab's copy of textual-serve's template without its outside font link (``serve_page/``), and its
  websocket address is the public URL's, or the (checked, strictly parsed) ``Host`` header's when that is another
  name of this server, so ``localhost`` and ``127.0.0.1`` both work (``Guard.websocket_url``), never the request
  line's;
- at most ``max_sessions`` labs run at once: past that the page is a clear 503 page and the websocket is refused;
- the terminal size from the websocket's query and from each resize message is clamped to ``MAX_WIDTH`` x
  ``MAX_HEIGHT``; a malformed message is ignored instead of ending the session; messages are at most 1 MiB;
- static files are served without directory listings; no access log, and the error log is one line per bad
  request, rate-limited, without the token (``QuietLog``).
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import signal
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import quote

import aiohttp_jinja2
import jinja2
from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server

from lab.commands.serve_guard import Guard
from lab.core.errors import one_line

log = logging.getLogger("textual-serve")

PAGE_FOLDER = Path(__file__).with_name("serve_page")
MAX_WIDTH, MAX_HEIGHT = 400, 200  # cells: a 4K screen at a small font is about 380x110
MAX_MESSAGE = 1 << 20  # bytes in one websocket message; aiohttp's default is 4 MiB
# What one tab's keys may bring (InputBudget): a paste of up to INPUT_BURST bytes at once, INPUT_RATE bytes a second
# after that, and at most IN_FLIGHT bytes written to the lab that it has not read yet. Typing, even a held key, is
# under 100 bytes a second and a mouse sweep about 1.5 KB; the lab handles a few thousand key events a second, each
# held in its queue at about a kilobyte until then, so a flood of keys costs it a few megabytes at most.
INPUT_BURST = 64 << 10
INPUT_RATE = 4 << 10
IN_FLIGHT = 64 << 10
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}


def clamp_size(width: object, height: object) -> tuple[int, int]:
    """A terminal size from a browser, as whole numbers within 1..MAX_WIDTH and 1..MAX_HEIGHT (80x24 when a value
    is not a number)."""
    def number(value: object, default: int, high: int) -> int:
        try:
            n = int(value)  # type: ignore[call-overload]
        except (TypeError, ValueError, OverflowError):
            return default
        return min(max(n, 1), high)

    return number(width, 80, MAX_WIDTH), number(height, 24, MAX_HEIGHT)


def message_page(status: int, title: str, text: str) -> web.Response:
    """A small self-contained HTML page (no outside resources) saying ``text``."""
    body = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>nnlab: {html.escape(title)}</title></head>"
            f"<body style='background:#0c181f;color:#eee;font-family:monospace;padding:2em'>"
            f"<h1>{html.escape(title)}</h1><p>{html.escape(text)}</p></body></html>")
    return web.Response(status=status, text=body, content_type="text/html")


class InputBudget:
    """How much input a tab may still send: a token bucket of ``burst`` bytes refilled at ``rate`` bytes a second.
    A message that does not fit is dropped whole (half a paste or half an escape sequence would be worse).

    Attributes:
        rate: bytes a second.
        burst: the most bytes at once.
        dropped: bytes dropped so far.
    """

    def __init__(self, rate: float = INPUT_RATE, burst: float = INPUT_BURST,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.burst, self.clock = rate, burst, clock
        self.dropped = 0
        self._left, self._at = float(burst), clock()

    def take(self, size: int) -> bool:
        """Whether ``size`` more bytes may pass now (then they are spent); counts them in ``dropped`` if not."""
        now = self.clock()
        self._left = min(self.burst, self._left + (now - self._at) * self.rate)
        self._at = now
        if size <= self._left:
            self._left -= size
            return True
        self.dropped += size
        return False


class QuietLog(logging.Filter):
    """The server's log as one line per record (a malformed request's traceback becomes its exception's first
    line), at most ``most`` lines per ``window`` seconds (the rest counted, the count said with the next line shown),
    with the token written as ``<token>``: anyone who can connect can send bad requests, and some quote the token.

    Attributes:
        token: the secret never shown, or None.
        most: lines shown per window.
        window: its length in seconds.
    """

    LONGEST = 300  # characters of one line

    def __init__(self, token: str | None, most: int = 10, window: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.token, self.most, self.window, self.clock = token, most, window, clock
        self._start: float | None = None
        self._shown = self._hidden = 0

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite ``record`` as one line, or drop it past the window's ``most``."""
        now, hidden = self.clock(), 0
        if self._start is None or now - self._start >= self.window:
            self._start, hidden, self._shown, self._hidden = now, self._hidden, 0, 0
        if self._shown >= self.most:
            self._hidden += 1
            return False
        self._shown += 1
        line = self.line(record) + (f" ({hidden} more in the minute before not shown)" if hidden else "")
        record.msg, record.args, record.exc_info, record.exc_text, record.stack_info = line, (), None, None, None
        return True

    def line(self, record: logging.LogRecord) -> str:
        """The record's message and its exception's first line, one line, the token hidden, at most LONGEST."""
        text = record.getMessage()
        error = record.exc_info[1] if record.exc_info else None
        if error is not None:
            detail = str(getattr(error, "message", "") or error).strip().splitlines()
            text += f": {type(error).__name__}" + (f": {detail[0].rstrip(':')}" if detail else "")
        if self.token:
            for form in {self.token, quote(self.token, safe=""), quote(self.token)}:
                text = text.replace(form, "<token>")
        text = one_line(text)
        return text if len(text) <= self.LONGEST else text[:self.LONGEST - 3] + "..."


class LabServer(Server):
    """textual-serve's server with the guard, the session limit and nnlab's page (see the module's docstring).

    Attributes:
        guard: who may use it.
        max_sessions: how many labs may run at once (``nnlab serve`` lowers it to what the memory holds).
        memory_bound: whether the memory set ``max_sessions`` (said on the full page).
        lab_bytes: the most one lab may come to hold; a lab is also refused while the machine has less available.
        sessions: how many run now.
        on_ready: called once the server starts, where textual-serve prints its logo.
    """

    def __init__(self, command: str, guard: Guard, max_sessions: int, on_ready: Callable[[], None],
                 memory_bound: bool = False, lab_bytes: int = 0) -> None:
        super().__init__(command, host=guard.host, port=guard.port, title="nnlab", public_url=guard.public_url,
                         templates_path=PAGE_FOLDER)
        self.guard = guard
        self.max_sessions = max_sessions
        self.memory_bound = memory_bound
        self.lab_bytes = lab_bytes
        self.sessions = 0
        self.on_ready = on_ready

    # --- the application -------------------------------------------------------------------------------------------
    def make_app(self) -> web.Application:
        """The aiohttp application: the guard middleware and the routes."""
        app = web.Application(middlewares=[self.guard_middleware])
        aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(self.templates_path), autoescape=True)
        app.add_routes([
            web.get("/", self.handle_index, name="index"),
            web.get("/ws", self.handle_websocket, name="websocket"),
            web.get("/download/{key}", self.handle_download, name="download"),
            web.static("/static", self.statics_path, show_index=False, follow_symlinks=False, name="static"),
        ])
        app.on_startup.append(self.on_startup)
        app.on_shutdown.append(self.on_shutdown)
        return app

    def initialize_logging(self) -> None:
        """textual-serve's and aiohttp's warnings and errors on stderr, one line each (``QuietLog``: no traceback,
        rate-limited, the token hidden)."""
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("nnlab serve: %(levelname)s: %(message)s"))
        handler.addFilter(QuietLog(self.guard.token))
        for name in ("textual-serve", "aiohttp"):
            logger = logging.getLogger(name)
            logger.addHandler(handler)
            logger.setLevel(logging.DEBUG if self.debug else logging.WARNING)
            logger.propagate = False

    def serve(self, debug: bool = False) -> None:
        """Serve until ctrl+c or SIGTERM, as textual-serve's ``serve`` does, with ``make_app`` and no access log."""
        self.debug = debug
        self.initialize_logging()
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, self.request_exit)
            except NotImplementedError:
                pass
        web.run_app(self.make_app(), host=self.host, port=self.port, handle_signals=False, loop=loop,
                    print=lambda *args: None, access_log=None)

    async def on_startup(self, app: web.Application) -> None:
        """Called by aiohttp as the server starts: where textual-serve prints its logo, nnlab says where to go."""
        self.on_ready()

    @web.middleware
    async def guard_middleware(self, request: web.Request,
                               handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.StreamResponse:
        """Refuse what the guard refuses with 403; set the token's cookie after a valid ``?token=``."""
        query_token = request.query.get("token")
        refusal = self.guard.refusal(request.headers.get("Host"), request.headers.get("Origin"), query_token,
                                     request.cookies.get(self.guard.cookie), request.secure)
        if refusal is not None:
            response: web.StreamResponse = message_page(403, "not allowed", refusal)
        else:
            try:
                response = await handler(request)
            except web.HTTPException as e:  # aiohttp's own 403/404 (a static folder, a missing file)
                e.headers.update(SECURITY_HEADERS)
                raise
        if not response.prepared:
            response.headers.update(SECURITY_HEADERS)
            if (refusal is None and self.guard.token is not None and query_token is not None
                    and self.guard.token_matches(query_token)):
                response.set_cookie(self.guard.cookie, query_token, httponly=True, samesite="Strict", path="/")
        return response

    # --- the page --------------------------------------------------------------------------------------------------
    def _full(self) -> web.Response | None:
        """The page that refuses one more lab, or None when one may start: the session limit is reached, or the
        machine has less memory available than a lab may come to hold."""
        from lab.commands.serve import available_memory

        n = self.max_sessions
        if self.sessions >= n:
            held = " (what its memory holds)" if self.memory_bound else ""
            why = (f"This server runs at most {n} lab{'s' * (n != 1)} at once{held}, "
                   f"and {'all are' if n != 1 else 'it is'} in use. Close a tab that has one (or ask the presenter "
                   "for a larger --max-sessions), then reload this page.")
            return message_page(503, "all labs in use", why)
        available = available_memory() if self.lab_bytes else None
        if available is not None and available < self.lab_bytes:
            return message_page(503, "not enough memory", "This machine has too little memory left for another lab "
                                "now. Close a tab that has one, or try again later.")
        return None

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        """The page: textual-serve's template, its websocket at this request's own host."""
        if (full := self._full()) is not None:
            return full
        try:
            font_size = min(max(int(request.query.get("fontsize", "16")), 6), 64)
        except ValueError:
            font_size = 16
        context = {
            "font_size": font_size,
            "app_websocket_url": self.guard.websocket_url(request.headers.get("Host"), request.secure),
            "config": {"static": {"url": "/static/"}},
            "application": {"name": self.title},
        }
        return aiohttp_jinja2.render_template("app_index.html", request, context)

    # --- a tab's lab -----------------------------------------------------------------------------------------------
    # The base types this a WebSocketResponse; aiohttp takes any response from a route, and a full server answers
    # with a page.
    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:  # type: ignore[override]
        """Start a lab for this websocket and relay between them, within the session limit and the size bounds."""
        if (full := self._full()) is not None:
            return full
        width, height = clamp_size(request.query.get("width", "80"), request.query.get("height", "24"))
        websocket = web.WebSocketResponse(heartbeat=15, max_msg_size=MAX_MESSAGE)
        if not websocket.can_prepare(request).ok:
            return message_page(400, "not a websocket", "This address is the lab's websocket; open the page instead.")
        self.sessions += 1
        app_service: AppService | None = None

        async def close() -> None:  # what AppService awaits: the websocket's close, its result not needed
            await websocket.close()

        try:
            await websocket.prepare(request)
            app_service = AppService(self.command, write_bytes=websocket.send_bytes, write_str=websocket.send_str,
                                     close=close, download_manager=self.download_manager,
                                     debug=self.debug)
            await app_service.start(width, height)
            await self._relay(websocket, app_service)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as error:  # a lab that fails must not take the server with it
            log.exception(error)
        finally:
            if app_service is not None:
                await self._end(app_service)
            self.sessions -= 1
        return websocket

    @staticmethod
    async def _end(app_service: AppService) -> None:
        """Tell the lab to quit, then close its input: a lab whose queue is still full of keys would reach the quit
        only after them, so the closed input is its signal to end within seconds whatever it holds
        (``lab.commands.served``). Returns once it has ended."""
        try:
            app_service.stdin.write(AppService.encode_packet(b"M", json.dumps({"type": "quit"}).encode()))
            app_service.stdin.close()  # after what it holds is written
        except (AssertionError, RuntimeError, OSError):
            pass  # the lab never started, or its input is closed already
        await app_service.stop()  # its own quit finds the input closed; it waits for the lab's output to end

    async def _relay(self, websocket: web.WebSocketResponse, app_service: AppService) -> None:
        """Pass the browser's messages to the lab: keys (``stdin``), ``resize`` (clamped), ``ping``, ``blur``,
        ``focus``. Anything else, or a malformed message, is ignored; keys, resizes, blurs and focuses beyond the
        tab's ``InputBudget`` (and keys beyond ``IN_FLIGHT``) are dropped."""
        budget = InputBudget()
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = json.loads(message.data)
                kind, data = envelope[0], envelope[1] if len(envelope) > 1 else None
            except (ValueError, TypeError, IndexError, KeyError, RecursionError):
                continue
            if kind == "stdin" and isinstance(data, str):
                self._keys(app_service, data.encode("utf-8", "replace"), budget)
            elif kind == "ping":
                await websocket.send_json(["pong", data])
            elif kind in ("resize", "blur", "focus") and not budget.take(len(message.data)):
                continue  # each becomes an event the lab handles (a resize lays it out again): a flood is dropped
            elif kind == "resize" and isinstance(data, dict):
                await app_service.set_terminal_size(*clamp_size(data.get("width"), data.get("height")))
            elif kind == "blur":
                await app_service.blur()
            elif kind == "focus":
                await app_service.focus()

    @staticmethod
    def _keys(app_service: AppService, data: bytes, budget: InputBudget) -> None:
        """Write a tab's keys to its lab without waiting for the lab to read them (so a ping, a resize or the quit
        never queue behind them), or drop them when they exceed ``budget`` or the lab has ``IN_FLIGHT`` bytes
        unread."""
        stdin = app_service.stdin
        if stdin.transport.get_write_buffer_size() + len(data) > IN_FLIGHT or not budget.take(len(data)):
            return
        try:
            stdin.write(AppService.encode_packet(b"D", data))
        except (RuntimeError, OSError):
            pass  # the lab has ended; the relay ends with the websocket
