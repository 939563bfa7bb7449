"""The console's aiohttp application.

`make_app(settings, engine)` builds it; `python -m console serve` runs it. Shared objects are under
the typed keys of `console.web.keys` (aiohttp AppKeys, never strings):

- `app[SETTINGS]`: the `ConsoleSettings`        - `app[ENGINE]`: the SQLAlchemy engine (sync Core;
- `app[JINJA]`: the Jinja2 environment            call it through `console.dbrun.run`)
- `app[ACCOUNTS]`: `console.accounts.Accounts`   - `app[LOGIN_LIMIT]`, `app[LOGIN_GLOBAL_LIMIT]`

Pages and routes come from view modules: a module with `setup(app: web.Application) -> None` that
adds its routes (`app.router.add_get("/queue", queue_page)`), its startup and cleanup hooks, and
its own AppKeys. The modules of `DEFAULT_VIEW_MODULES` are imported and set up when they exist;
other setups are passed as `extra_setups`. Handlers use `console.web.security.require_role`,
`current_user`, `csrf_token` and `console.web.render.render`; see those modules.

Every request passes the session, error-page, login rate-limit, body-cap and CSRF middlewares (see
console.web.middlewares), bodies are capped at 64 KB (a few logged-in POSTs more), and every response
gets the security headers.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Callable, Iterable, List, Optional, Sequence

from aiohttp import web
from aiohttp_session import session_middleware
from aiohttp_session.cookie_storage import EncryptedCookieStorage
from sqlalchemy.engine import Engine

from console.accounts import Accounts
from console.settings import ConsoleSettings, derive_key
from console.web import auth_views, home_views
from console.web.keys import ACCOUNTS, ENGINE, JINJA, LOGIN_GLOBAL_LIMIT, LOGIN_LIMIT, SETTINGS
from console.web.middlewares import csrf_protect, error_pages, larger_bodies, login_rate_limit, security_headers
from console.web.ratelimit import SlidingWindow
from console.web.render import make_jinja
from console.web.security import COOKIE_NAME

Setup = Callable[[web.Application], None]

# kb_edit_views before kb_list_views: /kb/procedures/new is not a procedure id.
DEFAULT_VIEW_MODULES = (
    "console.web.desk_views",
    "console.web.queue_views",
    "console.web.kb_review_views",
    "console.web.kb_edit_views",
    "console.web.kb_province_views",
    "console.web.kb_list_views",
    "console.web.insights_views",
)
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
MAX_BODY_BYTES = 64 * 1024
SESSION_MAX_AGE = 12 * 3600  # seconds: a working day and a bit
GLOBAL_LOGINS_PER_MINUTE = 300


def view_setups(modules: Iterable[str]) -> List[Setup]:
    """The `setup` of each module that exists. Only the module's own absence is skipped: an import
    error inside an existing module is raised, not hidden."""
    setups: List[Setup] = []
    for name in modules:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        setups.append(module.setup)
    return setups


def session_storage(settings: ConsoleSettings) -> EncryptedCookieStorage:
    """The encrypted session cookie: HttpOnly, SameSite=Strict, Secure behind HTTPS, 12 hours."""
    return EncryptedCookieStorage(
        derive_key(settings, "session-cookie"),
        cookie_name=COOKIE_NAME,
        max_age=SESSION_MAX_AGE,
        httponly=True,
        samesite="Strict",
        secure=True if settings.secure_cookies else None,
    )


def make_app(
    settings: ConsoleSettings,
    engine: Engine,
    *,
    extra_setups: Sequence[Setup] = (),
    view_modules: Sequence[str] = DEFAULT_VIEW_MODULES,
    accounts: Optional[Accounts] = None,
) -> web.Application:
    """The application over a migrated database (`console.migrate.upgrade` first)."""
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[SETTINGS] = settings
    app[ENGINE] = engine
    app[JINJA] = make_jinja()
    app[ACCOUNTS] = accounts or Accounts.from_settings(engine, settings)
    app[LOGIN_LIMIT] = SlidingWindow(settings.login_rate_per_minute, 60.0)
    app[LOGIN_GLOBAL_LIMIT] = SlidingWindow(GLOBAL_LOGINS_PER_MINUTE, 60.0)
    app.middlewares.extend(
        [session_middleware(session_storage(settings)), error_pages, login_rate_limit, larger_bodies, csrf_protect]
    )
    app.on_response_prepare.append(security_headers)  # type: ignore[arg-type]  # aiosignal 1.4 vs aiohttp 3.9 stubs
    app.router.add_static("/static/", STATIC_DIR, name="static")
    for setup in [auth_views.setup, home_views.setup, *view_setups(view_modules), *extra_setups]:
        setup(app)
    return app
