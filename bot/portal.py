"""The action server's one portal client, rate limiter and (optional) Redis connection.

Built lazily on the action server's event loop from the settings: PORTAL_URL (and
PORTAL_TOKEN) for the portal, REDIS_URL for a cache and rate limits shared across action
servers (memory otherwise). Nothing connects at import time.
"""

from __future__ import annotations

import logging
from typing import Any, Optional

import aiohttp

from bot.settings import Settings, get_settings
from connectors.portal.breaker import CircuitBreaker
from connectors.portal.cache import Cache, MemoryCache, RedisCache
from connectors.portal.client import HttpPortal, PortalAdapter
from connectors.portal.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter

log = logging.getLogger(__name__)


class DossierServices:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._session: Optional[aiohttp.ClientSession] = None
        self._portal: Optional[PortalAdapter] = None
        self._limiter: Optional[RateLimiter] = None
        self._redis: Any = None

    def _redis_client(self) -> Any:
        if self._redis is None and self.settings.redis_url:
            import redis.asyncio as aioredis

            self._redis = aioredis.from_url(self.settings.redis_url, socket_timeout=1.0, socket_connect_timeout=1.0)
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
                self.settings.portal_token,
                deadline=self.settings.portal_deadline_seconds,
                attempt_timeout=min(2.0, self.settings.portal_deadline_seconds),
                breaker=CircuitBreaker(threshold=5, reset_after=30.0),
                cache=cache,
                cache_ttl=self.settings.portal_cache_seconds,
            )
            log.info("dossier lookups go to %s (cache: %s)", self.settings.portal_url, type(cache).__name__)
        return self._portal

    def limiter(self) -> RateLimiter:
        if self._limiter is None:
            limit, window = self.settings.lookup_limit, self.settings.lookup_window_seconds
            redis = self._redis_client()
            self._limiter = RedisRateLimiter(redis, limit, window) if redis else MemoryRateLimiter(limit, window)
        return self._limiter

    def use(self, portal: Optional[PortalAdapter] = None, limiter: Optional[RateLimiter] = None) -> None:
        """Put in a portal or limiter (tests, a province's own adapter)."""
        if portal is not None:
            self._portal = portal
        if limiter is not None:
            self._limiter = limiter

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
        if self._redis is not None:
            await self._redis.close()


_services: Optional[DossierServices] = None


def services() -> DossierServices:
    global _services
    if _services is None:
        _services = DossierServices(get_settings())
    return _services


def reset_services(new: Optional[DossierServices] = None) -> None:
    """Forget the current services (tests; settings changed)."""
    global _services
    _services = new
