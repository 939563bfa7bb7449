"""The dossier watcher: polls the portal for subscribed dossiers and tells citizens when theirs moves.

    python -m connectors.portal.watcher      (started by `make run`; stops on SIGTERM / SIGINT)

No portal offers a citizen-facing webhook, so the watcher polls, kindly:
- due dossiers are claimed with a lease in the subscription store (connectors/portal/watcher_queue.py),
  so several watchers share the work and never poll one dossier at once; how often a dossier is
  polled depends on its appointment (connectors/portal/watcher_schedule.py);
- every portal request takes a token from a global limit of `WATCHER_PORTAL_RPS` per second
  (on Redis when REDIS_URL is set: all watchers together; else this process's);
- the portal client's cache is bypassed (a cached answer would hide a change) and it makes one
  attempt per poll (a failed poll is retried later, by the schedule); while its circuit breaker is
  open nothing is polled, and half-open, one dossier at a time;
- a change becomes a pending notification in the same transaction that records the new status;
  delivery workers hand it to the Notifier (connectors/portal/notify.py) and mark it sent, retry it
  later (RETRY), or mark the subscription blocked / undeliverable (GONE / UNDELIVERABLE).
Logs carry counts and masked codes only.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import signal
import socket
import uuid
from collections import Counter
from typing import Any, Callable, List, Optional, Protocol

import aiohttp

from connectors import logs
from connectors.portal.breaker import CircuitBreaker, State
from connectors.portal.client import HttpPortal, PortalAdapter, redact
from connectors.portal.errors import DossierNotFound, PortalAuthError, PortalError
from connectors.portal.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter
from connectors.portal.watch_store import Subscription, SubscriptionStore, utcnow
from connectors.portal.watcher_notices import Pending
from connectors.portal.watcher_queue import Polled, WatchQueue
from dossiers.model import Dossier
from motcua.settings import Settings, get_settings

log = logging.getLogger(__name__)
STATS_EVERY = 60.0  # seconds between two log lines of counts


class Notifier(Protocol):
    """connectors.portal.notify.Notifier: `notify` answers a DeliveryResult (outcome: Sent, retry_after)."""

    async def notify(self, subscription: Subscription, dossier: Dossier, kind: str, now: dt.datetime) -> Any: ...


class NoCache:
    """The watcher must see the portal's answer of now, never one cached by a lookup."""

    async def get(self, key: str) -> Optional[str]:
        return None

    async def set(self, key: str, value: str, ttl: float) -> None:
        return None


# A request reaches the portal a little after its token was taken (the event loop, the connection):
# the window is this much longer than a second, so that in any second the PORTAL sees at most the cap.
SEND_SPREAD = 0.1


def portal_limiter(rps: float, redis: Any = None) -> RateLimiter:
    """At most `rps` requests in any second as the portal counts them (one per 1/rps s below 1 per
    second): `int(rps)` tokens per sliding window of 1 + SEND_SPREAD seconds."""
    limit, window = (int(rps), 1.0 + SEND_SPREAD) if rps >= 1 else (1, (1.0 + SEND_SPREAD) / rps)
    if redis is not None:
        return RedisRateLimiter(redis, limit, window, prefix="motcua:watcher:")
    return MemoryRateLimiter(limit, window)


class Watcher:
    def __init__(
        self,
        queue: WatchQueue,
        portal: PortalAdapter,
        breaker: CircuitBreaker,
        notifier: Notifier,
        limiter: RateLimiter,
        *,
        batch: int = 200,
        concurrency: int = 20,
        senders: int = 8,
        recheck_seconds: float = 5.0,
        idle_seconds: float = 1.0,
        clock: Callable[[], dt.datetime] = utcnow,
    ):
        self.queue = queue
        self.portal = portal
        self.breaker = breaker
        self.notifier = notifier
        self.limiter = limiter
        self.batch = batch
        self.concurrency = concurrency
        self.senders = senders
        self.recheck = recheck_seconds
        self.idle = idle_seconds
        self.clock = clock
        self.counts: Counter = Counter()  # since the start: polls, requests, changes, sent, …
        self._outbox: "asyncio.Queue[Pending]" = asyncio.Queue()
        self._stopping = asyncio.Event()
        self._last_sweep = -1e9

    async def run(self, stop: asyncio.Event) -> None:
        """Poll and deliver until `stop` is set; then finish the batch in hand and give back the rest."""
        workers = [asyncio.create_task(self._deliver_loop()) for _ in range(self.senders)]
        tasks = [asyncio.create_task(self._poll_loop()), asyncio.create_task(self._refill_loop()), *workers]
        await stop.wait()
        self._stopping.set()
        await tasks[0]  # the batch in hand is polled and recorded
        tasks[1].cancel()
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._outbox.join(), timeout=10.0)
        for task in tasks[1:]:
            task.cancel()
        await asyncio.gather(*tasks[1:], return_exceptions=True)
        left: List[Pending] = []
        while not self._outbox.empty():
            left.append(self._outbox.get_nowait())
        await asyncio.to_thread(self.queue.release_pending, left)
        log.info("watcher stopped: %s", _counts(self.counts))

    # -- polling ---------------------------------------------------------------------------------------
    async def _poll_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                await self._poll_round()
            except Exception as exc:  # the database away, a bug: logged, and tried again
                log.error("watcher round failed (%s): trying again in 5 s", type(exc).__name__, exc_info=exc)
                await self._pause(5.0)

    async def _poll_round(self) -> None:
        """Expire old subscriptions and log counts now and then; claim a batch of due dossiers and poll it."""
        clock = asyncio.get_running_loop().time
        if clock() - self._last_sweep >= STATS_EVERY:
            self._last_sweep = clock()
            self.counts["expired"] += await asyncio.to_thread(self.queue.expire, self.clock())
            log.info("watcher: %s", _counts(self.counts))
        state = self.breaker.state
        if state is State.OPEN:
            await self._pause(min(self.idle, 0.5))
            return
        limit = 1 if state is State.HALF_OPEN else self.batch
        codes = await asyncio.to_thread(self.queue.claim_due, self.clock(), limit)
        if not codes:
            await self._pause(await self._until_due())
            return
        await self._poll_batch(codes)

    async def _poll_batch(self, codes: List[str]) -> None:
        gate = asyncio.Semaphore(self.concurrency)
        skipped: List[str] = []

        async def one(code: str) -> Optional[Polled]:
            async with gate:
                if self._stopping.is_set() or not await self._permit() or self.breaker.state is State.OPEN:
                    skipped.append(code)  # not asked: due again as soon as polling resumes
                    return None
                return await self._poll(code)

        found = [p for p in await asyncio.gather(*(one(c) for c in codes)) if p is not None]
        if skipped:
            await asyncio.to_thread(self.queue.release, skipped)
        recorded = await asyncio.to_thread(self.queue.record, found, self.clock())
        self.counts.update(changes=recorded.changed, ended=recorded.ended, lost=recorded.lost)
        for pending in recorded.pending:
            self._outbox.put_nowait(pending)

    async def _poll(self, code: str) -> Polled:
        self.counts["requests"] += 1
        try:
            dossier = await self.portal.get_dossier(code)
        except DossierNotFound:
            self.counts["not_found"] += 1
            return Polled(code, not_found=True)
        except PortalAuthError:
            self.counts["failed"] += 1
            log.error("the portal refused the watcher's credentials: check PORTAL_TOKEN")
            return Polled(code)
        except PortalError as exc:
            self.counts["failed"] += 1
            log.debug("poll of %s failed: %s", redact(code), type(exc).__name__)
            return Polled(code)
        self.counts["polls"] += 1
        return Polled(code, dossier=dossier)

    async def _permit(self) -> bool:
        """Wait for a token of the global portal limit; False if the watcher stops meanwhile."""
        while not self._stopping.is_set():
            verdict = await self.limiter.hit("portal")
            if verdict.allowed:
                return True
            await self._pause(max(verdict.retry_after, 0.005))
        return False

    async def _until_due(self) -> float:
        due = await asyncio.to_thread(self.queue.next_due)
        if due is None:
            return self.idle
        return min(self.idle, max(0.02, (due - self.clock()).total_seconds()))

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)

    # -- delivery --------------------------------------------------------------------------------------
    async def _refill_loop(self) -> None:
        """Notifications due again (RETRY) or left by a watcher that stopped before sending."""
        while True:
            try:
                for pending in await asyncio.to_thread(self.queue.claim_pending, self.clock()):
                    self._outbox.put_nowait(pending)
            except Exception as exc:  # noqa: BLE001 (the database away: tried again)
                log.error("pending notifications could not be read (%s)", type(exc).__name__)
            await asyncio.sleep(self.recheck)

    async def _deliver_loop(self) -> None:
        while True:
            pending = await self._outbox.get()
            try:
                await self._deliver(pending)
            except Exception:  # left pending: delivered again once its lease lapses
                log.exception("a notification could not be settled")
            finally:
                self._outbox.task_done()

    async def _deliver(self, pending: Pending) -> None:
        if not await asyncio.to_thread(self.queue.take, pending, self.clock()):
            return  # sent meanwhile, or another watcher holds it now
        try:
            now = self.clock().astimezone(self.queue.schedule.zone)  # the text's "today" is Vietnam's
            result = await self.notifier.notify(pending.subscription, pending.dossier, pending.kind, now)
            outcome, retry_after = str(result.outcome.value), float(result.retry_after)
        except Exception as exc:  # noqa: BLE001 (a bug or an outage of the delivery: tried again later)
            log.warning("notifier failed (%s): tried again later", type(exc).__name__)
            outcome, retry_after = "retry", 60.0
        now = self.clock()
        if outcome == "sent":
            await asyncio.to_thread(self.queue.delivered, pending, now)
            self.counts["sent"] += 1
        elif outcome == "retry":
            await asyncio.to_thread(self.queue.retry, pending, now, retry_after)
            self.counts["retries"] += 1
        else:  # "gone" (blocked the bot) or "undeliverable" (Zalo window closed, no ZNS)
            state = "blocked" if outcome == "gone" else "undeliverable"
            await asyncio.to_thread(self.queue.unreachable, pending, state, now)
            self.counts[state] += 1
            log.info("subscription %d marked %s", pending.subscription.id, state)


def _counts(counts: Counter) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing yet"


def owner_id() -> str:
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


async def serve(settings: Settings, stop: asyncio.Event) -> None:
    from connectors.portal.notify import Notifier as ChannelNotifier  # the delivery (its own module)
    from connectors.redis_clients import async_client

    if not settings.portal_url:
        raise SystemExit("PORTAL_URL is not set: the watcher has no portal to poll")
    store = SubscriptionStore.from_settings(settings)
    redis = async_client(settings.redis_url) if settings.redis_url else None
    try:
        async with aiohttp.ClientSession() as session:
            breaker = CircuitBreaker()
            token = settings.portal_token.get_secret_value() if settings.portal_token else None
            deadline = settings.portal_deadline_seconds
            portal = HttpPortal(settings.portal_url, session, token, attempt_timeout=deadline, deadline=deadline,
                                attempts=1, breaker=breaker, cache=NoCache(), cache_ttl=0)  # fmt: skip
            queue = WatchQueue(store, owner_id(), settings.watcher_lease_seconds)
            limiter = portal_limiter(settings.watcher_portal_rps, redis)
            watcher = Watcher(queue, portal, breaker, ChannelNotifier.from_settings(settings, session), limiter)
            print(
                f"watcher ready: polling the portal at most {settings.watcher_portal_rps:g} requests/s "
                f"(store: {store.engine.dialect.name}, limit: {'Redis' if redis else 'this process'})",
                flush=True,
            )
            await watcher.run(stop)
    finally:
        await store.close()
        if redis is not None:
            await redis.close(close_connection_pool=True)


async def _main() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for name in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(name, stop.set)
    await serve(get_settings(), stop)


def main() -> int:
    logging.basicConfig(level=logs.level_from_env(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logs.install()
    asyncio.run(_main())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
