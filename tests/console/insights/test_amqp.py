"""With INSIGHTS_AMQP_URL: the assistant's events through the machine's real RabbitMQ into the same turns."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import uuid

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.event_broker import MaskingPikaEventBroker
from console.insights.amqp import consume
from console.insights.ingest import ingest_once
from console.insights.tables import events, insight_turns
from tests.bot.test_event_broker import AMQP_URL, rabbitmq_or_skip
from tests.console.insights.events import NOW, turn


async def test_events_published_to_rabbitmq_become_turns(engine: Engine) -> None:
    rabbitmq_or_skip()
    queue_name = f"motcua-test-{uuid.uuid4().hex[:10]}"
    stop = asyncio.Event()
    consumer = asyncio.create_task(consume(engine, AMQP_URL, queue_name, stop))
    broker = MaskingPikaEventBroker(AMQP_URL, queues=[queue_name])
    broker.start()
    try:
        for event in turn("lệ phí khai sinh, sđt 0912345678", "ask_fee", "action_answer_fee", "answered",
                          procedure="khai-sinh", aspect="fee"):  # fmt: skip
            broker.publish(event)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            with engine.connect() as connection:
                if connection.execute(sa.select(sa.func.count()).select_from(events)).scalar_one() == 5:
                    break
            await asyncio.sleep(0.1)
        later = dt.datetime.fromtimestamp(NOW + 3600, dt.timezone.utc)
        assert ingest_once(engine, b"s" * 32, now=later) == 1
        with engine.connect() as connection:
            row = connection.execute(sa.select(insight_turns)).one()
        assert (row.outcome, row.procedure_id, row.channel) == ("answered", "khai-sinh", "telegram")
        assert row.text == "lệ phí khai sinh, sđt 09******78"
    finally:
        stop.set()
        await broker.close()
        await asyncio.wait_for(consumer, 5)
        import aio_pika

        connection = await aio_pika.connect_robust(AMQP_URL)
        async with connection:
            channel = await connection.channel()
            await channel.queue_delete(queue_name)
