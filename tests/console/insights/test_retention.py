"""Turns and raw events older than the retention are deleted."""

from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from console.insights import rollup
from console.insights.ingest import ingest_once
from console.insights.retention import cutoff_day, purge
from console.insights.tables import events, insight_turns
from tests.console.insights.events import turn

DAY = 86_400.0
NOW = dt.datetime(2026, 11, 22, 3, 0, tzinfo=dt.timezone.utc)  # 10:00 in Hà Nội


def test_the_cutoff_is_a_day_in_vietnam() -> None:
    assert cutoff_day(180, NOW) == dt.date(2026, 5, 26)


def test_old_turns_and_stale_events_go_recent_ones_stay(engine: Engine) -> None:
    old, recent = NOW.timestamp() - 200 * DAY, NOW.timestamp() - 10 * DAY
    with engine.begin() as connection:
        for at, sender in [(old, "a"), (recent, "b")]:
            rows = turn("lệ phí", "ask_fee", "action_answer_fee", "answered", sender=sender, at=at)
            connection.execute(events.insert(), [{"sender_id": sender, "data": json.dumps(e)} for e in rows])
    assert ingest_once(engine, b"s" * 32, now=NOW) == 2
    with engine.begin() as connection:  # events the console never read: one stale, one recent
        for at in (old, recent):
            connection.execute(
                events.insert().values(sender_id="c", data=json.dumps({"event": "bot", "timestamp": at}))
            )

    assert purge(engine, 180, NOW) == (1, 1)
    with engine.connect() as connection:
        days = [r.day for r in connection.execute(sa.select(insight_turns.c.day))]
        left = [json.loads(r.data)["timestamp"] for r in connection.execute(sa.select(events.c.data))]
    assert days == [dt.date(2026, 11, 12)] and left == [recent]
    with engine.connect() as connection:  # the dashboard's daily roll-ups forget the old day too
        for table in (rollup.day_conversations, rollup.day_outcomes):
            assert [r.day for r in connection.execute(sa.select(table.c.day))] == [dt.date(2026, 11, 12)]
    assert purge(engine, 180, NOW) == (0, 0)
