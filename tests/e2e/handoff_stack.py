"""The whole human handoff as `make run` starts it, on free ports: the action server and the Rasa
server (HTTP API on, behind JWTs; the tracker store relaying paused conversations), the helper
console (`python -m console serve`, its own SQLite), a fake Telegram API, and two helper accounts.
Shared by the HTTP and the browser tests of the handoff (one Rasa start for both)."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

import aiohttp
import pytest

from bot.launcher import MODEL_DIR, free_port, start_action_server, start_rasa_server, stop, write_endpoints
from bot.processes import start_console
from bot.rasa_config import ROOT, child_env
from tests.e2e.conftest import TODAY, Fakes, telegram_env
from tests.kb_copy import copy_kb

PASSWORD = "mat-khau-cua-tinh-nguyen-vien"
HELPERS = ("lan", "minh")
KB_PEOPLE = {"bientap1": "admin,reviewer", "bientap2": "admin", "duyet": "reviewer"}  # the KB admins' tests
# Helpers at work around the clock, so the tests do not depend on the hour they run at.
ALWAYS_OPEN = """centres:
  - id: default
    name: Trung tâm thử nghiệm
    timezone: Asia/Ho_Chi_Minh
    hours:
      mon-sun: ["00:00-24:00"]
"""


@dataclass
class Stack:
    rasa: str  # base URL (the one the console calls)
    console: str  # base URL
    env: Dict[str, str]  # MOTCUA_KB_DIR: the copy of the KB the stack answers from
    replicas: List[str] = field(default_factory=list)  # every Rasa server's base URL, `rasa` first

    @property
    def telegram_webhook(self) -> str:
        return f"{self.rasa}/webhooks/telegram/webhook"


def add_user(env: Dict[str, str], name: str, role: str = "helper") -> None:
    subprocess.run(
        [sys.executable, "-m", "console", "users", "add", name, "--role", role, "--password-stdin"],
        input=PASSWORD + "\n",
        text=True,
        check=True,
        cwd=ROOT,
        env=child_env(env),
        capture_output=True,
    )


def handoff_stack(
    tmp: Path, portal_url: str, fakes: Fakes, redis_url: Optional[str] = None, replicas: int = 1
) -> Iterator[Stack]:
    """The stack; with `redis_url`, conversations and locks on Redis, shared by `replicas` Rasa servers."""
    if not any(MODEL_DIR.glob("*.tar.gz")):
        pytest.fail("no trained model in models/: run `make train` (make test does it)")
    (tmp / "centres.yml").write_text(ALWAYS_OPEN, encoding="utf-8")
    kb_dir = copy_kb(tmp / "kb", national=None)  # the whole KB: the KB admins' tests publish to it
    (tmp / "jwt").write_text("jwt-secret-of-the-handoff-tests-0123456789abcdef", encoding="utf-8")
    console_port, action_port = free_port(), free_port()
    rasa_ports = [free_port() for _ in range(replicas)]
    rasa_port = rasa_ports[0]
    env = {
        "MOTCUA_TODAY": TODAY,
        "PORTAL_URL": portal_url,
        **telegram_env(fakes),
        "TELEGRAM_BOT_USERNAME": "motcua_bot",
        "RASA_JWT_SECRET_FILE": str(tmp / "jwt"),
        "CONSOLE_INTERNAL_TOKEN": "internal-token-of-the-handoff-tests-0123456789",
        "CONSOLE_URL": f"http://127.0.0.1:{console_port}",
        "RASA_URL": f"http://127.0.0.1:{rasa_port}",
        "DATABASE_URL": f"sqlite:///{tmp / 'console.db'}",
        "CONSOLE_SECRET_FILE": str(tmp / "console_secret"),
        "CONSOLE_CENTRES": str(tmp / "centres.yml"),
        "MOTCUA_KB_DIR": str(kb_dir),  # a copy: the KB admins' tests publish changes to it
        "MOTCUA_INSIGHTS": "true",  # events into this stack's console database (tests/e2e/test_insights.py)
        # Every test of the session logs in from 127.0.0.1: more than the default 10 a minute.
        "CONSOLE_LOGIN_RATE_PER_MINUTE": "1000",
        **({"REDIS_URL": redis_url} if redis_url else {}),
    }
    console = start_console(console_port, env=env)
    try:
        for name in HELPERS:
            add_user(env, name)
        add_user(env, "admin1", "admin")
        for name, role in KB_PEOPLE.items():
            add_user(env, name, role)
        actions = start_action_server(action_port, env=env)
        try:
            endpoints = write_endpoints(f"http://127.0.0.1:{action_port}/webhook", tmp, env=env)
            servers: List[subprocess.Popen] = []
            try:
                for port in rasa_ports:
                    servers.append(start_rasa_server(port, Path(endpoints), env=env))
                urls = [f"http://127.0.0.1:{port}" for port in rasa_ports]
                yield Stack(urls[0], f"http://127.0.0.1:{console_port}", env, urls)
            finally:
                for server in servers:
                    stop(server)
        finally:
            stop(actions)
    finally:
        stop(console)


async def log_in(base: str, name: str) -> aiohttp.ClientSession:
    """A helper's browser-like session (cookies), logged in through the login form."""
    # unsafe=True: keep cookies of an IP address (127.0.0.1), as a browser does
    session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30), cookie_jar=aiohttp.CookieJar(unsafe=True))
    async with session.get(f"{base}/login") as response:
        page = await response.text()
    token = csrf_of(page)
    form = {"name": name, "password": PASSWORD, "csrf": token}
    async with session.post(f"{base}/login", data=form, allow_redirects=False) as response:
        assert response.status in (302, 303), await response.text()
    return session


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf-token" content="([^"]+)"', page) or re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, "no CSRF token on the page"
    return found.group(1)


async def page_and_token(session: aiohttp.ClientSession, url: str) -> Tuple[str, str]:
    async with session.get(url) as response:
        assert response.status == 200, response.status
        page = await response.text()
    return page, csrf_of(page)
