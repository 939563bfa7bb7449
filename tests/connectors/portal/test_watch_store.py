"""The subscription store on SQLite and on the machine's real PostgreSQL: what the bot's actions call,
and the watcher's claims, recorded polls and notifications (exactly once)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Iterator, List

import pytest
import sqlalchemy as sa

from connectors.portal.watch_store import SubscriptionStore, make_engine, notifications, watched
from connectors.portal.watcher_queue import Polled, WatchQueue
from connectors.portal.watcher_schedule import Schedule
from dossiers.model import VIETNAM, Dossier, Status
from tests.console.conftest import _postgres_schema_url

T0 = dt.datetime(2026, 11, 22, 10, 0, tzinfo=VIETNAM)
CODE = "000.00.53.H48-261101-0004"


class Clock:
    def __init__(self, now: dt.datetime = T0):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'console.db'}"
    else:
        yield from _postgres_schema_url()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(db_url: str, clock: Clock) -> Iterator[SubscriptionStore]:
    store = SubscriptionStore(make_engine(db_url), schedule=Schedule(jitter=0), clock=clock)
    yield store
    store.engine.dispose()


def dossier(status: Status, appointment: dt.datetime = T0 + dt.timedelta(days=6), code: str = CODE) -> Dossier:
    return Dossier.parse_obj(
        {
            "code": code,
            "procedure_name": "Đăng ký thường trú",
            "applicant_name": "Trần Thị Bình",
            "phone": "0905123402",
            "status_code": status,
            "appointment_at": appointment,
        }
    )


async def test_subscribe_is_idempotent_and_resets_the_90_days(store: SubscriptionStore, clock: Clock) -> None:
    first = await store.subscribe("tg:1", "telegram", CODE, "PROCESSING", T0 + dt.timedelta(days=6))
    assert first.state == "active" and first.last_status == "PROCESSING" and first.phone is None
    assert first.expires_at == T0 + dt.timedelta(days=90)
    assert first.appointment == T0 + dt.timedelta(days=6)
    assert await store.unsubscribe("tg:1") == 1
    assert await store.active_for("tg:1") == []
    clock.advance(days=10)
    again = await store.subscribe("tg:1", "telegram", CODE, "4", None)
    assert again.id == first.id and again.state == "active"
    assert again.expires_at == T0 + dt.timedelta(days=100) and again.created_at == T0
    assert [s.id for s in await store.active_for("tg:1")] == [first.id]


async def test_unsubscribe_one_code_or_all_and_mark(store: SubscriptionStore) -> None:
    one = await store.subscribe("zalo:9", "zalo", CODE, "PROCESSING", None, phone="0905123402")
    two = await store.subscribe("zalo:9", "zalo", "000.00.53.H48-261101-0002", "RECEIVED", None)
    await store.subscribe("tg:2", "telegram", CODE, "PROCESSING", None)
    assert one.phone == "0905123402"
    assert await store.unsubscribe("zalo:9", CODE) == 1
    assert [s.id for s in await store.active_for("zalo:9")] == [two.id]
    await store.mark(two.id, "undeliverable")
    assert await store.active_for("zalo:9") == []
    assert await store.unsubscribe("zalo:9") == 0
    assert len(await store.active_for("tg:2")) == 1
    with pytest.raises(ValueError):
        await store.mark(two.id, "paused")


async def test_tables_are_made_once_and_shared(db_url: str, store: SubscriptionStore) -> None:
    await store.subscribe("tg:1", "telegram", CODE, "PROCESSING", None)
    other = SubscriptionStore(make_engine(db_url))  # a second process on the same database
    assert [s.code for s in await other.active_for("tg:1")] == [CODE]
    await other.close()


def test_a_change_is_decided_once_with_its_status_and_sent_once(store: SubscriptionStore, clock: Clock) -> None:
    subs = [store.subscribe_sync(f"tg:{n}", "telegram", CODE, "PROCESSING", None) for n in range(3)]
    store.mark_sync(subs[2].id, "ended")
    a, b = WatchQueue(store, "a", lease_seconds=60), WatchQueue(store, "b", lease_seconds=60)
    clock.advance(hours=7)
    assert a.claim_due(clock(), 10) == [CODE]
    assert b.claim_due(clock(), 10) == []  # a holds it
    recorded = a.record([Polled(CODE, dossier(Status.SUPPLEMENT))], clock())
    assert sorted(p.subscription.id for p in recorded.pending) == [subs[0].id, subs[1].id]
    assert {(p.kind, p.item) for p in recorded.pending} == {("status", "SUPPLEMENT")}
    assert [s.last_status for s in store.active_for_sync("tg:0")] == ["SUPPLEMENT"]
    # b finds nothing to send while a's lease runs; the same status polled again decides nothing
    assert b.claim_pending(clock()) == []
    clock.advance(hours=7)
    assert a.claim_due(clock(), 10) == [CODE]
    assert a.record([Polled(CODE, dossier(Status.SUPPLEMENT))], clock()).pending == []
    # a dies before sending: after its lease b sends them, once
    clock.advance(seconds=61)
    taken = b.claim_pending(clock())
    assert sorted(p.id for p in taken) == sorted(p.id for p in recorded.pending)
    assert a.claim_pending(clock()) == []
    assert not a.take(recorded.pending[0], clock())  # a, slow but alive, no longer sends it
    assert all(b.take(p, clock()) for p in taken)
    assert all(b.delivered(p, clock()) for p in taken)
    assert not b.take(taken[0], clock())  # queued twice: sent once
    assert not a.delivered(recorded.pending[0], clock())  # a's late send is refused
    with store.engine.begin() as connection:
        states = connection.execute(sa.select(notifications.c.state)).scalars().all()
    assert states == ["sent", "sent"]


def test_a_status_entered_again_is_a_new_change(store: SubscriptionStore, clock: Clock) -> None:
    store.subscribe_sync("tg:1", "telegram", CODE, "PROCESSING", None)
    queue = WatchQueue(store, "a")
    items: List[str] = []
    for status in (Status.SUPPLEMENT, Status.PROCESSING, Status.SUPPLEMENT, Status.SUPPLEMENT):
        clock.advance(hours=7)
        assert queue.claim_due(clock(), 10) == [CODE]
        items += [p.item for p in queue.record([Polled(CODE, dossier(status))], clock()).pending]
    assert items == ["SUPPLEMENT", "PROCESSING", "SUPPLEMENT#2"]


def test_a_final_status_is_notified_then_the_subscriptions_end(store: SubscriptionStore, clock: Clock) -> None:
    sub = store.subscribe_sync("tg:1", "telegram", CODE, "DONE", None)
    late = store.subscribe_sync("tg:2", "telegram", CODE, "RETURNED", None)  # had seen it already
    queue = WatchQueue(store, "a")
    clock.advance(hours=7)
    queue.claim_due(clock(), 10)
    recorded = queue.record([Polled(CODE, dossier(Status.RETURNED))], clock())
    assert [(p.subscription.id, p.item) for p in recorded.pending] == [(sub.id, "RETURNED")]
    assert store.get_sync(sub.id).state == "returned"  # type: ignore[union-attr]
    assert store.get_sync(late.id).state == "returned"  # type: ignore[union-attr]
    with store.engine.begin() as connection:
        assert connection.execute(sa.select(watched)).all() == []  # no more polls
    # the final notice is still delivered after the end
    clock.advance(seconds=200)
    assert [p.id for p in queue.claim_pending(clock())] == [recorded.pending[0].id]


def test_subscriptions_expire_after_90_days(store: SubscriptionStore, clock: Clock) -> None:
    old = store.subscribe_sync("tg:1", "telegram", CODE, "PROCESSING", None)
    clock.advance(days=60)
    young = store.subscribe_sync("tg:2", "telegram", CODE, "PROCESSING", None)
    queue = WatchQueue(store, "a")
    clock.advance(days=30, seconds=1)
    assert queue.claim_due(clock(), 10) == [CODE]
    recorded = queue.record([Polled(CODE, dossier(Status.DONE))], clock())
    assert [p.subscription.id for p in recorded.pending] == [young.id]  # not the expired one
    assert store.get_sync(old.id).state == "expired"  # type: ignore[union-attr]
    clock.advance(days=61)
    assert queue.expire(clock()) == 1
    assert store.get_sync(young.id).state == "expired"  # type: ignore[union-attr]
    assert queue.claim_due(clock() + dt.timedelta(days=1), 10) == []  # nobody watches it: dropped
    with store.engine.begin() as connection:
        assert connection.execute(sa.select(watched)).all() == []


def test_not_found_twice_in_a_row_ends_and_failures_back_off(store: SubscriptionStore, clock: Clock) -> None:
    sub = store.subscribe_sync("tg:1", "telegram", CODE, "PROCESSING", None)
    queue = WatchQueue(store, "a")
    clock.advance(hours=7)
    queue.claim_due(clock(), 10)
    queue.record([Polled(CODE)], clock())  # the portal failed
    with store.engine.begin() as connection:
        row = connection.execute(sa.select(watched)).one()
    assert row.failures == 1 and row.lease_owner is None
    assert row.next_poll_at == (clock() + dt.timedelta(minutes=15)).astimezone(dt.timezone.utc).replace(tzinfo=None)
    clock.advance(minutes=15)
    queue.claim_due(clock(), 10)
    queue.record([Polled(CODE, not_found=True)], clock())
    assert store.get_sync(sub.id).state == "ended"  # type: ignore[union-attr]


def test_gone_and_undeliverable_mark_the_subscription(store: SubscriptionStore, clock: Clock) -> None:
    sub = store.subscribe_sync("tg:1", "telegram", CODE, "PROCESSING", None)
    queue = WatchQueue(store, "a")
    clock.advance(hours=7)
    queue.claim_due(clock(), 10)
    [pending] = queue.record([Polled(CODE, dossier(Status.SUPPLEMENT))], clock()).pending
    queue.retry(pending, clock(), 30)
    assert queue.claim_pending(clock() + dt.timedelta(seconds=29)) == []
    [again] = queue.claim_pending(clock() + dt.timedelta(seconds=31))
    assert again.attempts == 1 and again.dossier.status_code is Status.SUPPLEMENT
    queue.unreachable(again, "blocked", clock())
    assert store.get_sync(sub.id).state == "blocked"  # type: ignore[union-attr]
    assert queue.claim_pending(clock() + dt.timedelta(days=1)) == []
