"""The Zalo webhook route on a real Sanic server (as Rasa mounts it): the signature is checked on
the raw body before anything parses it, bodies are capped, and no body gets a 500."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, AsyncIterator, Awaitable, Callable, Dict, List, Optional, Tuple

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from bot.launcher import free_port
from connectors.shared import drain
from connectors.text import MAX_MESSAGE_CHARS, too_long_note
from connectors.zalo.channel import MAX_BODY_BYTES, ZaloInput
from connectors.zalo.client import ZaloClient
from connectors.zalo.tokens import Tokens, TokenStore
from tests.fakes.zalo_api import FakeZalo, now_ms, signed, signed_headers, text_event

Server = Callable[..., Awaitable[TestServer]]
APP = "app-1"
OA_KEY = "oa-secret"
REPLY = "Dạ, mình đã nhận câu hỏi."


@dataclass
class Webhook:
    url: str
    zalo: FakeZalo
    received: List[UserMessage] = field(default_factory=list)

    async def post(self, raw: Any, headers: Optional[Dict[str, str]] = None) -> Tuple[int, Dict[str, Any]]:
        async with aiohttp.ClientSession() as session:
            async with session.post(self.url, data=raw, headers=headers or {}) as response:
                text = await response.text()
                try:
                    body = json.loads(text)
                except ValueError:
                    body = {"not json": text[:200]}
                return response.status, body

    async def post_signed(self, raw: bytes, timestamp: Optional[str] = None) -> Tuple[int, Dict[str, Any]]:
        return await self.post(raw, signed_headers(raw, APP, timestamp or now_ms(), OA_KEY))


@pytest.fixture
async def webhook(aiohttp_server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Webhook]:
    monkeypatch.delenv("REDIS_URL", raising=False)  # in-memory deduplication
    zalo = FakeZalo(APP, "app-secret", "access-0", "refresh-0")
    api = await aiohttp_server(zalo.app())
    api_url = str(api.make_url("")).rstrip("/")
    store = TokenStore(tmp_path / "tokens.json", initial=Tokens("access-0", "refresh-0"))
    client = ZaloClient(APP, "app-secret", store, api_base_url=api_url, oauth_base_url=api_url)
    channel = ZaloInput(APP, OA_KEY, client)
    port = free_port()
    hook = Webhook(f"http://127.0.0.1:{port}/webhooks/zalo/webhook", zalo)

    async def on_new_message(message: UserMessage) -> None:  # the assistant, answering at once
        hook.received.append(message)
        await message.output_channel.send_text_message(message.sender_id, REPLY)

    Sanic.test_mode = True
    app = Sanic(f"zalo-webhook-{uuid.uuid4().hex}")
    app.blueprint(channel.blueprint(on_new_message), url_prefix="/webhooks/zalo")  # as Rasa registers it
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
    assert server is not None
    await server.startup()
    await server.before_start()
    await server.after_start()
    try:
        yield hook
    finally:
        await drain(timeout=5)
        await server.before_stop()
        server.close()
        await server.wait_closed()
        await server.after_stop()
        await client.session().close()


def nested(depth: int, timestamp: str) -> bytes:
    """An object with a well-formed head and a list nested `depth` deep."""
    return b'{"app_id": "app-1", "timestamp": "%s", "x": ' % timestamp.encode() + b"[" * depth + b"]" * depth + b"}"


async def test_a_signed_event_is_acknowledged_and_answered(webhook: Webhook) -> None:
    raw, headers = signed(text_event(APP, "u1", "làm khai sinh cần gì", "m1"), OA_KEY)
    assert await webhook.post(raw, headers) == (200, {"status": "ok"})
    assert await webhook.post(raw, headers) == (200, {"status": "duplicate"})
    await drain(timeout=5)
    assert [m.text for m in webhook.received] == ["làm khai sinh cần gì"]
    assert webhook.zalo.sent_to("u1") == [{"text": REPLY}]


async def test_the_signature_is_checked_before_the_body_is_parsed(webhook: Webhook) -> None:
    for body in (b"[" * 60_000, b"not json", b"[]", nested(30_000, now_ms())):
        assert (await webhook.post(body))[0] == 401  # no signature: refused, whatever the body
        status, answer = await webhook.post(body, {"X-ZEvent-Signature": "mac=" + "0" * 64})
        assert (status, answer) == (403, {"error": "signature bad"})
    raw, headers = signed(text_event(APP, "u1", "xin chào", "m2"), "not-the-key")
    assert (await webhook.post(raw, headers))[0] == 403
    event = text_event(APP, "u1", "xin chào", "m3")
    event["timestamp"] = str(int(time.time() * 1000) - 3600_000)  # an hour old: a replay
    raw, headers = signed(event, OA_KEY)
    assert await webhook.post(raw, headers) == (403, {"error": "signature stale"})
    await drain(timeout=5)
    assert webhook.received == [] and webhook.zalo.messages == []


async def test_signed_bodies_that_are_not_an_event_get_400_never_500(webhook: Webhook) -> None:
    ts = now_ms()
    for body in (
        nested(30_000, ts),  # deeper than any parser's recursion, under the cap
        b'[{"app_id": "app-1", "timestamp": "%s"}]' % ts.encode(),  # not an object
        b'{"app_id": "app-1", "timestamp": "%s", ' % ts.encode(),  # cut short
        b'{"app_id": "app-1", "timestamp": "%s", "x": "\xff\xfe"}' % ts.encode(),  # not UTF-8
    ):
        status, answer = await webhook.post_signed(body, ts)
        assert (status, answer) == (400, {"error": "malformed event"}), body[:80]
    await drain(timeout=5)
    assert webhook.received == []


async def test_a_signed_event_of_an_odd_shape_is_acknowledged_and_ignored(webhook: Webhook) -> None:
    odd_parts: List[Dict[str, Any]] = [{"message": "text", "sender": []}, {"message": {"msg_id": ["m"]}, "follower": 7}]
    for i, odd in enumerate(odd_parts):
        ts = str(int(now_ms()) + i)
        event = {"app_id": APP, "timestamp": ts, "event_name": "user_send_text", **odd}
        raw = json.dumps(event).encode()
        assert await webhook.post_signed(raw, ts) == (200, {"status": "ok"})
    await drain(timeout=5)
    assert webhook.received == [] and webhook.zalo.messages == []


async def test_a_body_over_the_cap_gets_413(webhook: Webhook) -> None:
    ts = now_ms()
    big = nested(100_000, ts)
    assert len(big) > MAX_BODY_BYTES
    assert (await webhook.post_signed(big, ts))[0] == 413  # declared length over the cap

    async def chunks() -> AsyncIterator[bytes]:  # no length declared: counted while read
        for start in range(0, len(big), 8192):
            yield big[start : start + 8192]

    assert (await webhook.post(chunks(), signed_headers(big, APP, ts, OA_KEY)))[0] == 413
    assert (await webhook.post(b"[" * 100_000))[0] in (401, 413)  # unsigned: refused either way
    await drain(timeout=5)
    assert webhook.received == []


async def test_a_message_over_the_length_cap_gets_the_note_not_the_assistant(webhook: Webhook) -> None:
    longest = "ạ" * MAX_MESSAGE_CHARS
    for i, text in enumerate((longest + "b", "x " * 10_000, longest)):
        raw, headers = signed(text_event(APP, f"u{i}", text, f"long-{i}"), OA_KEY)
        assert await webhook.post(raw, headers) == (200, {"status": "ok"})
    await drain(timeout=5)
    assert webhook.zalo.sent_to("u0") == [{"text": too_long_note()}]
    assert webhook.zalo.sent_to("u1") == [{"text": too_long_note()}]
    assert [m.text for m in webhook.received] == [longest]  # at the cap it is still read
    assert webhook.zalo.sent_to("u2") == [{"text": REPLY}]
