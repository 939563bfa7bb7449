"""The insights' tables of the code are the migrated schema; `events` is Rasa's own table."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine

from console.db import metadata
from console.migrate import downgrade, upgrade
from tests.console.test_migrations import table_of

INSIGHT_TABLES = {"events", "insight_cursor", "insight_turns", "insight_ratings"}


def test_the_tables_of_the_code_match_the_migrated_schema(engine: Engine) -> None:
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert [d for d in differences if table_of(d) in INSIGHT_TABLES] == []


def test_the_migration_accepts_an_events_table_rasa_made_first(db_url: str) -> None:
    """The assistant's broker may write before the console ever migrated."""
    import asyncio

    from bot.event_broker import MaskingSQLEventBroker

    upgrade(db_url, "0003_kb_drafts")
    broker = MaskingSQLEventBroker(db_url)
    broker.publish({"sender_id": "a", "event": "user", "text": "xin chào", "timestamp": 1.0})
    assert broker.flush()
    asyncio.run(broker.close())
    upgrade(db_url)
    downgrade(db_url, "0003_kb_drafts")
