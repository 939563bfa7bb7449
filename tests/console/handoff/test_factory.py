"""`make_store` picks the backend from what is configured, and a backend that does not answer is
`StoreUnavailable`, not a library's exception."""

from __future__ import annotations

import socket

import pytest
import sqlalchemy as sa

from console.db import make_engine
from console.handoff.errors import StoreUnavailable
from console.handoff.factory import make_store
from console.handoff.memory import MemoryHandoffStore
from console.handoff.redis_store import RedisHandoffStore
from console.handoff.sql import SqlHandoffStore
from console.migrate import upgrade
from tests.console.handoff.backends import REDIS_URL


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_nothing_configured_is_memory() -> None:
    store = make_store()
    assert isinstance(store, MemoryHandoffStore)
    await store.close()


async def test_an_engine_is_sql_and_stays_open_after_the_store(db_url: str) -> None:
    upgrade(db_url)
    engine = make_engine(db_url)
    try:
        store = make_store(engine=engine)
        assert isinstance(store, SqlHandoffStore)
        handoff, position = await store.request("web:1", "web")
        await store.close()
        with engine.connect() as connection:
            assert connection.execute(sa.text("select count(*) from handoffs")).scalar_one() == 1
    finally:
        engine.dispose()
    assert position == 1 and handoff.state.value == "waiting"


async def test_a_redis_url_is_redis(redis_prefix: str) -> None:
    store = make_store(redis_url=REDIS_URL, engine=None, prefix=redis_prefix)
    assert isinstance(store, RedisHandoffStore)
    try:
        handoff, position = await store.request("zalo:1", "zalo")
        assert (await store.get(handoff.id)) == handoff and position == 1
    finally:
        await store.close()


async def test_a_redis_that_does_not_answer_is_unavailable() -> None:
    store = make_store(redis_url=f"redis://127.0.0.1:{free_port()}/0")
    try:
        with pytest.raises(StoreUnavailable, match="Redis failed: ConnectionError"):
            await store.request("zalo:1", "zalo")
        with pytest.raises(StoreUnavailable):
            await store.waiting()
    finally:
        await store.close()


async def test_a_database_that_does_not_answer_is_unavailable() -> None:
    engine = make_engine(f"postgresql://postgres@127.0.0.1:{free_port()}/test")
    store = make_store(engine=engine)
    try:
        with pytest.raises(StoreUnavailable, match="the database failed: OperationalError"):
            await store.waiting()
    finally:
        await store.close()
        engine.dispose()
