"""The insights' event broker: what leaves the assistant is masked, written in batches off the
event loop, and a database or RabbitMQ that is down never stops a citizen's answer."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import time
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List

import aio_pika
import pytest
import sqlalchemy as sa
import yaml
from rasa.core.brokers.broker import EventBroker
from rasa.shared.core.events import BotUttered, SlotSet, UserUttered
from rasa.utils.endpoints import read_endpoint_config

from bot.event_broker import MaskingPikaEventBroker, MaskingSQLEventBroker
from bot.event_scrub import scrub
from bot.rasa_config import write_endpoints
from motcua.settings import DEFAULT_DATABASE_URL

# The tests' sessions turn the insights off (tests/conftest.py); these tests are of the insights.
pytestmark = pytest.mark.usefixtures("insights_on")


@pytest.fixture
def insights_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTCUA_INSIGHTS", "true")


PHONE, CODE = "0912 345 678", "000.00.53.H48-220921-0099"
AMQP_URL = os.environ.get("INSIGHTS_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")


def citizen(sender: str = "tg-42") -> Dict[str, Any]:
    text = f"hồ sơ {CODE} của tôi, sđt {PHONE}"
    event = UserUttered(
        text,
        intent={"name": "check_dossier_status", "confidence": 0.9},
        entities=[{"entity": "phone", "value": PHONE}],
        parse_data={"text": text, "metadata": {"telegram": {"first_name": "Lan"}}},
        input_channel="telegram",
        metadata={"telegram": {"first_name": "Lan", "username": "lan_hn"}},
    ).as_dict()
    return {"sender_id": sender, **event}


def secrets_in(text: str) -> List[str]:
    return [s for s in ("345 678", "0912345678", "220921", "H48", "Lan", "lan_hn") if s in text]


def test_scrub_masks_what_the_citizen_typed_and_drops_metadata() -> None:
    scrubbed = scrub(citizen())
    assert secrets_in(json.dumps(scrubbed, ensure_ascii=False)) == []
    assert scrubbed["text"] == "hồ sơ ***.**.**.***-******-*099 của tôi, sđt 09******78"
    assert scrubbed["metadata"] == {} and "metadata" not in scrubbed["parse_data"]
    assert scrubbed["parse_data"]["intent"]["name"] == "check_dossier_status"
    assert scrubbed["input_channel"] == "telegram" and scrubbed["sender_id"] == "tg-42"


def test_scrub_keeps_the_outcome_mark_and_masks_bot_text_and_slots() -> None:
    mark = {"outcome": "dossier", "procedure": None, "aspect": None, "dossier": "found"}
    bot = BotUttered(f"Hồ sơ {CODE}", {}, metadata={"motcua": mark, "utter_action": "utter_x", "other": 1}).as_dict()
    assert scrub(bot)["metadata"] == {"motcua": mark, "utter_action": "utter_x"}
    assert CODE not in scrub(bot)["text"]
    assert scrub(SlotSet("dossier_code", CODE).as_dict())["value"] == "***.**.**.***-******-*099"


@pytest.fixture(params=["sqlite", "postgresql"])
def events_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a SQLite file not yet made, or a PostgreSQL schema of this test's own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'var' / 'console.db'}"
        return
    from tests.console.conftest import _postgres_schema_url

    yield from _postgres_schema_url()


def stored(url: str) -> List[Dict[str, Any]]:
    engine = sa.create_engine(url, future=True)
    try:
        with engine.connect() as connection:
            return [json.loads(r.data) for r in connection.execute(sa.text("select data from events order by id"))]
    finally:
        engine.dispose()


async def test_the_sql_broker_writes_masked_events_in_batches(events_url: str) -> None:
    broker = MaskingSQLEventBroker(events_url, batch_size=200)
    started = time.perf_counter()
    for i in range(1000):
        broker.publish({**citizen(f"s{i}"), "timestamp": float(i)})
    assert time.perf_counter() - started < 1.0  # no commit on the event loop
    assert broker.flush(30)
    await broker.close()
    rows = stored(events_url)
    assert len(rows) == 1000 and broker.written == 1000 and broker.dropped == 0
    assert secrets_in(json.dumps(rows, ensure_ascii=False)) == []
    assert rows[0]["sender_id"] == "s0" and rows[-1]["timestamp"] == 999.0
    if events_url.startswith("sqlite"):
        assert (Path(events_url[len("sqlite:///") :]).stat().st_mode & 0o777) == 0o600


async def test_close_writes_what_is_queued(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'e.db'}"
    broker = MaskingSQLEventBroker(url)
    for i in range(50):
        broker.publish(citizen(f"s{i}"))
    await broker.close()
    assert len(stored(url)) == 50


async def test_a_database_that_is_down_drops_and_counts_never_raises(caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    broker = MaskingSQLEventBroker(
        f"postgresql://u:pw@127.0.0.1:{port}/x", queue_size=5, batch_size=2, retry_seconds=0.2
    )
    with caplog.at_level(logging.WARNING, logger="bot.event_broker"):
        started = time.perf_counter()
        for i in range(50):
            broker.publish(citizen(f"s{i}"))
        assert time.perf_counter() - started < 0.5
        deadline = time.monotonic() + 5
        while "cannot be written" not in caplog.text and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
    await broker.close()
    assert broker.dropped >= 40 and broker.written == 0
    assert "events dropped" in caplog.text and "cannot be written (OperationalError)" in caplog.text
    assert secrets_in(caplog.text) == [] and "pw" not in caplog.text


def test_the_endpoints_name_the_broker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broker(env: Dict[str, str]) -> Any:
        path = write_endpoints("http://127.0.0.1:5055/webhook", tmp_path, env)
        return yaml.safe_load(path.read_text(encoding="utf-8")).get("event_broker")

    none = {"DATABASE_URL": "", "INSIGHTS_AMQP_URL": "", "MOTCUA_INSIGHTS": ""}
    sql = "bot.event_broker.MaskingSQLEventBroker"
    assert broker(none) == {"type": sql, "url": DEFAULT_DATABASE_URL}
    assert broker({**none, "DATABASE_URL": "postgresql://u:secret@db/x"}) == {"type": sql, "url": "${DATABASE_URL}"}
    assert broker({**none, "INSIGHTS_AMQP_URL": "amqp://u:secret@mq:5672/", "INSIGHTS_AMQP_QUEUE": "q1"}) == {
        "type": "bot.event_broker.MaskingPikaEventBroker",
        "url": "${INSIGHTS_AMQP_URL}",
        "queues": ["q1"],
    }
    assert broker({**none, "MOTCUA_INSIGHTS": "off"}) is None
    assert broker({**none, "MOTCUA_CONSOLE": "false"}) is None  # the hotline only: nobody would read them
    assert "secret" not in (tmp_path / "endpoints.yml").read_text(encoding="utf-8")


def test_the_default_database_is_the_consoles() -> None:
    from console.db import DEFAULT_URL

    assert DEFAULT_DATABASE_URL == DEFAULT_URL


async def test_rasa_loads_our_broker_from_the_endpoints(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'console.db'}"
    path = write_endpoints("http://127.0.0.1:5055/webhook", tmp_path, {"DATABASE_URL": url})
    monkeypatch.setenv("DATABASE_URL", url)  # the Rasa server's environment
    broker = await EventBroker.create(read_endpoint_config(str(path), "event_broker"))
    assert isinstance(broker, MaskingSQLEventBroker) and broker.url == url
    await broker.close()


def rabbitmq_or_skip() -> None:
    try:
        socket.create_connection(("127.0.0.1", 5672), timeout=1).close()
    except OSError as exc:
        message = f"RabbitMQ at 127.0.0.1:5672 is not reachable: {exc}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


async def test_the_pika_broker_publishes_masked_events_to_rabbitmq(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rabbitmq_or_skip()
    queue_name = f"motcua-test-{uuid.uuid4().hex[:10]}"
    path = write_endpoints(
        "http://127.0.0.1:5055/webhook", tmp_path, {"INSIGHTS_AMQP_URL": AMQP_URL, "INSIGHTS_AMQP_QUEUE": queue_name}
    )
    monkeypatch.setenv("INSIGHTS_AMQP_URL", AMQP_URL)
    broker = await EventBroker.create(read_endpoint_config(str(path), "event_broker"))
    assert isinstance(broker, MaskingPikaEventBroker) and "guest" not in broker.host
    broker.publish(citizen())  # before the connection is up: kept, sent once it is
    connection = await aio_pika.connect_robust(AMQP_URL)
    try:
        channel = await connection.channel()
        deadline = time.monotonic() + 10
        message = None
        while message is None and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
            queue = await channel.declare_queue(queue_name, durable=True)
            message = await queue.get(fail=False, no_ack=True)
        assert message is not None
        event = json.loads(message.body)
        assert event["event"] == "user" and secrets_in(message.body.decode("utf-8")) == []
        await queue.delete(if_unused=False, if_empty=False)
    finally:
        await broker.close()
        await connection.close()


async def test_the_pika_broker_starts_with_rabbitmq_down() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    broker = MaskingPikaEventBroker(f"amqp://guest:guest@127.0.0.1:{port}/", queues=["q"], max_unsent=3,
                                    retry_delay_in_seconds=0.1)  # fmt: skip
    broker.start()
    for i in range(5):
        broker.publish(citizen(f"s{i}"))
    await asyncio.sleep(0.3)
    assert len(broker._unpublished_events) == 3 and broker.dropped == 2 and not broker.is_ready()
    await broker.close()
