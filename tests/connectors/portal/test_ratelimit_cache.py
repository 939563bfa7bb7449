"""Rate limits and the answer cache, in memory and on the machine's real Redis."""

from __future__ import annotations

import uuid
from typing import AsyncIterator, List

import pytest
import redis.asyncio as aioredis

from connectors.portal.breaker import CircuitBreaker, State
from connectors.portal.cache import MemoryCache, RedisCache
from connectors.portal.ratelimit import MemoryRateLimiter, RedisRateLimiter

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
async def redis() -> AsyncIterator[aioredis.Redis]:
    client = aioredis.from_url(REDIS_URL)
    try:
        await client.ping()
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"these tests need Redis at {REDIS_URL} (.ci/run starts it): {exc}")
    yield client
    await client.close(close_connection_pool=True)  # redis 4.6 keeps a from_url pool open otherwise


async def test_memory_limit_counts_per_sender_and_slides() -> None:
    now: List[float] = [0.0]
    limiter = MemoryRateLimiter(limit=5, window=600, clock=lambda: now[0])
    for i in range(5):
        now[0] = i * 10
        assert (await limiter.hit("a")).allowed
    refused = await limiter.hit("a")
    assert not refused.allowed and refused.retry_after == pytest.approx(560)
    assert (await limiter.hit("b")).allowed  # another sender is not affected
    now[0] = 600.5  # the first lookup left the window
    assert (await limiter.hit("a")).allowed
    assert not (await limiter.hit("a")).allowed


async def test_redis_limit_holds_across_limiters(redis: aioredis.Redis) -> None:
    sender = f"test-{uuid.uuid4().hex}"
    first, second = RedisRateLimiter(redis, 5, 600), RedisRateLimiter(redis, 5, 600)  # two action servers
    verdicts = [await (first if i % 2 else second).hit(sender) for i in range(7)]
    assert [v.allowed for v in verdicts] == [True] * 5 + [False] * 2
    assert 590 < verdicts[-1].retry_after <= 600
    assert 0 < await redis.pttl(f"motcua:lookups:{sender}") <= 600_000  # forgotten after the window


async def test_redis_limit_counts_in_memory_when_redis_is_away() -> None:
    away = aioredis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    limiter = RedisRateLimiter(away, 2, 600)
    assert [(await limiter.hit("x")).allowed for _ in range(3)] == [True, True, False]  # not "let all through"


async def test_a_fail_closed_limit_refuses_when_redis_is_away() -> None:
    away = aioredis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    verdict = await RedisRateLimiter(away, 5, 600, fail_closed=True).hit("x")
    assert not verdict.allowed and verdict.unavailable


async def test_a_released_hit_no_longer_counts(redis: aioredis.Redis) -> None:
    key = f"test-{uuid.uuid4().hex}"
    for limiter in (MemoryRateLimiter(2, 600), RedisRateLimiter(redis, 2, 600)):
        first = await limiter.hit(key)
        await limiter.release(key, first.token)
        assert [(await limiter.hit(key)).allowed for _ in range(3)] == [True, True, False]


async def test_the_memory_limiter_forgets_idle_keys_without_scanning_and_stays_bounded() -> None:
    now: List[float] = [0.0]
    limiter = MemoryRateLimiter(limit=1, window=10, clock=lambda: now[0], max_keys=1000)
    for i in range(1000):
        assert (await limiter.hit(f"sender-{i}")).allowed
    assert len(limiter) == 1000
    full = await limiter.hit("one-too-many")  # all 1,000 still counted: refuse rather than forget one
    assert not full.allowed and full.unavailable
    assert not (await limiter.hit("sender-0")).allowed  # a counted key keeps its limit
    now[0] = 10.5  # every key is idle now
    assert (await limiter.hit("late")).allowed
    assert len(limiter) == 1  # the idle ones were dropped
    for i in range(100_000):  # many senders over time: the size follows the active ones only
        now[0] = 11 + i * 0.01
        await limiter.hit(f"s{i}")
    assert len(limiter) <= 1001


async def test_memory_cache_expires() -> None:
    now: List[float] = [0.0]
    cache = MemoryCache(clock=lambda: now[0])
    await cache.set("k", "v", 60)
    assert await cache.get("k") == "v"
    now[0] = 60
    assert await cache.get("k") is None


async def test_redis_cache_expires_and_a_missing_redis_is_a_miss(redis: aioredis.Redis) -> None:
    key = uuid.uuid4().hex
    cache = RedisCache(redis)
    await cache.set(key, "Nguyễn", 60)
    assert await cache.get(key) == "Nguyễn"
    assert 0 < await redis.pttl(f"motcua:portal:{key}") <= 60_000
    away = RedisCache(aioredis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2))
    assert await away.get(key) is None
    await away.set(key, "x", 60)  # no error for the citizen


def test_breaker_states() -> None:
    now: List[float] = [0.0]
    breaker = CircuitBreaker(threshold=2, reset_after=10, clock=lambda: now[0])
    breaker.failure()
    assert breaker.state is State.CLOSED and breaker.allow()
    breaker.failure()
    assert breaker.state is State.OPEN and not breaker.allow()
    now[0] = 10
    assert breaker.state is State.HALF_OPEN
    assert breaker.allow() and not breaker.allow()  # one trial at a time
    breaker.success()
    assert breaker.state is State.CLOSED and breaker.allow()
