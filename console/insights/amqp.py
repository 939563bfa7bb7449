"""The RabbitMQ side of the insights (INSIGHTS_AMQP_URL set): the assistant's Rasa servers publish
their events (bot.event_broker.MaskingPikaEventBroker) to Rasa's fanout exchange and our queue;
`consume` stores each batch of messages as rows of the same `events` table, in one transaction,
and acknowledges them after the commit. The ingester (console.insights.ingest) then sorts them
into turns exactly as it does the SQL broker's rows: one classification, one set of tables.

A message is acknowledged only once stored: a console that stops (or a database that is down)
leaves it in the queue. The one window left: a crash between the commit and the acknowledgement
stores that batch again when RabbitMQ redelivers it.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import List, Optional, Tuple
from urllib.parse import urlparse

import aio_pika
import sqlalchemy as sa
from aio_pika.abc import AbstractIncomingMessage
from sqlalchemy.engine import Engine

from console.dbrun import run
from console.insights.tables import events

log = logging.getLogger(__name__)

RASA_EXCHANGE = "rasa-exchange"  # rasa.core.brokers.pika.RABBITMQ_EXCHANGE
BATCH = 500
FLUSH_SECONDS = 0.5
RETRY_SECONDS = 5.0


def _row(body: bytes) -> Optional[Tuple[Optional[str], str]]:
    try:
        event = json.loads(body)
    except ValueError:
        return None
    if not isinstance(event, dict):
        return None
    sender = event.get("sender_id")
    return (str(sender)[:255] if sender is not None else None), body.decode("utf-8")


def store(engine: Engine, bodies: List[bytes]) -> int:
    """Insert the messages' events into `events` (one transaction); the number stored."""
    rows = [row for row in map(_row, bodies) if row is not None]
    if rows:
        with engine.begin() as connection:
            connection.execute(events.insert(), [{"sender_id": s, "data": d} for s, d in rows])
    if len(rows) < len(bodies):
        log.warning("insights: %d RabbitMQ messages were not events and were dropped", len(bodies) - len(rows))
    return len(rows)


def _where(url: str) -> str:
    parsed = urlparse(url)
    return f"{parsed.hostname}:{parsed.port or 5672}"


async def consume_once(engine: Engine, url: str, queue_name: str, stop: asyncio.Event, batch: int = BATCH) -> None:
    """Consume until `stop` is set (or the connection fails for good)."""
    connection = await aio_pika.connect_robust(url)
    async with connection:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=batch)
        # Declared here too (as Rasa's broker does), so a console that starts first misses nothing.
        exchange = await channel.declare_exchange(RASA_EXCHANGE, aio_pika.ExchangeType.FANOUT)
        queue = await channel.declare_queue(queue_name, durable=True)
        await queue.bind(exchange, "")
        waiting: "asyncio.Queue[AbstractIncomingMessage]" = asyncio.Queue()
        tag = await queue.consume(waiting.put)
        log.info("insights: consuming RabbitMQ queue %s at %s", queue_name, _where(url))
        try:
            while not stop.is_set():
                messages: List[AbstractIncomingMessage] = []
                try:
                    messages.append(await asyncio.wait_for(waiting.get(), FLUSH_SECONDS))
                except asyncio.TimeoutError:
                    continue
                while len(messages) < batch and not waiting.empty():
                    messages.append(waiting.get_nowait())
                await _store_and_ack(engine, messages)
        finally:
            await queue.cancel(tag)


async def _store_and_ack(engine: Engine, messages: List[AbstractIncomingMessage]) -> None:
    while True:
        try:
            await run(store, engine, [m.body for m in messages])
            break
        except sa.exc.SQLAlchemyError as exc:
            log.warning(
                "insights: RabbitMQ events cannot be stored (%s); retrying", type(getattr(exc, "orig", exc)).__name__
            )
            await asyncio.sleep(RETRY_SECONDS)
    await messages[-1].ack(multiple=True)


async def consume(engine: Engine, url: str, queue_name: str, stop: Optional[asyncio.Event] = None) -> None:
    """`consume_once`, started again after a failure (RabbitMQ down at start, a lost connection)."""
    stop = stop or asyncio.Event()
    while not stop.is_set():
        try:
            await consume_once(engine, url, queue_name, stop)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 (aio_pika and aiormq raise many kinds)
            log.warning("insights: RabbitMQ at %s cannot be read (%s); retrying", _where(url), type(exc).__name__)
            await asyncio.sleep(RETRY_SECONDS)
