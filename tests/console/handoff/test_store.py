"""One suite, every backend: a handoff's life — requested, claimed, transferred, ended, cancelled,
missed — is the same in memory, in Redis and in SQL (SQLite and PostgreSQL). The races run for real:
two helpers claiming at once through two stores with connections of their own, two console
processes expiring at once; exactly one side wins."""

from __future__ import annotations

import asyncio
from datetime import timedelta, timezone
from typing import List, Tuple

import pytest

from console.handoff.errors import AlreadyClaimed, InvalidInput, NotFound, NotHolder, WrongState
from console.handoff.model import Channel, MessageLike, Outcome, Role, State
from console.handoff.store import HandoffStore
from tests.console.handoff.backends import TIMEOUT, Clock, Contract, OnMemory, OnRedis, OnSql, StoreMaker, queue


class Lifecycle(Contract):
    async def test_a_request_is_queued_with_what_the_citizen_said(self, store: HandoffStore, clock: Clock) -> None:
        said: List[MessageLike] = [{"role": "citizen", "text": "Cho tôi gặp cán bộ"}]
        said.append(("bot", "Dạ, bạn chờ một chút nhé", clock.now))
        handoff, position = await store.request("zalo:8841", "zalo", "default", "1.001612", "Cấp CCCD", said)

        assert position == 1
        assert (handoff.conversation_id, handoff.channel, handoff.centre) == ("zalo:8841", Channel.ZALO, "default")
        assert (handoff.procedure_id, handoff.procedure_name) == ("1.001612", "Cấp CCCD")
        assert (handoff.state, handoff.helper, handoff.outcome) == (State.WAITING, None, None)
        assert handoff.requested_at == clock.now and handoff.requested_at.tzinfo == timezone.utc
        assert [(m.role, m.text) for m in handoff.messages] == [
            (Role.CITIZEN, "Cho tôi gặp cán bộ"),
            (Role.BOT, "Dạ, bạn chờ một chút nhé"),
        ]
        assert await store.get(handoff.id) == handoff
        assert await store.open_for("zalo:8841") == handoff
        assert await store.open_for("zalo:other") is None

    async def test_asking_again_gives_the_same_open_handoff(self, store: HandoffStore, clock: Clock) -> None:
        first, _ = await store.request("telegram:1", "telegram", messages=[("citizen", "gặp người thật")])
        clock.advance(seconds=30)
        again, position = await store.request("telegram:1", "telegram", messages=[("citizen", "alo?")])

        assert again == first and position == 1
        assert [h.id for h in await store.waiting()] == [first.id]
        await store.claim(first.id, "an")
        claimed_again, position = await store.request("telegram:1", "telegram")
        assert (claimed_again.id, claimed_again.state, position) == (first.id, State.CLAIMED, None)
        await store.end(first.id, "an", "answered")
        later, position = await store.request("telegram:1", "telegram")
        assert later.id != first.id and position == 1

    async def test_concurrent_requests_of_one_conversation_make_one_handoff(self, new_store: StoreMaker) -> None:
        stores = [new_store(), new_store()]
        results = await asyncio.gather(*(s.request("web:w1", "web") for s in stores * 4))
        assert len({handoff.id for handoff, _ in results}) == 1
        assert len(await stores[0].waiting()) == 1

    async def test_two_helpers_claiming_at_once_one_wins(self, new_store: StoreMaker, clock: Clock) -> None:
        first, second = new_store(), new_store()
        for n in range(5):
            handoff, _ = await first.request(f"zalo:race{n}", "zalo")
            results = await asyncio.gather(first.claim(handoff.id, "an"), second.claim(handoff.id, "binh"))

            winners = [r for r in results if r.won]
            assert len(winners) == 1
            holder = winners[0].handoff.helper
            loser = next(r for r in results if not r.won)
            assert (loser.state, loser.holder) == (State.CLAIMED, holder)
            with pytest.raises(AlreadyClaimed) as refused:
                loser.check()
            assert refused.value.holder == holder
            assert (await second.get(handoff.id)).helper == holder

    async def test_many_helpers_at_once_one_wins(self, new_store: StoreMaker) -> None:
        stores = [new_store(), new_store()]
        handoff, _ = await stores[0].request("telegram:crowd", "telegram")
        results = await asyncio.gather(*(stores[n % 2].claim(handoff.id, f"helper-{n}") for n in range(8)))
        winners = [r.handoff.helper or "" for r in results if r.won]
        assert len(winners) == 1
        assert {r.holder for r in results} == set(winners)
        assert [h.id for h in await stores[1].claimed_by(winners[0])] == [handoff.id]

    async def test_a_closed_handoff_cannot_be_claimed(self, store: HandoffStore, clock: Clock) -> None:
        missed, cancelled, ended = await queue(store, clock, 3)
        await store.cancel(cancelled.conversation_id)
        await store.claim(ended.id, "an")
        await store.end(ended.id, "an", Outcome.ANSWERED)
        await store.expire(clock.now + TIMEOUT, TIMEOUT)

        for handoff, state in ((missed, State.MISSED), (cancelled, State.CANCELLED), (ended, State.ENDED)):
            result = await store.claim(handoff.id, "binh")
            assert (result.won, result.state) == (False, state)
            with pytest.raises(WrongState) as refused:
                result.check()
            assert refused.value.state == state.value
        with pytest.raises(NotFound):
            await store.claim("nope", "an")

    async def test_claiming_again_changes_nothing(self, store: HandoffStore, clock: Clock) -> None:
        handoff, _ = await store.request("web:x", "web")
        assert (await store.claim(handoff.id, "an")).won
        clock.advance(minutes=1)
        again = await store.claim(handoff.id, "an")
        assert (again.won, again.holder, again.handoff.claimed_at) == (False, "an", clock.now - timedelta(minutes=1))

    async def test_only_the_holder_transfers_or_ends(self, store: HandoffStore, clock: Clock) -> None:
        handoff, _ = await store.request("telegram:2", "telegram")
        with pytest.raises(WrongState):
            await store.transfer(handoff.id, "an", "binh")  # nobody has it yet
        await store.claim(handoff.id, "an")
        with pytest.raises(NotHolder) as refused:
            await store.transfer(handoff.id, "binh", "chi")
        assert refused.value.holder == "an"

        moved = await store.transfer(handoff.id, "an", "binh")
        assert (moved.state, moved.helper) == (State.CLAIMED, "binh")
        assert await store.claimed_by("an") == [] and [h.id for h in await store.claimed_by("binh")] == [handoff.id]
        with pytest.raises(NotHolder):
            await store.end(handoff.id, "an", "answered")

        clock.advance(minutes=4)
        ended = await store.end(handoff.id, "binh", "sent_to_counter", counter="5")
        assert (ended.state, ended.outcome, ended.counter, ended.helper) == (
            State.ENDED,
            Outcome.SENT_TO_COUNTER,
            "5",
            "binh",
        )
        assert ended.ended_at == clock.now and await store.open_for("telegram:2") is None
        assert await store.claimed_by("binh") == []
        with pytest.raises(WrongState) as closed:
            await store.end(handoff.id, "binh", "answered")
        assert closed.value.state == "ended"
        with pytest.raises(NotFound):
            await store.transfer("nope", "an", "binh")

    async def test_an_end_needs_a_helper_outcome(self, store: HandoffStore) -> None:
        handoff, _ = await store.request("telegram:3", "telegram")
        await store.claim(handoff.id, "an")
        for outcome, counter in (("missed", None), ("cancelled", None), ("done", None), ("answered", "5")):
            with pytest.raises(InvalidInput):
                await store.end(handoff.id, "an", outcome, counter)
        assert (await store.get(handoff.id)).state is State.CLAIMED
        assert (await store.end(handoff.id, "an", "sent_to_counter")).counter is None

    async def test_the_citizen_cancels_a_waiting_or_claimed_request(self, store: HandoffStore, clock: Clock) -> None:
        waiting, claimed = await queue(store, clock, 2)
        await store.claim(claimed.id, "an")

        for handoff, helper in ((waiting, None), (claimed, "an")):
            cancelled = await store.cancel(handoff.conversation_id)
            assert cancelled is not None and cancelled.id == handoff.id
            assert (cancelled.state, cancelled.outcome, cancelled.helper) == (
                State.CANCELLED,
                Outcome.CANCELLED,
                helper,
            )
            assert cancelled.ended_at == clock.now
            assert await store.open_for(handoff.conversation_id) is None
            assert await store.cancel(handoff.conversation_id) is None
        assert await store.waiting() == [] and await store.claimed_by("an") == []
        with pytest.raises(WrongState):
            await store.end(claimed.id, "an", "answered")
        assert await store.cancel("telegram:never") is None

    async def test_expiry_marks_old_requests_missed_once_with_two_stores_racing(
        self, new_store: StoreMaker, clock: Clock
    ) -> None:
        first, second = new_store(), new_store()
        old = await queue(first, clock, 3)
        clock.advance(minutes=5)
        fresh, _ = await first.request("web:fresh", "web", "quan-1")
        now = old[-1].requested_at + TIMEOUT

        runs = await asyncio.gather(first.expire(now, TIMEOUT), second.expire(now, TIMEOUT))

        missed = [h for run in runs for h in run]
        assert sorted(h.id for h in missed) == sorted(h.id for h in old)
        assert all((h.state, h.outcome, h.ended_at) == (State.MISSED, Outcome.MISSED, now) for h in missed)
        assert [h.id for h in await second.waiting()] == [fresh.id]
        assert [h.id for h in await second.history(10, "missed")] == [h.id for h in reversed(old)]
        assert await first.expire(now, TIMEOUT) == []
        assert await first.open_for(old[0].conversation_id) is None

    async def test_arguments_are_checked(self, store: HandoffStore, clock: Clock) -> None:
        bad_requests: List[Tuple[str, str, str]] = [("telegram:5", "facebook", "default"), ("", "web", "default")]
        bad_requests.append(("telegram:5", "web", "centre 1"))
        for conversation, channel, centre in bad_requests:
            with pytest.raises(InvalidInput):
                await store.request(conversation, channel, centre)
        with pytest.raises(InvalidInput):
            await store.request("web:5", "web", messages=[("robot", "hi")])
        handoff, _ = await store.request("web:5", "web")
        for helper in ("", "   ", "a" * 200, "an\nbinh"):
            with pytest.raises(InvalidInput):
                await store.claim(handoff.id, helper)
        await store.claim(handoff.id, "an")
        with pytest.raises(InvalidInput):
            await store.transfer(handoff.id, "an", "an")
        with pytest.raises(InvalidInput):
            await store.add_message("web:5", "citizen", "hi", clock.now.replace(tzinfo=None))
        with pytest.raises(InvalidInput):
            await store.expire(clock.now.replace(tzinfo=None), TIMEOUT)
        with pytest.raises(InvalidInput):
            await store.expire(clock.now, timedelta(0))


class Persistence:
    async def test_a_new_store_sees_the_same_handoffs_and_messages(self, new_store: StoreMaker, clock: Clock) -> None:
        first = new_store()
        said = [{"role": "citizen", "text": "Tôi muốn hỏi về hộ chiếu, SĐT 0912 345 678"}]
        handoff, _ = await first.request("web:abc", "web", "quan-1", "2.001234", "Cấp hộ chiếu phổ thông", said)
        clock.advance(seconds=1, microseconds=123)
        await first.add_message("web:abc", "bot", "Dạ, cán bộ sẽ trả lời ngay ạ.")
        await first.claim(handoff.id, "an")

        second = new_store()
        seen = await second.get(handoff.id)
        assert seen == await first.get(handoff.id)
        assert [(m.role.value, m.text, m.at) for m in await second.messages(handoff.id)] == [
            ("citizen", "Tôi muốn hỏi về hộ chiếu, SĐT 0912 345 678", handoff.requested_at),
            ("bot", "Dạ, cán bộ sẽ trả lời ngay ạ.", clock.now),
        ]
        assert (seen.state, seen.helper, seen.claimed_at) == (State.CLAIMED, "an", clock.now)
        assert await second.open_for("web:abc") == seen
        assert [h.id for h in await second.claimed_by("an")] == [handoff.id]


class TestMemoryStore(Lifecycle, OnMemory):
    pass


class TestRedisStore(Lifecycle, Persistence, OnRedis):
    pass


class TestSqlStore(Lifecycle, Persistence, OnSql):
    pass
