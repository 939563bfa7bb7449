"""What every request goes through: error pages, the login rate limit, the CSRF check, and the
security headers on every response.

Order (outermost first, set by `app.make_app`): aiohttp-session's middleware, `error_pages`,
`login_rate_limit`, `larger_bodies`, `csrf_protect`, then the handler.
"""

from __future__ import annotations

import hmac
import logging
import re
from typing import Pattern, Sequence, Tuple

from aiohttp import web
from aiohttp_session import get_session

from console import messages
from console.web.keys import LOGIN_GLOBAL_LIMIT, LOGIN_LIMIT
from console.web.render import error_page
from console.web.security import COOKIE_NAME, CSRF_FIELD, CSRF_HEADER, SESSION_CSRF, Handler, current_user, wants_json

log = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


async def security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """An `on_response_prepare` signal: the headers above on every response, no caching but of /static/."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if not request.path.startswith("/static/"):
        response.headers["Cache-Control"] = "no-store"


def _json_error(status: int, message: str, exc: web.HTTPException) -> web.Response:
    response = web.json_response({"error": message}, status=status)
    for name in ("Allow", "Retry-After", "WWW-Authenticate"):
        if name in exc.headers:
            response.headers[name] = exc.headers[name]
    return response


@web.middleware
async def error_pages(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A short Vietnamese page (or JSON for an API call) for every error; no traceback is shown."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400 or exc.content_type == "application/json":
            raise
        message = messages.status_message(exc.status)
        if wants_json(request):
            return _json_error(exc.status, message, exc)
        page = await error_page(request, exc.status, message)
        for name in ("Allow", "Retry-After"):
            if name in exc.headers:
                page.headers[name] = exc.headers[name]
        return page
    except Exception:
        route = request.match_info.route.resource.canonical if request.match_info.route.resource else "?"
        log.exception("Unhandled error in %s %s", request.method, route)
        if wants_json(request):
            return web.json_response({"error": messages.SERVER_ERROR}, status=500)
        return await error_page(request, 500)


@web.middleware
async def login_rate_limit(request: web.Request, handler: Handler) -> web.StreamResponse:
    """POST /login: at most `login_rate_per_minute` per address, and a cap for all addresses together."""
    if request.method == "POST" and request.path == "/login":
        address = request.remote or "unknown"
        per_address, everybody = request.app[LOGIN_LIMIT], request.app[LOGIN_GLOBAL_LIMIT]
        if not per_address.allow(address) or not everybody.allow("*"):
            log.warning("Login attempts refused by the rate limit")
            page = await error_page(request, 429, messages.LOGIN_RATE_LIMITED)
            page.headers["Retry-After"] = str(per_address.retry_after(address))
            return page
    return await handler(request)


def _from_api_client(request: web.Request) -> bool:
    """A program calling with a token of its own and no session: there is no browser session to abuse.
    (Its handler must check the token; `current_user` is None for it.) The internal API's handlers
    never read a session and refuse any call without the internal token (console/web/internal_api.py)."""
    if request.path.startswith("/internal/"):
        return True
    return "Authorization" in request.headers and COOKIE_NAME not in request.cookies


def _same(sent: str, expected: str) -> bool:
    return hmac.compare_digest(sent.encode("utf-8"), expected.encode("utf-8"))


@web.middleware
async def csrf_protect(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse (403) a browser's non-GET request without the session's CSRF token, in the `csrf` form
    field or the `X-CSRF-Token` header."""
    if request.method in SAFE_METHODS or _from_api_client(request):
        return await handler(request)
    session = await get_session(request)
    expected = session.get(SESSION_CSRF)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.content_type in FORM_TYPES:
        value = (await request.post()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not isinstance(expected, str) or not expected or not sent or not _same(sent, expected):
        log.info("Request refused: missing or wrong CSRF token")
        if wants_json(request):
            return web.json_response({"error": messages.CSRF_FAILED}, status=403)
        return await error_page(request, 403, messages.CSRF_FAILED)
    return await handler(request)


# POSTs that may carry more than the app's 64 KB, for a logged-in admin only: the form of a big
# procedure (an imported record with 20+ papers posts ~150 KB) and a spreadsheet upload.
LARGER_BODIES: Sequence[Tuple[Pattern[str], int]] = (
    (re.compile(r"/kb/procedures/(?:new|[a-z0-9-]{1,128}/edit)"), 512 * 1024),
    (re.compile(r"/kb/provinces/[a-z0-9-]{1,64}/[a-z0-9-]{1,128}/edit"), 512 * 1024),
    (re.compile(r"/kb/import"), 6 * 1024 * 1024),
)


@web.middleware
async def larger_bodies(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Raise the body cap of the POSTs of `LARGER_BODIES` for a logged-in admin (anybody else keeps the
    app's cap: an anonymous caller or a helper cannot make the CSRF check read megabytes)."""
    if request.method == "POST":
        for pattern, cap in LARGER_BODIES:
            if pattern.fullmatch(request.path):
                user = await current_user(request)
                if user is not None and user.has_role("admin"):  # the only role these routes serve
                    return await handler(request.clone(client_max_size=cap))
    return await handler(request)
