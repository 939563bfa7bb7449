"""Zalo OA tokens: the access token lives ~25 h; the refresh token ~3 months and is single-use.

Each refresh returns a new pair, which is stored *before* the new access token is used, so a
crash can never lose the only valid refresh token. Two stores, one interface (`current`,
`replace`, `refresh_lock`):
- `TokenStore`: a file written atomically (temporary file, fsync, rename), for one process;
- `RedisTokenStore`: one Redis key, with a Redis lock around a refresh, so that of several
  replicas only one spends the refresh token and the others use the pair it stored.
Both start from ZALO_ACCESS_TOKEN / ZALO_REFRESH_TOKEN when nothing is stored yet.

Once Zalo has answered a refresh, the old refresh token is spent: the new pair must survive
whatever fails next. `RedisTokenStore` numbers each pair (`sequence`, one more than any this
process has seen, so more than the pair it was refreshed from), keeps a new pair in memory,
writes it to its fallback file (ZALO_TOKEN_FILE) before Redis, then to Redis (a few tries, a
short backoff); a Redis error never leaves `replace`. At every `current()` a pair in memory or
in the file newer than Redis's is written back to Redis (only if Redis's is still older), so
every replica gets it once Redis answers. With Redis away, `current()` answers with this
replica's newest pair, and `refresh_lock` raises `TokensUnavailable` (nothing is spent).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, AsyncContextManager, AsyncIterator, Dict, Optional, Tuple

from redis.exceptions import RedisError

from connectors.logs import add_secret
from motcua.atomic_file import atomic_write

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str

    def __post_init__(self) -> None:
        # Every pair this process holds, refreshed ones included, is masked in its logs from now on.
        add_secret(self.access_token)
        add_secret(self.refresh_token)


class TokensUnavailable(Exception):
    """The shared token store (Redis) cannot be reached to refresh: nothing was spent."""


class TokenStore:
    def __init__(self, path: Path, initial: Optional[Tokens] = None):
        self.path = path
        self._initial = initial
        self._cached: Optional[Tokens] = None
        self._lock = asyncio.Lock()

    async def current(self) -> Tokens:
        return self.load()

    async def replace(self, tokens: Tokens) -> None:
        """Store a new pair; if the disk refuses it, it is kept in memory (the old refresh token
        is spent: this process can still use the new one) and the error logged."""
        self._cached = tokens
        try:
            self.save(tokens)
        except OSError as exc:
            log.error("could not write the new Zalo token pair to %s (%s): kept in memory only", self.path, exc)

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
        write_atomically(self.path, {"access_token": tokens.access_token, "refresh_token": tokens.refresh_token})
        self._cached = tokens
        log.info("stored a new Zalo token pair")


def write_atomically(path: Path, data: Dict[str, Any]) -> None:
    """`data` as JSON in `path`, mode 600 (a secret), replaced atomically and durably."""
    atomic_write(path, json.dumps(data).encode("utf-8"), mode=0o600)


@dataclass(frozen=True)
class _Pair:
    """A pair and its sequence number: each refresh stores one more than the pair it came from."""

    tokens: Tokens
    sequence: int

    def as_dict(self) -> Dict[str, Any]:
        return {**self.tokens.__dict__, "sequence": self.sequence}

    def dumps(self) -> str:
        return json.dumps(self.as_dict())

    @staticmethod
    def loads(raw: Any) -> Optional["_Pair"]:
        try:
            data = json.loads(raw)
            return _Pair(Tokens(str(data["access_token"]), str(data["refresh_token"])), int(data.get("sequence", 0)))
        except (ValueError, TypeError, KeyError, AttributeError):
            return None


def _newest(*pairs: Optional[_Pair]) -> Optional[_Pair]:
    """The pair of the highest sequence (the first of equals)."""
    best: Optional[_Pair] = None
    for pair in pairs:
        if pair is not None and (best is None or pair.sequence > best.sequence):
            best = pair
    return best


# KEYS: the pair. ARGV: a pair (JSON), its sequence. Stores it unless the stored pair is as new;
# returns the pair stored afterwards.
_STORE_IF_NEWER = """
local stored = redis.call('GET', KEYS[1])
if stored then
  local ok, data = pcall(cjson.decode, stored)
  if ok and type(data) == 'table' and (tonumber(data['sequence']) or 0) >= tonumber(ARGV[2]) then
    return stored
  end
end
redis.call('SET', KEYS[1], ARGV[1])
return ARGV[1]
"""


class RedisTokenStore:
    """The pair in one Redis key (`redis.asyncio` client), shared by every replica; the file
    `fallback` (and memory) keep a new pair that Redis could not take."""

    def __init__(
        self,
        redis: Any,
        initial: Optional[Tokens] = None,
        *,
        fallback: Optional[Path] = None,
        lock_seconds: float = 15.0,
        prefix: str = "motcua:zalo:",
        write_tries: int = 3,
        write_budget: float = 2.0,
        backoff: float = 0.1,
    ):
        self.KEY = f"{prefix}tokens"
        self.LOCK = f"{prefix}refreshing"
        self.fallback = fallback
        self._redis = redis
        self._initial = _Pair(initial, 0) if initial is not None else None
        self._lock_seconds = lock_seconds
        self._write_tries = write_tries
        self._write_budget = write_budget
        self._backoff = backoff
        self._local = asyncio.Lock()
        self._held: Optional[_Pair] = None  # the newest pair this process refreshed
        self._top = 0  # the highest sequence this process has seen: a new pair gets one more
        self._file: Tuple[Optional[Tuple[int, int]], Optional[_Pair]] = (None, None)
        self._store_if_newer = redis.register_script(_STORE_IF_NEWER)

    async def current(self) -> Tokens:
        pair = await self._current()
        self._top = max(self._top, pair.sequence)
        return pair.tokens

    async def _current(self) -> _Pair:
        local = _newest(self._held, self._from_file())
        try:
            stored = _Pair.loads(await self._redis.get(self.KEY))
            if stored is None or (local is not None and local.sequence > stored.sequence):
                candidate = local or self._initial
                if candidate is None:
                    raise RuntimeError("no Zalo tokens: set ZALO_ACCESS_TOKEN and ZALO_REFRESH_TOKEN")
                if stored is not None:
                    log.warning("Redis holds an older Zalo token pair than this replica: writing the newer back")
                stored = _Pair.loads(await self._put(candidate)) or candidate
        except RedisError as exc:
            best = _newest(local, self._initial)
            if best is None:
                raise TokensUnavailable(f"Redis did not answer ({type(exc).__name__}) and no pair is known") from exc
            log.warning("Redis did not answer for the Zalo tokens (%s): using this replica's pair", type(exc).__name__)
            return best
        return stored

    async def replace(self, tokens: Tokens) -> None:
        """Store a pair just refreshed. It is kept in memory and the fallback file first, then
        written to Redis; a Redis that fails here is only logged: the pair goes to Redis at the
        next `current()` that reaches it."""
        pair = _Pair(tokens, self._top + 1)  # newer than the pair it was refreshed from, and any other
        self._held, self._top = pair, pair.sequence
        if self.fallback is not None:
            try:
                write_atomically(self.fallback, pair.as_dict())
            except OSError as exc:
                log.error("could not write the new Zalo token pair to %s: %s", self.fallback, exc)
        deadline = time.monotonic() + self._write_budget  # a hung Redis costs a socket timeout a try
        failure = "no try"
        for attempt in range(self._write_tries):
            try:
                kept = _Pair.loads(await self._put(pair))
            except RedisError as exc:
                failure = type(exc).__name__
                if attempt + 1 == self._write_tries or time.monotonic() >= deadline:
                    break
                await asyncio.sleep(self._backoff * 2**attempt)
            else:
                if kept == pair:
                    log.info("stored a new Zalo token pair in Redis")
                else:  # another replica refreshed too (its lock had expired): Redis keeps the newer
                    log.error("Redis kept a newer Zalo token pair than the one just refreshed")
                return
        log.error(
            "could not store the new Zalo token pair in Redis (%s): kept in memory%s, for Redis once it answers",
            failure,
            f" and in {self.fallback}" if self.fallback is not None else "",
        )

    @contextlib.asynccontextmanager
    async def refresh_lock(self) -> AsyncIterator[None]:
        """One refresh at a time across replicas (and within this one): a Redis lock with a
        token, released only by its owner, expiring by itself if the owner cannot release it."""
        async with self._local:
            lock = self._redis.lock(
                self.LOCK,
                timeout=self._lock_seconds,
                blocking_timeout=2 * self._lock_seconds,
                sleep=0.05,
                thread_local=False,
            )
            try:
                acquired = await lock.acquire()
            except RedisError as exc:
                raise TokensUnavailable(f"no Redis for the refresh lock ({type(exc).__name__})") from exc
            if not acquired:
                raise TokensUnavailable("another replica holds the Zalo refresh lock")
            try:
                yield
            finally:
                try:
                    await lock.release()
                except RedisError as exc:  # LockError too: it expires by itself
                    log.warning("could not release the Zalo refresh lock (%s): it expires", type(exc).__name__)

    async def _put(self, pair: _Pair) -> Any:
        return await self._store_if_newer(keys=[self.KEY], args=[pair.dumps(), pair.sequence])

    def _from_file(self) -> Optional[_Pair]:
        """The pair in the fallback file (read again only when the file changed)."""
        if self.fallback is None:
            return None
        try:
            info = self.fallback.stat()
        except OSError:
            return None
        version = (info.st_mtime_ns, info.st_size)
        if self._file[0] != version:
            try:
                pair = _Pair.loads(self.fallback.read_text(encoding="utf-8"))
            except OSError:
                pair = None
            self._file = (version, pair)
        return self._file[1]
