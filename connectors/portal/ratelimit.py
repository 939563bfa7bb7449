"""Lookups per sender in a sliding window, so dossier codes cannot be enumerated.

In memory by default; on Redis when configured (a sorted set per sender, updated atomically by
a Lua script), so the limit holds across action servers. If Redis fails, the lookup is allowed
and the log says so: the citizen is not punished for our outage.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable, Deque, Dict, Protocol

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: float = 0.0  # seconds until the oldest counted lookup leaves the window


class RateLimiter(Protocol):
    limit: int
    window: float

    async def hit(self, key: str) -> Verdict: ...


class MemoryRateLimiter:
    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic):
        if limit < 1 or window <= 0:
            raise ValueError("limit must be >= 1 and window > 0")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._hits: Dict[str, Deque[float]] = {}

    async def hit(self, key: str) -> Verdict:
        now = self._clock()
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            return Verdict(False, hits[0] + self.window - now)
        hits.append(now)
        if len(self._hits) > 100_000:  # forget idle senders
            for idle in [k for k, v in self._hits.items() if not v or v[-1] <= now - self.window]:
                del self._hits[idle]
        return Verdict(True)


# KEYS[1] the sender's set; ARGV: now (ms), window (ms), limit, a unique member.
_SLIDING_WINDOW = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1] - ARGV[2])
local count = redis.call('ZCARD', KEYS[1])
if count >= tonumber(ARGV[3]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, tonumber(oldest[2]) + ARGV[2] - ARGV[1]}
end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {1, 0}
"""


class RedisRateLimiter:
    def __init__(self, redis: Any, limit: int, window: float, prefix: str = "motcua:lookups:"):
        if limit < 1 or window <= 0:
            raise ValueError("limit must be >= 1 and window > 0")
        self.limit = limit
        self.window = window
        self._redis = redis
        self._prefix = prefix
        self._script = redis.register_script(_SLIDING_WINDOW)

    async def hit(self, key: str) -> Verdict:
        now_ms = int(time.time() * 1000)
        try:
            allowed, wait_ms = await self._script(
                keys=[self._prefix + key], args=[now_ms, int(self.window * 1000), self.limit, uuid.uuid4().hex]
            )
        except Exception as exc:  # noqa: BLE001 (fail open, loudly)
            log.warning("rate limit unavailable (%s): lookup allowed", type(exc).__name__)
            return Verdict(True)
        return Verdict(bool(allowed), max(float(wait_ms), 0.0) / 1000)
