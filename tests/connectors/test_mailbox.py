"""The mailbox of REST and web chat conversations: bounded, capped, delivered once, shared on Redis,
and a poll that waits for a message without holding more than it may."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any, AsyncIterator, List, Tuple

import pytest
import redis.asyncio as aioredis

from connectors.delivery import MailboxFull, MailboxUnavailable, MessageTooLarge, failure_code
from connectors.mailbox import (
    MAX_MESSAGE_BYTES,
    Mailbox,
    MailboxOutput,
    MemoryMailbox,
    RedisMailbox,
    wait_of,
    waiting_for,
)

REDIS_URL = "redis://127.0.0.1:6379/15"
HELLO = {"recipient_id": "web:abc", "text": "Chào bạn, mình là tình nguyện viên ở bộ phận một cửa."}


def text(n: int) -> dict:
    return {"recipient_id": "web:abc", "text": f"tin {n}"}


@pytest.fixture
async def redis_pair() -> AsyncIterator[Tuple[RedisMailbox, RedisMailbox]]:
    """Two replicas' mailboxes on the machine's Redis (db 15, a prefix of this test's own)."""
    prefix = f"test:mailbox:{uuid.uuid4().hex}:"
    clients = [aioredis.from_url(REDIS_URL) for _ in range(4)]
    boxes = (
        RedisMailbox(clients[0], clients[1], prefix=prefix, max_messages=5, ttl=60),
        RedisMailbox(clients[2], clients[3], prefix=prefix, max_messages=5, ttl=60),
    )
    yield boxes
    keys = [k async for k in clients[0].scan_iter(match=prefix + "*")]
    if keys:
        await clients[0].delete(*keys)
    for client in clients:
        await client.close(close_connection_pool=True)


async def test_memory_messages_are_delivered_once_in_order() -> None:
    box = MemoryMailbox()
    assert await box.take("web:abc") == []
    await box.put("web:abc", [HELLO])
    await box.put("web:abc", [text(1), text(2)])
    assert await box.take("web:other") == []
    assert await box.take("web:abc") == [HELLO, text(1), text(2)]
    assert await box.take("web:abc") == []


async def test_memory_bounds_refuse_rather_than_drop() -> None:
    box = MemoryMailbox(max_messages=3, max_conversations=2)
    await box.put("a", [text(1), text(2)])
    with pytest.raises(MailboxFull) as full:
        await box.put("a", [text(3), text(4)])  # all or none
    assert failure_code(str(full.value)) == "mailbox_full"
    await box.put("a", [text(3)])
    assert [m["text"] for m in await box.take("a")] == ["tin 1", "tin 2", "tin 3"]
    await box.put("b", [text(1)])
    await box.put("c", [text(1)])
    with pytest.raises(MailboxFull):
        await box.put("d", [text(1)])  # too many conversations waiting
    with pytest.raises(MessageTooLarge):
        await box.put("b", [{"recipient_id": "b", "text": "ệ" * MAX_MESSAGE_BYTES}])


async def test_memory_messages_expire() -> None:
    now = [0.0]
    box = MemoryMailbox(ttl=60, clock=lambda: now[0])
    await box.put("a", [text(1)])
    now[0] = 61
    assert await box.take("a") == []
    await box.put("b", [text(2)])  # an expired list is dropped when another is pushed
    assert await box.take("b") == [text(2)]


async def test_memory_poll_wakes_when_a_message_arrives_and_gives_up_after_wait() -> None:
    box = MemoryMailbox()
    started = time.monotonic()
    assert await box.take("a", wait=0.2) == []
    assert 0.15 < time.monotonic() - started < 1.0
    poll = asyncio.ensure_future(box.take("a", wait=10))
    await asyncio.sleep(0.05)
    await box.put("a", [HELLO])
    assert await asyncio.wait_for(poll, 1) == [HELLO]


async def test_memory_polls_waiting_at_once_are_bounded() -> None:
    box = MemoryMailbox(max_waiters=2)
    waiting = [asyncio.ensure_future(box.take(f"c{i}", wait=5)) for i in range(2)]
    await asyncio.sleep(0.05)
    started = time.monotonic()
    assert await box.take("c9", wait=5) == []  # a third answers at once
    assert time.monotonic() - started < 0.5
    await box.put("c0", [text(0)])
    await box.put("c1", [text(1)])
    assert await asyncio.gather(*waiting) == [[text(0)], [text(1)]]


async def test_redis_is_shared_by_replicas_bounded_and_delivered_once(
    redis_pair: Tuple[RedisMailbox, RedisMailbox],
) -> None:
    api_replica, poll_replica = redis_pair
    await api_replica.put("web:abc", [HELLO, text(1)])
    assert await poll_replica.take("web:abc") == [HELLO, text(1)]
    assert await api_replica.take("web:abc") == []
    await api_replica.put("web:abc", [text(n) for n in range(4)])
    with pytest.raises(MailboxFull):
        await poll_replica.put("web:abc", [text(4), text(5)])  # all or none: 4 + 2 > 5
    await poll_replica.put("web:abc", [text(4)])
    assert [m["text"] for m in await api_replica.take("web:abc")] == [f"tin {n}" for n in range(5)]
    with pytest.raises(MessageTooLarge):
        await api_replica.put("web:abc", [{"text": "a" * (MAX_MESSAGE_BYTES + 1)}])


async def test_redis_lists_expire(redis_pair: Tuple[RedisMailbox, RedisMailbox]) -> None:
    box, _ = redis_pair
    await box.put("web:ttl", [HELLO])
    ttl = await box._redis.ttl(box.prefix + "web:ttl")
    assert 0 < ttl <= 60


async def test_redis_poll_on_one_replica_wakes_for_a_push_on_another(
    redis_pair: Tuple[RedisMailbox, RedisMailbox],
) -> None:
    api_replica, poll_replica = redis_pair
    started = time.monotonic()
    assert await poll_replica.take("web:wait", wait=0.3) == []
    assert 0.25 < time.monotonic() - started < 2
    poll = asyncio.ensure_future(poll_replica.take("web:wait", wait=10))
    await asyncio.sleep(0.1)
    await api_replica.put("web:wait", [HELLO, text(1)])
    assert await asyncio.wait_for(poll, 2) == [HELLO, text(1)]
    assert await api_replica.take("web:wait") == []


async def test_redis_away_is_a_typed_failure() -> None:
    away = aioredis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    box = RedisMailbox(away, away)
    with pytest.raises(MailboxUnavailable) as failed:
        await box.put("web:abc", [HELLO])
    assert failure_code(f"An unexpected error occurred. Error: {failed.value}") == "mailbox_unavailable"
    with pytest.raises(MailboxUnavailable):
        await box.take("web:abc", wait=1)
    assert await waiting_for(box, "web:abc") == []  # the replies to a message still go out
    await away.close(close_connection_pool=True)


async def test_the_output_channel_puts_what_rasa_sends_into_the_mailbox() -> None:
    box: Mailbox = MemoryMailbox()
    output = MailboxOutput(box)
    await output.send_response("web:abc", {"text": "Chào bạn.\n\nMình xem hồ sơ giúp bạn nhé.", "timestamp": 1.0})
    buttons = [{"title": "Có", "payload": "/affirm"}]
    await output.send_response("web:abc", {"text": "Bạn cần gì thêm không?", "buttons": buttons})
    assert await box.take("web:abc") == [
        {"recipient_id": "web:abc", "text": "Chào bạn."},
        {"recipient_id": "web:abc", "text": "Mình xem hồ sơ giúp bạn nhé."},
        {"recipient_id": "web:abc", "text": "Bạn cần gì thêm không?", "buttons": buttons},
    ]
    full = MailboxOutput(MemoryMailbox(max_messages=1))
    with pytest.raises(MailboxFull):
        await full.send_text_message("web:x", "một\n\nhai")  # both paragraphs or neither
    assert await full.mailbox.take("web:x") == []


def test_wait_of_a_poll() -> None:
    assert wait_of(None) == 0.0 and wait_of(0) == 0.0 and wait_of(12.5) == 12.5 and wait_of(20) == 20.0
    bad: List[Any] = [True, -1, 21, "5", [], float("nan")]
    assert all(wait_of(value) is None for value in bad)


async def test_with_redis_url_the_process_mailbox_is_on_redis(monkeypatch: pytest.MonkeyPatch) -> None:
    from connectors import mailbox, shared
    from motcua.settings import get_settings

    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    get_settings.cache_clear()
    monkeypatch.setattr(mailbox, "_mailbox", None)
    monkeypatch.setattr(shared, "_redis", None)
    box = mailbox.mailbox_from_env()
    assert isinstance(box, RedisMailbox) and mailbox.mailbox_from_env() is box
    conversation = f"web:test-{uuid.uuid4().hex}"
    poll = asyncio.ensure_future(box.take(conversation, wait=5))
    await asyncio.sleep(0.1)
    await box.put(conversation, [HELLO])
    assert await asyncio.wait_for(poll, 2) == [HELLO]
    assert await box._redis.exists(box.prefix + conversation) == 0
    for client in (box._redis, box._blocking):
        await client.close(close_connection_pool=True)
