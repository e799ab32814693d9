"""The web application of `handouts serve`: Starlette routes over the library, safe by default.

- Listens on loopback unless given staff accounts (`--users`) and TLS;
  with accounts every page but sign-in needs a signed session cookie
  (HttpOnly, SameSite=Strict, Secure under TLS), and a server on loopback
  without them answers only to loopback host names (no DNS rebinding).
- Every form carries the session's CSRF token; a form from another origin
  is refused.
- Every answer carries a strict Content-Security-Policy (scripts and styles
  only from /static, no inline script), `Cache-Control: no-store`, and
  headers that keep it out of frames and referrers.
- Errors are pages that say what went wrong in words, never a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
from concurrent.futures import BrokenExecutor
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..errors import OutputError, Problem, display_path, explain_os_error
from ..load.reading import ReadError, read_bytes
from . import auth, catalog, desk, editor, pages, work
from .audit import AuditLog
from .options import ServeOptions

log = logging.getLogger("handouts")

STATIC = Path(__file__).parent / "static"
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
SESSION_SECONDS = 8 * 3600  # a shift


class ServerState:
    """What the running server holds: options, accounts, the audit log, the worker pool, the watch."""

    def __init__(self, options: ServeOptions):
        from ..deliver.workers import worker_pool

        self.options = options
        self.users = auth.load_users(options.users) if options.users else None
        self.local_user = auth.local_user()
        self.limit = auth.SignInLimit()
        self.keys = catalog.keys(options.handouts)
        # The desk's patient ids are made with it only to e-mail: with e-mail off, no key file is made.
        self.key = _patient_key(options.ledger) if options.smtp is not None else None
        self.audit = AuditLog(options.audit_log)
        self.changes: editor.Changes | None = None
        self._pool_size = options.workers
        # Forked now, while this process has one thread, and started at once (warm).
        self.pool = worker_pool(self._pool_size)
        for future in [self.pool.submit(work.warm) for _ in range(self._pool_size)]:
            future.result()

    async def run(self, function, *args):
        """`function(*args)` in a worker process: its value, work.Refused or work.Failed."""
        try:
            return await asyncio.wrap_future(self.pool.submit(work.guarded, function, *args))
        except BrokenExecutor:
            from ..deliver.workers import worker_pool

            log.error("a worker process died; starting new ones")
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = worker_pool(self._pool_size)
            return work.Failed("BrokenProcessPool")

    async def entries(self) -> list[catalog.Entry]:
        """The handouts served, read now."""
        options = self.options

        def read() -> list[catalog.Entry]:
            return [catalog.entry(key, manifest, brand=options.brand, providers=options.providers)
                    for key, manifest in self.keys.items()]

        return await asyncio.to_thread(read)

    async def printers(self) -> tuple[list[str], str | None, str]:
        """CUPS's queues and default, or why printing is off."""
        from ..deliver.printing import PrintError, available_printers

        try:
            names, default = await asyncio.to_thread(available_printers, timeout=10.0)
        except PrintError as exc:
            return [], None, "; ".join(p.message for p in exc.problems)
        return names, default, "" if names else "CUPS has no printers ('lpadmin' adds one)"

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.audit.close()


def _patient_key(ledger: Path) -> bytes:
    """The key the desk's patient ids are made with: beside the ledger, made once, owner-only."""
    path = ledger.with_name(ledger.name + ".key")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        try:
            data = read_bytes(path, max_bytes=64, what="key file")
        except ReadError as exc:
            raise OutputError([exc.problem]) from None
        if len(data) != 32:
            raise OutputError([Problem(display_path(path), None, "not a key made by handouts serve (32 bytes); "
                                                                 "restore it from a backup")]) from None
        return data
    except OSError as exc:
        raise OutputError([Problem(display_path(path), None, explain_os_error(exc, path))]) from None
    key = secrets.token_bytes(32)
    with os.fdopen(fd, "wb") as out:
        out.write(key)
        out.flush()
        os.fsync(out.fileno())
    return key


class SecurityHeaders:
    """Adds the security headers to every answer, and turns an unexpected error into a plain 500.

    A pure ASGI middleware, so streams (the editor's events) pass through.
    An error is logged by its type only, never with a traceback or
    message, which could quote a form's values.
    """

    def __init__(self, app, *, tls: bool):
        self.app = app
        self.headers = [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
                        (b"referrer-policy", b"no-referrer"), (b"x-frame-options", b"DENY"),
                        (b"cross-origin-opener-policy", b"same-origin"),
                        (b"cross-origin-resource-policy", b"same-origin"),
                        (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
                        (b"cache-control", b"no-store")]
        if tls:
            self.headers.append((b"strict-transport-security", b"max-age=31536000"))
        self.names = {name for name, _ in self.headers}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def with_headers(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                kept = [(n, v) for n, v in message.get("headers", []) if n.lower() not in self.names]
                message["headers"] = kept + self.headers
            await send(message)

        try:
            await self.app(scope, receive, with_headers)
        except Exception as exc:  # noqa: BLE001 - a bug: say so, without its message
            log.error("internal error answering %s %s: %s", scope.get("method"), scope.get("path"), work.described(exc))
            if not started:
                await with_headers({"type": "http.response.start", "status": 500,
                                    "headers": [(b"content-type", b"text/plain; charset=utf-8")]})
                await send({"type": "http.response.body",
                            "body": b"Internal error: this is a bug in handouts; the server's log says where."})


async def _error(request: Request, exc: HTTPException) -> Response:
    if exc.status_code in (301, 302, 303, 307) and exc.headers and "Location" in exc.headers:
        return RedirectResponse(exc.headers["Location"], exc.status_code)
    try:
        return pages.render(request, "error.html", exc.status_code, title="Not done", message=exc.detail)
    except Exception:  # noqa: BLE001 - no session (a refused host): plain words, still no traceback
        return Response(str(exc.detail), exc.status_code, media_type="text/plain")


async def _home(request: Request) -> Response:
    return RedirectResponse("/desk", 303)


def create_app(options: ServeOptions) -> Starlette:
    """The application; its worker processes start here, its file watch when it starts serving."""
    serving = ServerState(options)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        serving.changes = editor.Changes()
        stop = asyncio.Event()
        watching = asyncio.create_task(editor.watch(serving, stop))
        try:
            yield
        finally:
            stop.set()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(watching, 5)
            serving.close()

    hosts = ["127.0.0.1", "localhost", "[::1]", "::1"] if options.users is None else ["*"]
    middleware = [
        Middleware(SecurityHeaders, tls=options.tls),
        Middleware(TrustedHostMiddleware, allowed_hosts=hosts),
        Middleware(SessionMiddleware, secret_key=secrets.token_urlsafe(32), session_cookie="handouts_session",
                   max_age=SESSION_SECONDS, same_site="strict", https_only=options.tls),
    ]
    routes = [
        Route("/", _home),
        Route("/desk", desk.desk_page, methods=["GET"]),
        Route("/desk", desk.desk_action, methods=["POST"]),
        Route("/edit", editor.editor_page, methods=["GET"]),
        Route("/edit/panel", editor.editor_panel, methods=["GET"]),
        Route("/edit/events", editor.editor_events, methods=["GET"]),
        Route("/audit", pages.audit_page, methods=["GET"]),
        Route("/login", pages.login_page, methods=["GET"]),
        Route("/login", pages.login, methods=["POST"]),
        Route("/logout", pages.logout, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan,
                    exception_handlers={HTTPException: _error})
    app.state.serve = serving
    return app
