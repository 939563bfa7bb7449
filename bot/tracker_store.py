"""Rasa's Redis tracker store, made safe against a hanging Redis (and faster for returning citizens).

endpoints.yml (written by bot/rasa_config.py when REDIS_URL is set):
    tracker_store:
      type: bot.tracker_store.ResilientRedisTrackerStore
      url: host
      port: 6379
      ...                       # every key of Rasa's own `type: redis`, plus optional socket_timeout

Robustness: socket timeouts. Rasa 3.6's `RedisTrackerStore` makes its Redis client with no socket
timeouts and calls it synchronously on the event loop: a Redis that hangs (overloaded,
partitioned, or stopped with SIGSTOP in tests/bot/test_redis_hang.py and tests/e2e/test_redis.py)
would freeze the whole Rasa server, every conversation with it. Here every connection gives up
after `socket_timeout` seconds (`connectors.redis_clients.REDIS_TIMEOUT`, as every Redis
client's): the message fails, the citizen gets the apology, and the server goes on when Redis
answers again.

Speed: the merge of sessions. Saving a conversation of more than one session (a citizen back after
the 60-minute session expiry), Rasa compares every event of the current session with every stored
event (`as_dict` each time) on the event loop: with two sessions of 30 turns a save took 795 ms
against 26 ms for one session (`python -m bench.tracker_store`). Here each event's contents are made
hashable once and looked up in a set: the same events are kept, in the same order
(tests/bot/test_tracker_store.py compares both on real Redis); contents that cannot be hashed, and
trackers with a bounded history, take Rasa's own merge.

Upgrading Rasa: `_merge_trackers` is a private static method of Rasa's store, called by `save`;
`self.red` is its redis-py client. Re-run tests/bot/test_tracker_store.py and
tests/bot/test_redis_hang.py, and check that `save` still merges through `_merge_trackers`.
"""

from __future__ import annotations

from typing import Any, Optional

from rasa.core.tracker_store import InMemoryTrackerStore, RedisTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from bot.handoff_relay import handoff_relay
from connectors.redis_clients import REDIS_TIMEOUT


class HandoffInMemoryTrackerStore(InMemoryTrackerStore):
    """Rasa's in-memory store (the embedded default), relaying a paused conversation's new
    message to the helper console (bot/handoff_relay.py)."""

    async def save(self, tracker: DialogueStateTracker) -> None:
        await super().save(tracker)
        handoff_relay().saved(tracker)


class ResilientRedisTrackerStore(RedisTrackerStore):
    def __init__(self, domain: Domain, *args: Any, socket_timeout: Optional[float] = None, **kwargs: Any) -> None:
        """Rasa's store, every argument of it, then timeouts on its connections (made on first use)."""
        super().__init__(domain, *args, **kwargs)
        timeout = float(socket_timeout) if socket_timeout else REDIS_TIMEOUT
        self.red.connection_pool.connection_kwargs.update(socket_timeout=timeout, socket_connect_timeout=timeout)

    async def save(self, tracker: DialogueStateTracker, timeout: Optional[float] = None) -> None:
        """Rasa's save, then the relay of a paused conversation's new message (bot/handoff_relay.py)."""
        await super().save(tracker, timeout)
        handoff_relay().saved(tracker)

    @staticmethod
    def _merge_trackers(prior_tracker: DialogueStateTracker, tracker: DialogueStateTracker) -> DialogueStateTracker:
        """`RedisTrackerStore._merge_trackers`: the stored events, then each current one not among them."""
        if not prior_tracker.events:
            return tracker
        past_tracker = tracker.travel_back_in_time(target_time=prior_tracker.events[-1].timestamp)
        if past_tracker.events == prior_tracker.events:
            return tracker
        if tracker._max_event_history is not None:  # Rasa compares with what the bounded history keeps
            return RedisTrackerStore._merge_trackers(prior_tracker, tracker)
        merged = tracker.init_copy()
        merged.update_with_events(list(prior_tracker.events), override_timestamp=False, domain=None)
        try:
            seen = {_comparable(event.as_dict()) for event in merged.events}
            current = [(event, _comparable(event.as_dict())) for event in tracker.events]
        except TypeError:
            return RedisTrackerStore._merge_trackers(prior_tracker, tracker)
        for event, contents in current:
            if contents not in seen:
                merged.update(event)
                seen.add(contents)
        return merged


def _comparable(value: Any) -> Any:
    """A hashable stand-in for an event's `as_dict()`, equal exactly when the dicts are equal."""
    if isinstance(value, dict):
        return frozenset((key, _comparable(item)) for key, item in value.items())
    if isinstance(value, list):
        return ("list", tuple(_comparable(item) for item in value))
    if isinstance(value, tuple):
        return ("tuple", tuple(_comparable(item) for item in value))
    hash(value)  # a TypeError for contents Rasa's way must compare
    return value
