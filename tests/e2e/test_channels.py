"""Telegram and Zalo through the real Rasa server: real-shaped updates and events in, replies
arriving at fake Telegram and Zalo APIs (tests/fakes/) that speak the platforms' wire formats; and
a helper's message pushed through Rasa's HTTP API (token-protected) reaching a Telegram, Zalo, web
chat or REST citizen, or failing with a reason the console can read."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple
from urllib.parse import quote

import aiohttp
import jwt
import pytest

from bot.launcher import free_port, start_action_server, start_rasa_server, stop, write_endpoints
from connectors.delivery import failure_code
from motcua.settings import Settings
from tests.e2e.conftest import (
    TELEGRAM_SECRET,
    TODAY,
    WEB_SECRET,
    ZALO_OA_KEY,
    Fakes,
    say,
    telegram_env,
    wait_for,
    zalo_env,
)
from tests.fakes.telegram_api import callback_update, sticker_update, text_update
from tests.fakes.zalo_api import signed, text_event

pytestmark = pytest.mark.e2e


def channel_url(webhook: str, name: str) -> str:
    return webhook.replace("/webhooks/rest/webhook", f"/webhooks/{name}/webhook")


async def post(url: str, body: bytes, headers: Dict[str, str]) -> Tuple[int, float]:
    started = time.monotonic()
    async with aiohttp.ClientSession() as session:
        async with session.post(url, data=body, headers=headers) as response:
            return response.status, time.monotonic() - started


async def telegram(webhook: str, update: Dict[str, Any], secret: str = TELEGRAM_SECRET) -> int:
    headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret}
    status, _ = await post(channel_url(webhook, "telegram"), json.dumps(update).encode(), headers)
    return status


# --- Telegram -------------------------------------------------------------------------------


async def test_telegram_question_follow_up_and_buttons(webhook: str, fakes: Fakes) -> None:
    chat = 5001
    assert await telegram(webhook, text_update(1, chat, "làm giấy khai sinh cần giấy tờ gì")) == 200
    first = wait_for(lambda: fakes.telegram.sent(chat))
    assert first[0]["text"].startswith("Giấy tờ cần chuẩn bị — Đăng ký khai sinh")
    assert await telegram(webhook, text_update(2, chat, "còn lệ phí?")) == 200
    fee = wait_for(lambda: fakes.telegram.sent(chat)[1:])
    assert fee[0]["text"].startswith("Lệ phí — Đăng ký khai sinh")

    other = 5002
    assert await telegram(webhook, text_update(3, other, "cần giấy tờ gì?")) == 200
    [question] = wait_for(lambda: fakes.telegram.sent(other))
    rows = question["reply_markup"]["inline_keyboard"]
    assert 1 <= len(rows) <= 4
    assert all(len(row[0]["callback_data"].encode()) <= 64 for row in rows)
    title, key = rows[0][0]["text"], rows[0][0]["callback_data"]
    assert await telegram(webhook, callback_update(4, other, key)) == 200
    answered = wait_for(lambda: fakes.telegram.sent(other)[1:])
    assert answered[0]["text"].startswith(f"Giấy tờ cần chuẩn bị — {title}")
    assert any(c["callback_query_id"] == "cb4" for c in fakes.telegram.calls_of("answerCallbackQuery"))


async def test_telegram_rejects_a_wrong_secret_and_answers_a_resent_update_once(webhook: str, fakes: Fakes) -> None:
    chat = 5003
    assert await telegram(webhook, text_update(10, chat, "xin chào"), secret="wrong") == 403
    assert await telegram(webhook, text_update(11, chat, "xin chào"), secret="") == 403
    time.sleep(1)
    assert fakes.telegram.sent(chat) == []
    for _ in range(3):
        assert await telegram(webhook, text_update(12, chat, "đăng ký tạm trú ở đâu")) == 200
    wait_for(lambda: fakes.telegram.sent(chat))
    time.sleep(1.5)
    assert len(fakes.telegram.sent(chat)) == 1


async def test_telegram_deep_link_sticker_and_dossier(webhook: str, fakes: Fakes) -> None:
    chat = 5004
    assert await telegram(webhook, text_update(20, chat, "/start tam-tru")) == 200
    opened = wait_for(lambda: fakes.telegram.sent(chat))
    assert "Đăng ký tạm trú" in opened[0]["text"]
    assert await telegram(webhook, sticker_update(21, chat)) == 200
    note = wait_for(lambda: fakes.telegram.sent(chat)[1:])
    assert note[0]["text"].startswith("Hiện mình chỉ đọc được tin nhắn chữ")
    assert await telegram(webhook, text_update(22, chat, "tra cứu hồ sơ 000.00.53.H48-261101-0009")) == 200
    status = wait_for(lambda: fakes.telegram.sent(chat)[2:])
    assert status[0]["text"].startswith("Hồ sơ 000.00.53.H48-261101-0009\nTình trạng: đã có kết quả")


async def test_telegram_malformed_body_is_refused(webhook: str) -> None:
    headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
    status, _ = await post(channel_url(webhook, "telegram"), b"{not json", headers)
    assert status == 400


# --- Zalo -----------------------------------------------------------------------------------


async def zalo(webhook: str, event: Dict[str, Any], key: str = ZALO_OA_KEY) -> Tuple[int, float]:
    raw, headers = signed(event, key)
    return await post(channel_url(webhook, "zalo"), raw, headers)


async def test_zalo_acknowledges_fast_then_answers_question_and_follow_up(webhook: str, fakes: Fakes) -> None:
    app = fakes.zalo.app_id
    status, seconds = await zalo(webhook, text_event(app, "z1", "làm căn cước mất bao lâu", "zm1"))
    assert status == 200 and seconds < 2
    [reply] = wait_for(lambda: fakes.zalo.sent_to("z1"))
    assert reply["text"].startswith("Thời hạn giải quyết — Cấp thẻ căn cước")
    await zalo(webhook, text_event(app, "z1", "nộp ở đâu?", "zm2"))
    where = wait_for(lambda: fakes.zalo.sent_to("z1")[1:])
    assert where[0]["text"].startswith("Nơi nộp hồ sơ — Cấp thẻ căn cước")


async def test_zalo_button_tap_and_follow(webhook: str, fakes: Fakes) -> None:
    app = fakes.zalo.app_id
    await zalo(webhook, text_event(app, "z2", "lệ phí bao nhiêu", "zm10"))
    [question] = wait_for(lambda: fakes.zalo.sent_to("z2"))
    buttons = question["attachment"]["payload"]["buttons"]
    assert all(b["type"] == "oa.query.hide" and len(b["title"]) <= 100 for b in buttons)
    tapped = text_event(app, "z2", buttons[0]["payload"], "zm11")  # a hidden tap comes back as text
    await zalo(webhook, tapped)
    answer = wait_for(lambda: fakes.zalo.sent_to("z2")[1:])
    assert answer[0]["text"].startswith(f"Lệ phí — {buttons[0]['title']}")
    follow = {"app_id": app, "event_name": "follow", "timestamp": str(int(time.time() * 1000)),
              "follower": {"id": "z3"}, "oa_id": "oa-1"}  # fmt: skip
    await zalo(webhook, follow)
    welcome = wait_for(lambda: fakes.zalo.sent_to("z3"))
    assert welcome[0]["text"].startswith("Xin chào! Mình là trợ lý tự động")


async def test_zalo_signatures_and_duplicates(webhook: str, fakes: Fakes) -> None:
    app = fakes.zalo.app_id
    event = text_event(app, "z4", "xin chào", "zm20")
    assert (await zalo(webhook, event, key="not-the-key"))[0] == 403
    raw, headers = signed(event, ZALO_OA_KEY)
    del headers["X-ZEvent-Signature"]
    assert (await post(channel_url(webhook, "zalo"), raw, headers))[0] == 401
    time.sleep(1)
    assert fakes.zalo.sent_to("z4") == []
    for _ in range(3):  # Zalo retries a delivery it thinks failed
        assert (await zalo(webhook, event))[0] == 200
    wait_for(lambda: fakes.zalo.sent_to("z4"))
    time.sleep(1.5)
    assert len(fakes.zalo.sent_to("z4")) == 1


async def test_zalo_expired_token_is_refreshed_then_the_reply_sent(webhook: str, fakes: Fakes) -> None:
    refreshes = fakes.zalo.refreshes
    fakes.zalo.access_token = "only-after-refresh"  # the token the server holds has expired
    await zalo(webhook, text_event(fakes.zalo.app_id, "z5", "thủ tục kết hôn cần giấy tờ gì", "zm30"))
    [reply] = wait_for(lambda: fakes.zalo.sent_to("z5"))
    assert reply["text"].startswith("Giấy tờ cần chuẩn bị — Đăng ký kết hôn")
    assert fakes.zalo.refreshes == refreshes + 1
    assert any(r["error"] == -216 for r in fakes.zalo.refused)


# --- A helper's message pushed through Rasa's HTTP API (the console's handoff) -------------------

HELPER = "Chào bạn, mình là tình nguyện viên ở bộ phận một cửa. Hồ sơ của bạn đang được xử lý nhé."
JWT_SECRET = "e2e-rasa-jwt-secret-0123456789abcdef0123456789"


@dataclass
class Api:
    """Rasa's HTTP API as the console calls it: conversation ids quoted, a JWT (role admin) signed
    with the secret of RASA_JWT_SECRET_FILE in the Authorization header (bot/console_link.py)."""

    base: str  # http://127.0.0.1:<port>

    @property
    def webhook(self) -> str:
        return f"{self.base}/webhooks/rest/webhook"

    async def call(self, method: str, conversation: str, tail: str, secret: str = JWT_SECRET, **kw: Any) -> Any:
        claims = {"user": {"username": "console", "role": "admin"}, "exp": int(time.time()) + 60}
        headers = {"Authorization": "Bearer " + jwt.encode(claims, secret, algorithm="HS256")}
        url = f"{self.base}/conversations/{quote(conversation, safe='')}/{tail}"
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
            async with session.request(method, url, headers=headers, **kw) as response:
                return response.status, await response.json(content_type=None)

    async def push(self, conversation: str, text: str, channel: str = "latest", secret: str = JWT_SECRET) -> Any:
        """What the console does: a bot event, sent through the conversation's channel."""
        query = {"output_channel": channel, "execute_side_effects": "true"}
        events = [{"event": "bot", "text": text, "metadata": {"helper": "Lan"}}]
        return await self.call("POST", conversation, "tracker/events", secret, params=query, json=events)

    async def bot_texts(self, conversation: str) -> List[str]:
        _, tracker = await self.call("GET", conversation, "tracker")
        return [e.get("text") for e in tracker["events"] if e["event"] == "bot"]


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, portal_url: str, fakes: Fakes) -> Iterator[Api]:
    """A Rasa server with the HTTP API on, as the launcher starts it for the console."""
    if "rasa_jwt_secret_file" not in Settings.__fields__:
        pytest.skip("bot.processes.start_rasa_server cannot turn Rasa's HTTP API on (RASA_JWT_SECRET_FILE)")
    secret = tmp_path_factory.mktemp("jwt") / "rasa_jwt_secret"
    secret.write_text(JWT_SECRET, encoding="utf-8")
    env = {
        "MOTCUA_TODAY": TODAY,
        "PORTAL_URL": portal_url,
        **telegram_env(fakes),
        **zalo_env(fakes, tmp_path_factory.mktemp("zalo-api") / "tokens.json"),
        "MOTCUA_WEB_SESSION_SECRET": WEB_SECRET,
        "RASA_JWT_SECRET_FILE": str(secret),
    }
    action_port = free_port()
    actions = start_action_server(action_port, env=env)
    try:
        endpoints = write_endpoints(f"http://127.0.0.1:{action_port}/webhook", tmp_path_factory.mktemp("api"))
        rasa_port = free_port()
        rasa = start_rasa_server(rasa_port, Path(endpoints), env=env)
        try:
            yield Api(f"http://127.0.0.1:{rasa_port}")
        finally:
            stop(rasa)
    finally:
        stop(actions)


async def test_a_helper_message_reaches_a_telegram_citizen(api: Api, fakes: Fakes) -> None:
    chat = 7001
    assert await telegram(api.webhook, text_update(701, chat, "làm giấy khai sinh cần giấy tờ gì")) == 200
    wait_for(lambda: fakes.telegram.sent(chat))
    assert (await api.push(f"tg:{chat}", HELPER, secret="not-the-secret-" + "x" * 40))[0] == 401
    status, _ = await api.push(f"tg:{chat}", HELPER)
    assert status == 200
    assert fakes.telegram.sent(chat)[-1]["text"] == HELPER  # sent before the API call answered
    assert (await api.bot_texts(f"tg:{chat}"))[-1] == HELPER
    assert sum(m["text"] == HELPER for m in fakes.telegram.sent(chat)) == 1


async def test_a_conversation_rasa_never_saw_needs_its_channel_named(api: Api, fakes: Fakes) -> None:
    """`output_channel=latest` needs the tracker's last user message (lost with an in-memory tracker
    store at a restart): without one Rasa collects the message, sends it nowhere, and answers 200."""
    chat = 7002
    assert (await api.push(f"tg:{chat}", HELPER))[0] == 200
    time.sleep(0.5)
    assert fakes.telegram.sent(chat) == []
    assert (await api.push(f"tg:{chat}", HELPER, channel="telegram"))[0] == 200
    assert [m["text"] for m in fakes.telegram.sent(chat)] == [HELPER]


async def test_a_helper_message_reaches_a_zalo_citizen_and_a_closed_window_fails(api: Api, fakes: Fakes) -> None:
    user = "z70"
    await zalo(api.webhook, text_event(fakes.zalo.app_id, user, "làm căn cước mất bao lâu", "zm700"))
    wait_for(lambda: fakes.zalo.sent_to(user))
    status, _ = await api.push(f"zalo:{user}", HELPER)
    assert status == 200 and fakes.zalo.sent_to(user)[-1] == {"text": HELPER}
    fakes.zalo.silent_users.add(user)  # 7 days later
    try:
        status, error = await api.push(f"zalo:{user}", "Bạn còn cần hỗ trợ không?")
    finally:
        fakes.zalo.silent_users.discard(user)
    assert status == 500 and error["reason"] == "ConversationError"
    assert failure_code(error["message"]) == "zalo_window_closed"
    assert "they must write to the OA first" in error["message"]
    assert "Bạn còn cần hỗ trợ không?" not in await api.bot_texts(f"zalo:{user}")  # not recorded as said
    assert fakes.zalo.sent_to(user)[-1] == {"text": HELPER}


async def web_call(api: Api, path: str, body: Dict[str, Any]) -> Tuple[int, Any]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        async with session.post(f"{api.base}/webhooks/web/{path}", json=body) as response:
            return response.status, await response.json(content_type=None)


async def test_a_helper_message_reaches_a_web_chat_by_its_poll(api: Api) -> None:
    _, answer = await web_call(api, "session", {})
    session, conversation = answer["session"], "web:" + answer["session"].split(".")[0]
    status, replies = await web_call(api, "webhook", {"session": session, "message": "làm căn cước ở đâu"})
    assert status == 200 and replies
    assert await web_call(api, "poll", {"session": session}) == (200, [])
    assert (await api.push(conversation, HELPER))[0] == 200
    assert await web_call(api, "poll", {"session": session}) == (200, [{"recipient_id": conversation, "text": HELPER}])
    assert await web_call(api, "poll", {"session": session}) == (200, [])  # delivered once
    waiting = asyncio.ensure_future(web_call(api, "poll", {"session": session, "wait": 15}))
    await asyncio.sleep(0.5)
    started = time.monotonic()
    assert (await api.push(conversation, "Bạn nhớ mang CCCD nhé."))[0] == 200
    assert (await waiting)[1] == [{"recipient_id": conversation, "text": "Bạn nhớ mang CCCD nhé."}]
    assert time.monotonic() - started < 3


async def test_a_helper_message_comes_first_in_the_next_rest_answer(api: Api) -> None:
    sender = "e2e-rest-citizen"
    await say(api.webhook, sender, "làm giấy khai sinh cần giấy tờ gì")
    assert (await api.push(sender, HELPER))[0] == 200
    replies = await say(api.webhook, sender, "còn lệ phí?")
    assert replies[0] == {"recipient_id": sender, "text": HELPER}
    assert replies[1]["text"].startswith("Lệ phí — Đăng ký khai sinh")
    assert (await say(api.webhook, sender, "cảm ơn"))[0]["text"] != HELPER
