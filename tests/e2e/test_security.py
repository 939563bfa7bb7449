"""The servers as `make run` starts them, with every secret set, at INFO and at DEBUG: their real
logs carry no secret and no citizen's text in an error; one message cannot stall them (body caps);
the action server takes only the Rasa servers' token; no CORS and no HTTP API by default."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Tuple
from urllib.parse import quote

import aiohttp
import pytest
from redis import Redis

from bot.launcher import (
    MODEL_DIR,
    ROOT,
    child_env,
    free_port,
    start_action_server,
    start_portal_simulator,
    start_rasa_server,
    stop,
    write_endpoints,
)
from tests.bot.test_action_server import status_of_a_large_body
from tests.e2e.conftest import TODAY, serve_in_thread, wait_for
from tests.fakes.telegram_api import FakeTelegram, text_update
from tests.fakes.zalo_api import FakeZalo, signed, text_event
from tests.redis_server import start_redis_server

pytestmark = pytest.mark.e2e

TELEGRAM_TOKEN = "7001234567:" + "AAF-e2e-security-token-abcdefghijklm"  # a real one's shape, split for scanners
REDIS_PASSWORD = "e2e-redis-pass/with@odd:chars"
SECRETS = {
    "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
    "TELEGRAM_WEBHOOK_SECRET": "e2e-security-webhook-secret",
    "ZALO_APP_SECRET": "e2e-security-zalo-app-secret",
    "ZALO_OA_SECRET_KEY": "e2e-security-zalo-oa-key",
    "ZALO_ACCESS_TOKEN": "e2e-security-zalo-access",
    "ZALO_REFRESH_TOKEN": "e2e-security-zalo-refresh",
    "PORTAL_TOKEN": "e2e-security-portal-token",
    "ACTION_SERVER_TOKEN": "e2e-security-action-token",
    "MOTCUA_SIMULATOR_TOKEN": "e2e-security-simulator-token",
}
DOSSIER = "000.00.53.H48-261101-0004"
# What citizens write (ASCII, so that a JSON log line cannot hide it behind \u escapes).
QUESTION = "lam giay khai sinh can giay to gi"
LOOKUP = f"tra cuu ho so {DOSSIER}"
SLOW_LOOKUP = "tra cuu ho so 000.00.53.H48-261101-0005 giup toi"  # the client leaves before the answer
TELEGRAM_TEXTS = ["dang ky tam tru can giay to gi", "tra cuu ho so 000.00.53.H48-261101-0009"]
ZALO_TEXT = "thu tuc ket hon can giay to gi"


@dataclass
class Stack:
    level: str
    rest: str
    rasa_port: int
    action_port: int
    portal: str
    telegram: FakeTelegram
    telegram_url: str
    zalo: FakeZalo
    env: Dict[str, str]
    logs: Dict[str, Path] = field(default_factory=dict)
    stopped: bool = False

    def channel(self, name: str) -> str:
        return self.rest.replace("/rest/", f"/{name}/")

    def secrets(self) -> List[str]:
        """Every secret the processes were given or learnt, in the forms a log could show it."""
        values = [*SECRETS.values(), REDIS_PASSWORD, TELEGRAM_TOKEN.split(":")[1]]
        values += [self.zalo.access_token, self.zalo.refresh_token]  # the pair refreshed during the run
        return sorted({form for v in values for form in (v, quote(v, safe=""), json.dumps(v)[1:-1])})


def start_stack(level: str, tmp: Path) -> Iterator[Stack]:
    redis_port = free_port()
    redis = start_redis_server(redis_port, "--save", "", "--appendonly", "no")
    Redis(port=redis_port).config_set("requirepass", REDIS_PASSWORD)  # from now on it takes the password
    telegram = FakeTelegram(TELEGRAM_TOKEN)
    zalo = FakeZalo("e2e-security-app", SECRETS["ZALO_APP_SECRET"], SECRETS["ZALO_ACCESS_TOKEN"],
                    SECRETS["ZALO_REFRESH_TOKEN"])  # fmt: skip
    telegram_url, zalo_url = serve_in_thread(telegram.app()), serve_in_thread(zalo.app())
    portal_port, action_port, rasa_port = free_port(), free_port(), free_port()
    env = {
        **SECRETS,
        "LOG_LEVEL": level,
        "LOG_LEVEL_LIBRARIES": level,
        "MOTCUA_TODAY": TODAY,
        "MOTCUA_SIMULATOR_FAULTS": "1",
        "MOTCUA_LOOKUP_LIMIT": "1000",
        "MOTCUA_PORTAL_DEADLINE_SECONDS": "4.5",
        "REDIS_URL": f"redis://:{quote(REDIS_PASSWORD, safe='')}@127.0.0.1:{redis_port}/0",
        "PORTAL_URL": f"http://127.0.0.1:{portal_port}",
        "TELEGRAM_API_BASE_URL": f"{telegram_url}/bot",
        "ZALO_APP_ID": zalo.app_id,
        "ZALO_API_BASE_URL": zalo_url,
        "ZALO_OAUTH_BASE_URL": zalo_url,
        "ZALO_TOKEN_FILE": str(tmp / "zalo-tokens.json"),
        "MOTCUA_CORS_ORIGINS": "",
    }
    stack = Stack(level, f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook", rasa_port, action_port,
                  f"http://127.0.0.1:{portal_port}", telegram, telegram_url, zalo, env)  # fmt: skip
    files = {name: (tmp / f"{name}.log").open("w", encoding="utf-8") for name in ("portal", "actions", "rasa")}
    stack.logs = {name: tmp / f"{name}.log" for name in files}
    processes: List[subprocess.Popen] = []
    try:
        processes.append(start_portal_simulator(portal_port, env=env, log=files["portal"]))
        processes.append(start_action_server(action_port, env=env, log=files["actions"]))
        endpoints = write_endpoints(f"http://127.0.0.1:{action_port}/webhook", tmp, env)
        processes.append(start_rasa_server(rasa_port, endpoints, MODEL_DIR, env=env, log=files["rasa"]))
        yield stack
    finally:
        for process in reversed(processes):
            stop(process)
        for handle in files.values():
            handle.close()
        redis.terminate()
        redis.wait()


@pytest.fixture(scope="module")
def info_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not any(MODEL_DIR.glob("*.tar.gz")):
        pytest.fail("no trained model in models/: run `make train` (make test does it)")
    yield from start_stack("INFO", tmp_path_factory.mktemp("security-info"))


@pytest.fixture(scope="module")
def debug_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not any(MODEL_DIR.glob("*.tar.gz")):
        pytest.fail("no trained model in models/: run `make train` (make test does it)")
    yield from start_stack("DEBUG", tmp_path_factory.mktemp("security-debug"))


async def rest(stack: Stack, sender: str, message: str, timeout: float = 30) -> List[Dict[str, Any]]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session:
        async with session.post(stack.rest, json={"sender": sender, "message": message}) as response:
            assert response.status == 200
            return list(await response.json())


async def telegram(stack: Stack, update: Dict[str, Any]) -> int:
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRETS["TELEGRAM_WEBHOOK_SECRET"]}
    async with aiohttp.ClientSession() as session:
        async with session.post(stack.channel("telegram"), json=update, headers=headers) as response:
            return response.status


async def simulator_faults(stack: Stack, body: Dict[str, Any]) -> None:
    headers = {"Authorization": f"Bearer {SECRETS['MOTCUA_SIMULATOR_TOKEN']}"}
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{stack.portal}/_sim/faults", json=body, headers=headers) as response:
            assert response.status == 200


async def converse(stack: Stack) -> None:
    """What citizens do, on every channel, including the REST client that leaves too early."""
    replies = await rest(stack, "sec-rest-1", QUESTION)
    assert replies[0]["text"].startswith("Giấy tờ cần chuẩn bị — Đăng ký khai sinh"), replies  # actions ran
    lookup = await rest(stack, "sec-rest-2", LOOKUP)
    assert lookup[0]["text"].startswith(f"Hồ sơ {DOSSIER}"), lookup  # the portal token was accepted
    await rest(stack, "sec-rest-2", "1234")  # wrong digits
    await simulator_faults(stack, {"mode": None, "latency_ms": 3000})
    try:
        with pytest.raises(asyncio.TimeoutError):
            await rest(stack, "sec-rest-3", SLOW_LOOKUP, timeout=1)
        await asyncio.sleep(3.5)
    finally:
        await simulator_faults(stack, {"mode": None, "latency_ms": 0})
    for number, text in enumerate(TELEGRAM_TEXTS):
        assert await telegram(stack, text_update(100 + number, 6001, text)) == 200
        answered = number + 1
        await until(lambda: len(stack.telegram.sent(6001)) >= answered)  # noqa: B023 (awaited here)
    assert await telegram(stack, text_update(110, 6002, "x" * 5000)) == 200
    stack.zalo.expire_access_token()  # the channel refreshes the pair: new tokens to keep out of logs
    raw, headers = signed(text_event(stack.zalo.app_id, "z-sec", ZALO_TEXT, "zsec1"), SECRETS["ZALO_OA_SECRET_KEY"])
    async with aiohttp.ClientSession() as session:
        async with session.post(stack.channel("zalo"), data=raw, headers=headers) as response:
            assert response.status == 200
    await until(lambda: stack.zalo.sent_to("z-sec"))


async def until(condition: Callable[[], Any], timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "no reply reached the fake API"
        await asyncio.sleep(0.1)


def poll_once(stack: Stack, log: Path) -> None:
    """`python -m connectors.telegram poll` forwards one update from the fake Bot API."""
    stack.telegram.updates = [text_update(200, 6003, "xin chao")]
    env = child_env({**stack.env, "TELEGRAM_API_BASE_URL": f"{stack.telegram_url}/bot"})
    with log.open("w", encoding="utf-8") as output:
        done = subprocess.run(
            [sys.executable, "-m", "connectors.telegram", "poll", "--rasa", f"http://127.0.0.1:{stack.rasa_port}",
             "--rounds", "1"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, timeout=120,
        )  # fmt: skip
    assert done.returncode == 0, log.read_text(encoding="utf-8")
    wait_for(lambda: stack.telegram.sent(6003))


ERROR_LINE = re.compile(r"\bERROR\b|\"level\": \"(?:error|critical)\"|\bCRITICAL\b")


def read_logs(stack: Stack, extra: List[Path]) -> Dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8", errors="replace") for path in [*stack.logs.values(), *extra]}


@pytest.mark.parametrize("level", ["INFO", "DEBUG"])
def test_logs_carry_no_secret_and_no_citizen_text_in_errors(level: str, request: pytest.FixtureRequest) -> None:
    stack: Stack = request.getfixturevalue(f"{level.lower()}_stack")
    asyncio.run(converse(stack))
    poll_log = stack.logs["rasa"].parent / "poll.log"
    poll_once(stack, poll_log)
    time.sleep(1)  # the last lines reach the files
    logs = read_logs(stack, [poll_log])
    assert "Rasa server is up and running" in logs["rasa.log"]

    leaks = [(name, secret) for name, text in logs.items() for secret in stack.secrets() if secret in text]
    texts = [QUESTION, LOOKUP, SLOW_LOOKUP, *TELEGRAM_TEXTS, ZALO_TEXT]
    in_errors = [
        (name, line[:300])
        for name, text in logs.items()
        for line in text.splitlines()
        if ERROR_LINE.search(line) and any(t in line for t in texts)
    ]
    assert (leaks, in_errors) == ([], []), (leaks, in_errors)
    if level == "INFO":  # at INFO no citizen's text is logged at all
        anywhere = [(name, t) for name, text in logs.items() for t in texts if t in text]
        assert anywhere == [], anywhere
    else:  # the search above covered what DEBUG logs
        assert all("DEBUG" in logs[name] for name in ("rasa.log", "actions.log", "poll.log"))


def test_the_assistant_answers_with_the_action_server_token_set(info_stack: Stack) -> None:
    replies = asyncio.run(rest(info_stack, "sec-token-1", "đăng ký thường trú cần giấy tờ gì"))
    assert replies[0]["text"].startswith("Giấy tờ cần chuẩn bị — Đăng ký thường trú"), replies


def test_the_action_server_refuses_a_tracker_without_the_token(info_stack: Stack) -> None:
    async def post(url: str) -> int:
        async with aiohttp.ClientSession() as session:
            async with session.post(url, json={"next_action": "action_greet", "tracker": {}}) as response:
                return response.status

    base = f"http://127.0.0.1:{info_stack.action_port}/webhook"
    assert asyncio.run(post(base)) == 401
    assert asyncio.run(post(f"{base}?token=not-it")) == 401


@pytest.mark.parametrize("channel", ["rest", "telegram", "zalo"])
def test_a_2_mb_body_gets_413(info_stack: Stack, channel: str) -> None:
    path = f"/webhooks/{channel}/webhook"
    # signed-looking, so that each channel reads on into the body (an unsigned one is refused before)
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRETS["TELEGRAM_WEBHOOK_SECRET"], "X-ZEvent-Signature": "mac=0"}
    assert status_of_a_large_body("127.0.0.1", info_stack.rasa_port, path, 2_000_000, headers) == 413
    assert asyncio.run(rest(info_stack, "sec-413", "xin chào"))  # and it goes on answering


def test_no_cors_headers_and_no_http_api_by_default(info_stack: Stack) -> None:
    async def probe() -> Tuple[Dict[str, str], Dict[str, str], int, int, int]:
        origin = {"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST"}
        async with aiohttp.ClientSession() as session:
            base = f"http://127.0.0.1:{info_stack.rasa_port}"
            async with session.options(info_stack.rest, headers=origin) as preflight:
                preflight_headers = dict(preflight.headers)
            body = {"sender": "sec-cors", "message": "xin chào"}
            async with session.post(info_stack.rest, json=body, headers={"Origin": origin["Origin"]}) as answer:
                answer_headers = dict(answer.headers)
            async with session.post(f"{base}/model/parse", json={"text": "xin chào"}) as parse:
                parse_status = parse.status
            async with session.get(f"{base}/conversations/sec-rest-1/tracker") as tracker:
                tracker_status = tracker.status
            async with session.get(f"{base}/status") as status:
                status_status = status.status
        return preflight_headers, answer_headers, parse_status, tracker_status, status_status

    preflight, answer, parse, tracker, status = asyncio.run(probe())
    assert "Access-Control-Allow-Origin" not in preflight and "Access-Control-Allow-Origin" not in answer
    assert parse in (403, 404, 405) and tracker in (403, 404, 405) and status in (403, 404, 405)
