"""The queue the console runs on: Redis when a URL is given, the database when an engine is, else
this process's memory (one console process only)."""

from __future__ import annotations

from typing import Optional

from sqlalchemy.engine import Engine

from connectors.redis_clients import async_client
from console.handoff.memory import MemoryHandoffStore
from console.handoff.model import utcnow
from console.handoff.redis_store import PREFIX, RedisHandoffStore
from console.handoff.sql import SqlHandoffStore
from console.handoff.store import Clock, HandoffStore


def make_store(
    redis_url: Optional[str] = None,
    engine: Optional[Engine] = None,
    *,
    prefix: str = PREFIX,
    clock: Clock = utcnow,
) -> HandoffStore:
    """A store; nothing connects until it is first used. The store closes the Redis client it made,
    never the engine it was given."""
    if redis_url:
        return RedisHandoffStore(async_client(redis_url), prefix=prefix, clock=clock, owns_client=True)
    if engine is not None:
        return SqlHandoffStore(engine, clock=clock)
    return MemoryHandoffStore(clock=clock)
