"""The notifications the watcher decided (connectors/portal/watcher_queue.py), until they are sent.

A pending row is leased to the watcher that decided it; `claim_pending` takes those whose lease
lapsed (their watcher stopped before sending) or whose retry time came (the channel said RETRY);
`take` renews the lease just before the send (or says it is no longer this watcher's to send),
`delivered` marks one sent (only while this watcher still holds it), `retry` puts it back for later,
`unreachable` marks the subscription (blocked, undeliverable) and drops what was pending for it.
A notification is "sent" only after the channel took it.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import List, Sequence

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.engine import Engine

from connectors.portal.watch_store import Subscription, naive, notifications, subscriptions
from dossiers.model import Dossier

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 20  # a notification still refused after this many tries is dropped
UNREACHABLE = ("ended", "blocked", "undeliverable")  # nothing more is sent to these


@dataclass(frozen=True)
class Pending:
    id: int
    kind: str
    item: str
    attempts: int
    subscription: Subscription
    dossier: Dossier


class Notices:
    engine: Engine
    owner: str
    lease: dt.timedelta

    def claim_pending(self, now: dt.datetime, limit: int = 100) -> List[Pending]:
        """Pending notifications due again (a RETRY) or left by a watcher that stopped, leased to this one."""
        moment = naive(now)
        claimed: List[Pending] = []
        with self.engine.begin() as connection:
            rows = connection.execute(
                sa.select(notifications)
                .where(
                    notifications.c.state == "pending",
                    notifications.c.next_try_at <= moment,
                    sa.or_(notifications.c.lease_until.is_(None), notifications.c.lease_until < moment),
                )
                .order_by(notifications.c.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            ).all()
            if not rows:
                return []
            subs = {
                row.id: Subscription.from_row(row)
                for row in connection.execute(
                    sa.select(subscriptions).where(subscriptions.c.id.in_({r.subscription_id for r in rows}))
                )
            }
            dropped: List[int] = []
            for row in rows:
                sub = subs.get(row.subscription_id)
                try:
                    dossier = Dossier.parse_raw(row.dossier or "")
                except ValidationError:
                    dossier = None
                if sub is None or sub.state in UNREACHABLE or dossier is None or row.attempts >= MAX_ATTEMPTS:
                    dropped.append(row.id)
                    continue
                claimed.append(Pending(row.id, row.kind, row.item, row.attempts, sub, dossier))
            if dropped:
                connection.execute(
                    notifications.update()
                    .where(notifications.c.id.in_(dropped))
                    .values(state="dropped", dossier=None, lease_owner=None, lease_until=None)
                )
            if claimed:
                connection.execute(
                    notifications.update()
                    .where(notifications.c.id.in_([p.id for p in claimed]))
                    .values(lease_owner=self.owner, lease_until=naive(now + self.lease))
                )
        return claimed

    def take(self, pending: Pending, now: dt.datetime) -> bool:
        """Right before sending: still pending and this watcher's? Its lease is renewed for the send.
        False when it was sent meanwhile or another watcher took it (this one was slow): not sent."""
        with self.engine.begin() as connection:
            return bool(
                connection.execute(
                    notifications.update()
                    .where(
                        notifications.c.id == pending.id,
                        notifications.c.state == "pending",
                        notifications.c.lease_owner == self.owner,
                    )
                    .values(lease_until=naive(now + self.lease))
                ).rowcount
            )

    def delivered(self, pending: Pending, now: dt.datetime) -> bool:
        """Sent: False when this watcher no longer held it (its lease lapsed; logged)."""
        with self.engine.begin() as connection:
            count = connection.execute(
                notifications.update()
                .where(
                    notifications.c.id == pending.id,
                    notifications.c.state == "pending",
                    notifications.c.lease_owner == self.owner,
                )
                .values(state="sent", sent_at=naive(now), dossier=None, lease_owner=None, lease_until=None)
            ).rowcount
        if not count:
            log.warning("notification %d was sent after this watcher's lease lapsed", pending.id)
        return bool(count)

    def retry(self, pending: Pending, now: dt.datetime, after: float) -> None:
        # the channel's own wait (Telegram's retry_after) when it gave one, else 5 s doubling to an hour
        wait = after if after > 0 else min(5.0 * 2**pending.attempts, 3600.0)
        with self.engine.begin() as connection:
            connection.execute(
                notifications.update()
                .where(notifications.c.id == pending.id, notifications.c.lease_owner == self.owner)
                .values(
                    attempts=pending.attempts + 1,
                    next_try_at=naive(now + dt.timedelta(seconds=wait)),
                    lease_owner=None,
                    lease_until=None,
                )
            )

    def release_pending(self, pending: Sequence[Pending]) -> None:
        """Give back notifications not delivered (a stop): another watcher, or this one restarted, sends them."""
        if pending:
            with self.engine.begin() as connection:
                connection.execute(
                    notifications.update()
                    .where(notifications.c.id.in_([p.id for p in pending]), notifications.c.lease_owner == self.owner)
                    .values(lease_owner=None, lease_until=None)
                )

    def unreachable(self, pending: Pending, state: str, now: dt.datetime) -> None:
        """The citizen cannot be reached (blocked the bot, Zalo window closed without ZNS): the
        subscription is marked and its pending notifications dropped."""
        sub = pending.subscription.id
        with self.engine.begin() as connection:
            connection.execute(
                subscriptions.update().where(subscriptions.c.id == sub).values(state=state, updated_at=naive(now))
            )
            connection.execute(
                notifications.update()
                .where(notifications.c.subscription_id == sub, notifications.c.state == "pending")
                .values(state="dropped", dossier=None, lease_owner=None, lease_until=None)
            )
