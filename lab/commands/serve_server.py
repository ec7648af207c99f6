"""The web server behind ``nnlab serve``: textual-serve's ``Server`` with nnlab's guard, limits and page.

textual-serve (checked against 1.1.3) builds its aiohttp application in a private method and trusts every request.
This subclass goes through its public surface only: it overrides ``serve`` to run an application of its own, with
textual-serve's public handlers for downloads and its ``AppService`` for each tab's lab, and these changes:

- a middleware runs ``Guard.refusal`` (token, ``Host``, ``Origin``) on every request and answers 403 with a short
  page; it sets the token's cookie after a valid ``?token=``, and asks browsers not to frame, cache or refer;
- the page is nnlab's copy of textual-serve's template without its outside font link (``serve_page/``), and its
  websocket address is built from the request's own (checked) ``Host``, so ``localhost`` and ``127.0.0.1`` both work;
- at most ``max_sessions`` labs run at once: past that the page is a clear 503 page and the websocket is refused;
- the terminal size from the websocket's query and from each resize message is clamped to ``MAX_WIDTH`` x
  ``MAX_HEIGHT``; a malformed message is ignored instead of ending the session; messages are at most 1 MiB;
- static files are served without directory listings, and no access log prints the token.
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server

from lab.commands.serve_guard import Guard

log = logging.getLogger("textual-serve")

PAGE_FOLDER = Path(__file__).with_name("serve_page")
MAX_WIDTH, MAX_HEIGHT = 400, 200  # cells: a 4K screen at a small font is about 380x110
MAX_MESSAGE = 1 << 20  # bytes in one websocket message (a paste); aiohttp's default is 4 MiB
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


class LabServer(Server):
    """textual-serve's server with the guard, the session limit and nnlab's page (see the module's docstring).

    Attributes:
        guard: who may use it.
        max_sessions: how many labs may run at once.
        sessions: how many run now.
        on_ready: called once the server starts, where textual-serve prints its logo.
    """

    def __init__(self, command: str, guard: Guard, max_sessions: int, on_ready: Callable[[], None]) -> None:
        super().__init__(command, host=guard.host, port=guard.port, title="nnlab", public_url=guard.public_url,
                         templates_path=PAGE_FOLDER)
        self.guard = guard
        self.max_sessions = max_sessions
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
        """textual-serve's and aiohttp's warnings and errors on stderr, one line each, without the local variables
        textual-serve's handler would print with a traceback (they hold the token)."""
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("nnlab serve: %(levelname)s: %(message)s"))
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
                                     request.cookies.get(self.guard.cookie))
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
    def _full(self) -> web.Response:
        n = self.max_sessions
        return message_page(503, "all labs in use",
                            f"This server runs at most {n} lab{'s' * (n != 1)} at once, and "
                            f"{'all are' if n != 1 else 'it is'} in use. Close a tab that has one (or ask the "
                            "presenter for a larger --max-sessions), then reload this page.")

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        """The page: textual-serve's template, its websocket at this request's own host."""
        if self.sessions >= self.max_sessions:
            return self._full()
        secure = request.secure or (self.public_url.startswith("https:") and
                                    request.host.lower() == self.public_url.split("//", 1)[1].split("/")[0].lower())
        try:
            font_size = min(max(int(request.query.get("fontsize", "16")), 6), 64)
        except ValueError:
            font_size = 16
        context = {
            "font_size": font_size,
            "app_websocket_url": f"{'wss' if secure else 'ws'}://{request.host}/ws",
            "config": {"static": {"url": "/static/"}},
            "application": {"name": self.title},
        }
        return aiohttp_jinja2.render_template("app_index.html", request, context)

    # --- a tab's lab -----------------------------------------------------------------------------------------------
    # The base types this a WebSocketResponse; aiohttp takes any response from a route, and a full server answers
    # with a page.
    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:  # type: ignore[override]
        """Start a lab for this websocket and relay between them, within the session limit and the size bounds."""
        if self.sessions >= self.max_sessions:
            return self._full()
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
            self.sessions -= 1
            if app_service is not None:
                await app_service.stop()
        return websocket

    async def _relay(self, websocket: web.WebSocketResponse, app_service: AppService) -> None:
        """Pass the browser's messages to the lab: keys (``stdin``), ``resize`` (clamped), ``ping``, ``blur``,
        ``focus``. Anything else, or a malformed message, is ignored."""
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = json.loads(message.data)
                kind, data = envelope[0], envelope[1] if len(envelope) > 1 else None
            except (ValueError, TypeError, IndexError, KeyError, RecursionError):
                continue
            if kind == "stdin" and isinstance(data, str):
                await app_service.send_bytes(data.encode("utf-8", "replace"))
            elif kind == "resize" and isinstance(data, dict):
                await app_service.set_terminal_size(*clamp_size(data.get("width"), data.get("height")))
            elif kind == "ping":
                await websocket.send_json(["pong", data])
            elif kind == "blur":
                await app_service.blur()
            elif kind == "focus":
                await app_service.focus()
