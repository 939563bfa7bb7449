"""Migration 0002 makes the queue's tables as `console/handoff/tables.py` describes them, on SQLite
and PostgreSQL, with the rule that a conversation has one open handoff at most."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine

from console.db import make_engine, metadata
from console.handoff.tables import handoff_messages, handoffs
from console.migrate import current, downgrade, upgrade

OURS = {"handoffs", "handoff_messages"}
AT = datetime(2026, 12, 7, 1, 0, tzinfo=timezone.utc)


def table_of(difference: Any) -> str:
    if isinstance(difference, list):  # modify_type, modify_nullable …: [(op, schema, table, column, …)]
        return str(difference[0][2])
    if difference[0] in ("add_column", "remove_column"):
        return str(difference[2])
    item = difference[1]
    return str(item.name if isinstance(item, sa.Table) else item.table.name)


def test_the_migrated_schema_matches_the_tables_of_the_code(engine: Engine) -> None:
    assert OURS <= set(sa.inspect(engine).get_table_names())
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert [d for d in differences if table_of(d) in OURS] == []
    indexes = {i["name"]: i for i in sa.inspect(engine).get_indexes("handoffs")}
    assert indexes["uq_handoffs_open_conversation"]["unique"]


def row(handoff_id: str, state: str, conversation: str = "telegram:1") -> dict:
    return {
        "id": handoff_id,
        "conversation_id": conversation,
        "channel": "telegram",
        "centre": "default",
        "state": state,
        "requested_at": AT,
    }


def test_one_open_handoff_per_conversation(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(sa.insert(handoffs), [row("a", "ended"), row("b", "missed"), row("c", "waiting")])
        connection.execute(sa.insert(handoffs), [row("d", "waiting", "telegram:2")])
    for state in ("waiting", "claimed"):
        with pytest.raises(sa.exc.IntegrityError):
            with engine.begin() as connection:
                connection.execute(sa.insert(handoffs).values(**row("e", state)))
    with engine.begin() as connection:
        connection.execute(sa.update(handoffs).where(handoffs.c.id == "c").values(state="cancelled"))
        connection.execute(sa.insert(handoffs).values(**row("e", "claimed")))
        count = connection.execute(sa.select(sa.func.count()).select_from(handoffs)).scalar_one()
    assert count == 5


def test_a_state_outside_the_list_is_refused(engine: Engine) -> None:
    with pytest.raises(sa.exc.IntegrityError):
        with engine.begin() as connection:
            connection.execute(sa.insert(handoffs).values(**row("a", "lost")))


def test_times_come_back_in_utc(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(sa.insert(handoffs).values(**row("a", "waiting")))
        connection.execute(sa.insert(handoff_messages).values(handoff_id="a", role="citizen", text="alo", at=AT))
        stored = connection.execute(sa.select(handoff_messages.c.at)).scalar_one()
    assert stored == AT and stored.utcoffset() is not None and stored.utcoffset().total_seconds() == 0


def test_the_migration_goes_down_and_up_again(db_url: str) -> None:
    upgrade(db_url)
    downgrade(db_url, "0001_accounts")
    engine = make_engine(db_url)
    try:
        assert not OURS & set(sa.inspect(engine).get_table_names())
        assert current(db_url) == "0001_accounts"
        upgrade(db_url)
        assert OURS <= set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()
