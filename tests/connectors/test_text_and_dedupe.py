from __future__ import annotations

import unicodedata
import uuid
from typing import List

import redis.asyncio as aioredis

from connectors.dedupe import MemoryDeduplicator, RedisDeduplicator
from connectors.text import split_text


def test_short_text_is_one_part_in_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Đăng ký khai sinh")
    assert split_text(decomposed, 4096) == ["Đăng ký khai sinh"]


def test_long_text_splits_on_paragraphs_first() -> None:
    paragraphs = [(f"Đoạn {i}: " + "giấy tờ " * 40).strip() for i in range(12)]
    text = "\n\n".join(paragraphs)
    parts = split_text(text, 1000)
    assert all(len(p) <= 1000 for p in parts)
    assert "\n\n".join(parts) == text  # nothing lost, breaks only between paragraphs
    assert all(p.startswith("Đoạn ") for p in parts)


def test_a_paragraph_too_long_splits_by_lines_then_words() -> None:
    text = "\n".join("dòng " + "chữ " * 30 for _ in range(5))
    parts = split_text(text, 200)
    assert all(len(p) <= 200 for p in parts)
    assert " ".join(" ".join(parts).split()) == " ".join(text.split())
    assert split_text("a" * 25, 10) == ["a" * 10, "a" * 10, "a" * 5]


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
