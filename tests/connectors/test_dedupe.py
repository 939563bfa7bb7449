"""Webhook deduplication, in memory and shared on Redis (failing open)."""

from __future__ import annotations

import uuid
from typing import List

import redis.asyncio as aioredis

from connectors.dedupe import MemoryDeduplicator, RedisDeduplicator


async def test_memory_dedupe() -> None:
    now: List[float] = [0.0]
    seen = MemoryDeduplicator(ttl=60, clock=lambda: now[0])
    assert await seen.first_time("u1")
    assert not await seen.first_time("u1")
    now[0] = 61
    assert await seen.first_time("u1")


async def test_redis_dedupe_is_shared_and_fails_open() -> None:
    redis = aioredis.from_url("redis://127.0.0.1:6379/15")
    key = uuid.uuid4().hex
    first, second = RedisDeduplicator(redis), RedisDeduplicator(redis)  # two replicas
    assert await first.first_time(key)
    assert not await second.first_time(key)
    await redis.close(close_connection_pool=True)  # redis 4.6 keeps a from_url pool open otherwise
    away = RedisDeduplicator(aioredis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2))
    assert await away.first_time(key)
