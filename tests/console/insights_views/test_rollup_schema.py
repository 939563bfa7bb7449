"""The roll-up tables of `console.insights.rollup` are what the migrations 0005_insight_rollups and
0007_unanswered_rollup make (the lead's tests/console/test_migrations.py compares the account tables
only), and a batch of turns as the ingester passes them (`classify.Turn` objects) is counted like dicts."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine

from console.db import metadata
from console.insights import rollup
from console.insights.classify import Turn
from console.insights.queries import Filters, dashboard
from tests.console.insights_views.conftest import DAY1, at, turn

ROLLUPS = {t.name for t in rollup.ROLLUPS}


def _table(difference: Any) -> str:
    if isinstance(difference, list):
        return str(difference[0][2])
    item = difference[1]
    return str(getattr(item, "name", None) if hasattr(item, "columns") else getattr(item, "table", item).name)


def test_the_roll_up_tables_match_the_migration(engine: Engine) -> None:
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert [d for d in differences if _table(d) in ROLLUPS] == []


def test_turn_objects_count_as_their_columns(engine: Engine) -> None:
    rows = [
        turn(at(DAY1, 9), "zalo", "a", "answered", "khai sinh", "khai-sinh", "documents"),
        turn(at(DAY1, 9, 5), "zalo", "a", "dossier", "hồ sơ", dossier="found"),
    ]
    with engine.begin() as connection:
        rollup.record(connection, [Turn(**row) for row in rows])
        rollup.record(connection, [Turn(**rows[0])])  # again: the counters add up, the conversation once
    with engine.connect() as connection:
        board = dashboard(connection, Filters(DAY1, DAY1))
    assert (board.conversations, board.messages) == (1, 3)
    assert [(p.procedure_id, p.aspects) for p in board.procedures] == [("khai-sinh", (("documents", 2),))]
    assert [(c.key, c.count) for c in board.dossier] == [("found", 1)]
