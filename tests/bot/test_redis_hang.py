"""A Redis that hangs (stopped with SIGSTOP: connections open, no answers) must not hang the Rasa
server, nor keep a citizen waiting after it answers again:
- the tracker store gives up within seconds, so the citizen gets the apology and the event loop
  serves the others, and the same store goes on when Redis answers;
- a ticket Redis issued after the lock store gave up on it is given back with the next message,
  so that message is served at once, not after the ticket's 60 s."""

from __future__ import annotations

import time

import pytest
import redis
from rasa.core.lock_store import LockError
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from bot.lock_store import REDIS_TIMEOUT, SETTLE_EVERY, AtomicRedisLockStore
from bot.tracker_store import ResilientRedisTrackerStore
from tests.bot.conftest import OwnRedis
from tests.bot.tracker_events import clock, sessions

DOMAIN = Domain.load("bot/domain.yml")


async def test_a_hung_redis_fails_the_tracker_store_within_seconds(own_redis: OwnRedis) -> None:
    store = ResilientRedisTrackerStore(DOMAIN, host="127.0.0.1", port=own_redis.port, key_prefix="hang")
    tracker = DialogueStateTracker.from_events("citizen", sessions(1, 3, clock()), DOMAIN.slots)
    await store.save(tracker)
    own_redis.freeze()
    try:
        for call in (lambda: store.retrieve("citizen"), lambda: store.save(tracker)):
            started = time.monotonic()
            with pytest.raises(redis.exceptions.TimeoutError):
                await call()
            assert time.monotonic() - started < REDIS_TIMEOUT + 1
    finally:
        own_redis.thaw()
    again = await store.retrieve("citizen")  # Redis answers again: the same store goes on
    assert again is not None and len(again.events) == len(tracker.events)


def test_a_ticket_issued_after_the_lock_store_gave_up_does_not_block(own_redis: OwnRedis) -> None:
    store = AtomicRedisLockStore(url=own_redis.url)
    first = store.issue_ticket("citizen", 60)
    store.cleanup("citizen", first)
    own_redis.freeze()
    try:
        with pytest.raises(LockError):
            store.issue_ticket("citizen", 60)  # Redis has the command; it runs when Redis wakes
    finally:
        own_redis.thaw()
    late = redis.Redis.from_url(own_redis.url)
    for _ in range(50):  # the late ticket, issued once Redis runs what it had received
        if late.zcard(store._keys("citizen")[0]):
            break
        time.sleep(0.02)
    assert late.zcard(store._keys("citizen")[0]) == 1  # issued after all, and nobody will return it
    time.sleep(SETTLE_EVERY)  # what a failure left is given back a second after it
    next_message = store.issue_ticket("citizen", 60)
    lock = store.get_lock("citizen")
    assert lock is not None and not lock.is_locked(next_message)  # served now, not in 60 s
    store.cleanup("citizen", next_message)
    assert store.get_lock("citizen") is None


def test_a_give_up_that_reaches_redis_first_stops_the_late_ticket(own_redis: OwnRedis) -> None:
    """The order reversed: Redis hears of the give-up before it runs the issue."""
    store = AtomicRedisLockStore(url=own_redis.url)
    keys = store._keys("citizen")
    store._unsettled.append(("citizen", "late-token", None))
    store._settle()  # the give-up first
    assert int(store._issue(keys=keys, args=[int(time.time() * 1000), 60_000, "late-token"])) == 0
    assert store.get_lock("citizen") is None  # the late issue added nothing
    number = store.issue_ticket("citizen", 60)
    lock = store.get_lock("citizen")
    assert lock is not None and not lock.is_locked(number)


def test_a_ticket_that_could_not_be_returned_is_returned_with_the_next_message(own_redis: OwnRedis) -> None:
    store = AtomicRedisLockStore(url=own_redis.url)
    stuck = store.issue_ticket("citizen", 60)
    # Redis will not run the return late: its script is not loaded there yet, so the EVALSHA that
    # reaches it after the thaw fails (a loaded one runs late and returns the ticket: also fine)
    assert redis.Redis.from_url(own_redis.url).script_exists(store._return.sha) == [False]
    own_redis.freeze()
    try:
        store.cleanup("citizen", stuck)  # fails after the socket timeout, and is remembered
    finally:
        own_redis.thaw()
    time.sleep(SETTLE_EVERY)  # what a failure left is given back a second after it
    other = AtomicRedisLockStore(url=own_redis.url)  # another replica sees the ticket still there
    lock = other.get_lock("citizen")
    assert lock is not None and [t.number for t in lock.tickets] == [stuck]
    number = store.issue_ticket("citizen", 60)  # this replica's next message gives it back first
    lock = other.get_lock("citizen")
    assert lock is not None and [t.number for t in lock.tickets] == [number] and not lock.is_locked(number)


async def test_a_message_right_after_redis_wakes_waits_a_second_not_a_minute(own_redis: OwnRedis) -> None:
    store = AtomicRedisLockStore(url=own_redis.url)
    store.cleanup("citizen", store.issue_ticket("citizen", 60))  # Redis has the scripts, as in service
    own_redis.freeze()
    try:
        with pytest.raises(LockError):
            store.issue_ticket("citizen", 60)
    finally:
        own_redis.thaw()
    late = redis.Redis.from_url(own_redis.url)
    for _ in range(50):
        if late.zcard(store._keys("citizen")[0]):
            break
        time.sleep(0.02)
    assert late.zcard(store._keys("citizen")[0]) == 1  # issued after all, and nobody will return it
    started = time.monotonic()
    async with store.lock("citizen", 60, wait_time_in_seconds=0.2):  # as Rasa takes the lock
        waited = time.monotonic() - started
    assert waited < 2 * SETTLE_EVERY  # the late ticket was given back while this one waited
    assert store.get_lock("citizen") is None


def test_a_return_that_ran_late_is_retried_without_removing_the_next_messages_ticket(own_redis: OwnRedis) -> None:
    """The return times out but Redis runs it when it wakes (the lock is deleted, its counter
    reset); another replica's message then gets ticket 1 again; the retry of the first return
    must not take that ticket away (two messages of one citizen would be handled at once)."""
    store = AtomicRedisLockStore(url=own_redis.url)
    store.cleanup("citizen", store.issue_ticket("citizen", 60))  # Redis has the scripts, as in service
    stuck = store.issue_ticket("citizen", 60)
    own_redis.freeze()
    try:
        store.cleanup("citizen", stuck)  # times out; the return is remembered to retry
    finally:
        own_redis.thaw()
    tickets_key = store._keys("citizen")[0]
    late = redis.Redis.from_url(own_redis.url)
    for _ in range(50):  # Redis runs the return it had received: the lock is gone
        if not late.exists(tickets_key):
            break
        time.sleep(0.02)
    assert not late.exists(tickets_key)
    other = AtomicRedisLockStore(url=own_redis.url)
    served = other.issue_ticket("citizen", 60)  # the next message, on another replica
    assert served == stuck == 1
    time.sleep(SETTLE_EVERY)
    mine = store.issue_ticket("citizen", 60)  # retries the return first
    lock = other.get_lock("citizen")
    assert lock is not None and [t.number for t in lock.tickets] == [served, mine]
    assert not lock.is_locked(served) and lock.is_locked(mine)  # one message at a time
