"""The REST channel as an attacker meets it: it cannot reach a Telegram or Zalo citizen's
conversation nor share a `default` one; it is internal (a request through a proxy is refused),
and malformed, nested, empty or very long bodies get a clear answer while the server goes on."""

from __future__ import annotations

import json
import time
from typing import Any, Dict, Optional, Tuple

import aiohttp
import pytest

from connectors import messages as channel_msg
from tests.e2e.conftest import Fakes, say, wait_for
from tests.e2e.test_channels import telegram
from tests.fakes.telegram_api import text_update

pytestmark = pytest.mark.e2e


async def post(webhook: str, body: bytes, headers: Optional[Dict[str, str]] = None) -> Tuple[int, Any]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        async with session.post(
            webhook, data=body, headers={"Content-Type": "application/json", **(headers or {})}
        ) as r:
            return r.status, await r.json(content_type=None)


async def test_a_rest_caller_cannot_act_in_a_telegram_citizens_conversation(webhook: str, fakes: Fakes) -> None:
    chat = 7301
    assert await telegram(webhook, text_update(7301, chat, "đăng ký tạm trú cần giấy tờ gì")) == 200
    wait_for(lambda: fakes.telegram.sent(chat))
    for forged in (f"tg:{chat}", f"zalo:{chat}", "x:next", "tg:7301:owners"):
        status, answer = await post(webhook, json.dumps({"sender": forged, "message": "thế còn khai sinh?"}).encode())
        assert status == 400 and "sender" in answer["error"]
    assert await telegram(webhook, text_update(7302, chat, "còn lệ phí?")) == 200
    fee = wait_for(lambda: fakes.telegram.sent(chat)[1:])
    assert fee[0]["text"].startswith("Lệ phí — Đăng ký tạm trú")  # the citizen's context is untouched


@pytest.mark.parametrize(
    "body",
    [
        b'{"message": "xin chao"}',  # no sender: not a shared "default" conversation
        b'{"sender": "", "message": "xin chao"}',
        b'{"sender": "a", "message": 5}',
        b'["sender", "message"]',
        b"not json",
        b"[" * 100_000 + b"]" * 100_000,  # nested past any parser's recursion limit
        b'{"sender": "' + b"a" * 200 + b'", "message": "x"}',
    ],
)
async def test_malformed_bodies_get_400_and_the_server_keeps_serving(webhook: str, body: bytes) -> None:
    status, answer = await post(webhook, body)
    assert status == 400 and answer["error"]
    [reply] = await say(webhook, "after-bad-body", "đăng ký thường trú mất bao lâu")
    assert "7 ngày làm việc" in reply["text"]


@pytest.mark.parametrize("header", ["X-Forwarded-For", "X-Real-IP", "Forwarded"])
async def test_a_request_through_a_proxy_is_refused(webhook: str, header: str) -> None:
    status, answer = await post(webhook, b'{"sender": "web-1", "message": "xin chao"}', {header: "203.0.113.9"})
    assert status == 403 and answer == {"error": "the REST channel is internal"}


async def test_a_100_kb_message_is_answered_at_once_with_a_note(webhook: str) -> None:
    for text in ("x còn " * 17_000, "a" * 100_000):
        started = time.monotonic()
        [reply] = await say(webhook, "long-message", text)
        assert time.monotonic() - started < 1.0
        assert reply["text"].startswith("Tin nhắn dài quá 2.000 ký tự")
    [empty] = await say(webhook, "long-message", "  ")
    assert empty["text"] == channel_msg.EMPTY_MESSAGE
    [reply] = await say(webhook, "long-message", "x " * 990 + "lệ phí khai sinh")  # 2,000 is still read
    assert not reply["text"].startswith("Tin nhắn dài quá")


async def test_rotating_senders_cannot_guess_the_owner_digits(webhook: str) -> None:
    code = "000.00.53.H48-261101-0006"  # phone ends 3406
    checked = 0
    for i in range(12):
        await say(webhook, f"guesser-{i}", code)
        [reply] = await say(webhook, f"guesser-{i}", f"{1000 + i}")
        checked += reply["text"].startswith("4 số cuối chưa khớp")
    assert checked == 5  # then the details are locked, whoever asks
    await say(webhook, "owner-0006", code)
    [reply] = await say(webhook, "owner-0006", "3406")
    assert reply["text"].startswith("Hồ sơ này đã bị nhập sai 4 số cuối điện thoại quá nhiều lần")
