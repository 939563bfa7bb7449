"""Zalo pieces: signatures, the token store, sending with refresh, buttons."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Awaitable, Callable

import pytest
from aiohttp.test_utils import TestServer

from connectors.zalo import signature
from connectors.zalo.client import ZaloClient
from connectors.zalo.output import ZaloOutput
from connectors.zalo.tokens import Tokens, TokenStore
from tests.fakes.zalo_api import FakeZalo, signed, signed_headers, text_event

Server = Callable[..., Awaitable[TestServer]]
OA_KEY = "oa-secret"


def test_a_good_signature_passes() -> None:
    event = text_event("app-1", "u1", "xin chào", "m1")
    raw, headers = signed(event, OA_KEY)
    assert signature.verify(headers["X-ZEvent-Signature"], raw, "app-1", OA_KEY) is signature.Verdict.OK


def test_bad_missing_and_stale_signatures_are_refused() -> None:
    event = text_event("app-1", "u1", "xin chào", "m1")
    raw, headers = signed(event, OA_KEY)
    assert signature.verify(None, raw, "app-1", OA_KEY) is signature.Verdict.MISSING
    assert signature.verify(headers["X-ZEvent-Signature"], raw + b" ", "app-1", OA_KEY) is signature.Verdict.BAD
    assert signature.verify(headers["X-ZEvent-Signature"], raw, "app-1", "other-key") is signature.Verdict.BAD
    later = int(event["timestamp"]) / 1000 + 3600
    verdict = signature.verify(headers["X-ZEvent-Signature"], raw, "app-1", OA_KEY, now=lambda: later)
    assert verdict is signature.Verdict.STALE


def test_token_store_starts_from_the_environment_and_replaces_atomically(tmp_path: Path) -> None:
    path = tmp_path / "var" / "zalo_tokens.json"
    store = TokenStore(path, initial=Tokens("a1", "r1"))
    assert store.load() == Tokens("a1", "r1")
    store.save(Tokens("a2", "r2"))
    assert json.loads(path.read_text()) == {"access_token": "a2", "refresh_token": "r2"}
    assert path.stat().st_mode & 0o777 == 0o600
    assert TokenStore(path, initial=Tokens("a1", "r1")).load() == Tokens("a2", "r2")  # after a restart
    assert [p.name for p in path.parent.iterdir()] == ["zalo_tokens.json"]  # no temporary left


@pytest.fixture
def fake() -> FakeZalo:
    return FakeZalo("app-1", "app-secret", "access-0", "refresh-0")


async def client_for(fake: FakeZalo, aiohttp_server: Server, tmp_path: Path) -> ZaloClient:
    server = await aiohttp_server(fake.app())
    url = str(server.make_url("")).rstrip("/")
    store = TokenStore(tmp_path / "tokens.json", initial=Tokens("access-0", "refresh-0"))
    return ZaloClient("app-1", "app-secret", store, api_base_url=url, oauth_base_url=url)


async def test_expired_token_is_refreshed_stored_then_the_message_sent(
    fake: FakeZalo, aiohttp_server: Server, tmp_path: Path
) -> None:
    client = await client_for(fake, aiohttp_server, tmp_path)
    fake.expire_access_token()
    fake.access_token = "nobody-has-this"  # the client's token is no longer valid
    assert await client.send("u1", {"text": "xin chào"})
    assert fake.refreshes == 1
    assert fake.sent_to("u1") == [{"text": "xin chào"}]
    stored = json.loads((tmp_path / "tokens.json").read_text())
    assert stored == {"access_token": fake.access_token, "refresh_token": fake.refresh_token}
    await client.session().close()


async def test_concurrent_expiries_refresh_once(fake: FakeZalo, aiohttp_server: Server, tmp_path: Path) -> None:
    import asyncio

    client = await client_for(fake, aiohttp_server, tmp_path)
    fake.access_token = "nobody-has-this"
    results = await asyncio.gather(*(client.send(f"u{i}", {"text": "x"}) for i in range(5)))
    assert all(results) and fake.refreshes == 1  # single-use refresh token spent once
    await client.session().close()


async def test_silent_user_is_not_retried(fake: FakeZalo, aiohttp_server: Server, tmp_path: Path) -> None:
    client = await client_for(fake, aiohttp_server, tmp_path)
    fake.silent_users.add("u9")
    assert not await client.send("u9", {"text": "x"})
    assert len(fake.refused) == 1 and fake.refused[0]["error"] == -230
    await client.session().close()


async def test_long_text_split_at_2000_and_buttons_as_template(
    fake: FakeZalo, aiohttp_server: Server, tmp_path: Path
) -> None:
    client = await client_for(fake, aiohttp_server, tmp_path)
    output = ZaloOutput(client)
    text = "\n\n".join(f"Mục {i}: " + "giấy tờ tùy thân " * 15 for i in range(15))
    await output.send_text_message("zalo:u1", text)
    parts = fake.sent_to("u1")
    assert len(parts) > 1 and all(len(p["text"]) <= 2000 for p in parts)
    buttons = [{"title": "Đăng ký khai sinh " * 10, "payload": '/ask_fee{"procedure": "khai-sinh"}'}]
    await output.send_text_with_buttons("zalo:u2", "Bạn muốn hỏi thủ tục nào?", buttons)
    [message] = fake.sent_to("u2")
    [button] = message["attachment"]["payload"]["buttons"]
    assert message["attachment"]["type"] == "template"
    assert button["type"] == "oa.query.hide" and button["payload"] == '/ask_fee{"procedure": "khai-sinh"}'
    assert len(button["title"]) == 100
    await client.session().close()


async def test_a_failure_while_answering_sends_an_apology(
    fake: FakeZalo, aiohttp_server: Server, tmp_path: Path
) -> None:
    from connectors.zalo.channel import ZaloInput

    client = await client_for(fake, aiohttp_server, tmp_path)
    channel = ZaloInput("app-1", OA_KEY, client)

    async def broken(message: object) -> None:
        raise RuntimeError("the tracker store is away")

    await channel._handle(text_event("app-1", "u7", "làm khai sinh cần gì", "m7"), broken)
    [apology] = fake.sent_to("u7")
    assert (
        apology["text"].startswith("Xin lỗi, hệ thống tạm thời gián đoạn, vui lòng thử lại")
        and "1800 1096" in apology["text"]
    )
    await client.session().close()


async def test_replicas_on_redis_spend_the_refresh_token_once(fake: FakeZalo, aiohttp_server: Server) -> None:
    import asyncio
    import uuid

    import redis.asyncio as aioredis

    from connectors.zalo.tokens import RedisTokenStore

    server = await aiohttp_server(fake.app())
    url = str(server.make_url("")).rstrip("/")
    redis = aioredis.from_url("redis://127.0.0.1:6379/15")
    prefix = f"test-zalo-{uuid.uuid4().hex}:"
    replicas = [
        ZaloClient(
            "app-1", "app-secret", RedisTokenStore(redis, Tokens("access-0", "refresh-0"), prefix=prefix),
            api_base_url=url, oauth_base_url=url,
        )
        for _ in range(2)
    ]  # fmt: skip
    assert await replicas[0].send("u1", {"text": "chào"})  # the first pair comes from the environment
    fake.access_token = "nobody-has-this"  # it expires for everyone
    results = await asyncio.gather(*(replicas[i % 2].send(f"u{i}", {"text": "x"}) for i in range(6)))
    assert all(results)
    assert fake.refreshes == 1  # one replica refreshed; the other used the pair it stored
    stored = await RedisTokenStore(redis, prefix=prefix).current()
    assert stored == Tokens(fake.access_token, fake.refresh_token)
    for client in replicas:
        await client.session().close()
    await redis.delete(f"{prefix}tokens", f"{prefix}refreshing")
    await redis.close(close_connection_pool=True)  # redis 4.6 keeps a from_url pool open otherwise


def test_the_signature_is_checked_on_the_raw_body_with_the_configured_app_id() -> None:
    ts = str(int(time.time() * 1000))
    raw = b'{"app_id":"app-1","message":{"timestamp":"1"},"timestamp":%s}' % ts.encode()  # a number, nested first
    header = signed_headers(raw, "app-1", ts, OA_KEY)["X-ZEvent-Signature"]
    assert signature.timestamps(raw) == ["1", ts]
    assert signature.verify(header, raw, "app-1", OA_KEY) is signature.Verdict.OK
    assert signature.verify(header, raw, "app-2", OA_KEY) is signature.Verdict.BAD  # another app's channel
    moved = raw.replace(ts.encode(), str(int(ts) + 1).encode())
    assert signature.verify(header, moved, "app-1", OA_KEY) is signature.Verdict.BAD  # the mac binds the time
    assert signature.verify(header, b"[" * 60_000, "app-1", OA_KEY) is signature.Verdict.BAD  # no timestamp
    assert signature.timestamps(b'"timestamp":"12345678901234567"') == []  # 17 digits: none


def test_finding_the_timestamp_stays_linear_on_hostile_bodies() -> None:
    bodies = [
        b'"timestamp"' + b" " * 65_000,
        b'"timestamp":' * 5_000,
        b'"timestamp": "' + b"9" * 65_000,
        b'{"timestamp"' * 5_000 + b':"1"}',
    ]
    for raw in bodies:
        started = time.perf_counter()
        signature.verify("mac=" + "0" * 64, raw, "app-1", OA_KEY)
        assert time.perf_counter() - started < 0.05
