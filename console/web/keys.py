"""The application's shared objects, under typed `aiohttp.web.AppKey`s (aiohttp warns about string
keys, and the tests turn warnings into failures). A view module reads them as
`request.app[SETTINGS]`, `request.app[ENGINE]`, `request.app[JINJA]`, `request.app[ACCOUNTS]`.
"""

from __future__ import annotations

import jinja2
from aiohttp import web
from sqlalchemy.engine import Engine

from console.accounts import Accounts
from console.settings import ConsoleSettings
from console.web.ratelimit import SlidingWindow

SETTINGS = web.AppKey("settings", ConsoleSettings)
ENGINE = web.AppKey("engine", Engine)
JINJA = web.AppKey("jinja", jinja2.Environment)
ACCOUNTS = web.AppKey("accounts", Accounts)
LOGIN_LIMIT = web.AppKey("login_limit", SlidingWindow)  # POST /login per address
LOGIN_GLOBAL_LIMIT = web.AppKey("login_global_limit", SlidingWindow)  # POST /login from everybody
