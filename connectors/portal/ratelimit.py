"""Sliding-window limits for dossier lookups: per sender, per dossier code and for the whole
assistant, so codes cannot be enumerated nor the owner check guessed.

Each hit is counted under a token of its own, which `release` gives back (a digits attempt that
proved the owner is not held against the dossier).

In memory by default; on Redis when configured (a sorted set per key, updated atomically by a
Lua script), so the limits hold across action servers. When Redis fails, a limiter either
refuses (`fail_closed`: the limits that guard personal data) or counts in this process's memory
instead (the limits that only spread the load), and the log says so.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import Any, Callable, Deque, Optional, Protocol, Tuple

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: float = 0.0  # seconds until the oldest counted hit leaves the window
    token: str = ""  # the counted hit, for `release`
    unavailable: bool = False  # refused because the limit could not be checked (Redis away)


class RateLimiter(Protocol):
    limit: int
    window: float

    async def hit(self, key: str) -> Verdict: ...

    async def release(self, key: str, token: str) -> None: ...


class MemoryRateLimiter:
    """Keys in the order of their last hit, so idle keys are dropped from the front in O(1) per
    hit. At most `max_keys` keys are kept: when that many are active at once, a hit on a new key
    is refused rather than a counted key forgotten (forgetting would reset someone's limit)."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic, max_keys: int = 200_000):
        if limit < 1 or window <= 0 or max_keys < 1:
            raise ValueError("limit must be >= 1, window > 0 and max_keys >= 1")
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._clock = clock
        self._hits: "OrderedDict[str, Deque[Tuple[float, str]]]" = OrderedDict()

    def __len__(self) -> int:
        return len(self._hits)

    async def hit(self, key: str) -> Verdict:
        now = self._clock()
        horizon = now - self.window
        while self._hits:  # drop keys whose last hit has left the window
            oldest = next(iter(self._hits.values()))
            if oldest and oldest[-1][0] > horizon:
                break
            self._hits.popitem(last=False)
        hits = self._hits.get(key)
        if hits is None:
            if len(self._hits) >= self.max_keys:
                log.warning("rate limit: %d keys active, refusing a new one", len(self._hits))
                return Verdict(False, self.window, unavailable=True)
            hits = self._hits[key] = deque()
        while hits and hits[0][0] <= horizon:
            hits.popleft()
        if len(hits) >= self.limit:
            return Verdict(False, hits[0][0] + self.window - now)
        token = uuid.uuid4().hex
        hits.append((now, token))
        self._hits.move_to_end(key)
        return Verdict(True, token=token)

    async def release(self, key: str, token: str) -> None:
        hits = self._hits.get(key)
        if hits is None:
            return
        for entry in hits:
            if entry[1] == token:
                hits.remove(entry)
                return


# KEYS[1] the key's set; ARGV: now (ms), window (ms), limit, the hit's token.
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
    """The same limits on Redis (`redis.asyncio` client), shared by every action server."""

    def __init__(
        self,
        redis: Any,
        limit: int,
        window: float,
        prefix: str = "motcua:lookups:",
        fail_closed: bool = False,
        fallback: Optional[MemoryRateLimiter] = None,
    ):
        if limit < 1 or window <= 0:
            raise ValueError("limit must be >= 1 and window > 0")
        self.limit = limit
        self.window = window
        self.fail_closed = fail_closed
        self._redis = redis
        self._prefix = prefix
        self._script = redis.register_script(_SLIDING_WINDOW)
        self._fallback = fallback or MemoryRateLimiter(limit, window)

    async def hit(self, key: str) -> Verdict:
        token = uuid.uuid4().hex
        try:
            allowed, wait_ms = await self._script(
                keys=[self._prefix + key], args=[int(time.time() * 1000), int(self.window * 1000), self.limit, token]
            )
        except Exception as exc:  # noqa: BLE001 (any Redis failure: refuse or count locally, loudly)
            if self.fail_closed:
                log.warning("rate limit %s unavailable (%s): refused", self._prefix, type(exc).__name__)
                return Verdict(False, unavailable=True)
            log.warning("rate limit %s unavailable (%s): counted in memory", self._prefix, type(exc).__name__)
            return await self._fallback.hit(key)
        return Verdict(bool(allowed), max(float(wait_ms), 0.0) / 1000, token=token if allowed else "")

    async def release(self, key: str, token: str) -> None:
        try:
            await self._redis.zrem(self._prefix + key, token)
        except Exception as exc:  # noqa: BLE001 (the hit stays counted: the safe side)
            log.warning("rate limit %s: a hit could not be given back (%s)", self._prefix, type(exc).__name__)
        await self._fallback.release(key, token)
