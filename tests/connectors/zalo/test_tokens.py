"""Zalo token refresh when Redis fails just after Zalo has spent the old refresh token: the new
pair is never lost (file, memory, then Redis again), no Redis error escapes a send, and the spent
refresh token is never sent again. On a real redis-server of the test's own, stopped or frozen
(SIGSTOP) from inside the fake OAuth endpoint."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, AsyncIterator, Awaitable, Callable, Dict, Iterator, List, Optional

import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestServer

from bot.launcher import free_port
from connectors.shared import REPLY_DEADLINE
from connectors.zalo.client import ZaloClient
from connectors.zalo.tokens import RedisTokenStore, Tokens, TokenStore
from tests.fakes.zalo_api import FakeZalo
from tests.redis_server import start_redis_server

Server = Callable[..., Awaitable[TestServer]]
FIRST = Tokens("access-0", "refresh-0")
Replica = Callable[[Any], ZaloClient]


@dataclass
class OwnRedis:
    """A redis-server of this test's own that keeps its data on disk across a stop and a start."""

    port: int
    directory: Path
    process: Optional[subprocess.Popen] = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        options = ("--save", "", "--appendonly", "yes", "--appendfsync", "always", "--dir", str(self.directory))
        self.process = start_redis_server(self.port, *options)

    def stop(self) -> None:
        assert self.process is not None
        self.thaw()
        self.process.terminate()
        self.process.wait(timeout=10)

    def freeze(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGCONT)


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    (tmp_path / "redis").mkdir()
    server = OwnRedis(free_port(), tmp_path / "redis")
    server.start()
    try:
        yield server
    finally:
        if server.process is not None and server.process.poll() is None:
            server.stop()


@pytest.fixture
def fake() -> FakeZalo:
    return FakeZalo("app-1", "app-secret", FIRST.access_token, FIRST.refresh_token)


@pytest.fixture
async def replica(fake: FakeZalo, aiohttp_server: Server) -> AsyncIterator[Replica]:
    """A Zalo client (a Rasa replica's) on the fake API with the given token store."""
    server = await aiohttp_server(fake.app())
    url = str(server.make_url("")).rstrip("/")
    clients: List[ZaloClient] = []

    def make(store: Any) -> ZaloClient:
        clients.append(ZaloClient("app-1", "app-secret", store, api_base_url=url, oauth_base_url=url))
        return clients[-1]

    yield make
    for client in clients:
        await client.session().close()


@pytest.fixture
async def redis_client(own_redis: OwnRedis) -> AsyncIterator[Callable[[], Any]]:
    """Clients of the test's Redis (each a replica's), their connections closed after the test."""
    clients: List[Any] = []

    def make() -> Any:
        # the channels' client times out after 1 s (connectors.shared); shorter here to keep tests quick
        clients.append(aioredis.from_url(own_redis.url, socket_timeout=0.3, socket_connect_timeout=0.3))
        return clients[-1]

    yield make
    own_redis.thaw()
    for client in clients:
        await client.close(close_connection_pool=True)  # redis 4.6 keeps a from_url pool open otherwise


def read_file(path: Path) -> Dict[str, Any]:
    data: Dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


async def test_a_pair_redis_could_not_store_is_kept_in_the_file_used_and_pushed_back(
    own_redis: OwnRedis, fake: FakeZalo, replica: Replica, redis_client: Callable[[], Any], tmp_path: Path
) -> None:
    token_file = tmp_path / "var" / "zalo_tokens.json"
    red = redis_client()
    client = replica(RedisTokenStore(red, FIRST, fallback=token_file, lock_seconds=1))
    assert await client.send("u1", {"text": "chào"})  # the first pair, from the variables, in Redis
    fake.access_token = "nobody-has-this"  # it expires
    fake.on_refresh = own_redis.stop  # Redis goes away once Zalo has spent refresh-0

    assert await client.send("u2", {"text": "sau khi làm mới"})  # sent with the new pair it holds
    new = Tokens(fake.access_token, fake.refresh_token)
    assert fake.sent_to("u2") == [{"text": "sau khi làm mới"}]
    assert read_file(token_file) == {
        "access_token": new.access_token,
        "refresh_token": new.refresh_token,
        "sequence": 1,
    }
    assert token_file.stat().st_mode & 0o777 == 0o600

    fake.on_refresh = None
    own_redis.start()  # Redis is back, with the pair it had stored: the spent one
    assert json.loads(await red.get("motcua:zalo:tokens"))["refresh_token"] == FIRST.refresh_token
    refused = len(fake.refused)
    assert await client.send("u3", {"text": "tiếp"})
    assert len(fake.refused) == refused  # the new access token was used at once, no -216
    stored = json.loads(await red.get("motcua:zalo:tokens"))
    assert (stored["refresh_token"], stored["sequence"]) == (new.refresh_token, 1)  # pushed back
    other = RedisTokenStore(redis_client(), FIRST, lock_seconds=1)  # another replica, no file
    # (the lock the first took before Redis stopped was kept on disk: it expires after lock_seconds)
    assert await other.current() == new

    fake.access_token = "nobody-has-this-either"  # the next expiry: refreshed with the new token
    assert await replica(other).send("u4", {"text": "lần sau"})
    assert fake.refresh_tokens_received == [FIRST.refresh_token, new.refresh_token]  # refresh-0 spent once


async def test_a_redis_that_hangs_during_the_refresh_does_not_fail_the_send(
    own_redis: OwnRedis, fake: FakeZalo, replica: Replica, redis_client: Callable[[], Any]
) -> None:
    red = redis_client()
    client = replica(RedisTokenStore(red, FIRST))
    assert await client.send("u1", {"text": "chào"})
    fake.access_token = "nobody-has-this"
    fake.on_refresh = own_redis.freeze  # Redis stops answering once Zalo has spent refresh-0
    try:
        started = time.monotonic()
        assert await client.send("u2", {"text": "x"})  # no redis TimeoutError out of the send
        assert time.monotonic() - started < REPLY_DEADLINE  # the citizen's answer is not given up
    finally:
        own_redis.thaw()
    new = Tokens(fake.access_token, fake.refresh_token)
    assert fake.sent_to("u2") == [{"text": "x"}]
    assert await client.send("u3", {"text": "y"})  # the new pair, from memory or from Redis
    assert await RedisTokenStore(redis_client()).current() == new
    assert fake.refresh_tokens_received == [FIRST.refresh_token]


async def test_an_empty_redis_starts_from_the_token_file_not_the_variables(
    own_redis: OwnRedis, fake: FakeZalo, replica: Replica, redis_client: Callable[[], Any], tmp_path: Path
) -> None:
    token_file = tmp_path / "zalo_tokens.json"
    fake.access_token, fake.refresh_token = "access-7", "refresh-7"  # refreshed before, on this disk
    TokenStore(token_file).save(Tokens("access-7", "refresh-7"))
    client = replica(RedisTokenStore(redis_client(), FIRST, fallback=token_file))
    assert await client.send("u1", {"text": "chào"})
    assert fake.refused == [] and fake.refresh_tokens_received == []
    assert await RedisTokenStore(redis_client(), FIRST).current() == Tokens("access-7", "refresh-7")


async def test_the_file_store_keeps_a_new_pair_it_could_not_write(
    fake: FakeZalo, replica: Replica, tmp_path: Path
) -> None:
    (tmp_path / "var").write_text("a file where the directory should be")
    client = replica(TokenStore(tmp_path / "var" / "zalo_tokens.json", FIRST))
    fake.access_token = "nobody-has-this"
    assert await client.send("u1", {"text": "x"})  # the disk refused the pair; memory keeps it
    assert await client.send("u2", {"text": "y"})
    assert fake.refresh_tokens_received == [FIRST.refresh_token]


def test_with_redis_the_channel_also_keeps_the_pair_in_the_token_file(
    own_redis: OwnRedis, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from connectors import shared
    from connectors.zalo.channel import ZaloInput

    monkeypatch.setattr(shared, "_redis", None)  # a client for this test's Redis
    monkeypatch.setenv("REDIS_URL", own_redis.url)
    monkeypatch.setenv("ZALO_TOKEN_FILE", str(tmp_path / "tokens.json"))
    credentials = {
        "app_id": "app-1",
        "app_secret": "s",
        "oa_secret_key": "k",
        "access_token": "a",
        "refresh_token": "r",
    }
    channel = ZaloInput.from_credentials(credentials)
    assert isinstance(channel, ZaloInput)
    store = channel.client.tokens
    assert isinstance(store, RedisTokenStore) and store.fallback == tmp_path / "tokens.json"


def test_token_store_starts_from_the_environment_and_replaces_atomically(tmp_path: Path) -> None:
    path = tmp_path / "var" / "zalo_tokens.json"
    store = TokenStore(path, initial=Tokens("a1", "r1"))
    assert store.load() == Tokens("a1", "r1")
    store.save(Tokens("a2", "r2"))
    assert json.loads(path.read_text()) == {"access_token": "a2", "refresh_token": "r2"}
    assert path.stat().st_mode & 0o777 == 0o600
    assert TokenStore(path, initial=Tokens("a1", "r1")).load() == Tokens("a2", "r2")  # after a restart
    assert [p.name for p in path.parent.iterdir()] == ["zalo_tokens.json"]  # no temporary left
