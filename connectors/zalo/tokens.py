"""Zalo OA tokens: the access token lives ~25 h; the refresh token ~3 months and is single-use.

Each refresh returns a new pair, which is stored *before* the new access token is used, so a
crash can never lose the only valid refresh token. Two stores, one interface (`current`,
`replace`, `refresh_lock`):
- `TokenStore`: a file written atomically (temporary file, fsync, rename), for one process;
- `RedisTokenStore`: one Redis key, with a Redis lock around a refresh, so that of several
  replicas only one spends the refresh token and the others use the pair it stored.
Both start from ZALO_ACCESS_TOKEN / ZALO_REFRESH_TOKEN when nothing is stored yet.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, AsyncContextManager, AsyncIterator, Optional

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str


class TokenStore:
    def __init__(self, path: Path, initial: Optional[Tokens] = None):
        self.path = path
        self._initial = initial
        self._cached: Optional[Tokens] = None
        self._lock = asyncio.Lock()

    async def current(self) -> Tokens:
        return self.load()

    async def replace(self, tokens: Tokens) -> None:
        self.save(tokens)

    def refresh_lock(self) -> AsyncContextManager[Any]:
        return self._lock

    def load(self) -> Tokens:
        if self._cached is None:
            if self.path.exists():  # the newest pair, from the last refresh
                data = json.loads(self.path.read_text(encoding="utf-8"))
                self._cached = Tokens(data["access_token"], data["refresh_token"])
            elif self._initial is not None:
                self._cached = self._initial
            else:
                raise RuntimeError(
                    f"no Zalo tokens: set ZALO_ACCESS_TOKEN and ZALO_REFRESH_TOKEN, or create {self.path}"
                )
        return self._cached

    def save(self, tokens: Tokens) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".zalo-tokens-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump({"access_token": tokens.access_token, "refresh_token": tokens.refresh_token}, handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        directory = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
        self._cached = tokens
        log.info("stored a new Zalo token pair")


class RedisTokenStore:
    """The pair in one Redis key (`redis.asyncio` client), shared by every replica."""

    def __init__(
        self, redis: Any, initial: Optional[Tokens] = None, lock_seconds: float = 15.0, prefix: str = "motcua:zalo:"
    ):
        self.KEY = f"{prefix}tokens"
        self.LOCK = f"{prefix}refreshing"
        self._redis = redis
        self._initial = initial
        self._lock_seconds = lock_seconds
        self._local = asyncio.Lock()

    async def current(self) -> Tokens:
        raw = await self._redis.get(self.KEY)
        if raw is None and self._initial is not None:
            initial = json.dumps(self._initial.__dict__)
            await self._redis.set(self.KEY, initial, nx=True)  # only if no replica stored a newer pair
            raw = await self._redis.get(self.KEY)
        if raw is None:
            raise RuntimeError("no Zalo tokens: set ZALO_ACCESS_TOKEN and ZALO_REFRESH_TOKEN")
        data = json.loads(raw)
        return Tokens(data["access_token"], data["refresh_token"])

    async def replace(self, tokens: Tokens) -> None:
        await self._redis.set(self.KEY, json.dumps(tokens.__dict__))
        log.info("stored a new Zalo token pair in Redis")

    @contextlib.asynccontextmanager
    async def refresh_lock(self) -> AsyncIterator[None]:
        """One refresh at a time across replicas (and within this one)."""
        me = uuid.uuid4().hex
        async with self._local:
            deadline = time.monotonic() + 2 * self._lock_seconds
            while not await self._redis.set(self.LOCK, me, nx=True, px=int(self._lock_seconds * 1000)):
                if time.monotonic() > deadline:
                    raise TimeoutError("another replica holds the Zalo refresh lock")
                await asyncio.sleep(0.05)
            try:
                yield
            finally:
                if (await self._redis.get(self.LOCK)) == me.encode():
                    await self._redis.delete(self.LOCK)
