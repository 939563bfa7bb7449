"""What only the Redis queue has: every key under its prefix, closed handoffs forgotten after the
retention, and a conversation pointing at a handoff Redis evicted is not stuck."""

from __future__ import annotations

import redis

from console.handoff.model import State
from tests.console.handoff.backends import REDIS_URL, Clock, StoreMaker


async def test_keys_stay_under_the_prefix_and_closed_handoffs_expire(
    redis_stores: StoreMaker, redis_prefix: str, clock: Clock
) -> None:
    store = redis_stores()
    handoff, _ = await store.request("telegram:9", "telegram", messages=[("citizen", "gặp cán bộ")])
    await store.claim(handoff.id, "an")
    await store.end(handoff.id, "an", "answered")

    client = redis.Redis.from_url(REDIS_URL)
    try:
        keys = sorted(k.decode() for k in client.scan_iter(match=redis_prefix + "*"))
        assert keys and all(k.startswith(redis_prefix) for k in keys)
        assert f"{redis_prefix}open:telegram:9" not in keys
        for kept in (f"{redis_prefix}h:{handoff.id}", f"{redis_prefix}m:{handoff.id}"):
            assert 29 * 86400 < client.ttl(kept) <= 30 * 86400
        assert (
            client.ttl(f"{redis_prefix}waiting:default") == -1 or client.exists(f"{redis_prefix}waiting:default") == 0
        )
    finally:
        client.close()


async def test_a_conversation_pointing_at_an_evicted_handoff_can_ask_again(
    redis_stores: StoreMaker, redis_prefix: str
) -> None:
    store = redis_stores()
    lost, _ = await store.request("zalo:5", "zalo")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.delete(f"{redis_prefix}h:{lost.id}", f"{redis_prefix}m:{lost.id}")
    finally:
        client.close()

    assert await store.open_for("zalo:5") is None
    again, position = await store.request("zalo:5", "zalo")
    assert again.id != lost.id and again.state is State.WAITING and position == 1
    assert await store.cancel("zalo:5") is not None
