"""Servers for end-to-end tests: the real action server and Rasa server on free ports, the
portal simulator, and fake Telegram and Zalo APIs that the Rasa server's channels talk to."""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List

import aiohttp
import pytest
from aiohttp import web

from bot.launcher import (
    MODEL_DIR,
    free_port,
    start_action_server,
    start_portal_simulator,
    start_rasa_server,
    stop,
    write_endpoints,
)
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo

TODAY = "2026-11-22"
TELEGRAM_TOKEN = "123456:e2e-token"
TELEGRAM_SECRET = "e2e-webhook-secret"
ZALO_OA_KEY = "e2e-oa-secret-key"
WEB_SECRET = "e2e-web-session-secret-0123456789abcdef"


@dataclass
class Fakes:
    telegram: FakeTelegram
    zalo: FakeZalo
    telegram_url: str
    zalo_url: str


def serve_in_thread(app: web.Application) -> str:
    """Run an aiohttp app on a free port in a daemon thread; returns its base URL."""
    ready: Dict[str, Any] = {}
    started = threading.Event()

    def run() -> None:
        loop = asyncio.new_event_loop()
        runner = web.AppRunner(app)
        loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        loop.run_until_complete(site.start())
        ready["port"] = runner.addresses[0][1]
        started.set()
        loop.run_forever()

    threading.Thread(target=run, daemon=True).start()
    started.wait(10)
    return f"http://127.0.0.1:{ready['port']}"


@pytest.fixture(scope="session")
def fakes() -> Fakes:
    telegram = FakeTelegram(TELEGRAM_TOKEN)
    zalo = FakeZalo("e2e-app", "e2e-app-secret", "access-0", "refresh-0")
    return Fakes(telegram, zalo, serve_in_thread(telegram.app()), serve_in_thread(zalo.app()))


def wait_for(condition: Callable[[], Any], timeout: float = 15.0) -> Any:
    """Poll until `condition()` is truthy (a reply reached a fake API); fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"nothing arrived within {timeout:.0f} s")


@pytest.fixture(scope="session")
def portal_url() -> Iterator[str]:
    """The portal simulator as the fake province portal, on a free port."""
    port = free_port()
    portal = start_portal_simulator(port, env={"MOTCUA_TODAY": TODAY, "MOTCUA_SIMULATOR_FAULTS": "1"})
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(portal)


def telegram_env(fakes: Fakes) -> Dict[str, str]:
    """The Telegram channel's variables, pointed at the fake Telegram API."""
    return {
        "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
        "TELEGRAM_API_BASE_URL": f"{fakes.telegram_url}/bot",
    }


def zalo_env(fakes: Fakes, token_file: Path) -> Dict[str, str]:
    """The Zalo channel's variables, pointed at the fake Zalo API."""
    return {
        "ZALO_APP_ID": fakes.zalo.app_id,
        "ZALO_APP_SECRET": fakes.zalo.app_secret,
        "ZALO_OA_SECRET_KEY": ZALO_OA_KEY,
        "ZALO_ACCESS_TOKEN": fakes.zalo.access_token,
        "ZALO_REFRESH_TOKEN": fakes.zalo.refresh_token,
        "ZALO_API_BASE_URL": fakes.zalo_url,
        "ZALO_OAUTH_BASE_URL": fakes.zalo_url,
        "ZALO_TOKEN_FILE": str(token_file),
    }


@pytest.fixture(scope="session")
def webhook(tmp_path_factory: pytest.TempPathFactory, portal_url: str, fakes: Fakes) -> Iterator[str]:
    if not any(MODEL_DIR.glob("*.tar.gz")):
        pytest.fail("no trained model in models/: run `make train` (make test does it)")
    env = {
        "MOTCUA_TODAY": TODAY,
        "PORTAL_URL": portal_url,
        **telegram_env(fakes),
        **zalo_env(fakes, tmp_path_factory.mktemp("zalo") / "tokens.json"),
        "MOTCUA_WEB_SESSION_SECRET": WEB_SECRET,
        # the assistant's events go to a database of this run's own, not to var/console.db
        "DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('insights') / 'console.db'}",
    }
    action_port = free_port()
    actions = start_action_server(action_port, env=env)
    try:
        endpoints = write_endpoints(f"http://127.0.0.1:{action_port}/webhook", tmp_path_factory.mktemp("e2e"), env=env)
        rasa_port = free_port()
        rasa = start_rasa_server(rasa_port, Path(endpoints), env=env)
        try:
            yield f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook"  # the other channels: ../{name}/webhook
        finally:
            stop(rasa)
    finally:
        stop(actions)


async def say(webhook: str, sender: str, message: str) -> List[Dict[str, Any]]:
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        async with session.post(webhook, json={"sender": sender, "message": message}) as response:
            assert response.status == 200
            return list(await response.json())


@pytest.fixture(scope="session")
def handoff(tmp_path_factory: pytest.TempPathFactory, portal_url: str, fakes: Fakes) -> Iterator[Any]:
    """The assistant with the helper console, as `make run` starts them (tests/e2e/handoff_stack.py)."""
    from tests.e2e.handoff_stack import handoff_stack

    yield from handoff_stack(tmp_path_factory.mktemp("handoff"), portal_url, fakes)
