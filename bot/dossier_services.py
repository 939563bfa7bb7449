"""The action server's dossier services: the one portal client, the rate limiters and the
(optional) Redis connection.

Built lazily on the action server's event loop from the settings: PORTAL_URL (and
PORTAL_TOKEN) for the portal, REDIS_URL for a cache and rate limits shared across action
servers (memory otherwise). Nothing connects at import time.

Three limits guard the lookups (README, "Security"):
- per sender: lookups and digits attempts of one conversation (`lookup_limit` per window);
- for the whole assistant: lookups per minute, all senders together, so a burst from many
  senders is refused politely and the portal is not hammered;
- per dossier code: wrong phone-digit attempts, all senders together; past the limit the
  dossier's details are locked for the window. On Redis this one fails closed.
"""

from __future__ import annotations

import logging
from typing import Any, Optional

import aiohttp
from redis.exceptions import RedisError

from connectors.portal.breaker import CircuitBreaker
from connectors.portal.cache import Cache, MemoryCache, RedisCache
from connectors.portal.client import HttpPortal, PortalAdapter
from connectors.portal.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter
from connectors.redis_clients import async_client
from motcua.settings import Settings, get_settings

log = logging.getLogger(__name__)


class DossierServices:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._session: Optional[aiohttp.ClientSession] = None
        self._portal: Optional[PortalAdapter] = None
        self._limiter: Optional[RateLimiter] = None
        self._global: Optional[RateLimiter] = None
        self._attempts: Optional[RateLimiter] = None
        self._redis: Any = None

    def _redis_client(self) -> Any:
        if self._redis is None and self.settings.redis_url:
            self._redis = async_client(self.settings.redis_url)
        return self._redis

    @property
    def configured(self) -> bool:
        return bool(self.settings.portal_url) or self._portal is not None

    def portal(self) -> PortalAdapter:
        if self._portal is None:
            if not self.settings.portal_url:
                raise RuntimeError("PORTAL_URL is not set")
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=50), raise_for_status=False, trust_env=False
            )
            redis = self._redis_client()
            cache: Cache = RedisCache(redis) if redis is not None else MemoryCache()
            self._portal = HttpPortal(
                self.settings.portal_url,
                self._session,
                self.settings.portal_token.get_secret_value() if self.settings.portal_token else None,
                deadline=self.settings.portal_deadline_seconds,
                attempt_timeout=min(2.0, self.settings.portal_deadline_seconds),
                breaker=CircuitBreaker(threshold=5, reset_after=30.0),
                cache=cache,
                cache_ttl=self.settings.portal_cache_seconds,
            )
            log.info("dossier lookups go to %s (cache: %s)", self.settings.portal_url, type(cache).__name__)
        return self._portal

    def _make_limiter(self, limit: int, window: float, prefix: str, fail_closed: bool = False) -> RateLimiter:
        redis = self._redis_client()
        if redis is None:
            return MemoryRateLimiter(limit, window)
        return RedisRateLimiter(redis, limit, window, prefix=prefix, fail_closed=fail_closed)

    def limiter(self) -> RateLimiter:
        """Lookups and digits attempts per sender."""
        if self._limiter is None:
            s = self.settings
            self._limiter = self._make_limiter(s.lookup_limit, s.lookup_window_seconds, "motcua:lookups:")
        return self._limiter

    def global_limiter(self) -> RateLimiter:
        """Lookups per minute for the whole assistant (one key)."""
        if self._global is None:
            self._global = self._make_limiter(self.settings.lookup_global_per_minute, 60.0, "motcua:lookups-all:")
        return self._global

    def attempt_limiter(self) -> RateLimiter:
        """Wrong digits attempts per dossier code; fails closed."""
        if self._attempts is None:
            s = self.settings
            self._attempts = self._make_limiter(
                s.dossier_digit_attempts, s.dossier_attempt_window_seconds, "motcua:dossier-attempts:", True
            )
        return self._attempts

    def use(
        self,
        portal: Optional[PortalAdapter] = None,
        limiter: Optional[RateLimiter] = None,
        global_limiter: Optional[RateLimiter] = None,
        attempt_limiter: Optional[RateLimiter] = None,
    ) -> None:
        """Put in a portal or limiters (tests, a province's own adapter)."""
        if portal is not None:
            self._portal = portal
        if limiter is not None:
            self._limiter = limiter
        if global_limiter is not None:
            self._global = global_limiter
        if attempt_limiter is not None:
            self._attempts = attempt_limiter

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
        if self._redis is not None:
            try:  # every connection, those a Redis failure left busy included
                await self._redis.connection_pool.disconnect(inuse_connections=True)
            except (OSError, RedisError) as exc:  # a Redis already gone: its sockets are closed all the same
                log.info("Redis connections closed (%s)", type(exc).__name__)


_services: Optional[DossierServices] = None


def services() -> DossierServices:
    global _services
    if _services is None:
        _services = DossierServices(get_settings())
    return _services


async def close_services() -> None:
    """Close the portal session and the Redis connections, if they were opened (at shutdown)."""
    if _services is not None:
        await _services.close()


def reset_services(new: Optional[DossierServices] = None) -> None:
    """Forget the current services (tests; settings changed)."""
    global _services
    _services = new
