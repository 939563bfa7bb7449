"""One suite, every backend: places in the queue, the expected wait, the recent messages and the
history of closed requests are the same in memory, in Redis and in SQL (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from console.handoff.errors import InvalidInput, NotFound
from console.handoff.model import MAX_MESSAGES, MAX_TEXT, Role, State
from console.handoff.store import HandoffStore
from tests.console.handoff.backends import TIMEOUT, Clock, Contract, OnMemory, OnRedis, OnSql, queue


class Queue(Contract):
    async def test_places_in_the_queue_per_centre_oldest_first(self, store: HandoffStore, clock: Clock) -> None:
        here = await queue(store, clock, 3)
        there = await queue(store, clock, 2, centre="quan-1")

        assert [await store.position(h.id) for h in here] == [1, 2, 3]
        assert [await store.position(h.id) for h in there] == [1, 2]
        assert [h.id for h in await store.waiting("default")] == [h.id for h in here]
        assert [h.id for h in await store.waiting()] == [h.id for h in here + there]
        await store.claim(here[0].id, "an")
        assert [await store.position(h.id) for h in here] == [None, 1, 2]
        with pytest.raises(NotFound):
            await store.position("nope")

    async def test_the_wait_is_the_median_claim_delay_times_the_place(self, store: HandoffStore, clock: Clock) -> None:
        await queue(store, clock, 3)
        assert await store.estimated_wait("default", 1) == 3  # no claim yet: 3 minutes each
        assert await store.estimated_wait("default") == 12  # a new request would be 4th

        for delay in (60, 600, 120):
            handoff, _ = await store.request(f"web:d{delay}", "web")
            clock.advance(seconds=delay)
            await store.claim(handoff.id, "an")
        assert await store.estimated_wait("default", 1) == 2  # median 120 s
        assert await store.estimated_wait("default", 3) == 6
        assert await store.estimated_wait("quan-1", 2) == 6  # another centre has no history yet

    async def test_only_the_last_20_claims_count_and_a_wait_is_at_least_a_minute(
        self, store: HandoffStore, clock: Clock
    ) -> None:
        for n, delay in enumerate([3600] * 5 + [30] * 20):
            handoff, _ = await store.request(f"web:{n}", "web")
            clock.advance(seconds=delay)
            await store.claim(handoff.id, "an")
        assert await store.estimated_wait("default", 1) == 1  # 30 s, not 0
        assert await store.estimated_wait("default", 3) == 2  # 1.5 min rounds to 2

    async def test_messages_go_to_the_open_handoff_and_the_last_50_are_kept(
        self, store: HandoffStore, clock: Clock
    ) -> None:
        assert await store.add_message("telegram:4", "citizen", "có ai không?") is None
        handoff, _ = await store.request("telegram:4", "telegram", messages=[("citizen", "gặp cán bộ")])
        updated = await store.add_message("telegram:4", "citizen", "tôi hỏi về sổ đỏ", clock.now)
        assert updated is not None and [m.text for m in updated.messages] == ["gặp cán bộ", "tôi hỏi về sổ đỏ"]

        await store.claim(handoff.id, "an")
        for n in range(MAX_MESSAGES + 5):
            clock.advance(seconds=1)
            await store.add_message("telegram:4", "helper" if n % 2 else "citizen", f"tin {n}")
        kept = await store.messages(handoff.id)
        assert [m.text for m in kept] == [f"tin {n}" for n in range(5, MAX_MESSAGES + 5)]
        assert kept[-1].role is Role.CITIZEN and kept[-1].at == clock.now

        await store.add_message("telegram:4", "citizen", "x" * (MAX_TEXT + 10))
        assert (await store.messages(handoff.id))[-1].text == "x" * MAX_TEXT
        await store.end(handoff.id, "an", "answered")
        assert await store.add_message("telegram:4", "citizen", "cảm ơn") is None
        assert len(await store.messages(handoff.id)) == MAX_MESSAGES
        with pytest.raises(NotFound):
            await store.messages("nope")

    async def test_history_lists_closed_requests_newest_first(self, store: HandoffStore, clock: Clock) -> None:
        missed, cancelled, ended, waiting = await queue(store, clock, 4)
        await store.expire(missed.requested_at + TIMEOUT, TIMEOUT)
        await store.cancel(cancelled.conversation_id)
        await store.claim(ended.id, "an")
        await store.end(ended.id, "an", "citizen_left")

        assert [h.id for h in await store.history(10)] == [ended.id, cancelled.id, missed.id]
        assert [h.id for h in await store.history(1)] == [ended.id]
        assert [h.state for h in await store.history(10, State.CANCELLED)] == [State.CANCELLED]
        assert [h.id for h in await store.waiting()] == [waiting.id]
        for limit, state in ((0, None), (10, "waiting"), (10, "claimed")):
            with pytest.raises(InvalidInput):
                await store.history(limit, state)


class TestMemoryQueue(Queue, OnMemory):
    pass


class TestRedisQueue(Queue, OnRedis):
    pass


class TestSqlQueue(Queue, OnSql):
    pass
