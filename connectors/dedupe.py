"""Remember deliveries already handled, so a resent webhook gets no second reply.

In memory by default (bounded, with expiry); on Redis when configured (SET NX with expiry), so
replicas agree. If Redis fails, the delivery is handled: a rare double reply is better than a
lost one.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from typing import Any, Callable, Optional, Protocol

log = logging.getLogger(__name__)


class Deduplicator(Protocol):
    async def first_time(self, key: str) -> bool:
        """True the first time `key` is seen within the retention time, False after."""
        ...


class MemoryDeduplicator:
    def __init__(self, ttl: float = 86_400, max_keys: int = 100_000, clock: Callable[[], float] = time.monotonic):
        self._seen: "OrderedDict[str, float]" = OrderedDict()
        self._ttl = ttl
        self._max = max_keys
        self._clock = clock

    async def first_time(self, key: str) -> bool:
        now = self._clock()
        while self._seen and (len(self._seen) > self._max or next(iter(self._seen.values())) <= now - self._ttl):
            self._seen.popitem(last=False)
        if key in self._seen and self._seen[key] > now - self._ttl:
            return False
        self._seen[key] = now
        return True


class RedisDeduplicator:
    def __init__(self, redis: Any, ttl: float = 86_400, prefix: str = "motcua:seen:"):
        self._redis = redis
        self._ttl = int(ttl)
        self._prefix = prefix

    async def first_time(self, key: str) -> bool:
        try:
            created: Optional[bool] = await self._redis.set(self._prefix + key, b"1", nx=True, ex=self._ttl)
        except Exception as exc:  # noqa: BLE001 (handle the delivery rather than lose it)
            log.warning("dedupe unavailable (%s): handling the delivery", type(exc).__name__)
            return True
        return bool(created)
