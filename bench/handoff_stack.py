"""The stack of `make run` for bench/handoff.py, on free ports: the portal simulator, the helper console
(its own SQLite, centres open around the clock, helper accounts), the action server and one Rasa server
with its HTTP API behind JWTs (the tracker store relaying paused conversations to the console), with
Telegram pointed at a fake Bot API (tests/fakes) that notes when each message reaches it; and the
citizens' side of it (Telegram updates, asking for a person).

Each server writes its output to a log file in the run's directory; when one cannot start, the error
says which and shows the end of its log.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Callable, Dict, Iterator, List, Optional, Sequence

import aiohttp
from aiohttp import web

from bot import messages as bot_msg
from bot.launcher import (
    LaunchError,
    free_port,
    require_model,
    start_action_server,
    start_portal_simulator,
    start_rasa_server,
    stop,
    write_endpoints,
)
from bot.processes import start_console
from tests.e2e.conftest import serve_in_thread
from tests.e2e.handoff_stack import ALWAYS_OPEN, add_user
from tests.fakes.telegram_api import FakeTelegram, text_update

TODAY = "2026-11-22"
TELEGRAM_TOKEN = "123456:bench-handoff-token"  # noqa: S105 (a fake service's token)
TELEGRAM_SECRET = "bench-handoff-webhook-secret"  # noqa: S105
_updates = iter(range(1_000_000, 2_000_000))


@dataclass
class TimedTelegram(FakeTelegram):
    """The fake Bot API, calling `on_send(text, chat id, time.perf_counter())` from its own thread as
    each sendMessage arrives."""

    on_send: Optional[Callable[[str, str, float], None]] = None

    async def handle(self, request: web.Request) -> web.Response:
        response = await super().handle(request)
        if request.match_info["method"] == "sendMessage" and response.status == 200 and self.on_send:
            params = self.calls[-1].params  # appended by this call: nothing ran in between
            self.on_send(str(params.get("text")), str(params.get("chat_id")), time.perf_counter())
        return response

    def texts(self, chat: int) -> List[str]:
        return [str(m.get("text")) for m in self.sent(chat)]


class SetupFailed(Exception):
    """The handoffs could not be set up (a citizen not queued, a claim refused, …)."""


@dataclass
class Stack:
    rasa: str  # base URLs
    console: str
    telegram: TimedTelegram
    env: Dict[str, str] = field(default_factory=dict)

    @property
    def rest_webhook(self) -> str:
        return f"{self.rasa}/webhooks/rest/webhook"

    @property
    def telegram_webhook(self) -> str:
        return f"{self.rasa}/webhooks/telegram/webhook"


def _tail(path: Path, lines: int = 12) -> str:
    text = path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:] if path.exists() else []
    return "\n".join(f"    {line}" for line in text) or "    (empty)"


@contextlib.contextmanager
def handoff_stack(tmp: Path, helpers: Sequence[str]) -> Iterator[Stack]:
    """The servers for the block, with an account (tests/e2e/handoff_stack.PASSWORD) per helper;
    LaunchError, naming the server and showing its log, when one does not start."""
    require_model()
    telegram = TimedTelegram(TELEGRAM_TOKEN)
    telegram_url = serve_in_thread(telegram.app())
    (tmp / "centres.yml").write_text(ALWAYS_OPEN, encoding="utf-8")
    (tmp / "jwt").write_text("jwt-secret-of-the-handoff-bench-0123456789abcdef", encoding="utf-8")
    portal_port, console_port, action_port, rasa_port = free_port(), free_port(), free_port(), free_port()
    env = {
        "MOTCUA_TODAY": TODAY,
        "PORTAL_URL": f"http://127.0.0.1:{portal_port}",
        "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
        "TELEGRAM_API_BASE_URL": f"{telegram_url}/bot",
        "TELEGRAM_BOT_USERNAME": "motcua_bot",
        "RASA_JWT_SECRET_FILE": str(tmp / "jwt"),
        "CONSOLE_INTERNAL_TOKEN": "internal-token-of-the-handoff-bench-0123456789",
        "CONSOLE_URL": f"http://127.0.0.1:{console_port}",
        "RASA_URL": f"http://127.0.0.1:{rasa_port}",
        "DATABASE_URL": f"sqlite:///{tmp / 'console.db'}",
        "CONSOLE_SECRET_FILE": str(tmp / "console_secret"),
        "CONSOLE_CENTRES": str(tmp / "centres.yml"),
        "CONSOLE_LOGIN_RATE_PER_MINUTE": "100",  # all the helpers log in from this one address
        "LOG_LEVEL": "WARNING",
    }
    logs: Dict[str, IO[str]] = {}
    processes: List[subprocess.Popen] = []

    def start(name: str, how: Callable[[IO[str]], subprocess.Popen]) -> None:
        logs[name] = (tmp / f"{name}.log").open("w", encoding="utf-8")
        try:
            processes.append(how(logs[name]))
        except LaunchError as exc:
            logs[name].flush()
            raise LaunchError(
                f"the {name} did not start: {exc}\n  end of its log:\n{_tail(tmp / f'{name}.log')}"
            ) from exc

    try:
        start("portal simulator", lambda log: start_portal_simulator(portal_port, env=env, log=log))
        start("helper console", lambda log: start_console(console_port, env=env, log=log))
        for name in helpers:
            try:
                add_user(env, name)
            except subprocess.CalledProcessError as exc:
                raise LaunchError(f"the helper account {name} was not created: {exc.stderr.strip()}") from exc
        start("action server", lambda log: start_action_server(action_port, env=env, log=log))
        endpoints = write_endpoints(f"http://127.0.0.1:{action_port}/webhook", tmp, env=env)
        start("Rasa server", lambda log: start_rasa_server(rasa_port, endpoints, env=env, log=log))
        yield Stack(env["RASA_URL"], env["CONSOLE_URL"], telegram, env)
    finally:
        for process in reversed(processes):
            stop(process)
        for handle in logs.values():
            handle.close()


class Arrivals:
    """Texts awaited, each resolved with (the time it arrived, where) by whoever sees it arrive."""

    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.waiting: Dict[str, asyncio.Future] = {}

    def expect(self, text: str) -> asyncio.Future:
        self.waiting[text] = self.loop.create_future()
        return self.waiting[text]

    def arrived(self, text: str, where: str, at: float) -> None:
        future = self.waiting.pop(text, None)
        if future is not None and not future.done():
            future.set_result((at, where))

    def arrived_elsewhere(self, text: str, where: str, at: float) -> None:  # from the fake's thread
        self.loop.call_soon_threadsafe(self.arrived, text, where, at)


async def telegram(http: aiohttp.ClientSession, stack: Stack, chat: int, text: str) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
    async with http.post(stack.telegram_webhook, json=text_update(next(_updates), chat, text), headers=headers) as r:
        if r.status != 200:
            raise SetupFailed(f"the Telegram webhook answered HTTP {r.status}")


async def next_text(stack: Stack, chat: int, seen: int, timeout: float = 60.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        texts = stack.telegram.texts(chat)
        if len(texts) > seen:
            return texts[seen]
        await asyncio.sleep(0.1)
    raise SetupFailed(f"Telegram chat {chat} got no message within {timeout:.0f} s")


async def got(stack: Stack, chat: int, text: str, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while text not in stack.telegram.texts(chat):
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.1)
    return True


async def ask_for_a_person(http: aiohttp.ClientSession, stack: Stack, chat: int) -> None:
    seen = len(stack.telegram.texts(chat))
    await telegram(http, stack, chat, "cho tôi gặp người thật")
    if (offer := await next_text(stack, chat, seen)) != bot_msg.HANDOFF_OFFER:
        raise SetupFailed(f"chat {chat} was not offered a person: {offer[:80]!r}")
    await telegram(http, stack, chat, "có")
    if "vị trí số" not in (told := await next_text(stack, chat, seen + 1)):
        raise SetupFailed(f"chat {chat} was not queued: {told[:80]!r}")
