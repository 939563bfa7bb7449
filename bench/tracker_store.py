"""Saving a conversation in Redis: Rasa 3.6's `RedisTrackerStore` against ours (bot.tracker_store).

    python -m bench.tracker_store [--turns 30] [--messages 20]

A citizen who comes back after the session expiry (60 min) starts a second session in the same
stored conversation. Rasa's `RedisTrackerStore.save` then merges the stored sessions with the
current one by comparing every new event with every stored one (`as_dict` each time): a cost that
grows with the square of the conversation, paid on the Rasa server's event loop by every message.
`bot.tracker_store.ResilientRedisTrackerStore` (the store `make run` names in endpoints with
REDIS_URL set) merges with the same result by comparing each event's contents once (a set).

For conversations of 1, 2 and 3 sessions of `--turns` turns, each kept in a redis-server started
here on a free port: `--messages` more messages (retrieve, one turn, save), the save timed, with
Rasa's store and then with ours in the same run (ours with bot.rasa_patches installed, as in
`python -m bot.server run`); the stored conversations are compared after.
Loopback only; bounded in count.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Callable, Dict, List

from rasa.core.tracker_store import RedisTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker

from bench.load import RedisServer
from bench.reply_latency import percentile
from bot.launcher import ROOT
from bot.rasa_patches import install
from bot.tracker_store import ResilientRedisTrackerStore
from tests.bot.tracker_events import clock, sessions, turn

OURS = "bot.tracker_store"


async def messages(store: RedisTrackerStore, sender: str, events: List[Event], count: int, domain: Domain,
                   tick: Callable[[], float]) -> List[float]:  # fmt: skip
    """Store the conversation, then `count` messages: retrieve, one turn, save (timed)."""
    await store.save(DialogueStateTracker.from_events(sender, events, domain.slots))
    timings: List[float] = []
    for n in range(count):
        tracker = await store.retrieve(sender)
        if tracker is None:
            raise SystemExit(f"the stored conversation {sender} was not found")
        for event in turn(10_000 + n, tick):
            tracker.update(event)
        start = time.perf_counter()
        await store.save(tracker)
        timings.append((time.perf_counter() - start) * 1000)
    return timings


async def run(args: argparse.Namespace, url_port: int) -> int:
    domain = Domain.load(str(ROOT / "bot" / "domain.yml"))
    stores = {
        "Rasa 3.6": RedisTrackerStore(domain, host="127.0.0.1", port=url_port, key_prefix="bench"),
        OURS: ResilientRedisTrackerStore(domain, host="127.0.0.1", port=url_port, key_prefix="bench"),
    }
    results: Dict[int, Dict[str, List[float]]] = {}
    stored: Dict[str, List[dict]] = {}
    for way, store in stores.items():
        if way == OURS:
            install()  # as in the Rasa server (python -m bot.server): the event class lookup, remembered
        for count in (1, 2, 3):
            tick = clock()
            sender = f"{way}-{count}"
            events = sessions(count, args.turns, tick)
            results.setdefault(count, {})[way] = await messages(store, sender, events, args.messages, domain, tick)
            full = await store.retrieve_full_tracker(sender)
            stored[sender] = [event.as_dict() for event in full.events] if full else []
    print(f"Saving one message of a conversation ({args.turns} turns a session, {args.messages} messages each), "
          "Rasa's Redis tracker store on a local redis-server")  # fmt: skip
    print(f"| sessions | events at the end | Rasa 3.6 save p50 / p95 ms | {OURS} save p50 / p95 ms | ratio (p50) |")
    print("|---|---|---|---|---|")
    same = True
    for count, by_way in results.items():
        rasa, ours = by_way["Rasa 3.6"], by_way[OURS]
        kept = len(stored[f"{OURS}-{count}"])
        same = same and stored[f"Rasa 3.6-{count}"] == stored[f"{OURS}-{count}"]
        p50 = (percentile(rasa, 0.5), percentile(ours, 0.5))
        print(f"| {count} | {kept} | {p50[0]:.1f} / {percentile(rasa, 0.95):.1f} | "
              f"{p50[1]:.1f} / {percentile(ours, 0.95):.1f} | x{p50[0] / p50[1]:.1f} |")  # fmt: skip
    print(f"Stored conversations the same both ways: {'yes' if same else 'NO'}")
    return 0 if same else 1


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=30, help="turns in each stored session")
    parser.add_argument("--messages", type=int, default=20, help="messages timed per conversation")
    args = parser.parse_args()
    redis_server = RedisServer()
    try:
        return asyncio.run(run(args, redis_server.port))
    finally:
        redis_server.stop()


if __name__ == "__main__":
    raise SystemExit(main())
