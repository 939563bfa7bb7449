"""The human handoff through the real processes: a Telegram citizen asks for a person, a helper
claims the chat in the console, their messages cross both ways on the citizen's own channel, and
the assistant answers again once the chat ends or the citizen says "thôi"."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any, Dict, List

import aiohttp
import jwt
import pytest

from bot import messages as bot_msg
from console import messages as console_msg
from tests.e2e.conftest import TELEGRAM_SECRET, Fakes, wait_for
from tests.e2e.handoff_stack import Stack, log_in, page_and_token
from tests.fakes.telegram_api import text_update

pytestmark = pytest.mark.e2e

_updates = iter(range(70_000, 80_000))


async def telegram(stack: Stack, chat: int, text: str) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
    async with aiohttp.ClientSession() as session:
        update = text_update(next(_updates), chat, text)
        async with session.post(stack.telegram_webhook, json=update, headers=headers) as response:
            assert response.status == 200


def texts(fakes: Fakes, chat: int) -> List[str]:
    return [m["text"] for m in fakes.telegram.sent(chat)]


def next_text(fakes: Fakes, chat: int, seen: int, timeout: float = 20.0) -> str:
    """The first message sent to the chat after the `seen` ones."""
    return str(wait_for(lambda: texts(fakes, chat)[seen:], timeout)[0])


async def queued(stack: Stack, fakes: Fakes, chat: int) -> None:
    """The citizen asks for a person and says yes: queued, told their place."""
    seen = len(texts(fakes, chat))
    await telegram(stack, chat, "cho tôi gặp người thật")
    assert next_text(fakes, chat, seen) == bot_msg.HANDOFF_OFFER
    await telegram(stack, chat, "có")
    told = next_text(fakes, chat, seen + 1)
    assert "vị trí số" in told and "ngay trong cuộc trò chuyện này" in told, told


async def items(session: aiohttp.ClientSession, stack: Stack) -> Dict[str, Any]:
    async with session.get(f"{stack.console}/queue/items", headers={"Accept": "application/json"}) as response:
        assert response.status == 200
        return dict(await response.json())


async def the_waiting(session: aiohttp.ClientSession, stack: Stack) -> Dict[str, Any]:
    """The one request in the queue (each test ends or cancels its own), polled until it is there."""
    for _ in range(100):
        waiting = (await items(session, stack))["waiting"]
        if waiting:
            assert len(waiting) == 1, waiting
            return dict(waiting[0])
        await asyncio.sleep(0.1)
    raise AssertionError("the request never reached the queue")


async def post(session: aiohttp.ClientSession, url: str, token: str, body: Dict[str, Any]) -> Any:
    headers = {"X-CSRF-Token": token, "Accept": "application/json"}
    async with session.post(url, json=body, headers=headers) as response:
        return response.status, await response.json()


async def test_a_citizen_reaches_a_helper_and_goes_back_to_the_assistant(handoff: Stack, fakes: Fakes) -> None:
    chat = 7001
    await telegram(handoff, chat, "làm căn cước cần giấy tờ gì")
    wait_for(lambda: texts(fakes, chat))
    await queued(handoff, fakes, chat)
    lan = await log_in(handoff.console, "lan")
    try:
        item = await the_waiting(lan, handoff)
        assert item["channel"] == "telegram" and item["position"] == 1

        # Written while waiting: the bot stays silent, the queue shows it with the number masked.
        seen = len(texts(fakes, chat))
        await telegram(handoff, chat, "số điện thoại của tôi là 0912345678")
        for _ in range(50):
            item = await the_waiting(lan, handoff)
            if any("0912" not in m["text"] and "78" in m["text"] for m in item["last"]):
                break
            await asyncio.sleep(0.1)
        assert [m for m in item["last"] if m["role"] == "citizen"][-1]["text"].endswith("78")
        assert all("0912345678" not in m["text"] for m in item["last"])

        _, token = await page_and_token(lan, f"{handoff.console}/queue")
        status, claimed = await post(lan, f"{handoff.console}/queue/{item['id']}/claim", token, {})
        assert status == 200 and claimed["ok"], claimed
        assert next_text(fakes, chat, seen) == console_msg.HANDOFF_CLAIMED
        assert texts(fakes, chat)[seen:] == [console_msg.HANDOFF_CLAIMED]  # nothing from the bot

        chat_page, token = await page_and_token(lan, f"{handoff.console}{claimed['chat']}")
        assert "0912345678" in chat_page  # the helper who has the chat sees it whole
        assert "làm căn cước cần giấy tờ gì" in chat_page  # and the conversation with the bot before

        # The citizen's message reaches the helper's screen (the chat's event stream) within a second.
        async with lan.get(f"{handoff.console}{claimed['chat']}/stream") as stream:
            assert stream.status == 200
            sent_at = time.monotonic()
            await telegram(handoff, chat, "em cần mang bản gốc không ạ")
            event = await asyncio.wait_for(_next_event(stream), 5)
            delay = time.monotonic() - sent_at
        assert event["type"] == "message" and event["message"]["text"] == "em cần mang bản gốc không ạ"
        assert delay < 1.0, delay

        seen = len(texts(fakes, chat))
        status, sent = await post(
            lan, f"{handoff.console}{claimed['chat']}/reply", token, {"text": "Bạn mang CCCD bản gốc nhé."}
        )
        assert status == 200 and sent["ok"], sent
        assert next_text(fakes, chat, seen) == "Bạn mang CCCD bản gốc nhé."

        status, ended = await post(lan, f"{handoff.console}{claimed['chat']}/end", token, {"outcome": "answered"})
        assert status == 200 and ended["ok"], ended
        assert next_text(fakes, chat, seen + 1) == console_msg.HANDOFF_ENDED
    finally:
        await lan.close()

    # The assistant answers again.
    seen = len(texts(fakes, chat))
    await telegram(handoff, chat, "làm giấy khai sinh cần giấy tờ gì")
    assert next_text(fakes, chat, seen).startswith("Giấy tờ cần chuẩn bị — Đăng ký khai sinh")


async def _next_event(stream: aiohttp.ClientResponse) -> Dict[str, Any]:
    async for raw in stream.content:
        line = raw.decode().strip()
        if line.startswith("data: "):
            return dict(json.loads(line[len("data: ") :]))
    raise AssertionError("the stream ended")


async def test_two_helpers_claim_at_once_and_one_gets_the_chat(handoff: Stack, fakes: Fakes) -> None:
    chat = 7002
    await queued(handoff, fakes, chat)
    lan, minh = await log_in(handoff.console, "lan"), await log_in(handoff.console, "minh")
    try:
        item = await the_waiting(lan, handoff)
        (_, lan_token), (_, minh_token) = await asyncio.gather(
            page_and_token(lan, f"{handoff.console}/queue"), page_and_token(minh, f"{handoff.console}/queue")
        )
        url = f"{handoff.console}/queue/{item['id']}/claim"
        results = await asyncio.gather(post(lan, url, lan_token, {}), post(minh, url, minh_token, {}))
        statuses = sorted(status for status, _ in results)
        assert statuses == [200, 409], results
        (_, won), (_, lost) = sorted(results, key=lambda r: r[0])
        winner = "lan" if results[0][0] == 200 else "minh"
        assert lost["error"] == console_msg.HANDOFF_TAKEN.format(helper=winner)
        # the loser cannot answer the chat
        loser, loser_token = (minh, minh_token) if winner == "lan" else (lan, lan_token)
        status, _ = await post(loser, f"{handoff.console}{won['chat']}/reply", loser_token, {"text": "chào"})
        assert status == 403
    finally:
        await lan.close()
        await minh.close()
    seen = len(texts(fakes, chat))
    await telegram(handoff, chat, "thôi")  # the citizen goes back to the assistant
    assert next_text(fakes, chat, seen) == console_msg.HANDOFF_BACK_TO_BOT


async def test_thoi_while_waiting_goes_back_to_the_assistant(handoff: Stack, fakes: Fakes) -> None:
    chat = 7003
    await queued(handoff, fakes, chat)
    seen = len(texts(fakes, chat))
    await telegram(handoff, chat, "Thôi ạ")
    assert next_text(fakes, chat, seen) == console_msg.HANDOFF_BACK_TO_BOT
    await telegram(handoff, chat, "đăng ký tạm trú ở đâu")
    assert "tạm trú" in next_text(fakes, chat, seen + 1).lower()
    lan = await log_in(handoff.console, "lan")
    try:
        assert (await items(lan, handoff))["waiting"] == []
    finally:
        await lan.close()


async def test_the_internal_api_and_rasas_api_refuse_strangers(handoff: Stack) -> None:
    body = {"conversation_id": "tg:1", "channel": "telegram", "messages": []}
    async with aiohttp.ClientSession() as session:
        for headers in ({}, {"Authorization": "Bearer wrong"}):
            async with session.post(f"{handoff.console}/internal/handoffs", json=body, headers=headers) as r:
                assert r.status == 401
        async with session.get(f"{handoff.rasa}/conversations/tg:7001/tracker") as r:
            assert r.status == 401  # Rasa's API: no JWT, nothing
        forged = jwt.encode(
            {"user": {"username": "x", "role": "admin"}},
            "not-the-secret-but-as-long-as-one-0123456789",
            algorithm="HS256",
        )
        headers = {"Authorization": f"Bearer {forged}"}
        async with session.get(f"{handoff.rasa}/conversations/tg:7001/tracker", headers=headers) as r:
            assert r.status == 401
        async with session.get(f"{handoff.console}/queue/items", headers={"Accept": "application/json"}) as r:
            assert r.status == 401  # the console: no login, no queue
