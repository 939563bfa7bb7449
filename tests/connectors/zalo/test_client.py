"""The Zalo client: sending with token refresh (once, across replicas), long texts and buttons, apologies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Awaitable, Callable

import pytest
from aiohttp.test_utils import TestServer

from connectors.zalo.client import ZaloClient
from connectors.zalo.output import ZaloOutput
from connectors.zalo.tokens import Tokens, TokenStore
from tests.fakes.zalo_api import FakeZalo, text_event

Server = Callable[..., Awaitable[TestServer]]
OA_KEY = "oa-secret"


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
