"""The console's web application as a helper's browser sees it: logging in and out, CSRF, roles,
the lockout, the session cookie, the security headers, and the routes other modules add."""

from __future__ import annotations

import datetime as dt
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Optional

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from argon2 import PasswordHasher
from sqlalchemy.engine import Engine
from yarl import URL

from console import messages
from console.accounts import Accounts
from console.settings import ConsoleSettings, load_console_settings
from console.tables import UTC
from console.web.app import make_app, view_setups
from console.web.security import COOKIE_NAME

PASSWORD = "mật khẩu dài 2026"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')

Client = TestClient
MakeClient = Callable[..., Awaitable[Client]]


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 11, 22, 3, 0, tzinfo=UTC)

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def accounts(engine: Engine, clock: Clock) -> Accounts:
    fast = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    accounts = Accounts(engine, login_attempts=3, lockout_minutes=15, hasher=fast, clock=clock)
    accounts.create("lan", "helper", PASSWORD)
    accounts.create("quantri", "admin", PASSWORD)
    return accounts


def console_settings(db_url: str, tmp_path: Path, **values: Any) -> ConsoleSettings:
    defaults: Dict[str, Any] = {"login_attempts": 3, "lockout_minutes": 15, "login_rate_per_minute": 100}
    return load_console_settings(
        database_url=db_url, secret="s" * 40, secret_file=tmp_path / "secret", **{**defaults, **values}
    )


@pytest.fixture
def make_client(aiohttp_client: Any, db_url: str, tmp_path: Path, engine: Engine, accounts: Accounts) -> MakeClient:
    async def make(*, extra_setups: Any = (), **values: Any) -> Client:
        settings = console_settings(db_url, tmp_path, **values)
        app = make_app(settings, engine, view_modules=(), extra_setups=extra_setups, accounts=accounts)
        return await aiohttp_client(app)

    return make


@pytest.fixture
async def client(make_client: MakeClient) -> Client:
    return await make_client()


async def csrf_of(client: Client, path: str = "/login") -> str:
    response = await client.get(path)
    found = CSRF.search(await response.text())
    assert found, f"no CSRF field on {path}"
    return found.group(1)


async def log_in(client: Client, name: str = "lan", password: str = PASSWORD, next: Optional[str] = None) -> Any:
    form = {"csrf": await csrf_of(client), "name": name, "password": password}
    if next is not None:
        form["next"] = next
    return await client.post("/login", data=form, allow_redirects=False)


def session_cookie(client: Client) -> Optional[str]:
    found = [c.value for c in client.session.cookie_jar if c.key == COOKIE_NAME]
    return found[0] if found else None


async def test_the_login_page_is_vietnamese_and_has_a_csrf_field(client: Client) -> None:
    response = await client.get("/login")
    page = await response.text()
    assert response.status == 200 and '<html lang="vi">' in page and "Đăng nhập" in page
    assert CSRF.search(page) and 'name="password" type="password"' in page


async def test_a_login_without_the_csrf_token_is_refused(client: Client) -> None:
    await client.get("/login")
    for form in ({"name": "lan", "password": PASSWORD}, {"name": "lan", "password": PASSWORD, "csrf": "doan-bua"}):
        response = await client.post("/login", data=form, allow_redirects=False)
        assert response.status == 403 and messages.CSRF_FAILED in await response.text()
    assert (await client.get("/", allow_redirects=False)).status == 303  # not logged in


async def test_a_wrong_password_shows_the_error_and_opens_no_session(client: Client) -> None:
    response = await log_in(client, password="sai-mat-khau-1")
    page = await response.text()
    assert response.status == 401 and messages.LOGIN_INVALID in page
    assert 'value="lan"' in page and "sai-mat-khau-1" not in page  # the name is kept, never the password
    home = await client.get("/", allow_redirects=False)
    assert home.status == 303 and home.headers["Location"] == "/login"


async def test_the_right_password_opens_the_home_page_with_the_users_name(client: Client) -> None:
    response = await log_in(client)
    assert response.status == 303 and response.headers["Location"] == "/"
    page = await (await client.get("/")).text()
    assert '<span class="user-name">lan</span>' in page and "Xin chào, lan" in page
    assert 'href="/queue"' in page and 'href="/desk"' in page and 'href="/admin/users"' not in page
    assert 'action="/logout"' in page and 'action="/presence"' in page


async def test_a_login_starts_a_new_session(client: Client) -> None:
    await client.get("/login")
    before = session_cookie(client)
    await log_in(client)
    after = session_cookie(client)
    assert before and after and before != after
    client.session.cookie_jar.clear()
    stale = await client.get("/", headers={"Cookie": f"{COOKIE_NAME}={before}"}, allow_redirects=False)
    assert stale.status == 303  # the session from before the login is not logged in


@pytest.mark.parametrize(
    ("next_path", "location"),
    [
        ("/admin/users?page=2", "/admin/users?page=2"),
        ("https://evil.example", "/"),
        ("//evil.example/login", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
async def test_after_login_only_a_local_next_is_followed(client: Client, next_path: str, location: str) -> None:
    response = await log_in(client, "quantri", next=next_path)
    assert response.status == 303 and response.headers["Location"] == location


async def test_the_login_page_drops_a_foreign_next(client: Client) -> None:
    page = await (await client.get("/login", params={"next": "https://evil.example"})).text()
    assert 'name="next" value="/"' in page and "evil.example" not in page


async def test_a_helper_cannot_open_an_admin_page(client: Client) -> None:
    await log_in(client)
    response = await client.get("/admin/users")
    assert response.status == 403 and messages.FORBIDDEN in await response.text()


async def test_an_admin_sees_the_users(client: Client) -> None:
    await log_in(client, "quantri")
    response = await client.get("/admin/users")
    page = await response.text()
    assert response.status == 200 and "<td>lan</td>" in page and "Tình nguyện viên" in page


async def test_a_logged_out_visitor_is_sent_to_the_login_page_or_told_401(client: Client) -> None:
    page = await client.get("/admin/users", allow_redirects=False)
    location = URL(page.headers["Location"])
    assert page.status == 303 and location.path == "/login" and location.query["next"] == "/admin/users"
    api = await client.get("/admin/users", headers={"Accept": "application/json"})
    assert api.status == 401 and (await api.json()) == {"error": "login required"}


async def test_logout_ends_the_session_even_for_a_copied_cookie(client: Client) -> None:
    await log_in(client)
    copied = session_cookie(client)
    response = await client.post("/logout", data={"csrf": await csrf_of(client, "/")}, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/login?bye=1"
    assert session_cookie(client) is None
    assert (await client.get("/", allow_redirects=False)).status == 303
    assert messages.LOGGED_OUT in await (await client.get("/login?bye=1")).text()
    client.session.cookie_jar.clear()
    replay = await client.get("/", headers={"Cookie": f"{COOKIE_NAME}={copied}"}, allow_redirects=False)
    assert replay.status == 303


async def test_a_disabled_account_is_logged_out_at_its_next_request(client: Client, accounts: Accounts) -> None:
    await log_in(client)
    assert (await client.get("/", allow_redirects=False)).status == 200
    accounts.disable("lan")
    assert (await client.get("/", allow_redirects=False)).status == 303
    response = await log_in(client)
    assert response.status == 401 and messages.LOGIN_DISABLED in await response.text()


async def test_the_lockout_shows_a_clear_message_and_ends(client: Client, clock: Clock) -> None:
    for _ in range(2):
        await log_in(client, password="sai-mat-khau-1")
    locked = messages.LOGIN_LOCKED.format(minutes=15)
    assert locked in await (await log_in(client, password="sai-mat-khau-1")).text()
    assert locked in await (await log_in(client)).text()  # the right password is refused too
    clock.now += dt.timedelta(minutes=16)
    assert (await log_in(client)).status == 303


async def test_logins_from_one_address_are_rate_limited(make_client: MakeClient) -> None:
    client = await make_client(login_rate_per_minute=2)
    assert [(await log_in(client, password="sai-mat-khau-1")).status for _ in range(2)] == [401, 401]
    refused = await log_in(client)
    assert refused.status == 429 and messages.LOGIN_RATE_LIMITED in await refused.text()
    assert int(refused.headers["Retry-After"]) >= 1


async def test_every_response_carries_the_security_headers(client: Client) -> None:
    for path in ("/login", "/khong-co-trang-nay", "/static/console.css", "/health"):
        response = await client.get(path)
        headers = response.headers
        assert "default-src 'self'" in headers["Content-Security-Policy"], path
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], path
        assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "DENY", path
        assert headers["Referrer-Policy"] == "no-referrer", path
    assert (await client.get("/login")).headers["Cache-Control"] == "no-store"
    missing = await client.get("/khong-co-trang-nay")
    assert missing.status == 404 and messages.NOT_FOUND in await missing.text()


async def test_the_session_cookie_is_httponly_and_strict(make_client: MakeClient) -> None:
    client = await make_client()
    cookie = (await client.get("/login")).headers["Set-Cookie"]
    assert cookie.startswith(f"{COOKIE_NAME}=") and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "Secure" not in cookie and "Max-Age=43200" in cookie
    behind_https = await make_client(secure_cookies=True)
    assert "Secure" in (await behind_https.get("/login")).headers["Set-Cookie"]


async def test_presence_is_toggled_by_form_and_by_script(client: Client) -> None:
    await log_in(client)
    token = await csrf_of(client, "/")
    form = await client.post(
        "/presence", data={"csrf": token, "presence": "available", "next": "/?tab=1"}, allow_redirects=False
    )
    assert form.status == 303 and form.headers["Location"] == "/?tab=1"
    assert "Bạn đang ở trạng thái <strong>Sẵn sàng</strong>" in await (await client.get("/")).text()
    script = await client.post(
        "/presence", data={"presence": "away"}, headers={"X-CSRF-Token": token, "Accept": "application/json"}
    )
    assert (await script.json()) == {"presence": "away", "label": "Vắng mặt"}
    bad = await client.post("/presence", data={"csrf": token, "presence": "ban"})
    assert bad.status == 400


async def test_the_health_check_needs_no_login(client: Client) -> None:
    response = await client.get("/health")
    assert response.status == 200 and (await response.json()) == {"status": "ok", "database": "ok"}


async def test_a_body_over_64_kb_is_refused(client: Client) -> None:
    await client.get("/login")
    response = await client.post("/login", data={"name": "lan", "password": "x" * 70_000})
    assert response.status == 413 and messages.TOO_LARGE in await response.text()


async def test_view_modules_add_routes_and_api_clients_skip_the_csrf_check(make_client: MakeClient) -> None:
    async def echo(request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    def setup(app: web.Application) -> None:
        app.router.add_post("/api/echo", echo)

    client = await make_client(extra_setups=[setup])
    token_call = await client.post("/api/echo", json={}, headers={"Authorization": "Bearer internal-token"})
    assert token_call.status == 200 and (await token_call.json()) == {"ok": True}
    await client.get("/login")  # a browser session now exists: its calls need the CSRF token
    browser_call = await client.post("/api/echo", json={}, headers={"Authorization": "Bearer x"})
    assert browser_call.status == 403 and (await browser_call.json()) == {"error": messages.CSRF_FAILED}


def test_a_missing_view_module_is_skipped_but_a_broken_one_is_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "good_views_for_test.py").write_text("def setup(app):\n    pass\n")
    (tmp_path / "broken_views_for_test.py").write_text("import module_that_is_not_installed_anywhere\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    setups = view_setups(["console.web.no_such_views", "good_views_for_test"])
    assert [s.__module__ for s in setups] == ["good_views_for_test"]
    with pytest.raises(ModuleNotFoundError, match="module_that_is_not_installed_anywhere"):
        view_setups(["broken_views_for_test"])
    sys.modules.pop("good_views_for_test", None)


def test_the_pages_and_messages_are_in_nfc() -> None:
    root = Path(__file__).resolve().parents[2] / "console"
    for path in [*(root / "templates").glob("*.html"), root / "messages.py", root / "static" / "console.js"]:
        text = path.read_text(encoding="utf-8")
        assert unicodedata.normalize("NFC", text) == text, path
