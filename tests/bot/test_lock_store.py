"""The atomic lock store on the machine's real Redis: unique tickets across replicas, one
message of a conversation at a time, in the order they arrived."""

from __future__ import annotations

import asyncio
import threading
import uuid
from typing import List

import pytest
import redis

from bot.lock_store import AtomicRedisLockStore

URL = "redis://127.0.0.1:6379/14"


@pytest.fixture
def replicas() -> List[AtomicRedisLockStore]:
    client = redis.Redis.from_url(URL)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(f"these tests need Redis at {URL} (.ci/run starts it): {exc}")
    return [AtomicRedisLockStore(url=URL), AtomicRedisLockStore(url=URL)]


def test_tickets_are_unique_across_replicas_under_contention(replicas: List[AtomicRedisLockStore]) -> None:
    conversation = f"c-{uuid.uuid4().hex}"
    start = threading.Barrier(40)
    issued: List[int] = []

    def take(store: AtomicRedisLockStore) -> None:
        start.wait()
        for _ in range(10):
            issued.append(store.issue_ticket(conversation, 30))

    threads = [threading.Thread(target=take, args=(replicas[i % 2],)) for i in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(issued) == list(range(1, 401))


async def test_one_message_at_a_time_in_arrival_order(replicas: List[AtomicRedisLockStore]) -> None:
    conversation = f"c-{uuid.uuid4().hex}"
    inside = 0
    most_inside = 0
    served: List[int] = []

    async def handle(n: int) -> None:
        nonlocal inside, most_inside
        store = replicas[n % 2]  # alternate replicas, as a load balancer without stickiness would
        async with store.lock(conversation, lock_lifetime=10, wait_time_in_seconds=0.01):
            inside += 1
            most_inside = max(most_inside, inside)
            await asyncio.sleep(0.01)
            served.append(n)
            inside -= 1

    tasks = []
    for n in range(20):
        tasks.append(asyncio.create_task(handle(n)))
        await asyncio.sleep(0)  # each takes its ticket before the next arrives
    await asyncio.gather(*tasks)
    assert most_inside == 1
    assert served == list(range(20))
    assert replicas[0].get_lock(conversation) is None  # returned and deleted when idle


def test_expired_tickets_do_not_block(replicas: List[AtomicRedisLockStore]) -> None:
    conversation = f"c-{uuid.uuid4().hex}"
    stuck = replicas[0].issue_ticket(conversation, 0.05)  # a replica died holding it
    waiting = replicas[1].issue_ticket(conversation, 30)
    lock = replicas[1].get_lock(conversation)
    assert lock is not None and lock.is_locked(waiting)
    import time

    time.sleep(0.1)
    lock = replicas[1].get_lock(conversation)
    assert lock is not None and not lock.is_locked(waiting) and stuck < waiting


def test_a_stale_retried_return_never_removes_another_messages_ticket(
    replicas: List[AtomicRedisLockStore],
) -> None:
    """Ticket 1 issued with token A and returned (the lock deleted), but the answer was lost, so
    the replica keeps the return to retry; ticket 1 is then issued again (counter reset) with
    token B to a new message; the retried return of (1, A) must leave B's ticket alone."""
    first, other = replicas
    conversation = f"c-{uuid.uuid4().hex}"
    assert first.issue_ticket(conversation, 30) == 1
    token_a = first._tokens[(conversation, 1)]
    first.cleanup(conversation, 1)  # ran in Redis: the lock is deleted, counter included
    assert first.get_lock(conversation) is None
    first._unsettled.append((conversation, token_a, 1))  # ... but its answer never came back
    assert other.issue_ticket(conversation, 30) == 1  # a new message, token B
    first._next_settle = 0.0
    mine = first.issue_ticket(conversation, 30)  # gives back what the failure left first
    lock = other.get_lock(conversation)
    assert lock is not None and [t.number for t in lock.tickets] == [1, mine]
    assert not lock.is_locked(1) and lock.is_locked(mine)  # B's message still served, alone
    other.cleanup(conversation, 1)
    first.cleanup(conversation, mine)
    assert first.get_lock(conversation) is None


def test_conversations_whose_ids_extend_another_do_not_share_keys(replicas: List[AtomicRedisLockStore]) -> None:
    from redis.crc import key_slot

    base = f"c-{uuid.uuid4().hex}"
    ids = [base, f"{base}:next", f"{base}}}:next", f"{base}:owners", f"{base}:given-up", f"{base}}}", "{" + base]
    keys = [AtomicRedisLockStore._keys(i) for i in ids]
    assert len({k for ks in keys for k in ks}) == 4 * len(ids)  # no key shared by two conversations
    for ks in keys:  # one lock's keys in one Redis Cluster slot
        assert len({key_slot(k.encode()) for k in ks}) == 1
    store = replicas[0]
    assert [store.issue_ticket(i, 30) for i in ids] == [1] * len(ids)  # each its own counter
    for i in ids:
        lock = store.get_lock(i)
        assert lock is not None and [t.number for t in lock.tickets] == [1] and not lock.is_locked(1)
    for i in ids:
        store.cleanup(i, 1)
        assert store.get_lock(i) is None
    assert all(store.get_lock(i) is None for i in ids)


async def test_a_waiting_message_goes_on_soon_after_the_lock_is_given_back() -> None:
    """Rasa polls a busy conversation's lock once a second; ours every 50 ms (a citizen writing while
    a helper's reply is sent waited a whole second)."""
    import asyncio
    import time

    from bot.lock_store import PromptInMemoryLockStore

    store = PromptInMemoryLockStore()
    released_at: list = []

    async def first() -> None:
        async with store.lock("tg:1"):
            await asyncio.sleep(0.1)
        released_at.append(time.monotonic())

    async def second() -> float:
        await asyncio.sleep(0.01)
        async with store.lock("tg:1"):
            return time.monotonic()

    _, acquired = await asyncio.gather(first(), second())
    assert acquired - released_at[0] < 0.2  # Rasa's own store: up to 1 s
