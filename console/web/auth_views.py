"""Logging in and out: GET/POST /login, POST /logout.

A successful login starts a new session (a new cookie, a new CSRF token: nothing of the session
before it survives) and a server-side login (console.login_sessions); logging out ends both.
"""

from __future__ import annotations

import logging
import secrets

from aiohttp import web
from aiohttp_session import get_session, new_session

from console import audit, login_sessions, messages
from console.accounts import MAX_PASSWORD_LENGTH, LoginOutcome
from console.dbrun import run
from console.web.keys import ACCOUNTS, ENGINE, SETTINGS
from console.web.render import render
from console.web.security import (
    SESSION_CSRF,
    SESSION_LOGIN,
    SESSION_USER_ID,
    current_user,
    remember_user,
    safe_next,
)

log = logging.getLogger(__name__)

MAX_NAME_FIELD = 200


async def login_page(request: web.Request) -> web.StreamResponse:
    target = safe_next(request.query.get("next"))
    if await current_user(request) is not None:
        raise web.HTTPSeeOther(target)
    notice = messages.LOGGED_OUT if request.query.get("bye") else None
    return await render(
        request, "login.html", title=messages.LOGIN_TITLE, next=target, name="", error=None, notice=notice
    )


async def login(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    name = str(form.get("name", ""))[:MAX_NAME_FIELD]
    password = str(form.get("password", ""))[:MAX_PASSWORD_LENGTH]
    target = safe_next(form.get("next"))
    result = await run(request.app[ACCOUNTS].verify, name, password)
    if result.outcome is LoginOutcome.OK and result.user is not None:
        user = result.user
        engine = request.app[ENGINE]
        previous = (await get_session(request)).get(SESSION_LOGIN)
        if isinstance(previous, str):
            await run(login_sessions.end_login, engine, previous)
        token = await run(login_sessions.open_login, engine, user.id)
        session = await new_session(request)
        session[SESSION_LOGIN] = token
        session[SESSION_USER_ID] = user.id
        session[SESSION_CSRF] = secrets.token_urlsafe(32)
        remember_user(request, user)
        log.info("User %s logged in", user.id)
        raise web.HTTPSeeOther(target)
    if result.outcome is LoginOutcome.LOCKED:
        error = messages.LOGIN_LOCKED.format(minutes=request.app[SETTINGS].lockout_minutes)
    elif result.outcome is LoginOutcome.DISABLED:
        error = messages.LOGIN_DISABLED
    else:
        error = messages.LOGIN_INVALID
    log.info("Login refused: %s", result.outcome.value)
    return await render(
        request, "login.html", status=401, title=messages.LOGIN_TITLE, next=target, name=name, error=error, notice=None
    )


async def logout(request: web.Request) -> web.StreamResponse:
    session = await get_session(request)
    token = session.get(SESSION_LOGIN)
    if isinstance(token, str):
        engine = request.app[ENGINE]
        user_id = await run(login_sessions.end_login, engine, token)
        if user_id is not None:
            await run(audit.record, engine, user_id, "logout")
            log.info("User %s logged out", user_id)
    session.invalidate()
    remember_user(request, None)
    raise web.HTTPSeeOther("/login?bye=1")


def setup(app: web.Application) -> None:
    app.router.add_get("/login", login_page, name="login")
    app.router.add_post("/login", login)
    app.router.add_post("/logout", logout, name="logout")
