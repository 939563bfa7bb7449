"""The watcher's side of the subscription store: claiming due dossiers, recording what a poll found,
and the notifications decided, exactly once.

- `claim_due`: due dossiers not held by another watcher get this watcher's lease (PostgreSQL
  `FOR UPDATE SKIP LOCKED`; SQLite: one writer at a time), so two watchers never poll one dossier.
- `record`: in ONE transaction, for the dossiers still held: each active subscription whose last
  status differs gets a "pending" notification row (unique per subscription, kind and status or
  day) AND its new last status; the appointment-day warning likewise; final statuses end the
  subscriptions; the next poll is scheduled and the lease given back. A watcher that dies before
  the commit leaves nothing decided (the next poll decides again); after it, the pending rows
  hold everything needed to send.
- the notifications' side (claim the pending ones, settle them): connectors/portal/watcher_notices.py.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Set

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from connectors.portal.client import redact
from connectors.portal.watch_store import (
    ACTIVE,
    Subscription,
    SubscriptionStore,
    naive,
    notifications,
    subscriptions,
    watched,
)
from connectors.portal.watcher_notices import Notices, Pending
from connectors.portal.watcher_schedule import FINAL, warning_due
from dossiers.model import Dossier

log = logging.getLogger(__name__)

STATUS, APPOINTMENT_TODAY = "status", "appointment_today"


@dataclass(frozen=True)
class Polled:
    """What one poll found: the dossier, or not found, or neither (the portal failed)."""

    code: str
    dossier: Optional[Dossier] = None
    not_found: bool = False


@dataclass
class Recorded:
    pending: List[Pending] = field(default_factory=list)
    changed: int = 0  # subscriptions that saw a new status
    ended: int = 0  # subscriptions ended (final status, dossier gone, expired)
    lost: int = 0  # polls whose dossier another watcher holds now (lease lapsed): not recorded


class WatchQueue(Notices):
    def __init__(self, store: SubscriptionStore, owner: str, lease_seconds: float = 120.0):
        self.store = store
        self.engine = store.engine
        self.schedule = store.schedule
        self.owner = owner
        self.lease = dt.timedelta(seconds=lease_seconds)

    # -- dossiers -------------------------------------------------------------------------------------
    def claim_due(self, now: dt.datetime, limit: int) -> List[str]:
        """Up to `limit` due dossiers, oldest due first, leased to this watcher; dossiers nobody
        watches any more are dropped on the way."""
        moment = naive(now)
        with self.engine.begin() as connection:
            codes = list(
                connection.execute(
                    sa.select(watched.c.code)
                    .where(
                        watched.c.next_poll_at <= moment,
                        sa.or_(watched.c.lease_until.is_(None), watched.c.lease_until < moment),
                    )
                    .order_by(watched.c.next_poll_at)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                ).scalars()
            )
            if not codes:
                return []
            watching = set(
                connection.execute(
                    sa.select(subscriptions.c.code)
                    .where(subscriptions.c.code.in_(codes), subscriptions.c.state == ACTIVE)
                    .distinct()
                ).scalars()
            )
            orphans = [c for c in codes if c not in watching]
            if orphans:
                connection.execute(watched.delete().where(watched.c.code.in_(orphans)))
            claimed = [c for c in codes if c in watching]
            if claimed:
                connection.execute(
                    watched.update()
                    .where(watched.c.code.in_(claimed))
                    .values(lease_owner=self.owner, lease_until=naive(now + self.lease))
                )
        return claimed

    def release(self, codes: Sequence[str], until: Optional[dt.datetime] = None) -> None:
        """Give back dossiers not polled (a stop, the breaker): due again at once, or at `until`."""
        if not codes:
            return
        values: Dict[str, object] = {"lease_owner": None, "lease_until": None}
        if until is not None:
            values["next_poll_at"] = naive(until)
        with self.engine.begin() as connection:
            connection.execute(
                watched.update()
                .where(watched.c.code.in_(list(codes)), watched.c.lease_owner == self.owner)
                .values(values)
            )

    def next_due(self) -> Optional[dt.datetime]:
        with self.engine.begin() as connection:
            found = connection.execute(sa.select(sa.func.min(watched.c.next_poll_at))).scalar()
        return found.replace(tzinfo=dt.timezone.utc) if found else None

    def record(self, polled: Sequence[Polled], now: dt.datetime) -> Recorded:
        """What the polls found, in one transaction (see the module's docstring)."""
        result = Recorded()
        if not polled:
            return result
        with self.engine.begin() as connection:
            held = {
                row.code: row.failures
                for row in connection.execute(
                    sa.select(watched.c.code, watched.c.failures)
                    .where(watched.c.code.in_([p.code for p in polled]), watched.c.lease_owner == self.owner)
                    .with_for_update()
                )
            }
            result.lost = sum(1 for p in polled if p.code not in held)
            by_code: Dict[str, List[Subscription]] = defaultdict(list)
            for row in connection.execute(
                sa.select(subscriptions).where(subscriptions.c.code.in_(list(held)), subscriptions.c.state == ACTIVE)
            ):
                by_code[row.code].append(Subscription.from_row(row))
            for poll in polled:
                if poll.code in held:
                    self._record_one(connection, poll, held[poll.code], by_code[poll.code], now, result)
        if result.changed or result.ended:
            log.info("%d polls: %d status changes, %d subscriptions ended", len(polled), result.changed, result.ended)
        return result

    def _record_one(
        self,
        connection: Connection,
        poll: Polled,
        failures: int,
        subs: List[Subscription],
        now: dt.datetime,
        result: Recorded,
    ) -> None:
        live = [s for s in subs if s.expires_at > now]
        if len(live) < len(subs):
            self._set_state(connection, [s.id for s in subs if s.expires_at <= now], "expired", now)
            result.ended += len(subs) - len(live)
        done = poll.dossier is not None and poll.dossier.status_code in FINAL
        gone = poll.not_found and failures >= 1  # a second "not found" in a row: the dossier is gone
        if poll.dossier is not None:
            self._notify_changes(connection, poll.dossier, live, now, result)
        if done:  # notified above (if the citizen had not seen this status): the subscriptions end
            self._set_state(connection, [s.id for s in live], "returned", now)
            result.ended += len(live)
        if gone:
            log.info("dossier %s not found twice: its subscriptions end", redact(poll.code))
            self._set_state(connection, [s.id for s in live], "ended", now)
            result.ended += len(live)
        if not live or done or gone:
            connection.execute(watched.delete().where(watched.c.code == poll.code))
            return
        if poll.dossier is not None:
            values = {
                "next_poll_at": naive(
                    self.schedule.next_poll(now, poll.dossier.appointment_at, poll.dossier.status_code)
                ),
                "failures": 0,
            }
        else:
            values = {"next_poll_at": naive(self.schedule.retry(now, failures)), "failures": failures + 1}
        connection.execute(
            watched.update().where(watched.c.code == poll.code).values(lease_owner=None, lease_until=None, **values)
        )

    def _notify_changes(
        self, connection: Connection, dossier: Dossier, live: List[Subscription], now: dt.datetime, result: Recorded
    ) -> None:
        if not live:
            return
        name = dossier.status_code.name
        day = warning_due(dossier.appointment_at, dossier.status_code, now, self.schedule.zone)
        known: Dict[int, Set[str]] = defaultdict(set)
        for row in connection.execute(
            sa.select(notifications.c.subscription_id, notifications.c.kind, notifications.c.item).where(
                notifications.c.subscription_id.in_([s.id for s in live])
            )
        ):
            known[row.subscription_id].add(f"{row.kind}/{row.item}")
        body = dossier.json()
        appointment = naive(dossier.appointment_at)
        for sub in live:
            values: Dict[str, object] = {}
            if sub.last_status != name:
                # a status entered again later (papers asked for twice) is a new change: a numbered item
                item, n = name, 2
                while f"{STATUS}/{item}" in known[sub.id]:
                    item, n = f"{name}#{n}", n + 1
                result.pending.append(self._pending(connection, sub, STATUS, item, dossier, body, now))
                values.update(last_status=name)
                result.changed += 1
            if day is not None and f"{APPOINTMENT_TODAY}/{day}" not in known[sub.id]:
                result.pending.append(self._pending(connection, sub, APPOINTMENT_TODAY, day, dossier, body, now))
            if naive(sub.appointment) != appointment:
                values.update(appointment=appointment)
            if values:
                values.update(updated_at=naive(now))
                connection.execute(subscriptions.update().where(subscriptions.c.id == sub.id).values(values))

    def _pending(
        self,
        connection: Connection,
        sub: Subscription,
        kind: str,
        item: str,
        dossier: Dossier,
        body: str,
        now: dt.datetime,
    ) -> Pending:
        ident = connection.execute(
            notifications.insert().values(
                subscription_id=sub.id,
                kind=kind,
                item=item,
                state="pending",
                dossier=body,
                attempts=0,
                next_try_at=naive(now),
                lease_owner=self.owner,
                lease_until=naive(now + self.lease),
                created_at=naive(now),
            )
        ).inserted_primary_key[0]
        return Pending(int(ident), kind, item, 0, sub, dossier)

    def _set_state(self, connection: Connection, ids: List[int], state: str, now: dt.datetime) -> None:
        if ids:
            connection.execute(
                subscriptions.update()
                .where(subscriptions.c.id.in_(ids), subscriptions.c.state == ACTIVE)
                .values(state=state, updated_at=naive(now))
            )

    def expire(self, now: dt.datetime) -> int:
        """Subscriptions past their 90 days end (also done as their dossier is polled)."""
        with self.engine.begin() as connection:
            return int(
                connection.execute(
                    subscriptions.update()
                    .where(subscriptions.c.state == ACTIVE, subscriptions.c.expires_at <= naive(now))
                    .values(state="expired", updated_at=naive(now))
                ).rowcount
            )
