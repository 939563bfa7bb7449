"""Who is asking, and may they: the logged-in user, role checks, the CSRF token.

A view module protects a handler with `@require_role("admin")` (one of these roles) or
`@require_role()` (any logged-in user) and reads the user with `await current_user(request)`.
Forms carry `<input type="hidden" name="csrf" value="{{ csrf_token }}">`; scripts send the token
of `<meta name="csrf-token">` as the `X-CSRF-Token` header (console.js's `consoleFetch` does).
"""

from __future__ import annotations

import functools
import secrets
from typing import Awaitable, Callable, Optional
from urllib.parse import urlencode, urlsplit

from aiohttp import web
from aiohttp_session import get_session

from console import login_sessions
from console.accounts import User
from console.dbrun import run
from console.messages import FORBIDDEN
from console.web.keys import ENGINE

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

COOKIE_NAME = "motcua_console"
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"
SESSION_LOGIN = "login"  # the login's token (see console.login_sessions)
SESSION_USER_ID = "uid"
SESSION_CSRF = "csrf"
_USER = "console.user"  # the request's user, once looked up


async def current_user(request: web.Request) -> Optional[User]:
    """The user of this request's login; None when logged out (or the login ended, or the account
    was disabled: the session then forgets it)."""
    if _USER in request:
        return request[_USER]
    session = await get_session(request)
    token = session.get(SESSION_LOGIN)
    user = None
    if isinstance(token, str):
        user = await run(login_sessions.user_of, request.app[ENGINE], token)
        if user is None:
            session.pop(SESSION_LOGIN, None)
            session.pop(SESSION_USER_ID, None)
    request[_USER] = user
    return user


async def logged_in_user(request: web.Request) -> User:
    """The user of a handler behind `require_role` (typed as not None); 401 if there is none."""
    user = await current_user(request)
    if user is None:
        raise web.HTTPUnauthorized()
    return user


def remember_user(request: web.Request, user: Optional[User]) -> None:
    """Set the request's user (after a login or logout in this request)."""
    request[_USER] = user


async def csrf_token(request: web.Request) -> str:
    """The session's CSRF token, made on first use."""
    session = await get_session(request)
    token = session.get(SESSION_CSRF)
    if not isinstance(token, str) or not token:
        token = session[SESSION_CSRF] = secrets.token_urlsafe(32)
    return token


def wants_json(request: web.Request) -> bool:
    """True for API calls (paths under /api/ or /internal/, or JSON asked for rather than HTML)."""
    if request.path.startswith(("/api/", "/internal/")):
        return True
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def safe_next(value: object, default: str = "/") -> str:
    """`value` when it is a path of this site (`/queue?x=1`); `default` for anything else, such as
    `https://evil.example`, `//evil.example` or `/\\evil.example`."""
    if not isinstance(value, str) or not value.startswith("/") or len(value) > 2000:
        return default
    if value.startswith(("//", "/\\")) or any(c == "\\" or ord(c) < 32 or ord(c) == 127 for c in value):
        return default
    parts = urlsplit(value)
    return default if parts.scheme or parts.netloc else value


def login_url(request: web.Request) -> str:
    """The login page, coming back here afterwards (GET only: a form cannot be sent again)."""
    if request.method != "GET" or request.path == "/":
        return "/login"
    return "/login?" + urlencode({"next": request.path_qs})


def require_role(*roles: str) -> Callable[[Handler], Handler]:
    """Let the handler run for a logged-in user holding one of `roles` (any role when none given).

    Logged out: 401 (JSON) for an API call, else a redirect to the login page. Another role: 403.
    """

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def guarded(request: web.Request) -> web.StreamResponse:
            user = await current_user(request)
            if user is None:
                if wants_json(request):
                    raise web.HTTPUnauthorized(text='{"error": "login required"}', content_type="application/json")
                raise web.HTTPSeeOther(login_url(request))
            if roles and not user.has_role(*roles):
                raise web.HTTPForbidden(reason="Forbidden", text=FORBIDDEN)
            return await handler(request)

        return guarded

    return decorate
