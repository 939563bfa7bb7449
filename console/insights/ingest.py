"""The ingester: Rasa's events (the `events` table the assistant's broker writes) → `insight_turns`.

`ingest_once(engine, secret)` reads the oldest events (up to a batch), sorts them into turns
(console.insights.classify), inserts the turns, deletes the events consumed and moves the cursor,
in one transaction: a crash anywhere leaves everything as it was, so nothing is counted twice.
The rows of a turn whose answer is not stored yet stay in the table for the next read.

The table is the queue: rows are read from the oldest present, not from the cursor's id, because
with several Rasa replicas on PostgreSQL a row with a smaller id may commit after a larger one.
The cursor row is the lock that keeps two console processes from consuming the same rows (the
first statement of the transaction updates it) and records how far the ingester got.

`setup(app)` runs it in the console: every second (at once again while there is a backlog), the
retention once a day, and with INSIGHTS_AMQP_URL the RabbitMQ consumer (console.insights.amqp).
After inserting turns it calls `console.insights.rollup.record(connection, turns)` in the same
transaction, when that module exists, and `console.insights.ratings.record` (the satisfaction ratings).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import importlib
import logging
import time
from typing import AsyncIterator, Callable, List, Optional, Sequence, Tuple

import sqlalchemy as sa
from aiohttp import web
from sqlalchemy.engine import Connection, Engine

from console.dbrun import run
from console.insights import ratings
from console.insights.classify import Turn, sort_events
from console.insights.retention import purge
from console.insights.tables import events, insight_cursor, insight_turns
from console.tables import utcnow

log = logging.getLogger(__name__)

CURSOR = "events"
BATCH = 2000
GRACE = dt.timedelta(seconds=60)  # an unanswered message waits this long for its answer
POLL_SECONDS = 1.0
PURGE_EVERY_SECONDS = 86_400.0
_DELETE_CHUNK = 500


def _lock_cursor(connection: Connection) -> int:
    """Lock the cursor row (made when missing) and return its id."""
    updated = connection.execute(
        sa.update(insight_cursor).where(insight_cursor.c.name == CURSOR).values(last_id=insight_cursor.c.last_id)
    )
    if updated.rowcount == 0:
        connection.execute(insight_cursor.insert().values(name=CURSOR, last_id=0))
        return 0
    return int(
        connection.execute(sa.select(insight_cursor.c.last_id).where(insight_cursor.c.name == CURSOR)).scalar_one()
    )


def _rollup() -> Optional[Callable[[Connection, List[Turn]], None]]:
    try:
        module = importlib.import_module("console.insights.rollup")
    except ModuleNotFoundError as exc:
        if exc.name == "console.insights.rollup":
            return None
        raise
    return getattr(module, "record", None)


def _delete(connection: Connection, ids: Sequence[int]) -> None:
    for start in range(0, len(ids), _DELETE_CHUNK):
        connection.execute(sa.delete(events).where(events.c.id.in_(ids[start : start + _DELETE_CHUNK])))


def ingest(
    engine: Engine,
    secret: bytes,
    *,
    batch_size: int = BATCH,
    now: Optional[dt.datetime] = None,
    grace: dt.timedelta = GRACE,
) -> Tuple[int, int]:
    """One read: (turns inserted, rows read)."""
    now = now or utcnow()
    with engine.begin() as connection:
        last_id = _lock_cursor(connection)
        rows = [
            (int(r.id), r.sender_id, r.data)
            for r in connection.execute(
                sa.select(events.c.id, events.c.sender_id, events.c.data).order_by(events.c.id).limit(batch_size)
            )
        ]
        if not rows:
            return 0, 0
        full = len(rows) == batch_size
        found = sort_events(rows, secret, now, more_may_follow=full, grace=grace)
        if full and not found.consumed:  # a read of unfinished turns only: they cannot wait for more
            found = sort_events(rows, secret, now, more_may_follow=False, grace=dt.timedelta(0))
        if found.turns:
            connection.execute(insight_turns.insert(), [turn.row() for turn in found.turns])
            record = _rollup()
            if record is not None:
                record(connection, found.turns)
            ratings.record(connection, found.turns)
        _delete(connection, found.consumed)
        if found.consumed:
            connection.execute(
                sa.update(insight_cursor)
                .where(insight_cursor.c.name == CURSOR)
                .values(last_id=max(last_id, *found.consumed))
            )
    if found.unreadable:
        log.warning("insights: %d events could not be read and were skipped", found.unreadable)
    return len(found.turns), len(rows)


def ingest_once(
    engine: Engine,
    secret: bytes,
    *,
    batch_size: int = BATCH,
    now: Optional[dt.datetime] = None,
    grace: dt.timedelta = GRACE,
) -> int:
    """One read of at most `batch_size` events; the number of turns inserted."""
    return ingest(engine, secret, batch_size=batch_size, now=now, grace=grace)[0]


async def run_ingester(
    engine: Engine, secret: bytes, retention_days: int, *, poll_seconds: float = POLL_SECONDS, batch_size: int = BATCH
) -> None:
    """The console's background loop: ingest every `poll_seconds` (at once while there is more),
    purge once a day. Database errors are logged (by type: messages may hold citizens' text) and
    retried."""
    next_purge = 0.0
    failing = False
    while True:
        rows = 0
        try:
            if time.monotonic() >= next_purge:
                turns_deleted, events_deleted = await run(purge, engine, retention_days, utcnow())
                if turns_deleted or events_deleted:
                    log.info(
                        "insights: %d turns and %d events older than %d days deleted",
                        turns_deleted,
                        events_deleted,
                        retention_days,
                    )
                next_purge = time.monotonic() + PURGE_EVERY_SECONDS
            _, rows = await run(ingest, engine, secret, batch_size=batch_size)
            if failing:
                log.info("insights: the events are read again")
            failing = False
        except sa.exc.SQLAlchemyError as exc:
            if not failing:
                log.warning(
                    "insights: the events cannot be read (%s); retrying", type(getattr(exc, "orig", exc)).__name__
                )
            failing = True
        except Exception as exc:  # noqa: BLE001 (a bug must not end the insights until a restart)
            if not failing:  # by type only: the message may quote an event, hence a citizen's words
                log.error("insights: ingesting failed (%s at %s); retrying", type(exc).__name__, _where(exc))
            failing = True
        await asyncio.sleep(0 if rows >= batch_size else poll_seconds)


def _where(exc: BaseException) -> str:
    """The innermost file:line of an exception (for the log, without its message)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return f"{tb.tb_frame.f_code.co_filename.rsplit('/', 1)[-1]}:{tb.tb_lineno}" if tb else "?"


def setup(app: web.Application) -> None:
    """Run the ingester (and the RabbitMQ consumer when configured) while the console runs."""
    app.cleanup_ctx.append(_background)


async def _background(app: web.Application) -> AsyncIterator[None]:
    from console.insights.amqp import consume
    from console.settings import derive_key
    from console.web.keys import ENGINE, SETTINGS

    settings, engine = app[SETTINGS], app[ENGINE]
    secret = derive_key(settings, "insights-conversation")
    tasks = [asyncio.create_task(run_ingester(engine, secret, settings.insights_retention_days))]
    if settings.insights_amqp_url is not None:
        url = settings.insights_amqp_url.get_secret_value()
        tasks.append(asyncio.create_task(consume(engine, url, settings.insights_amqp_queue)))
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
