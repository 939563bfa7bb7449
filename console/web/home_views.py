"""The home page, the presence toggle, the health check, and the admins' list of users."""

from __future__ import annotations

import logging

from aiohttp import web

from console import messages
from console.accounts import PRESENCES
from console.dbrun import run
from console.tables import utcnow
from console.web.keys import ACCOUNTS, ENGINE
from console.web.render import render
from console.web.security import logged_in_user, require_role, safe_next, wants_json

log = logging.getLogger(__name__)


@require_role()
async def home(request: web.Request) -> web.StreamResponse:
    return await render(request, "home.html", title=messages.HOME_TITLE)


@require_role()
async def set_presence(request: web.Request) -> web.StreamResponse:
    """POST presence=available|away (a form, or a script asking for JSON)."""
    form = await request.post()
    presence = form.get("presence")
    if not isinstance(presence, str) or presence not in PRESENCES:
        raise web.HTTPBadRequest()
    user = await logged_in_user(request)
    await run(request.app[ACCOUNTS].set_presence, user.id, presence)
    if wants_json(request):
        return web.json_response({"presence": presence, "label": messages.PRESENCE_LABELS[presence]})
    raise web.HTTPSeeOther(safe_next(form.get("next")))


async def health(request: web.Request) -> web.StreamResponse:
    """Up and able to read its database (no login; says nothing else)."""

    def ping() -> None:
        with request.app[ENGINE].connect() as connection:
            connection.exec_driver_sql("select 1")

    try:
        await run(ping)
    except Exception as exc:  # noqa: BLE001  (any failure of the database is "not healthy")
        log.warning("Health check: the database is unavailable (%s)", type(exc).__name__)
        return web.json_response({"status": "error", "database": "unavailable"}, status=503)
    return web.json_response({"status": "ok", "database": "ok"})


@require_role("admin")
async def admin_users(request: web.Request) -> web.StreamResponse:
    users = await run(request.app[ACCOUNTS].list_users)
    return await render(request, "admin_users.html", title=messages.ADMIN_USERS_TITLE, users=users, now=utcnow())


def setup(app: web.Application) -> None:
    app.router.add_get("/", home, name="home")
    app.router.add_post("/presence", set_presence, name="presence")
    app.router.add_get("/health", health, name="health")
    app.router.add_get("/admin/users", admin_users, name="admin_users")
