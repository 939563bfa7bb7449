"""The queue, chat and internal API routes through the real application (SQLite; a fake Rasa API):
who may do what, and what a helper's browser gets back."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, AsyncIterator, Dict, List, Tuple

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from argon2 import PasswordHasher

from console import messages as msg
from console.accounts import Accounts
from console.db import make_engine
from console.migrate import upgrade
from console.settings import load_console_settings
from console.web.app import make_app

PASSWORD = "mật khẩu dài 2026"
TOKEN = "internal-token-of-the-view-tests-0123456789"
ALWAYS_OPEN = 'centres:\n  - id: default\n    name: T\n    hours:\n      mon-sun: ["00:00-24:00"]\n'


class FakeRasa:
    def __init__(self) -> None:
        self.events: List[Tuple[str, List[Dict[str, Any]]]] = []

    async def append(self, request: web.Request) -> web.Response:
        self.events.append((request.match_info["id"], await request.json()))
        return web.json_response({})

    async def tracker(self, request: web.Request) -> web.Response:
        events = [{"event": "user", "text": "làm căn cước ở đâu", "timestamp": 1.0}]
        return web.json_response({"events": events})


@pytest.fixture
async def app(tmp_path: Path, aiohttp_client: Any) -> AsyncIterator[Tuple[Any, FakeRasa]]:
    rasa = FakeRasa()
    fake = web.Application()
    fake.router.add_post("/conversations/{id}/tracker/events", rasa.append)
    fake.router.add_get("/conversations/{id}/tracker", rasa.tracker)
    server = TestServer(fake)
    await server.start_server()
    url = f"sqlite:///{tmp_path / 'console.db'}"
    upgrade(url)
    engine = make_engine(url)
    accounts = Accounts(engine, hasher=PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))
    for name, role in (("lan", "helper"), ("minh", "helper"), ("quantri", "admin")):
        accounts.create(name, role, PASSWORD)
    (tmp_path / "centres.yml").write_text(ALWAYS_OPEN, encoding="utf-8")
    (tmp_path / "jwt").write_text("jwt-secret-of-the-view-tests-0123456789", encoding="utf-8")
    settings = load_console_settings(
        database_url=url,
        secret="s" * 40,
        secret_file=tmp_path / "secret",
        internal_token=TOKEN,
        rasa_url=str(server.make_url("")),
        rasa_jwt_secret_file=tmp_path / "jwt",
        centres_file=tmp_path / "centres.yml",
        login_rate_per_minute=100,
    )
    application = make_app(settings, engine, accounts=accounts)
    yield (lambda: aiohttp_client(application)), rasa
    await server.close()
    engine.dispose()


async def logged_in(make: Any, name: str) -> Tuple[TestClient, str]:
    client = await make()
    page = await (await client.get("/login")).text()
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    response = await client.post("/login", data={"name": name, "password": PASSWORD, "csrf": token})
    home = await response.text()
    assert response.status == 200 and name in home
    # a login starts a new session, with a new CSRF token
    return client, re.search(r'name="csrf" value="([^"]+)"', home).group(1)  # type: ignore[union-attr]


async def queue_one(client: TestClient, conversation: str = "tg:1") -> str:
    body = {"conversation_id": conversation, "channel": "telegram", "messages": []}
    response = await client.post("/internal/handoffs", json=body, headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status == 200
    return str((await response.json())["handoff_id"])


async def test_the_internal_api_wants_its_token_and_a_proper_body(app: Any) -> None:
    make, _ = app
    client = await make()
    body = {"conversation_id": "tg:1", "channel": "telegram"}
    assert (await client.post("/internal/handoffs", json=body)).status == 401
    assert (await client.post("/internal/handoffs", json=body, headers={"Authorization": "Bearer x"})).status == 401
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert (await client.post("/internal/handoffs", data=b"not json", headers=auth)).status == 400
    assert (await client.post("/internal/handoffs", json={"channel": "telegram"}, headers=auth)).status == 400
    bad = {**body, "messages": [{"role": "admin", "text": "x"}]}
    assert (await client.post("/internal/handoffs", json=bad, headers=auth)).status == 400
    assert (await client.post("/internal/handoffs", json={**body, "channel": "fax"}, headers=auth)).status == 400
    assert (await client.post("/internal/messages", json={"conversation_id": "tg:1"}, headers=auth)).status == 400
    answer = await (await client.post("/internal/handoffs", json=body, headers=auth)).json()
    assert answer["state"] == "waiting" and answer["position"] == 1


async def test_the_queue_needs_a_login_and_claims_need_the_csrf_token(app: Any) -> None:
    make, _ = app
    stranger = await make()
    assert (await stranger.get("/queue/items", headers={"Accept": "application/json"})).status == 401
    assert (await stranger.get("/queue", allow_redirects=False)).status == 303
    lan, _token = await logged_in(make, "lan")
    handoff = await queue_one(lan)
    assert (await lan.post(f"/queue/{handoff}/claim")).status == 403  # no CSRF token
    page = await (await lan.get("/queue")).text()
    assert handoff in page and "Nhận hỗ trợ" in page
    assert "đang trong giờ làm việc" in page and "Chủ nhật: 00:00-24:00" in page  # the centre's hours


async def test_a_chat_is_the_holders_and_moves_with_a_transfer(app: Any) -> None:
    make, rasa = app
    lan, lan_token = await logged_in(make, "lan")
    minh, minh_token = await logged_in(make, "minh")
    handoff = await queue_one(lan)
    claimed = await (await lan.post(f"/queue/{handoff}/claim", headers={"X-CSRF-Token": lan_token})).json()
    assert claimed == {"ok": True, "chat": f"/chat/{handoff}"}
    taken = await minh.post(f"/queue/{handoff}/claim", headers={"X-CSRF-Token": minh_token})
    assert taken.status == 409 and (await taken.json())["error"] == msg.HANDOFF_TAKEN.format(helper="lan")
    assert (await minh.get(f"/chat/{handoff}")).status == 403
    chat = await (await lan.get(f"/chat/{handoff}")).text()
    assert "làm căn cước ở đâu" in chat  # the conversation with the assistant so far

    reply = await minh.post(f"/chat/{handoff}/reply", json={"text": "x"}, headers={"X-CSRF-Token": minh_token})
    assert reply.status == 403
    empty = await lan.post(f"/chat/{handoff}/reply", json={"text": "  "}, headers={"X-CSRF-Token": lan_token})
    assert (await empty.json())["error"] == msg.HANDOFF_EMPTY_REPLY

    headers = {"X-CSRF-Token": lan_token}
    nobody = await lan.post(f"/chat/{handoff}/transfer", json={"to": "ai-do"}, headers=headers)
    assert (await nobody.json())["error"] == msg.TRANSFER_UNKNOWN
    moved = await lan.post(f"/chat/{handoff}/transfer", json={"to": "minh"}, headers=headers)
    assert (await moved.json())["ok"]
    assert (await lan.post(f"/chat/{handoff}/reply", json={"text": "x"}, headers=headers)).status == 403
    sent = await minh.post(f"/chat/{handoff}/reply", json={"text": "Chào bạn"}, headers={"X-CSRF-Token": minh_token})
    assert (await sent.json())["ok"] and rasa.events[-1][1][0]["text"] == "Chào bạn"

    minh_headers = {"X-CSRF-Token": minh_token}
    wrong = await minh.post(f"/chat/{handoff}/end", json={"outcome": "sent_to_counter"}, headers=minh_headers)
    assert wrong.status == 400 and (await wrong.json())["error"] == msg.END_BAD_OUTCOME
    ended = await minh.post(f"/chat/{handoff}/end", json={"outcome": "answered"}, headers=minh_headers)
    assert (await ended.json()) == {"ok": True, "next": "/queue"}
    resumed = [events for _, events in rasa.events if {"event": "resume"} in events]
    assert resumed[-1][-2:] == [{"event": "resume"}, {"event": "action", "name": "action_listen"}]
    # then how it ended, which the satisfaction rating keeps (bot/actions/rating.py)
    assert {"event": "slot", "name": "handoff_outcome", "value": "answered"} in rasa.events[-1][1]


async def test_an_admin_may_look_at_any_chat(app: Any) -> None:
    make, _ = app
    lan, token = await logged_in(make, "lan")
    handoff = await queue_one(lan)
    await lan.post(f"/queue/{handoff}/claim", headers={"X-CSRF-Token": token})
    admin, _ = await logged_in(make, "quantri")
    assert (await admin.get(f"/chat/{handoff}")).status == 200
