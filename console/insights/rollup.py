"""Daily roll-ups of `insight_turns`, kept by the ingester in the transaction that adds the turns.

Why they exist (measured, bench/insights.py, PostgreSQL 1,000,000 turns over 90 days, 2 CPUs):
counting distinct conversations per day and channel straight from `insight_turns` took ~360 ms
for 30 days and ~1.4 s for 90 days — over the 500 ms a page may take. Distinct counts do not add
up, so the roll-up keeps the set itself, one row per (day, channel, conversation), a few rows per
conversation instead of one per message. The other figures that read every turn (messages per
day, the outcome shares, the dossier outcomes, questions per procedure and aspect) come from
counter tables: reading ~600,000 answered turns for the procedures of 90 days alone took ~300 ms.
The unanswered questions too: their page, grouping ~190,000 unanswered turns of 90 days by text
straight from `insight_turns`, took 318 ms p50 / 377 ms p95 (640 ms p95 on a busy machine); from a
roll-up of one row per text a day (~160,000 rows: the texts are long-tailed, but the rows are narrow
and hold nothing else) 151 ms / 172 ms, with the merge in Python made cheaper too.

- `insight_day_conversations` (day, channel, conversation): the conversations seen each day.
- `insight_day_outcomes` (day, channel, outcome, dossier_outcome, turns): messages counted by
  outcome ("" for no dossier outcome, so the key can be a primary key).
- `insight_day_procedures` (day, channel, procedure_id, aspect, turns): answered and clarified
  turns with a procedure ("" for no aspect).
- `insight_day_unanswered` (day, channel, text_key, outcome, turns, first_at, last_at, sample): the
  unanswered turns (`tables.UNANSWERED`) by their normalised text; `sample` is the least of their
  (masked) texts in code point order (what `min(text)` gives on SQLite and under the C collation).

`record(connection, turns)` adds a batch (dicts with the columns of `insight_turns`: at least
`day`, `channel`, `conversation`, `outcome`, `dossier_outcome`, and `at`, `text`, `text_key` for
an unanswered turn); `forget_before(connection, day)` follows the retention; `rebuild(connection)`
computes them again from `insight_turns` (a repair, or data ingested before the roll-ups existed).
Made by the migrations `0005_insight_rollups` and `0007_unanswered_rollup`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any, Dict, List, Mapping, Optional, Sequence, Set, Tuple

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from console.db import metadata
from console.insights.tables import TEXT_CHARS, TEXT_KEY_CHARS, UNANSWERED, insight_turns
from console.tables import UTCDateTime

day_conversations = sa.Table(
    "insight_day_conversations",
    metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("channel", sa.String(32), primary_key=True),
    sa.Column("conversation", sa.String(64), primary_key=True),
)

day_outcomes = sa.Table(
    "insight_day_outcomes",
    metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("channel", sa.String(32), primary_key=True),
    sa.Column("outcome", sa.String(16), primary_key=True),
    sa.Column("dossier_outcome", sa.String(32), primary_key=True),
    sa.Column("turns", sa.Integer, nullable=False),
)

day_procedures = sa.Table(
    "insight_day_procedures",
    metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("channel", sa.String(32), primary_key=True),
    sa.Column("procedure_id", sa.String(128), primary_key=True),
    sa.Column("aspect", sa.String(16), primary_key=True),
    sa.Column("turns", sa.Integer, nullable=False),
)

day_unanswered = sa.Table(
    "insight_day_unanswered",
    metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("channel", sa.String(32), primary_key=True),
    sa.Column("text_key", sa.String(TEXT_KEY_CHARS), primary_key=True),
    sa.Column("outcome", sa.String(16), primary_key=True),
    sa.Column("turns", sa.Integer, nullable=False),
    sa.Column("first_at", UTCDateTime(), nullable=False),
    sa.Column("last_at", UTCDateTime(), nullable=False),
    sa.Column("sample", sa.String(TEXT_CHARS), nullable=False),
)

ROLLUPS = (day_conversations, day_outcomes, day_procedures, day_unanswered)
QUESTION_OUTCOMES = ("answered", "clarified")
OutcomeKey = Tuple[dt.date, str, str, str]
UnansweredKey = Tuple[dt.date, str, str, str]  # day, channel, text_key, outcome
BATCH = 1000  # rows per statement


def _day(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _insert(connection: Connection, table: sa.Table) -> Any:
    """The dialect's INSERT that has ON CONFLICT (SQLite ≥ 3.24 and PostgreSQL)."""
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table)
    if connection.dialect.name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"insight roll-ups need SQLite or PostgreSQL, not {connection.dialect.name}")


def _columns(turn: Any) -> Mapping[str, Any]:
    """A turn as a mapping: a dict of the columns, or an object with them (`classify.Turn`)."""
    return turn if isinstance(turn, Mapping) else vars(turn)


class _Texts:
    """The unanswered turns of one key in a batch: how many, when first and last, the least text."""

    __slots__ = ("first_at", "last_at", "sample", "turns")

    def __init__(self, at: dt.datetime, text: str):
        self.turns, self.first_at, self.last_at, self.sample = 1, at, at, text

    def add(self, at: dt.datetime, text: str) -> None:
        self.turns += 1
        self.first_at, self.last_at, self.sample = min(self.first_at, at), max(self.last_at, at), min(self.sample, text)


def record(connection: Connection, turns: Sequence[Any]) -> None:
    """Add a batch of new turns to the roll-ups (in the caller's transaction; a batch of any size).
    A turn is a dict with the columns of `insight_turns`, or an object with them as attributes."""
    if not turns:
        return
    seen: Set[Tuple[dt.date, str, str]] = set()
    counts: Counter[OutcomeKey] = Counter()
    asked: Counter[OutcomeKey] = Counter()
    unanswered: Dict[UnansweredKey, _Texts] = {}
    for turn in map(_columns, turns):
        day, channel, outcome = _day(turn["day"]), str(turn["channel"]), str(turn["outcome"])
        seen.add((day, channel, str(turn["conversation"])))
        counts[(day, channel, outcome, str(turn.get("dossier_outcome") or ""))] += 1
        if outcome in QUESTION_OUTCOMES and turn.get("procedure_id"):
            asked[(day, channel, str(turn["procedure_id"]), str(turn.get("aspect") or ""))] += 1
        elif outcome in UNANSWERED:
            key = (day, channel, str(turn["text_key"]), outcome)
            found = unanswered.get(key)
            if found is None:
                unanswered[key] = _Texts(turn["at"], str(turn["text"]))
            else:
                found.add(turn["at"], str(turn["text"]))
    _add_conversations(connection, sorted(seen))
    _add_counts(connection, day_outcomes, ("outcome", "dossier_outcome"), counts)
    _add_counts(connection, day_procedures, ("procedure_id", "aspect"), asked)
    _add_unanswered(connection, unanswered)


def _add_conversations(connection: Connection, rows: List[Tuple[dt.date, str, str]]) -> None:
    for start in range(0, len(rows), BATCH):
        values = [{"day": d, "channel": c, "conversation": v} for d, c, v in rows[start : start + BATCH]]
        connection.execute(_insert(connection, day_conversations).values(values).on_conflict_do_nothing())


def _add_counts(
    connection: Connection, table: sa.Table, names: Tuple[str, str], counts: Mapping[OutcomeKey, int]
) -> None:
    rows = sorted(counts.items())  # one order for every writer: no deadlock between two ingesters
    key = ["day", "channel", *names]
    for start in range(0, len(rows), BATCH):
        values = [{**dict(zip(key, k, strict=True)), "turns": n} for k, n in rows[start : start + BATCH]]
        statement = _insert(connection, table).values(values)
        statement = statement.on_conflict_do_update(
            index_elements=key, set_={"turns": table.c.turns + statement.excluded.turns}
        )
        connection.execute(statement)


def _least(connection: Connection, a: Any, b: Any, text: bool = False) -> Any:
    """The smaller of two values (texts in code point order, as Python's `min`)."""
    if connection.dialect.name == "postgresql":
        return sa.func.least(a.collate("C"), b.collate("C")) if text else sa.func.least(a, b)
    return sa.func.min(a, b)  # SQLite's min() of several arguments; texts compare by their bytes (BINARY)


def _greatest(connection: Connection, a: Any, b: Any) -> Any:
    return sa.func.greatest(a, b) if connection.dialect.name == "postgresql" else sa.func.max(a, b)


def _add_unanswered(connection: Connection, found: Mapping[UnansweredKey, _Texts]) -> None:
    table = day_unanswered
    rows = sorted(found.items())  # one order for every writer, as _add_counts
    for start in range(0, len(rows), BATCH):
        values = [
            {"day": d, "channel": c, "text_key": k, "outcome": o, "turns": t.turns, "first_at": t.first_at,
             "last_at": t.last_at, "sample": t.sample}
            for (d, c, k, o), t in rows[start : start + BATCH]
        ]  # fmt: skip
        statement = _insert(connection, table).values(values)
        new = statement.excluded
        statement = statement.on_conflict_do_update(
            index_elements=["day", "channel", "text_key", "outcome"],
            set_={
                "turns": table.c.turns + new.turns,
                "first_at": _least(connection, table.c.first_at, new.first_at),
                "last_at": _greatest(connection, table.c.last_at, new.last_at),
                "sample": _least(connection, table.c.sample, new.sample, text=True),
            },
        )
        connection.execute(statement)


def forget_before(connection: Connection, day: dt.date) -> int:
    """Delete the roll-ups of the days before `day` (the retention); the rows deleted."""
    deleted = 0
    for table in ROLLUPS:
        deleted += connection.execute(table.delete().where(table.c.day < day)).rowcount or 0
    return deleted


def rebuild(connection: Connection, since: Optional[dt.date] = None) -> None:
    """Compute the roll-ups again from `insight_turns` (all days, or from `since` on)."""
    turns = insight_turns
    for table in ROLLUPS:
        delete = table.delete()
        connection.execute(delete if since is None else delete.where(table.c.day >= since))
    where = [] if since is None else [turns.c.day >= since]
    conversations = sa.select(turns.c.day, turns.c.channel, turns.c.conversation).where(*where).distinct()
    connection.execute(day_conversations.insert().from_select(["day", "channel", "conversation"], conversations))
    dossier = sa.func.coalesce(turns.c.dossier_outcome, "")
    grouped = (
        sa.select(turns.c.day, turns.c.channel, turns.c.outcome, dossier, sa.func.count())
        .where(*where)
        .group_by(turns.c.day, turns.c.channel, turns.c.outcome, dossier)
    )
    connection.execute(
        day_outcomes.insert().from_select(["day", "channel", "outcome", "dossier_outcome", "turns"], grouped)
    )
    aspect = sa.func.coalesce(turns.c.aspect, "")
    asked = (
        sa.select(turns.c.day, turns.c.channel, turns.c.procedure_id, aspect, sa.func.count())
        .where(*where, turns.c.outcome.in_(QUESTION_OUTCOMES), turns.c.procedure_id.isnot(None))
        .group_by(turns.c.day, turns.c.channel, turns.c.procedure_id, aspect)
    )
    connection.execute(
        day_procedures.insert().from_select(["day", "channel", "procedure_id", "aspect", "turns"], asked)
    )
    text = turns.c.text.collate("C") if connection.dialect.name == "postgresql" else turns.c.text
    unanswered = (
        sa.select(
            turns.c.day, turns.c.channel, turns.c.text_key, turns.c.outcome, sa.func.count(),
            sa.func.min(turns.c.at), sa.func.max(turns.c.at), sa.func.min(text),
        )
        .where(*where, turns.c.outcome.in_(UNANSWERED))
        .group_by(turns.c.day, turns.c.channel, turns.c.text_key, turns.c.outcome)
    )  # fmt: skip
    columns = ["day", "channel", "text_key", "outcome", "turns", "first_at", "last_at", "sample"]
    connection.execute(day_unanswered.insert().from_select(columns, unanswered))
