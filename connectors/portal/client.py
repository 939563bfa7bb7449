"""Asking a province's one-stop portal where a dossier stands.

`PortalAdapter` is the one interface the assistant uses; `HttpPortal` implements the generic
JSON/HTTP contract (dossiers/model.py). A province whose portal speaks another format
gets its own adapter that maps its answer to `Dossier`.

HttpPortal is kind to the portal and quick for the citizen:
- one shared aiohttp `ClientSession` (injected), a timeout on every attempt and an overall
  deadline for the lookup, so a slow portal never holds a citizen for more than `deadline` s;
- retries with exponential backoff for transient failures (timeouts, connection errors, 5xx,
  429 with a short Retry-After), never for 404, 401/403 or a malformed answer;
- a circuit breaker: after repeated failed lookups, calls stop for a while and the citizen is
  told at once that the lookup is busy;
- answers cached for `cache_ttl` s (memory or Redis); errors and "not found" are never cached.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from typing import Any, Optional, Protocol
from urllib.parse import quote

import aiohttp
from pydantic import ValidationError
from yarl import URL

from connectors.portal.breaker import CircuitBreaker
from connectors.portal.cache import Cache, MemoryCache
from connectors.portal.errors import (
    DossierNotFound,
    PortalAuthError,
    PortalBadResponse,
    PortalError,
    PortalUnavailable,
)
from dossiers.model import Dossier

log = logging.getLogger(__name__)

# The bundled simulator marks its answers with this header (the data is not real).
SIMULATOR_HEADER = "X-Portal-Simulator"


class PortalAdapter(Protocol):
    async def get_dossier(self, code: str) -> Dossier:
        """The dossier with this (normalised) code; raises DossierNotFound or PortalError."""
        ...


def redact(code: str) -> str:
    """A code as logs show it: enough to find the day and unit, not the dossier."""
    return code[:-4] + "****" if len(code) > 4 else "****"


class _Transient(Exception):
    def __init__(self, reason: str, retry_after: float = 0.0):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class HttpPortal:
    def __init__(
        self,
        base_url: str,
        session: aiohttp.ClientSession,
        token: Optional[str] = None,
        *,
        attempt_timeout: float = 2.0,
        deadline: float = 4.0,
        attempts: int = 3,
        backoff: float = 0.2,
        breaker: Optional[CircuitBreaker] = None,
        cache: Optional[Cache] = None,
        cache_ttl: float = 60.0,
    ):
        self.base_url = base_url.rstrip("/")
        self._session = session
        self._headers = {"Accept": "application/json"}
        if token:
            self._headers["Authorization"] = f"Bearer {token}"
        self.attempt_timeout = attempt_timeout
        self.deadline = deadline
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.breaker = breaker or CircuitBreaker()
        self.cache: Cache = cache or MemoryCache()
        self.cache_ttl = cache_ttl

    async def get_dossier(self, code: str) -> Dossier:
        cached = await self.cache.get(code)
        if cached is not None:
            try:
                return Dossier.parse_raw(cached)
            except ValidationError:
                log.warning("ignoring an unreadable cached dossier %s", redact(code))
        if not self.breaker.allow():
            raise PortalUnavailable("circuit open: the portal failed repeatedly, not asking it for now")
        try:
            dossier = await self._fetch(code)
        except DossierNotFound:
            self.breaker.success()  # the portal answered
            raise
        except PortalAuthError:
            self.breaker.success()
            raise
        except PortalError:
            self.breaker.failure()
            raise
        except BaseException:
            self.breaker.failure()  # cancelled mid-call: do not leave a half-open trial hanging
            raise
        self.breaker.success()
        await self.cache.set(code, dossier.json(), self.cache_ttl)
        return dossier

    async def _fetch(self, code: str) -> Dossier:
        url = URL(f"{self.base_url}/dossiers/{quote(code, safe='')}", encoded=True)
        started = time.monotonic()
        last = "no attempt"
        for attempt in range(1, self.attempts + 1):
            remaining = self.deadline - (time.monotonic() - started)
            if remaining <= 0.05:
                break
            try:
                return await self._attempt(url, code, min(self.attempt_timeout, remaining))
            except _Transient as exc:
                last = exc.reason
                log.warning("portal attempt %d/%d for %s failed: %s", attempt, self.attempts, redact(code), last)
                pause = max(exc.retry_after, self.backoff * 2 ** (attempt - 1) * (0.5 + random.random()))  # noqa: S311
                if attempt == self.attempts or time.monotonic() - started + pause >= self.deadline - 0.05:
                    break
                await asyncio.sleep(pause)
        raise PortalUnavailable(f"portal unavailable after retries: {last}")

    async def _attempt(self, url: URL, code: str, timeout: float) -> Dossier:
        try:
            async with self._session.get(
                url, headers=self._headers, timeout=aiohttp.ClientTimeout(total=timeout)
            ) as response:
                body = await response.read()
                status = response.status
                retry_after = response.headers.get("Retry-After", "")
                simulated = response.headers.get(SIMULATOR_HEADER) == "1"
        except asyncio.TimeoutError as exc:
            raise _Transient(f"timeout after {timeout:.1f} s") from exc
        except aiohttp.ClientError as exc:
            raise _Transient(type(exc).__name__) from exc
        if status == 404:
            raise DossierNotFound(code)
        if status in (401, 403):
            log.error("portal refused our credentials (HTTP %d): check PORTAL_TOKEN", status)
            raise PortalAuthError(f"HTTP {status}")
        if status == 429:
            raise _Transient("HTTP 429 (rate limited)", _seconds(retry_after))
        if status >= 500:
            raise _Transient(f"HTTP {status}")
        if status != 200:
            raise PortalBadResponse(f"unexpected HTTP {status}")
        dossier = _parse(body, code)
        return dossier.copy(update={"simulated": True}) if simulated else dossier


def _seconds(retry_after: str) -> float:
    try:
        return max(0.0, float(retry_after))
    except ValueError:
        return 0.0


def _parse(body: bytes, code: str) -> Dossier:
    try:
        data: Any = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        log.error("portal sent malformed JSON for %s", redact(code))
        raise PortalBadResponse("malformed JSON") from exc
    try:
        return Dossier.parse_obj(data)
    except ValidationError as exc:
        fields = ", ".join(".".join(str(p) for p in e["loc"]) for e in exc.errors())
        log.error("portal answer for %s breaks the contract (fields: %s)", redact(code), fields)
        raise PortalBadResponse(f"contract violation: {fields}") from exc
