"""The kb_drafts table of the code is the one migration 0003 makes, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine

from console.db import metadata
from console.kb_review.tables import kb_drafts
from tests.console.test_migrations import table_of


def test_the_drafts_table_matches_the_migration(engine: Engine) -> None:
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert [d for d in differences if table_of(d) == kb_drafts.name] == []
