"""The dashboard's figures, read with SQLAlchemy Core (sync; the views call it through `dbrun.run`).

Filters are days in Asia/Ho_Chi_Minh (the `day` column of the turns; handoffs by their request
time in that zone), both ends included, and optionally one channel. Sources, chosen by measuring
1,000,000 turns on PostgreSQL (bench/insights.py):

- conversations and messages per day and channel, the outcome shares, the dossier outcomes,
  questions per procedure and aspect (answered and clarified turns): the daily roll-ups of
  `console.insights.rollup` (why: see there);
- handoffs: the console's `handoffs` table (its own rows, not events);
- the satisfaction ratings: `insight_ratings` (console.insights.rating_queries).

Everything comes back as frozen dataclasses; the views add the titles and labels.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from console.handoff.tables import handoffs
from console.insights import labels
from console.insights.rating_queries import RatingSummary, rating_summary
from console.insights.rollup import day_conversations, day_outcomes, day_procedures
from motcua.settings import VIETNAM

DEFAULT_DAYS = 30
MAX_DAYS = 366
TOP_PROCEDURES = 15
SHARE_GROUPS: Dict[str, str] = {  # outcome → its share on the dashboard; the rest is "other"
    "answered": "answered",
    "clarified": "clarified",
    "not_understood": "not_understood",
    "fallback": "not_understood",
    "out_of_scope": "out_of_scope",
    "no_procedure": "no_procedure",
}


@dataclass(frozen=True)
class Filters:
    start: dt.date
    end: dt.date  # included
    channel: Optional[str] = None

    @property
    def days(self) -> List[dt.date]:
        return [self.start + dt.timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    def bounds(self) -> Tuple[dt.datetime, dt.datetime]:
        """The range as UTC instants: from the start day's midnight in Vietnam to the day after the end's."""
        low = dt.datetime.combine(self.start, dt.time(), tzinfo=VIETNAM)
        high = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), tzinfo=VIETNAM)
        return low.astimezone(dt.timezone.utc), high.astimezone(dt.timezone.utc)

    def query(self) -> Dict[str, str]:
        """The filters as the page's query string takes them."""
        found = {"from": self.start.isoformat(), "to": self.end.isoformat()}
        if self.channel:
            found["channel"] = self.channel
        return found


def parse_filters(query: Mapping[str, str], today: dt.date, channels: Sequence[str]) -> Tuple[Filters, List[str]]:
    """The filters of a page's query (`from`, `to`, `channel`), and what was wrong with it, in
    Vietnamese. A bad value falls back to its default (the last 30 days, all channels); a range
    over `MAX_DAYS` is cut to end at `to`."""
    problems: List[str] = []

    def day(name: str, default: dt.date) -> dt.date:
        raw = (query.get(name) or "").strip()
        if not raw:
            return default
        try:
            return dt.date.fromisoformat(raw[:10]) if len(raw) == 10 else dt.date.fromisoformat(raw)
        except ValueError:
            problems.append(labels.BAD_DATE.format(value=raw[:40]))
            return default

    end = day("to", today)
    start = day("from", end - dt.timedelta(days=DEFAULT_DAYS - 1))
    if start > end:
        problems.append(labels.BAD_ORDER)
        start, end = end - dt.timedelta(days=DEFAULT_DAYS - 1), end
    if (end - start).days + 1 > MAX_DAYS:
        problems.append(labels.TOO_LONG.format(days=MAX_DAYS))
        start = end - dt.timedelta(days=MAX_DAYS - 1)
    channel: Optional[str] = (query.get("channel") or "").strip() or None
    if channel is not None and channel not in channels:
        problems.append(labels.BAD_CHANNEL.format(value=channel[:40]))
        channel = None
    return Filters(start, end, channel), problems


@dataclass(frozen=True)
class DayChannel:
    day: dt.date
    channel: str
    conversations: int
    messages: int


@dataclass(frozen=True)
class Count:
    key: str
    count: int
    percent: float  # of the table's total


@dataclass(frozen=True)
class ProcedureQuestions:
    procedure_id: str
    total: int
    aspects: Tuple[Tuple[str, int], ...]  # (aspect or "", count), most asked first


@dataclass(frozen=True)
class HandoffSummary:
    requested: int
    rate: float  # handoffs per conversation in the range, in percent
    claimed: int
    claim_p50: Optional[float]  # seconds from the request to a helper taking it
    claim_p95: Optional[float]
    outcomes: Tuple[Count, ...]  # "answered", "sent_to_counter"… for ended ones, else the state


@dataclass(frozen=True)
class Dashboard:
    filters: Filters
    per_day: Tuple[DayChannel, ...]
    conversations: int  # distinct over the whole range
    messages: int
    shares: Tuple[Count, ...]
    procedures: Tuple[ProcedureQuestions, ...]
    dossier: Tuple[Count, ...]
    handoffs: HandoffSummary
    ratings: RatingSummary


def _percent(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def _counts(found: Mapping[str, int], order: Sequence[str] = ()) -> Tuple[Count, ...]:
    total = sum(found.values())
    keys = [k for k in order if k in found] + sorted((k for k in found if k not in order), key=lambda k: -found[k])
    return tuple(Count(k, found[k], _percent(found[k], total)) for k in keys)


def percentile(values: Sequence[float], fraction: float) -> Optional[float]:
    """The nearest-rank percentile (a value that occurred); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def channels(connection: Connection) -> List[str]:
    """Every channel in the kept data (the filter's choices)."""
    rows = connection.execute(sa.select(day_outcomes.c.channel).distinct().order_by(day_outcomes.c.channel))
    return [row[0] for row in rows]


def _where(table: sa.Table, filters: Filters) -> List[sa.sql.ColumnElement]:
    found = [table.c.day >= filters.start, table.c.day <= filters.end]
    if filters.channel:
        found.append(table.c.channel == filters.channel)
    return found


def per_day(connection: Connection, filters: Filters) -> Tuple[DayChannel, ...]:
    conversations = {
        (day, channel): n
        for day, channel, n in connection.execute(
            sa.select(day_conversations.c.day, day_conversations.c.channel, sa.func.count())
            .where(*_where(day_conversations, filters))
            .group_by(day_conversations.c.day, day_conversations.c.channel)
        )
    }
    messages = {
        (day, channel): int(n)
        for day, channel, n in connection.execute(
            sa.select(day_outcomes.c.day, day_outcomes.c.channel, sa.func.sum(day_outcomes.c.turns))
            .where(*_where(day_outcomes, filters))
            .group_by(day_outcomes.c.day, day_outcomes.c.channel)
        )
    }
    keys = sorted(set(conversations) | set(messages))
    return tuple(
        DayChannel(day, channel, conversations.get((day, channel), 0), messages.get((day, channel), 0))
        for day, channel in keys
    )


def distinct_conversations(connection: Connection, filters: Filters) -> int:
    statement = sa.select(sa.func.count(sa.distinct(day_conversations.c.conversation))).where(
        *_where(day_conversations, filters)
    )
    return int(connection.execute(statement).scalar_one())


def _outcome_counts(connection: Connection, filters: Filters) -> List[Tuple[str, str, int]]:
    statement = (
        sa.select(day_outcomes.c.outcome, day_outcomes.c.dossier_outcome, sa.func.sum(day_outcomes.c.turns))
        .where(*_where(day_outcomes, filters))
        .group_by(day_outcomes.c.outcome, day_outcomes.c.dossier_outcome)
    )
    return [(outcome, dossier, int(n)) for outcome, dossier, n in connection.execute(statement)]


def shares(rows: Sequence[Tuple[str, str, int]]) -> Tuple[Count, ...]:
    found: Counter[str] = Counter()
    for outcome, _, n in rows:
        found[SHARE_GROUPS.get(outcome, "other")] += n
    return _counts({k: found[k] for k in labels.SHARE_LABELS}, list(labels.SHARE_LABELS)) if found else ()


def dossier_outcomes(rows: Sequence[Tuple[str, str, int]]) -> Tuple[Count, ...]:
    found: Counter[str] = Counter()
    for _, dossier, n in rows:
        if dossier:
            found[dossier] += n
    return _counts(found, list(labels.DOSSIER_LABELS))


def procedures(connection: Connection, filters: Filters, top: int = TOP_PROCEDURES) -> Tuple[ProcedureQuestions, ...]:
    """The `top` procedures asked about most (answered or clarified turns), with their aspects."""
    t = day_procedures
    statement = (
        sa.select(t.c.procedure_id, t.c.aspect, sa.func.sum(t.c.turns))
        .where(*_where(t, filters))
        .group_by(t.c.procedure_id, t.c.aspect)
    )
    by_procedure: Dict[str, Counter[str]] = {}
    for procedure_id, aspect, n in connection.execute(statement):
        by_procedure.setdefault(procedure_id, Counter())[aspect or ""] += int(n)
    ranked = sorted(by_procedure.items(), key=lambda item: (-sum(item[1].values()), item[0]))[:top]
    return tuple(
        ProcedureQuestions(pid, sum(aspects.values()), tuple(sorted(aspects.items(), key=lambda a: (-a[1], a[0]))))
        for pid, aspects in ranked
    )


def handoff_summary(connection: Connection, filters: Filters, conversations: int) -> HandoffSummary:
    """The handoffs requested in the range: how many, per conversation, how fast taken, how ended."""
    low, high = filters.bounds()
    h = handoffs
    where = [h.c.requested_at >= low, h.c.requested_at < high]
    if filters.channel:
        where.append(h.c.channel == filters.channel)
    rows = connection.execute(sa.select(h.c.state, h.c.outcome, h.c.requested_at, h.c.claimed_at).where(*where)).all()
    waits = [(claimed - requested).total_seconds() for _, _, requested, claimed in rows if claimed is not None]
    outcomes: Counter[str] = Counter(
        (outcome if state == "ended" and outcome else state) for state, outcome, _, _ in rows
    )
    return HandoffSummary(
        requested=len(rows),
        rate=_percent(len(rows), conversations),
        claimed=len(waits),
        claim_p50=percentile(waits, 0.50),
        claim_p95=percentile(waits, 0.95),
        outcomes=_counts(outcomes),
    )


def dashboard(connection: Connection, filters: Filters, top: int = TOP_PROCEDURES) -> Dashboard:
    """Every figure of the dashboard page, for `filters`."""
    days = per_day(connection, filters)
    conversations = distinct_conversations(connection, filters)
    outcome_rows = _outcome_counts(connection, filters)
    return Dashboard(
        filters=filters,
        per_day=days,
        conversations=conversations,
        messages=sum(row.messages for row in days),
        shares=shares(outcome_rows),
        procedures=procedures(connection, filters, top),
        dossier=dossier_outcomes(outcome_rows),
        handoffs=handoff_summary(connection, filters, conversations),
        ratings=rating_summary(connection, filters.start, filters.end, filters.channel),
    )
