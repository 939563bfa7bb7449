"""Rasa's event stream for the console's insights, from every replica, with the citizen's numbers masked.

Named in the endpoints Rasa reads (bot/rasa_config.py writes them), loaded by Rasa as any custom
broker is (`type: bot.event_broker.<Class>`):

- `MaskingSQLEventBroker`: Rasa's SQL broker (the same `events` table: id, sender_id, data) into the
  console's database. Rasa's own commits once per event on the event loop; this one puts the event
  on a bounded queue and one writer thread inserts batches. A full queue drops the event (counted,
  logged): a citizen never waits for the insights. A database that is down is retried, and the
  assistant goes on answering.
- `MaskingPikaEventBroker`: Rasa's RabbitMQ broker, connecting in the background (RabbitMQ down at
  start does not stop the assistant); events wait in a bounded buffer meanwhile.

Before anything leaves, `scrub` masks phone, ID and dossier numbers in what the citizen typed (the
text, the parsed text, entity values), in the bot's messages and in slot values, and drops
metadata (channels put user details there) but the outcome mark the actions add (`motcua`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import queue
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import unquote, urlparse

import sqlalchemy as sa
from rasa.core.brokers.pika import PikaEventBroker
from rasa.core.brokers.sql import SQLEventBroker
from rasa.utils.endpoints import EndpointConfig
from sqlalchemy.engine import Engine

from bot.event_scrub import scrub

log = logging.getLogger(__name__)

SENDER_CHARS = 255  # the events table's sender_id

# Rasa's table, as its SQLEventBroker makes it (console/insights/tables.py and migration 0004 too).
_metadata = sa.MetaData()
EVENTS = sa.Table(
    "events",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(SENDER_CHARS)),
    sa.Column("data", sa.Text),
)


def _options(config: EndpointConfig, names: Tuple[str, ...]) -> Dict[str, Any]:
    return {k: v for k, v in config.kwargs.items() if k in names}


def make_engine(url: str) -> Engine:
    """An engine for the events' database; a new SQLite file is made readable by its owner only
    (citizens' messages), as the console makes it."""
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///") :])
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            path.touch(mode=0o600)
        return sa.create_engine(url, future=True, connect_args={"check_same_thread": False, "timeout": 15})
    return sa.create_engine(url, future=True, pool_pre_ping=True)


Row = Tuple[Optional[str], str]


class MaskingSQLEventBroker(SQLEventBroker):
    """Rasa's SQL broker with masking, batched by a writer thread; `url` is a SQLAlchemy URL."""

    def __init__(self, url: str, queue_size: int = 20_000, batch_size: int = 500, retry_seconds: float = 5.0) -> None:
        # Not Rasa's __init__: it connects (and fails with the database down) on the event loop.
        self.url = url
        self.batch_size = batch_size
        self.retry_seconds = retry_seconds
        self.dropped = 0
        self.written = 0
        self._queue: "queue.Queue[Row]" = queue.Queue(maxsize=queue_size)
        self._pending: List[Row] = []
        self._engine: Optional[Engine] = None
        self._table_ready = False
        self._down = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="motcua-events-writer", daemon=True)
        self._thread.start()

    @classmethod
    async def from_endpoint_config(
        cls, broker_config: EndpointConfig, event_loop: Optional[asyncio.AbstractEventLoop] = None
    ) -> "MaskingSQLEventBroker":
        if not broker_config.url:
            raise ValueError("the SQL event broker needs `url` (a database URL)")
        return cls(broker_config.url, **_options(broker_config, ("queue_size", "batch_size", "retry_seconds")))

    def publish(self, event: Dict[str, Any]) -> None:
        """Queue the masked event for the writer; never blocks, never raises."""
        try:
            sender = event.get("sender_id")
            row = (str(sender)[:SENDER_CHARS] if sender is not None else None, json.dumps(scrub(event)))
        except (TypeError, ValueError) as exc:  # not JSON: Rasa's own events always are
            log.warning("insights: an event of type %s was not stored: %s", event.get("event"), type(exc).__name__)
            return
        try:
            self._queue.put_nowait(row)
        except queue.Full:
            self.dropped += 1
            if self.dropped == 1 or self.dropped % 1000 == 0:
                log.warning(
                    "insights: %d events dropped so far: the database is down or slower than the assistant",
                    self.dropped,
                )

    def _take(self) -> List[Row]:
        try:
            batch = [self._queue.get(timeout=0.2)]
        except queue.Empty:
            return []
        while len(batch) < self.batch_size:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
        return batch

    def _write(self, batch: List[Row]) -> None:
        if self._engine is None:
            self._engine = make_engine(self.url)
        if not self._table_ready:
            EVENTS.create(self._engine, checkfirst=True)  # the console's migration may come later
            self._table_ready = True
        rows = [{"sender_id": sender, "data": data} for sender, data in batch]
        try:
            with self._engine.begin() as connection:
                connection.execute(EVENTS.insert(), rows)
        except (sa.exc.DataError, sa.exc.IntegrityError):
            self._write_one_by_one(self._engine, rows)

    def _write_one_by_one(self, engine: Engine, rows: List[Dict[str, Any]]) -> None:
        """A row the database refuses is dropped, not retried for ever with its batch."""
        for row in rows:
            try:
                with engine.begin() as connection:
                    connection.execute(EVENTS.insert(), row)
            except (sa.exc.DataError, sa.exc.IntegrityError) as exc:
                self.dropped += 1
                log.warning("insights: the database refused an event (%s); dropped", type(exc.orig).__name__)

    def _run(self) -> None:
        while True:
            batch = self._pending or self._take()
            if not batch:
                if self._stop.is_set():
                    return
                continue
            try:
                self._write(batch)
            except sa.exc.SQLAlchemyError as exc:
                self._pending = batch
                if not self._down:  # the type only: the message would hold the rows
                    log.warning(
                        "insights: the events' database cannot be written (%s); retrying every %.0f s",
                        type(getattr(exc, "orig", None) or exc).__name__,
                        self.retry_seconds,
                    )
                self._down = True
                if self._stop.wait(self.retry_seconds):
                    log.warning("insights: %d events not stored at shutdown", len(batch) + self._queue.qsize())
                    return
                continue
            if self._down:
                log.info("insights: the events' database is back")
                self._down = False
            self._pending = []
            self.written += len(batch)
            for _ in batch:
                self._queue.task_done()

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every queued event is written (tests, shutdown); False on timeout."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks:
            if time.monotonic() > deadline or not self._thread.is_alive():
                return False
            time.sleep(0.01)
        return True

    def is_ready(self) -> bool:
        return True

    async def close(self) -> None:
        """Write what is queued (a last try if the database is down), then stop the writer."""
        self._stop.set()
        await asyncio.get_running_loop().run_in_executor(None, self._thread.join, self.retry_seconds + 5)
        if self._engine is not None and not self._thread.is_alive():
            self._engine.dispose()


def _redacted(url: str) -> str:
    parsed = urlparse(url)
    host = parsed.hostname or ""
    return f"{parsed.scheme}://{host}:{parsed.port}" if parsed.port else f"{parsed.scheme}://{host}"


class MaskingPikaEventBroker(PikaEventBroker):
    """Rasa's RabbitMQ broker with masking; `url` is amqp://user:password@host:port/vhost (its
    password stays out of logs: `host` is the URL without it)."""

    def __init__(
        self,
        url: str,
        queues: Any = None,
        max_unsent: int = 20_000,
        retry_delay_in_seconds: float = 5.0,
        event_loop: Optional[asyncio.AbstractEventLoop] = None,
        **kwargs: Any,
    ) -> None:
        parsed = urlparse(url)
        super().__init__(
            host=_redacted(url),
            username=unquote(parsed.username or "guest"),
            password=unquote(parsed.password or "guest"),
            port=parsed.port or (5671 if parsed.scheme == "amqps" else 5672),
            queues=queues,
            connection_attempts=1,  # _keep_connecting retries, in the background
            retry_delay_in_seconds=retry_delay_in_seconds,
            event_loop=event_loop,
            **kwargs,
        )
        self._url = url
        self.max_unsent = max_unsent
        self.dropped = 0
        self._connector: Optional[asyncio.Task] = None

    @classmethod
    async def from_endpoint_config(
        cls, broker_config: Optional[EndpointConfig], event_loop: Optional[asyncio.AbstractEventLoop] = None
    ) -> Optional["MaskingPikaEventBroker"]:
        if broker_config is None:
            return None
        if not broker_config.url:
            raise ValueError("the RabbitMQ event broker needs `url` (amqp://…)")
        broker = cls(broker_config.url, **broker_config.kwargs, event_loop=event_loop)
        broker.start()
        return broker

    def start(self) -> None:
        """Connect in the background: the assistant answers meanwhile."""
        self._connector = self._loop.create_task(self._keep_connecting())

    async def _keep_connecting(self) -> None:
        while True:
            try:
                await self.connect()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 (aio_pika raises many kinds until RabbitMQ is up)
                log.warning(
                    "insights: RabbitMQ at %s cannot be reached (%s); events wait (up to %d) and go when it answers",
                    self.host,
                    type(exc).__name__,
                    self.max_unsent,
                )
                continue  # Rasa's _connect waited retry_delay_in_seconds already
            self._publish_unpublished_messages()
            return

    def _configure_url(self) -> Optional[str]:
        return self._url

    def publish(self, event: Dict[str, Any], headers: Optional[Dict[str, str]] = None) -> None:
        scrubbed = scrub(event)
        if self._exchange is not None:
            super().publish(scrubbed, headers)
        elif len(self._unpublished_events) < self.max_unsent:
            self._unpublished_events.append(scrubbed)
        else:
            self.dropped += 1
            if self.dropped == 1 or self.dropped % 1000 == 0:
                log.warning("insights: %d events dropped so far: RabbitMQ is not reachable", self.dropped)

    async def close(self) -> None:
        if self._connector is not None and not self._connector.done():
            self._connector.cancel()
        await super().close()
