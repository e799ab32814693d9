"""What every page shares: templates, forms, the signed-in user; and the sign-in and audit pages.

Templates run in fill.bounded's one sandboxed, bounded environment (the
PAGE profile, autoescaped), like every other template of handouts. Forms
are `application/x-www-form-urlencoded` bodies of at most 64 KB, parsed by
the standard library, and each carries the session's CSRF token.
"""

from __future__ import annotations

import asyncio
import base64
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from . import auth

if TYPE_CHECKING:
    from .app import ServerState

MAX_FORM = 64 * 1024


@lru_cache(maxsize=1)
def _environment():
    from jinja2 import PackageLoader

    from ..fill import bounded

    return bounded.environment(bounded.PAGE, loader=PackageLoader("handouts.serve", "templates"), autoescape=True,
                               trim_blocks=True, lstrip_blocks=True)


def state(request: Request) -> ServerState:
    return request.app.state.serve


def render(request: Request, template: str, status_code: int = 200, **context) -> HTMLResponse:
    """A page from the package's templates, with what the frame needs (user, CSRF token, navigation)."""
    serving = state(request)
    context.setdefault("title", "")
    context.setdefault("message", "")
    context.setdefault("name", "")
    page = _environment().get_template(template).render(
        user=current_user(request), accounts=serving.users is not None, csrf=csrf_token(request),
        path=request.url.path, **context)
    return HTMLResponse(page, status_code=status_code)


def fragment(template: str, **context) -> str:
    """A piece of a page (the editor's panel), rendered alone."""
    return _environment().get_template(template).render(**context)


def data_uri(jpeg: bytes) -> str:
    return "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii")


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = auth.new_token()
    return token


def current_user(request: Request) -> str | None:
    """Who is signed in: the session's account, or (without --users) the account the server runs as."""
    serving = state(request)
    if serving.users is None:
        return serving.local_user
    name = request.session.get("user")
    return name if name in serving.users else None


def signed_in(request: Request) -> str:
    """The user, or an HTTPException sending a stranger to the sign-in page."""
    user = current_user(request)
    if user is None:
        raise HTTPException(303, headers={"Location": "/login"})
    return user


async def read_form(request: Request) -> dict[str, str]:
    """The POSTed form, refused (403) without this session's CSRF token or from another origin."""
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host", ""):
        raise HTTPException(403, "This form came from another site and was refused.")
    if "application/x-www-form-urlencoded" not in request.headers.get("content-type", ""):
        raise HTTPException(415, "Expected a form.")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM:
            raise HTTPException(413, "The form is too large.")
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False, max_num_fields=64)
    except (UnicodeDecodeError, ValueError):
        raise HTTPException(400, "The form could not be read.") from None
    form = {}
    for key, value in pairs:
        form.setdefault(key, value)
    if not auth.same_token(request.session.get("csrf"), form.get("csrf")):
        raise HTTPException(403, "The form's security token is missing or out of date: reload the page and "
                                 "try again.")
    return form


# -- sign-in -----------------------------------------------------------------

async def login_page(request: Request) -> Response:
    if state(request).users is None:
        return RedirectResponse("/desk", 303)
    return render(request, "login.html", title="Sign in")


async def login(request: Request) -> Response:
    serving = state(request)
    if serving.users is None:
        return RedirectResponse("/desk", 303)
    form = await read_form(request)
    name = form.get("user", "").strip()[:64]
    client = request.client.host if request.client else "?"
    wait = serving.limit.wait(name, client)
    if wait > 0:
        minutes = max(1, round(wait / 60))
        return render(request, "login.html", 429, title="Sign in", name=name,
                      message=f"Too many wrong passwords. Sign-in is paused for about {minutes} minute(s).")
    ok = await asyncio.to_thread(auth.check_password, serving.users, name, form.get("password", ""))
    if not ok:
        serving.limit.failed(name, client)
        return render(request, "login.html", 401, title="Sign in", name=name,
                      message="That user name and password do not match.")
    serving.limit.succeeded(name)
    request.session.clear()  # a new session on sign-in: nothing carried over from before
    request.session["user"] = name
    request.session["csrf"] = auth.new_token()
    return RedirectResponse("/desk", 303)


async def logout(request: Request) -> Response:
    await read_form(request)
    request.session.clear()
    return RedirectResponse("/login" if state(request).users is not None else "/desk", 303)


# -- the audit log -------------------------------------------------------------

async def audit_page(request: Request) -> Response:
    signed_in(request)
    entries = await asyncio.to_thread(state(request).audit.entries, 500)
    return render(request, "audit.html", title="Audit log", entries=entries)
