"""What the handoff tests share: a clock the test moves, and stores on every backend — memory, the
machine's real Redis (db 15, a key prefix of the test's own, removed afterwards) and SQL on SQLite
and PostgreSQL (the `db_url` fixture, migrated by `console.migrate.upgrade`)."""

from __future__ import annotations

import uuid
from typing import AsyncIterator, Iterator, List

import pytest
import redis

from connectors.redis_clients import async_client
from console.db import make_engine
from console.handoff.memory import MemoryHandoffStore
from console.handoff.redis_store import RedisHandoffStore
from console.handoff.sql import SqlHandoffStore
from console.handoff.store import HandoffStore
from console.migrate import upgrade
from tests.console.handoff.backends import REDIS_URL, Clock, StoreMaker


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test's own on the real Redis; its keys are deleted afterwards."""
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        client.close()
        pytest.fail(f"these tests need the machine's Redis at {REDIS_URL} (.ci/run starts it): {exc}")
    prefix = f"motcua:handoff:test-{uuid.uuid4().hex[:12]}:"
    try:
        yield prefix
    finally:
        keys = list(client.scan_iter(match=prefix + "*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()


async def _closing(stores: List[HandoffStore]) -> None:
    for store in stores:
        await store.close()


@pytest.fixture
async def memory_stores(clock: Clock) -> AsyncIterator[StoreMaker]:
    """The one memory store, whatever a test asks for (a second process cannot share memory)."""
    store = MemoryHandoffStore(clock=clock)
    yield lambda: store
    await store.close()


@pytest.fixture
async def redis_stores(clock: Clock, redis_prefix: str) -> AsyncIterator[StoreMaker]:
    """Each call: another store, with a client (and connections) of its own, on the same keys."""
    made: List[HandoffStore] = []

    def make() -> HandoffStore:
        client = async_client(REDIS_URL)
        made.append(RedisHandoffStore(client, prefix=redis_prefix, clock=clock, owns_client=True))
        return made[-1]

    yield make
    await _closing(made)


@pytest.fixture
async def sql_stores(clock: Clock, db_url: str) -> AsyncIterator[StoreMaker]:
    """Each call: another store, with an engine (and connections) of its own, on the migrated database."""
    upgrade(db_url)
    made: List[HandoffStore] = []

    def make() -> HandoffStore:
        made.append(SqlHandoffStore(make_engine(db_url), clock=clock, owns_engine=True))
        return made[-1]

    yield make
    await _closing(made)
