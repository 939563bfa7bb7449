"""The unanswered questions' daily roll-up (`rollup.day_unanswered`) gives the page exactly what grouping
`insight_turns` gives: kept batch by batch by the ingester, built again by `rollup.rebuild`, filled by
the migration 0007_unanswered_rollup from the turns ingested before it, trimmed by the retention."""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Tuple

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

from console.db import make_engine
from console.insights import rollup
from console.insights.queries import Filters
from console.insights.tables import UNANSWERED, insight_turns
from console.insights.unanswered import Variant, read_variants
from console.migrate import alembic_config, upgrade
from tests.console.insights_views.conftest import DAY1, DAY2, add_turns, at, turn

RANGE = Filters(DAY1, DAY2)
TURNS = [
    turn(at(DAY1, 9), "telegram", "a", "no_procedure", "Làm giấy phép nuôi mèo ở đâu?"),
    turn(at(DAY2, 10), "telegram", "b", "no_procedure", "làm giấy phép nuôi mèo ở đâu"),
    turn(at(DAY1, 8), "telegram", "b", "no_procedure", "làm giấy phép nuôi MÈO ở đâu"),  # earlier, another batch
    turn(at(DAY2, 9), "zalo", "c", "fallback", "ở đâu làm giấy phép nuôi mèo"),
    turn(at(DAY2, 11), "zalo", "c", "fallback", "Ở ĐÂU làm giấy phép nuôi mèo"),
    turn(at(DAY2, 12), "telegram", "e", "answered", "làm giấy phép nuôi mèo ở đâu"),  # answered: not counted
    turn(at(DAY1, 7), "web", "h", "not_understood", "gọi 09******78 giúp"),
    turn(at(DAY1, 7, 1), "web", "h", "out_of_scope", "gọi 09******12 giúp"),  # the same key, another outcome
    turn(at(dt.date(2026, 11, 19), 23), "web", "i", "out_of_scope", "hôm qua"),  # outside RANGE
]


def from_turns(connection: Connection, filters: Filters) -> List[Variant]:
    """What the page read before the roll-up: the unanswered turns grouped by text_key."""
    t = insight_turns
    where = [t.c.day >= filters.start, t.c.day <= filters.end, t.c.outcome.in_(UNANSWERED)]
    if filters.channel:
        where.append(t.c.channel == filters.channel)
    per_outcome = [sa.func.sum(sa.case((t.c.outcome == name, 1), else_=0)) for name in UNANSWERED]
    count = sa.func.count()
    rows = connection.execute(
        sa.select(t.c.text_key, count, sa.func.min(t.c.at), sa.func.max(t.c.at), sa.func.min(t.c.text), *per_outcome)
        .where(*where)
        .group_by(t.c.text_key)
        .order_by(count.desc(), t.c.text_key)
    ).all()
    return [
        Variant(
            row[0],
            row[4],
            int(row[1]),
            row[2],
            row[3],
            tuple(
                sorted(
                    ((o, int(n)) for o, n in zip(UNANSWERED, row[5:], strict=True) if n), key=lambda i: (-i[1], i[0])
                )
            ),
        )
        for row in rows
    ]


def read(engine: Engine, **channel: Any) -> Tuple[List[Variant], List[Variant]]:
    filters = Filters(DAY1, DAY2, **channel)
    with engine.connect() as connection:
        return read_variants(connection, filters)[0], from_turns(connection, filters)


def rolled_up(engine: Engine) -> List[Dict[str, Any]]:
    with engine.connect() as connection:
        rows = connection.execute(sa.select(rollup.day_unanswered).order_by(*rollup.day_unanswered.primary_key))
        return [dict(row._mapping) for row in rows]


def test_batches_rebuild_and_the_turns_agree(engine: Engine) -> None:
    add_turns(engine, TURNS[:2])
    add_turns(engine, TURNS[2:4])
    add_turns(engine, TURNS[4:])
    for channel in ({}, {"channel": "zalo"}, {"channel": "web"}):
        found, expected = read(engine, **channel)
        assert found == expected and found
    found, _ = read(engine)
    assert [(v.text_key, v.sample, v.count, v.first_seen, v.last_seen, v.outcomes) for v in found] == [
        ("lam giay phep nuoi meo o dau", "Làm giấy phép nuôi mèo ở đâu?", 3, at(DAY1, 8), at(DAY2, 10),
         (("no_procedure", 3),)),
        ("goi # giup", "gọi 09******12 giúp", 2, at(DAY1, 7), at(DAY1, 7, 1),
         (("not_understood", 1), ("out_of_scope", 1))),
        ("o dau lam giay phep nuoi meo", "Ở ĐÂU làm giấy phép nuôi mèo", 2, at(DAY2, 9), at(DAY2, 11),
         (("fallback", 2),)),
    ]  # fmt: skip
    kept = rolled_up(engine)
    with engine.begin() as connection:
        rollup.rebuild(connection)
    assert rolled_up(engine) == kept
    with engine.begin() as connection:
        rollup.rebuild(connection, since=DAY2)
    assert rolled_up(engine) == kept


def test_the_retention_trims_the_roll_up(engine: Engine) -> None:
    add_turns(engine, TURNS)
    with engine.begin() as connection:
        rollup.forget_before(connection, DAY2)
    assert {row["day"] for row in rolled_up(engine)} == {DAY2}


def test_the_migration_fills_it_from_the_turns_ingested_before(db_url: str) -> None:
    before = ScriptDirectory.from_config(alembic_config()).get_revision("0007_unanswered_rollup").down_revision
    upgrade(db_url, str(before))
    engine = make_engine(db_url)
    try:
        with engine.begin() as connection:
            connection.execute(insight_turns.insert(), TURNS)
        upgrade(db_url)
        filled = rolled_up(engine)
        with engine.begin() as connection:
            rollup.rebuild(connection)
        assert rolled_up(engine) == filled and len(filled) == 6
        found, expected = read(engine)
        assert found == expected
    finally:
        engine.dispose()
