"""Every Redis client of the assistant is made here, with one timeout.

A Redis answers in about a millisecond on a local network. One that hangs (overloaded,
partitioned) must cost a call at most `REDIS_TIMEOUT` seconds, never freeze a server: the Rasa
server's tracker and lock stores call Redis synchronously on its event loop, and a citizen's
answer is due within 5 s (`connectors.shared.REPLY_DEADLINE`), a dossier lookup making up to four
Redis calls (limits, cache) on the way.
"""

from __future__ import annotations

from typing import Any

import redis
import redis.asyncio as aioredis

REDIS_TIMEOUT = 1.0


def sync_client(url: str, timeout: float = REDIS_TIMEOUT) -> redis.Redis:
    """A blocking client (the Rasa server's lock store, the launcher's check)."""
    return redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)


def async_client(url: str, timeout: float = REDIS_TIMEOUT) -> Any:
    """A `redis.asyncio` client (the channels, the action server)."""
    return aioredis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
