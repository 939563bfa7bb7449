"""The web chat through the real servers: sessions the server signs, conversations a caller
cannot name, and limits on new sessions and on messages."""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

import aiohttp
import pytest

pytestmark = pytest.mark.e2e


def web_url(webhook: str, path: str) -> str:
    return webhook.replace("/webhooks/rest/webhook", f"/webhooks/web/{path}")


async def call(url: str, body: Optional[Dict[str, Any]] = None, address: str = "198.51.100.1") -> Tuple[int, Any]:
    """POST as a browser behind the reverse proxy on this machine (which sets X-Real-IP)."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        async with session.post(url, json=body or {}, headers={"X-Real-IP": address}) as response:
            return response.status, await response.json(content_type=None)


async def new_session(webhook: str, address: str = "198.51.100.1") -> str:
    status, answer = await call(web_url(webhook, "session"), address=address)
    assert status == 200 and answer["expires_in"] == 86_400
    return str(answer["session"])


async def send(webhook: str, session: str, message: str) -> Tuple[int, Any]:
    return await call(web_url(webhook, "webhook"), {"session": session, "message": message})


async def test_a_web_chat_keeps_its_conversation_and_no_other(webhook: str) -> None:
    mine, other = await new_session(webhook), await new_session(webhook)
    status, [reply] = await send(webhook, mine, "làm giấy khai sinh cần giấy tờ gì")
    assert status == 200 and reply["text"].startswith("Giấy tờ cần chuẩn bị — Đăng ký khai sinh")
    assert reply["recipient_id"].startswith("web:")
    _, [fee] = await send(webhook, mine, "còn lệ phí?")
    assert fee["text"].startswith("Lệ phí — Đăng ký khai sinh")
    _, [asked] = await send(webhook, other, "còn lệ phí?")
    assert asked["text"].startswith("Bạn muốn hỏi lệ phí của thủ tục nào?")  # a new page, a new conversation


async def test_forged_or_missing_sessions_get_401(webhook: str) -> None:
    real = await new_session(webhook)
    ident, expiry, signature = real.split(".")
    for forged in (None, "", "tg:5001", f"{'0' * 32}.{expiry}.{signature}", f"{ident}.{int(expiry) + 999}.{signature}"):
        status, answer = await send(webhook, forged, "xin chào")  # type: ignore[arg-type]
        assert status == 401 and "session" in answer["error"]
    status, _ = await call(web_url(webhook, "webhook"), {"sender": "tg:5001", "message": "xin chào"})
    assert status == 401  # naming a conversation is not a session


async def test_new_sessions_are_limited_per_address(webhook: str) -> None:
    statuses = [(await call(web_url(webhook, "session"), address="198.51.100.77"))[0] for _ in range(11)]
    assert statuses == [200] * 10 + [429]
    status, answer = await call(web_url(webhook, "session"), address="198.51.100.77")
    assert status == 429 and answer["text"].startswith("Bạn nhắn nhanh quá")
    assert (await call(web_url(webhook, "session"), address="198.51.100.78"))[0] == 200  # others are not


async def test_messages_are_limited_per_session(webhook: str) -> None:
    session = await new_session(webhook, address="198.51.100.90")
    statuses = [(await send(webhook, session, "xin chào"))[0] for _ in range(21)]
    assert statuses == [200] * 20 + [429]
    other = await new_session(webhook, address="198.51.100.91")
    assert (await send(webhook, other, "xin chào"))[0] == 200


async def test_long_empty_and_malformed_messages(webhook: str) -> None:
    session = await new_session(webhook, address="198.51.100.92")
    _, [long] = await send(webhook, session, "còn " * 1_000)
    assert long["text"].startswith("Tin nhắn dài quá 2.000 ký tự")
    status, huge = await send(webhook, session, "còn " * 30_000)  # past the body cap: refused unread
    assert status == 413 and huge["text"].startswith("Tin nhắn dài quá 2.000 ký tự")
    _, [empty] = await send(webhook, session, " ")
    assert empty["text"].startswith("Mình chưa nhận được nội dung")
    status, _ = await call(web_url(webhook, "webhook"), {"session": session, "message": 5})
    assert status == 400
