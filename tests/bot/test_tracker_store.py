"""Conversations of several sessions in the Redis tracker store: bot.tracker_store's merge keeps what
Rasa's keeps, in the same order, on the machine's real Redis and event by event; and Rasa makes our
store from the endpoints the launcher writes."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Iterator, List

import pytest
import redis
import yaml
from rasa.core.tracker_store import RedisTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.tracker_store import ResilientRedisTrackerStore
from tests.bot.tracker_events import clock, sessions, turn

URL = "redis://127.0.0.1:6379/13"
DOMAIN = Domain.load("bot/domain.yml")


def dicts(tracker: DialogueStateTracker) -> List[dict]:
    return [event.as_dict() for event in tracker.events]


def last_session(events: List[Event]) -> List[Event]:
    start = max(
        i for i, e in enumerate(events) if isinstance(e, ActionExecuted) and e.action_name == "action_session_start"
    )
    return events[start:]


def both_merges(stored: List[Event], current: List[Event]) -> tuple:
    prior = DialogueStateTracker.from_events("citizen", stored, DOMAIN.slots)
    tracker = DialogueStateTracker.from_events("citizen", current, DOMAIN.slots)
    return (
        RedisTrackerStore._merge_trackers(prior, tracker),
        ResilientRedisTrackerStore._merge_trackers(prior, tracker),
        tracker,
    )


def test_a_second_session_is_merged_as_rasa_merges_it() -> None:
    tick = clock()
    stored = sessions(2, 5, tick)
    current = last_session(stored) + turn(99, tick)
    rasa, ours, _ = both_merges(stored, current)
    assert dicts(ours) == dicts(rasa)
    assert len(ours.events) == len(stored) + 10  # both sessions, then the new turn
    assert ours.events[-10].text == "còn lệ phí 99?"


def test_one_session_is_the_tracker_itself_both_ways() -> None:
    tick = clock()
    stored = sessions(1, 5, tick)
    rasa, ours, tracker = both_merges(stored, stored + turn(7, tick))
    assert rasa is tracker and ours is tracker


def test_event_contents_compare_as_python_compares_them() -> None:
    tick = clock()
    stored = sessions(2, 2, tick)
    at = stored[-1].timestamp
    stored += [SlotSet("province", 1, timestamp=at), SlotSet("offered_procedures", [1, 2], timestamp=at)]
    current = [
        *last_session(stored),
        SlotSet("province", 1.0, timestamp=at),  # equal to the stored 1: dropped
        SlotSet("offered_procedures", (1, 2), timestamp=at),  # a tuple is not the stored list: kept
        UserUttered("còn lệ phí?", {"name": "ask_fee", "confidence": 0.9}, timestamp=tick()),
        UserUttered("còn lệ phí?", {"name": "ask_fee", "confidence": 0.9}, timestamp=tick()),  # not the same time
    ]
    rasa, ours, _ = both_merges(stored, current)
    assert dicts(ours) == dicts(rasa)
    assert [type(e).__name__ for e in list(ours.events)[len(stored) :]] == ["SlotSet", "UserUttered", "UserUttered"]


def test_contents_that_cannot_be_hashed_take_rasas_merge() -> None:
    tick = clock()
    stored = sessions(2, 2, tick)
    current = [*last_session(stored), SlotSet("province", {"Hà Nội"}, timestamp=tick())]  # a set
    rasa, ours, _ = both_merges(stored, current)
    assert dicts(ours) == dicts(rasa)
    assert ours.events[-1].value == {"Hà Nội"}


@pytest.fixture
def stores() -> Iterator[List[RedisTrackerStore]]:
    client = redis.Redis.from_url(URL)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(f"these tests need Redis at {URL} (.ci/run starts it): {exc}")
    prefix = f"t{uuid.uuid4().hex[:8]}"
    made = [
        RedisTrackerStore(DOMAIN, host="127.0.0.1", port=6379, db=13, key_prefix=prefix + "a"),
        ResilientRedisTrackerStore(DOMAIN, host="127.0.0.1", port=6379, db=13, key_prefix=prefix + "b"),
    ]
    yield made
    for store in made:
        for key in store.red.keys(store.key_prefix + "*"):
            store.red.delete(key)


async def test_a_returning_citizen_keeps_every_session_on_real_redis(stores: List[RedisTrackerStore]) -> None:
    """The same messages through Rasa's merge (store a) and ours (store b) store the same conversation."""
    for store in stores:
        tick = clock()
        await store.save(DialogueStateTracker.from_events("citizen", sessions(2, 4, tick), DOMAIN.slots))
        for n in range(3):
            tracker = await store.retrieve("citizen")
            assert tracker is not None
            assert tracker.events[0].action_name == "action_session_start"  # the current session only
            assert len([e for e in tracker.events if isinstance(e, UserUttered)]) == 4 + n
            for event in turn(50 + n, tick):
                tracker.update(event)
            await store.save(tracker)
    rasa, ours = [await store.retrieve_full_tracker("citizen") for store in stores]
    assert rasa is not None and ours is not None
    assert dicts(ours) == dicts(rasa)
    texts = [e.text for e in ours.events if isinstance(e, UserUttered)]
    assert texts == [f"còn lệ phí {n}?" for n in (0, 1, 2, 3, 1000, 1001, 1002, 1003, 50, 51, 52)]
    assert stores[1].red.ttl(stores[1].key_prefix + "citizen") == -1  # no record_exp in this test


def test_rasa_makes_our_store_from_the_launchers_endpoints(tmp_path: Path) -> None:
    """`type: bot.tracker_store.…` as Rasa loads it (a name it cannot import would silently give an
    in-memory store), with every key of Rasa's own Redis store and the socket timeouts."""
    from rasa.core.tracker_store import TrackerStore
    from rasa.utils.endpoints import read_endpoint_config

    from bot.lock_store import REDIS_TIMEOUT, AtomicRedisLockStore
    from bot.rasa_config import redis_stores
    from motcua.settings import Settings

    path = tmp_path / "endpoints.yml"
    settings = Settings.from_env({"MOTCUA_TRACKER_RECORD_EXP_SECONDS": "60"})
    stores = redis_stores("redis://:p%40ss@127.0.0.1:6379/13", settings)
    path.write_text(yaml.safe_dump(stores), encoding="utf-8")
    store = TrackerStore.create(read_endpoint_config(str(path), "tracker_store"), DOMAIN)
    assert type(store) is ResilientRedisTrackerStore
    assert store.record_exp == 60 and store.key_prefix == "motcua:tracker:"
    pool = store.red.connection_pool.connection_kwargs
    assert (pool["host"], pool["port"], pool["db"], pool["password"]) == ("127.0.0.1", 6379, 13, "p@ss")
    assert pool["socket_timeout"] == pool["socket_connect_timeout"] == REDIS_TIMEOUT
    from rasa.core.lock_store import LockStore

    lock_store = LockStore.create(read_endpoint_config(str(path), "lock_store"))
    assert type(lock_store) is AtomicRedisLockStore


def test_the_socket_timeout_can_be_set_in_the_endpoints() -> None:
    store = ResilientRedisTrackerStore(DOMAIN, host="127.0.0.1", socket_timeout=0.5)
    pool = store.red.connection_pool.connection_kwargs
    assert pool["socket_timeout"] == pool["socket_connect_timeout"] == 0.5
