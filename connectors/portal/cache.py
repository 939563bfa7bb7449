"""Short-lived caches for portal answers: in memory by default, Redis when configured.

Values are strings (the dossier's JSON). A cache that fails (Redis away) is a miss, never an
error for the citizen: the lookup then goes to the portal.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Callable, Dict, Optional, Protocol, Tuple

log = logging.getLogger(__name__)


class Cache(Protocol):
    async def get(self, key: str) -> Optional[str]: ...

    async def set(self, key: str, value: str, ttl: float) -> None: ...


class MemoryCache:
    """A dict with expiry times; the oldest entries go first beyond `max_entries`."""

    def __init__(self, max_entries: int = 10_000, clock: Callable[[], float] = time.monotonic):
        self._data: Dict[str, Tuple[float, str]] = {}
        self._max = max_entries
        self._clock = clock

    async def get(self, key: str) -> Optional[str]:
        entry = self._data.get(key)
        if entry is None:
            return None
        expires, value = entry
        if self._clock() >= expires:
            del self._data[key]
            return None
        return value

    async def set(self, key: str, value: str, ttl: float) -> None:
        self._data.pop(key, None)
        self._data[key] = (self._clock() + ttl, value)
        while len(self._data) > self._max:
            del self._data[next(iter(self._data))]


class RedisCache:
    """The same cache on Redis (`redis.asyncio` client), shared by every action server."""

    def __init__(self, redis: Any, prefix: str = "motcua:portal:"):
        self._redis = redis
        self._prefix = prefix

    async def get(self, key: str) -> Optional[str]:
        try:
            value = await self._redis.get(self._prefix + key)
        except Exception as exc:  # noqa: BLE001 (any Redis failure is a miss)
            log.warning("cache read failed (%s): asking the portal", type(exc).__name__)
            return None
        return value.decode("utf-8") if isinstance(value, bytes) else value

    async def set(self, key: str, value: str, ttl: float) -> None:
        try:
            await self._redis.set(self._prefix + key, value, px=int(ttl * 1000))
        except Exception as exc:  # noqa: BLE001 (not cached: the next lookup asks the portal)
            log.warning("cache write failed (%s)", type(exc).__name__)
