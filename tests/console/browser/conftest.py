"""Browser tests of the console: Debian's chromium driven by Playwright for Python, against the
console served over real HTTP on a free port of the loopback (an aiohttp runner in a thread of its
own), on a fresh SQLite database with one helper account and the real knowledge base.

Without /usr/bin/chromium the tests are skipped with the reason, unless CI is set: then they fail
(CI installs chromium; `.ci/run` and the Makefile do it when it is missing)."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from typing import Any, Iterator, Optional

import pytest
from aiohttp import web
from argon2 import PasswordHasher

from console.accounts import Accounts
from console.db import make_engine
from console.migrate import upgrade
from console.settings import load_console_settings
from console.web import desk_views
from console.web.app import make_app
from console.web.desk_views import DESK_KB, DeskKnowledge
from procedures_kb import KnowledgeBase
from tests.browser import launched_chromium, need_chromium

HELPER = "helper-an"
PASSWORD = "mat-khau-du-dai-1"
BOT_USERNAME = "motcua_bot"


class ServedApp:
    """An aiohttp application served on 127.0.0.1 and a free port, by an event loop in a thread."""

    def __init__(self, app: web.Application):
        self._app = app
        self._loop = asyncio.new_event_loop()
        self._runner: Optional[web.AppRunner] = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="console-under-test", daemon=True)
        self.port = 0

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._runner = web.AppRunner(self._app, access_log=None)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        self.port = int(self._runner.addresses[0][1])
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(self._runner.cleanup())
        self._loop.close()

    def __enter__(self) -> "ServedApp":
        self._thread.start()
        if not self._ready.wait(30):
            raise RuntimeError("the console did not start within 30 s")
        return self

    def __exit__(self, *exc: Any) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(30)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass(frozen=True)
class Console:
    url: str
    name: str
    password: str
    bot_username: str


@pytest.fixture(scope="module")
def console_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    need_chromium()
    database = tmp_path_factory.mktemp("console") / "console.db"
    url = f"sqlite:///{database}"
    upgrade(url)
    engine = make_engine(url)
    settings = load_console_settings(database_url=url, secret="s" * 40, telegram_bot_username=BOT_USERNAME)
    accounts = Accounts.from_settings(
        engine, settings, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    accounts.create(HELPER, "helper", PASSWORD)
    knowledge = DeskKnowledge.of(KnowledgeBase.load())

    def with_knowledge(app: web.Application) -> None:
        app[DESK_KB] = knowledge

    app = make_app(
        settings, engine, accounts=accounts, view_modules=(), extra_setups=(with_knowledge, desk_views.setup)
    )
    try:
        with ServedApp(app) as served:
            yield Console(served.url, HELPER, PASSWORD, BOT_USERNAME)
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launched_chromium()
