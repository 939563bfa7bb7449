"""The watcher against the portal simulator: a change reaches the citizen once (two watchers, a
restart), the portal's rate cap and circuit breaker hold, the appointment-day warning comes once,
and `python -m connectors.portal.watcher` starts and stops as a process."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import aiohttp
import pytest
import sqlalchemy as sa
from aiohttp import web
from aiohttp.test_utils import TestServer

from connectors.portal.breaker import CircuitBreaker
from connectors.portal.client import HttpPortal
from connectors.portal.notify import DeliveryResult, Notifier, Sent
from connectors.portal.ratelimit import RedisRateLimiter
from connectors.portal.simulator import Simulator, load_fixtures
from connectors.portal.simulator_synthetic import Synthetic, synthetic_code
from connectors.portal.watch_store import Subscription, SubscriptionStore, make_engine, notifications
from connectors.portal.watcher import NoCache, Watcher, portal_limiter
from connectors.portal.watcher_queue import Polled, WatchQueue
from connectors.portal.watcher_schedule import Schedule
from connectors.rasa_api import RasaApi
from connectors.redis_clients import async_client
from dossiers.model import VIETNAM, Dossier
from tests.connectors.portal.conftest import TODAY
from tests.console.conftest import _postgres_schema_url

ROOT = Path(__file__).resolve().parents[3]
PROCESSING_ON_TIME = "000.00.53.H48-261101-0004"
DUE_TODAY = "000.00.53.H48-261101-0012"
FAST = Schedule(far=0.4, soon=0.3, near=0.2, soon_days=3, jitter=0)
Call = Tuple[int, str, str]  # subscription id, kind, status name


class Clock:
    """Real time, from 10:00 on the simulator's today in Vietnam."""

    def __init__(self) -> None:
        self.start = dt.datetime.combine(TODAY, dt.time(10, 0), VIETNAM)
        self.t0 = time.monotonic()

    def __call__(self) -> dt.datetime:
        return self.start + dt.timedelta(seconds=time.monotonic() - self.t0)


class FakeNotifier:
    """Records what would be sent; answers `outcomes` in turn, then SENT."""

    def __init__(self, outcomes: Sequence[DeliveryResult] = ()):
        self.calls: List[Call] = []
        self.outcomes = list(outcomes)

    async def notify(self, subscription: Subscription, dossier: Dossier, kind: str, now: dt.datetime) -> DeliveryResult:
        assert now.tzinfo is not None and now.utcoffset() == dt.timedelta(hours=7)  # Vietnam's day for the text
        self.calls.append((subscription.id, kind, dossier.status_code.name))
        return self.outcomes.pop(0) if self.outcomes else DeliveryResult(Sent.SENT)


class TrackingSimulator(Simulator):
    """Counts, per code, the requests being answered at the same moment (two watchers must not overlap)."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.in_flight: Counter = Counter()
        self.most_at_once: Counter = Counter()
        self.per_code: Counter = Counter()

    async def dossier(self, request: web.Request) -> web.StreamResponse:
        code = request.match_info["code"]
        self.per_code[code] += 1
        self.in_flight[code] += 1
        self.most_at_once[code] = max(self.most_at_once[code], self.in_flight[code])
        try:
            return await super().dossier(request)
        finally:
            self.in_flight[code] -= 1


@pytest.fixture
def sim() -> TrackingSimulator:
    return TrackingSimulator(load_fixtures(), today=TODAY, synthetic=Synthetic(200, TODAY, changes=0))


@pytest.fixture
async def sim_url(sim: Simulator, aiohttp_server: Callable[..., Awaitable[TestServer]]) -> str:
    return str((await aiohttp_server(sim.app())).make_url("")).rstrip("/")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Iterator[SubscriptionStore]:
    store = SubscriptionStore(make_engine(f"sqlite:///{tmp_path / 'console.db'}"), schedule=FAST, clock=clock)
    yield store
    store.engine.dispose()


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from _postgres_schema_url()


def watcher(
    store: SubscriptionStore,
    url: str,
    session: aiohttp.ClientSession,
    notifier: Any,
    clock: Clock,
    *,
    owner: str = "w1",
    rps: float = 200,
    limiter: Any = None,
    breaker: Optional[CircuitBreaker] = None,
    lease: float = 30,
    batch: int = 200,
) -> Watcher:
    breaker = breaker or CircuitBreaker()
    portal = HttpPortal(url, session, attempts=1, breaker=breaker, cache=NoCache(), cache_ttl=0)
    queue = WatchQueue(store, owner, lease)
    return Watcher(queue, portal, breaker, notifier, limiter or portal_limiter(rps), batch=batch,
                   recheck_seconds=0.2, idle_seconds=0.05, clock=clock)  # fmt: skip


async def run(watchers: Sequence[Watcher], seconds: float, meanwhile: Optional[Awaitable[None]] = None) -> None:
    stop = asyncio.Event()
    tasks = [asyncio.create_task(w.run(stop)) for w in watchers]
    if meanwhile is not None:
        await meanwhile
    await asyncio.sleep(seconds)
    stop.set()
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=15)


async def move(url: str, code: str, status: int, after: float = 0.0) -> None:
    await asyncio.sleep(after)
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{url}/_sim/dossiers/{code}", json={"status_code": status}) as response:
            assert response.status == 200


def sent_rows(store: SubscriptionStore) -> List[Tuple[int, str, str, str]]:
    with store.engine.begin() as connection:
        rows = connection.execute(
            sa.select(
                notifications.c.subscription_id, notifications.c.kind, notifications.c.item, notifications.c.state
            )
        ).all()
    return sorted(tuple(r) for r in rows)


async def test_a_change_reaches_the_citizen_once_in_their_words(
    store: SubscriptionStore, sim_url: str, session: aiohttp.ClientSession, clock: Clock,
    aiohttp_server: Callable[..., Awaitable[TestServer]],
) -> None:  # fmt: skip
    """Through the real Notifier and a fake Rasa HTTP API: what the citizen's chat receives."""
    received: List[Tuple[str, str, Any]] = []

    async def events(request: web.Request) -> web.Response:
        received.append((request.match_info["id"], request.query["output_channel"], await request.json()))
        return web.json_response({"events": []})

    rasa = web.Application()
    rasa.add_routes([web.post("/conversations/{id}/tracker/events", events)])
    rasa_url = str((await aiohttp_server(rasa)).make_url("")).rstrip("/")
    sub = await store.subscribe("tg:77", "telegram", PROCESSING_ON_TIME, "PROCESSING", None)
    notifier = Notifier(RasaApi(rasa_url, None, session))
    await run([watcher(store, sim_url, session, notifier, clock)], 1.5, move(sim_url, PROCESSING_ON_TIME, 5, 0.5))
    assert len(received) == 1
    conversation, channel, [event] = received[0]
    assert (conversation, channel) == ("tg:77", "telegram")
    assert "000.00.53.H48-261101-****" in event["text"] and PROCESSING_ON_TIME not in event["text"]
    assert "bổ sung" in event["text"].lower()
    assert sent_rows(store) == [(sub.id, "status", "SUPPLEMENT", "sent")]


async def test_two_watchers_and_a_restart_notify_each_change_exactly_once(
    pg_url: str, sim: TrackingSimulator, sim_url: str, session: aiohttp.ClientSession, clock: Clock
) -> None:
    stores = [SubscriptionStore(make_engine(pg_url), schedule=FAST, clock=clock) for _ in range(3)]
    codes = [synthetic_code(i) for i in range(30)]
    subs = [
        stores[0].subscribe_sync(f"tg:{n}", "telegram", code, "PROCESSING", None) for n in range(2) for code in codes
    ]
    # a first watcher claims, polls and decides, then dies before sending (its lease: 1 s)
    for code in codes[:10]:
        sim.dossiers[code] = {**sim.record(code), "status_code": 9}
    dead = WatchQueue(stores[0], "dead", lease_seconds=1)
    await asyncio.sleep(0.5)
    claimed = dead.claim_due(clock(), 100)
    assert sorted(claimed) == sorted(codes)
    found = [Polled(code, Dossier.parse_obj(sim.record(code))) for code in claimed]
    assert len(dead.record(found, clock()).pending) == 20
    # two watchers share the rest; meanwhile 10 more dossiers move, 5 of them twice
    first, second = FakeNotifier(), FakeNotifier()
    watchers = [watcher(stores[n + 1], sim_url, session, notifier, clock, owner=f"w{n}", lease=1, batch=4)
                for n, notifier in enumerate((first, second))]  # fmt: skip

    async def changes() -> None:
        await asyncio.gather(*(move(sim_url, code, 5, 0.3) for code in codes[10:20]))
        await asyncio.gather(*(move(sim_url, code, 9, 1.0) for code in codes[10:15]))

    await run(watchers, 3.0, changes())
    calls = first.calls + second.calls
    assert all(w.counts["requests"] > 0 for w in watchers)  # both polled
    assert len(calls) == len(set(calls)) == 20 + 20 + 10  # each (subscription, status) once
    by_sub = {s.id: s.code for s in subs}
    assert {(by_sub[c[0]], c[2]) for c in calls} == (
        {(code, "DONE") for code in codes[:10]} | {(code, "SUPPLEMENT") for code in codes[10:20]}
        | {(code, "DONE") for code in codes[10:15]}
    )  # fmt: skip
    assert all(row[3] == "sent" for row in sent_rows(stores[0]))
    assert max(sim.most_at_once[code] for code in codes) == 1  # never polled by both at once
    for store in stores:
        store.engine.dispose()


async def test_portal_requests_stay_under_the_cap(
    store: SubscriptionStore, sim: Simulator, sim_url: str, session: aiohttp.ClientSession, clock: Clock
) -> None:
    for i in range(120):
        store.subscribe_sync(f"tg:{i}", "telegram", synthetic_code(i), "PROCESSING", None)
    await asyncio.sleep(0.5)
    started = time.time()
    await run([watcher(store, sim_url, session, FakeNotifier(), clock, rps=5)], 2.5)
    elapsed = time.time() - started
    assert 10 <= sim.requests <= 5 * (elapsed + 1)
    assert max(sim.per_second.values()) <= 5


async def test_watchers_share_one_cap_on_redis(
    store: SubscriptionStore, sim: Simulator, sim_url: str, session: aiohttp.ClientSession, clock: Clock
) -> None:
    redis = async_client("redis://127.0.0.1:6379/0")
    try:
        await redis.ping()
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"Redis at 127.0.0.1:6379 is not reachable: {type(exc).__name__}")
    for i in range(120):
        store.subscribe_sync(f"tg:{i}", "telegram", synthetic_code(i), "PROCESSING", None)
    await asyncio.sleep(0.5)
    prefix = f"test:watcher:{uuid.uuid4().hex}:"
    watchers = [watcher(store, sim_url, session, FakeNotifier(), clock, owner=f"w{n}",
                        limiter=RedisRateLimiter(redis, 4, 1.0, prefix=prefix)) for n in range(2)]  # fmt: skip
    await run(watchers, 2.5)
    await redis.close(close_connection_pool=True)  # redis 4.6 keeps a from_url pool open otherwise
    assert sim.requests >= 8
    assert max(sim.per_second.values()) <= 4


async def test_no_polls_while_the_breaker_is_open(
    store: SubscriptionStore, sim: Simulator, sim_url: str, session: aiohttp.ClientSession, clock: Clock
) -> None:
    store.subscribe_sync("tg:1", "telegram", PROCESSING_ON_TIME, "PROCESSING", None)
    breaker = CircuitBreaker(threshold=1, reset_after=60)
    breaker.failure()  # the portal failed: the circuit is open for a minute
    await asyncio.sleep(0.5)
    await run([watcher(store, sim_url, session, FakeNotifier(), clock, breaker=breaker)], 1.0)
    assert sim.requests == 0
    # when it closes again, polling resumes
    breaker.success()
    await run([watcher(store, sim_url, session, FakeNotifier(), clock, breaker=breaker)], 0.5)
    assert sim.requests >= 1


async def test_a_portal_that_fails_opens_the_breaker_and_polls_stop(
    store: SubscriptionStore, sim: Simulator, sim_url: str, session: aiohttp.ClientSession, clock: Clock
) -> None:
    for i in range(40):
        store.subscribe_sync(f"tg:{i}", "telegram", synthetic_code(i), "PROCESSING", None)
    sim.mode = "500"
    await asyncio.sleep(0.5)
    await run([watcher(store, sim_url, session, FakeNotifier(), clock, breaker=CircuitBreaker(5, 60))], 1.5)
    assert 5 <= sim.requests <= 5 + 20  # the batch in flight when it opened, then nothing


async def test_the_final_status_is_told_then_polling_ends(
    store: SubscriptionStore, sim: TrackingSimulator, sim_url: str, session: aiohttp.ClientSession, clock: Clock
) -> None:
    sub = store.subscribe_sync("tg:1", "telegram", PROCESSING_ON_TIME, "PROCESSING", None)
    notifier = FakeNotifier()
    await run([watcher(store, sim_url, session, notifier, clock)], 0.5, move(sim_url, PROCESSING_ON_TIME, 10, 0.5))
    polls = sim.per_code[PROCESSING_ON_TIME]
    await run([watcher(store, sim_url, session, notifier, clock)], 1.0)
    assert notifier.calls == [(sub.id, "status", "RETURNED")]
    assert store.get_sync(sub.id).state == "returned"  # type: ignore[union-attr]
    assert sim.per_code[PROCESSING_ON_TIME] == polls  # no more polls


async def test_the_appointment_day_warning_comes_once(
    store: SubscriptionStore, sim: TrackingSimulator, sim_url: str, session: aiohttp.ClientSession, clock: Clock
) -> None:
    sub = store.subscribe_sync("zalo:5", "zalo", DUE_TODAY, "PROCESSING", None)
    notifier = FakeNotifier()
    await run([watcher(store, sim_url, session, notifier, clock)], 1.6)
    assert sim.per_code[DUE_TODAY] >= 4  # polled every 0.2 s: the appointment is today
    assert notifier.calls == [(sub.id, "appointment_today", "PROCESSING")]
    assert sent_rows(store) == [(sub.id, "appointment_today", TODAY.isoformat(), "sent")]


async def test_retry_later_then_blocked(
    store: SubscriptionStore, sim_url: str, session: aiohttp.ClientSession, clock: Clock
) -> None:
    sub = store.subscribe_sync("tg:1", "telegram", PROCESSING_ON_TIME, "PROCESSING", None)
    other = store.subscribe_sync("tg:2", "telegram", "000.00.53.H48-261101-0002", "RECEIVED", None)
    notifier = FakeNotifier([DeliveryResult(Sent.RETRY, 0.3)])
    await run([watcher(store, sim_url, session, notifier, clock)], 2.0, move(sim_url, PROCESSING_ON_TIME, 6, 0.3))
    assert notifier.calls == [(sub.id, "status", "PAYMENT")] * 2  # retried once, then sent
    assert sent_rows(store) == [(sub.id, "status", "PAYMENT", "sent")]
    gone = FakeNotifier([DeliveryResult(Sent.GONE)])
    await run([watcher(store, sim_url, session, gone, clock)], 1.0, move(sim_url, "000.00.53.H48-261101-0002", 4, 0.3))
    assert gone.calls == [(other.id, "status", "PROCESSING")]
    assert store.get_sync(other.id).state == "blocked"  # type: ignore[union-attr]


async def test_the_watcher_process_says_ready_and_stops_on_sigterm(sim_url: str, tmp_path: Path) -> None:
    env: Dict[str, str] = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PORTAL_URL": sim_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'console.db'}",
        "RASA_URL": "http://127.0.0.1:9",
        "WATCHER_PORTAL_RPS": "3",
    }
    env.pop("REDIS_URL", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "connectors.portal.watcher", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None and process.stderr is not None
    line = await asyncio.wait_for(process.stdout.readline(), timeout=60)
    assert line.decode().startswith("watcher ready: polling the portal at most 3 requests/s (store: sqlite")
    process.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(process.wait(), timeout=20) == 0
    assert b"Traceback" not in await process.stderr.read()
