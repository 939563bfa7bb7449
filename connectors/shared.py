"""What the chat channels share: the optional Redis client, and background tasks kept alive."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable, Coroutine, Optional, Set

from connectors.dedupe import Deduplicator, MemoryDeduplicator, RedisDeduplicator
from connectors.held import was_held
from connectors.redis_clients import async_client
from motcua.settings import get_settings

log = logging.getLogger(__name__)

_redis: Any = None
_tasks: Set["asyncio.Task[Any]"] = set()


def redis_from_env() -> Any:
    """A `redis.asyncio` client when REDIS_URL is set (one per process), else None."""
    global _redis
    url = get_settings().redis_url
    if not url:
        return None
    if _redis is None:
        _redis = async_client(url)
    return _redis


def deduplicator() -> Deduplicator:
    redis = redis_from_env()
    return RedisDeduplicator(redis) if redis is not None else MemoryDeduplicator()


def background(coroutine: Coroutine[Any, Any, Any], what: str) -> "asyncio.Task[Any]":
    """Run `coroutine` after the webhook has answered; failures are logged, never lost silently."""
    task = asyncio.get_running_loop().create_task(coroutine)
    _tasks.add(task)

    def done(finished: "asyncio.Task[Any]") -> None:
        _tasks.discard(finished)
        if not finished.cancelled() and finished.exception() is not None:
            log.error("%s failed: %r", what, finished.exception())

    task.add_done_callback(done)
    return task


# Seconds a stopping server waits for the answers still in the background (Zalo's).
SHUTDOWN_GRACE = 10.0


async def drain(timeout: Optional[float] = None) -> None:
    """Wait for the background tasks still running (tests, shutdown)."""
    if _tasks:
        await asyncio.wait(set(_tasks), timeout=timeout)


REPLY_DEADLINE = 5.0


async def answer_or_apologise(
    handle: Callable[[], Awaitable[Any]],
    replies_sent: Callable[[], int],
    apologise: Callable[[], Awaitable[Any]],
    what: str,
    deadline: float = REPLY_DEADLINE,
    sender: Optional[str] = None,
) -> None:
    """Run the assistant on one message; if it fails (Redis away, a bug), takes longer than
    `deadline` (a slow action server) or produces no reply (the action server is down), the
    citizen gets the short "tạm thời gián đoạn" apology instead of silence. No reply to the
    `sender` whose conversation a helper has (connectors/held.py) is right: nothing is sent."""
    try:
        await asyncio.wait_for(handle(), deadline)
    except asyncio.TimeoutError:
        log.error("%s: no answer within %.0f s", what, deadline)
    except Exception as exc:  # the citizen gets the apology; the log says what failed
        log.exception("%s failed: %s", what, type(exc).__name__)
    else:
        if replies_sent():
            return
        if sender is not None and was_held(sender):
            return  # a helper answers this conversation
        log.error("%s produced no reply (is the action server up?)", what)
    try:
        await apologise()
    except Exception as exc:  # noqa: BLE001 (nothing more can be done for this message)
        log.error("%s: the apology could not be sent either: %s", what, type(exc).__name__)
