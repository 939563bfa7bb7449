"""The store suites' frame: a clock the test moves, a few requests in a row, and one mixin per backend
that says where `new_store()` makes its stores (the fixtures are in conftest.py)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Callable, List

import pytest

from console.handoff.model import Handoff
from console.handoff.store import HandoffStore

# Monday 7 December 2026, 08:00 in Hanoi.
START = datetime(2026, 12, 7, 1, 0, tzinfo=timezone.utc)
TIMEOUT = timedelta(minutes=10)
REDIS_URL = "redis://127.0.0.1:6379/15"  # db 15: the tests' own

StoreMaker = Callable[[], HandoffStore]


class Clock:
    """The time the stores see; a test moves it."""

    def __init__(self, now: datetime = START):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


async def queue(store: HandoffStore, clock: Clock, count: int, centre: str = "default") -> List[Handoff]:
    """`count` requests of different conversations, a second apart."""
    made = []
    for n in range(count):
        handoff, _ = await store.request(f"telegram:{centre}-{n}", "telegram", centre)
        made.append(handoff)
        clock.advance(seconds=1)
    return made


class Contract:
    """A suite of store tests; a backend mixin gives it `new_store`."""

    @pytest.fixture
    def store(self, new_store: StoreMaker) -> HandoffStore:
        return new_store()


class OnMemory:
    @pytest.fixture
    def new_store(self, memory_stores: StoreMaker) -> StoreMaker:
        return memory_stores


class OnRedis:
    @pytest.fixture
    def new_store(self, redis_stores: StoreMaker) -> StoreMaker:
        return redis_stores


class OnSql:
    @pytest.fixture
    def new_store(self, sql_stores: StoreMaker) -> StoreMaker:
        return sql_stores
