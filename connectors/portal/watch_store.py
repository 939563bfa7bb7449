"""Citizens' subscriptions to their dossier's changes, in SQL (SQLite by default, PostgreSQL with DATABASE_URL).

Three tables, created when missing (SQLAlchemy Core, not the console's migrations: the assistant's
processes need them whether or not the console runs):
- `watch_subscriptions`: one row per (conversation, dossier code): the channel, the status the
  citizen last heard of, the appointment, the state (active, ended, blocked, undeliverable, expired,
  returned) and when it expires (90 days after the last subscribe);
- `watch_dossiers`: one row per watched code: when to poll it next and which watcher holds it
  (`lease_owner` until `lease_until`), so two watchers never poll one dossier at once;
- `watch_notifications`: one row per (subscription, kind, status or day) ever decided, unique, so
  each change is notified once: "pending" (with the dossier as polled, for a retry) until the
  channel took it, then "sent" (or "dropped" when the citizen can no longer be reached).
The watcher's side (claims, polls recorded, notifications) is connectors/portal/watcher_queue.py.

Times are stored as naive UTC; the API takes and returns aware datetimes. Every call is one short
transaction; the async methods run it in a thread (the action server's event loop never waits on SQL).
On SQLite every transaction takes the write lock at once (BEGIN IMMEDIATE): one writer at a time.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, List, Optional, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from connectors.portal.watcher_schedule import Schedule, status_name
from dossiers.model import Status
from motcua.settings import DEFAULT_DATABASE_URL, Settings

log = logging.getLogger(__name__)

ACTIVE = "active"
STATES = ("active", "ended", "blocked", "undeliverable", "expired", "returned")
T = TypeVar("T")

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)
subscriptions = sa.Table(
    "watch_subscriptions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("sender_id", sa.String(200), nullable=False),
    sa.Column("channel", sa.String(20), nullable=False),
    sa.Column("code", sa.String(100), nullable=False),
    sa.Column("last_status", sa.String(30)),
    sa.Column("appointment", sa.DateTime),
    sa.Column("phone", sa.String(32)),
    sa.Column("state", sa.String(20), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("sender_id", "code"),
    sa.Index("ix_watch_subscriptions_code_state", "code", "state"),
    sa.Index("ix_watch_subscriptions_state_expires", "state", "expires_at"),
)
watched = sa.Table(
    "watch_dossiers",
    metadata,
    sa.Column("code", sa.String(100), primary_key=True),
    sa.Column("next_poll_at", sa.DateTime, nullable=False, index=True),
    sa.Column("lease_owner", sa.String(80)),
    sa.Column("lease_until", sa.DateTime),
    sa.Column("failures", sa.Integer, nullable=False, default=0),
)
notifications = sa.Table(
    "watch_notifications",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("subscription_id", sa.Integer, sa.ForeignKey(subscriptions.c.id, ondelete="CASCADE"), nullable=False),
    sa.Column("kind", sa.String(30), nullable=False),  # "status" | "appointment_today"
    sa.Column("item", sa.String(40), nullable=False),  # the status name, or the appointment day
    sa.Column("state", sa.String(20), nullable=False),  # "pending" | "sent" | "dropped"
    sa.Column("dossier", sa.Text),  # the dossier's JSON while pending (a retry sends what was polled)
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("next_try_at", sa.DateTime, nullable=False),
    sa.Column("lease_owner", sa.String(80)),
    sa.Column("lease_until", sa.DateTime),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("sent_at", sa.DateTime),
    sa.UniqueConstraint("subscription_id", "kind", "item"),
    sa.Index("ix_watch_notifications_state_next_try", "state", "next_try_at"),
)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def naive(moment: Optional[dt.datetime]) -> Optional[dt.datetime]:
    """Aware -> naive UTC, as stored."""
    if moment is None:
        return None
    return moment.astimezone(dt.timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment


def aware(moment: Optional[dt.datetime]) -> Optional[dt.datetime]:
    """Stored naive UTC -> aware UTC."""
    return moment.replace(tzinfo=dt.timezone.utc) if moment is not None else None


@dataclass(frozen=True)
class Subscription:
    id: int
    sender_id: str  # the Rasa conversation id: "tg:123", "zalo:456", "web:<hex>", or a REST sender
    channel: str  # "telegram" | "zalo" | "web" | "rest"
    code: str  # the dossier code (never logged unmasked)
    last_status: Optional[str]  # the status last seen or notified (a dossiers.model.Status name)
    appointment: Optional[dt.datetime]
    phone: Optional[str]  # only kept when ZNS is configured
    state: str
    created_at: dt.datetime
    expires_at: dt.datetime

    @classmethod
    def from_row(cls, row: Any) -> "Subscription":
        return cls(
            id=row.id,
            sender_id=row.sender_id,
            channel=row.channel,
            code=row.code,
            last_status=row.last_status,
            appointment=aware(row.appointment),
            phone=row.phone,
            state=row.state,
            created_at=aware(row.created_at),  # type: ignore[arg-type]
            expires_at=aware(row.expires_at),  # type: ignore[arg-type]
        )


def make_engine(url: Optional[str] = None) -> Engine:
    """An engine for `url` (default: SQLite in var/console.db, the console's database)."""
    url = url or DEFAULT_DATABASE_URL
    if not url.startswith("sqlite:"):
        return sa.create_engine(url, future=True, pool_pre_ping=True)
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        path = Path(url[len("sqlite:///") :])
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            path.touch(mode=0o600)  # the console keeps accounts and messages there: this user only
    engine = sa.create_engine(url, future=True, connect_args={"check_same_thread": False, "timeout": 15})

    @sa.event.listens_for(engine, "connect")
    def _autocommit_driver(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)

    @sa.event.listens_for(engine, "begin")
    def _write_lock(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def create_tables(engine: Engine) -> None:
    try:
        metadata.create_all(engine, checkfirst=True)
    except sa.exc.DBAPIError:  # another process made them at the same moment
        metadata.create_all(engine, checkfirst=True)


class SubscriptionStore:
    def __init__(
        self,
        engine: Engine,
        *,
        schedule: Optional[Schedule] = None,
        days: int = 90,
        clock: Callable[[], dt.datetime] = utcnow,
    ):
        self.engine = engine
        self.schedule = schedule or Schedule()
        self.days = days
        self.clock = clock
        create_tables(engine)

    @classmethod
    def from_settings(cls, settings: Settings) -> "SubscriptionStore":
        return cls(
            make_engine(settings.database_url),
            schedule=Schedule.from_settings(settings),
            days=settings.watcher_subscription_days,
        )

    async def _run(self, work: Callable[[], T]) -> T:
        return await asyncio.to_thread(work)

    # -- what the bot's actions call ----------------------------------------------------------------
    async def subscribe(
        self,
        sender_id: str,
        channel: str,
        code: str,
        status: str,
        appointment: Optional[dt.datetime],
        phone: Optional[str] = None,
        lifetime: Optional[dt.timedelta] = None,
    ) -> Subscription:
        """Watch `code` for this conversation; again for the same pair: active again, 90 days from now
        (or for `lifetime`, shorter: a web chat's conversation lasts as long as its session)."""
        return await self._run(
            lambda: self.subscribe_sync(sender_id, channel, code, status, appointment, phone, lifetime)
        )

    def subscribe_sync(
        self,
        sender_id: str,
        channel: str,
        code: str,
        status: str,
        appointment: Optional[dt.datetime],
        phone: Optional[str] = None,
        lifetime: Optional[dt.timedelta] = None,
    ) -> Subscription:
        now = self.clock()
        name = status_name(status)
        values = {
            "channel": channel,
            "last_status": name,
            "appointment": naive(appointment),
            "phone": phone,
            "state": ACTIVE,
            "expires_at": naive(now + min(lifetime or dt.timedelta(days=self.days), dt.timedelta(days=self.days))),
            "updated_at": naive(now),
        }
        first_poll = self.schedule.next_poll(now, appointment, Status[name] if name else None)
        for attempt in (1, 2):
            try:
                with self.engine.begin() as connection:
                    found = connection.execute(
                        sa.select(subscriptions.c.id).where(
                            subscriptions.c.sender_id == sender_id, subscriptions.c.code == code
                        )
                    ).first()
                    if found:
                        connection.execute(subscriptions.update().where(subscriptions.c.id == found.id).values(values))
                        ident = found.id
                    else:
                        ident = connection.execute(
                            subscriptions.insert().values(
                                sender_id=sender_id, code=code, created_at=naive(now), **values
                            )
                        ).inserted_primary_key[0]
                    # FOR UPDATE: a watcher dropping the row (nobody followed it) commits first, then it is made again
                    here = sa.select(watched.c.code).where(watched.c.code == code).with_for_update()
                    if connection.execute(here).first() is None:
                        connection.execute(watched.insert().values(code=code, next_poll_at=naive(first_poll)))
                    row = connection.execute(sa.select(subscriptions).where(subscriptions.c.id == ident)).one()
                    return Subscription.from_row(row)
            except sa.exc.IntegrityError:  # the same pair or code subscribed at the same moment
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def unsubscribe(self, sender_id: str, code: Optional[str] = None, state: str = "ended") -> int:
        """End this conversation's active subscriptions (to `code` only, if given); how many ended."""
        return await self._run(lambda: self.unsubscribe_sync(sender_id, code, state))

    def unsubscribe_sync(self, sender_id: str, code: Optional[str] = None, state: str = "ended") -> int:
        if state not in STATES:
            raise ValueError(f"unknown subscription state {state!r}")
        query = subscriptions.update().where(subscriptions.c.sender_id == sender_id, subscriptions.c.state == ACTIVE)
        if code is not None:
            query = query.where(subscriptions.c.code == code)
        with self.engine.begin() as connection:
            return int(connection.execute(query.values(state=state, updated_at=naive(self.clock()))).rowcount)

    async def active_for(self, sender_id: str) -> List[Subscription]:
        return await self._run(lambda: self.active_for_sync(sender_id))

    def active_for_sync(self, sender_id: str) -> List[Subscription]:
        now = naive(self.clock())
        with self.engine.begin() as connection:
            rows = connection.execute(
                sa.select(subscriptions)
                .where(
                    subscriptions.c.sender_id == sender_id,
                    subscriptions.c.state == ACTIVE,
                    subscriptions.c.expires_at > now,
                )
                .order_by(subscriptions.c.id)
            ).all()
        return [Subscription.from_row(row) for row in rows]

    async def mark(self, subscription_id: int, state: str) -> None:
        await self._run(lambda: self.mark_sync(subscription_id, state))

    def mark_sync(self, subscription_id: int, state: str) -> None:
        if state not in STATES:
            raise ValueError(f"unknown subscription state {state!r}")
        with self.engine.begin() as connection:
            connection.execute(
                subscriptions.update()
                .where(subscriptions.c.id == subscription_id)
                .values(state=state, updated_at=naive(self.clock()))
            )

    def get_sync(self, subscription_id: int) -> Optional[Subscription]:
        with self.engine.begin() as connection:
            row = connection.execute(sa.select(subscriptions).where(subscriptions.c.id == subscription_id)).first()
        return Subscription.from_row(row) if row else None

    async def close(self) -> None:
        await self._run(self.engine.dispose)
