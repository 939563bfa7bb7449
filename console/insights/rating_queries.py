"""The satisfaction ratings' figures for the dashboard, from `insight_ratings` (one row per prompt
answered: a few per hundred conversations, so read whole for the range), with the dashboard's
filters (days in Vietnam, both ends included, optionally one channel)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from console.insights.tables import insight_ratings

SCORES = (1, 2, 3, 4, 5)
LATEST_COMMENTS = 20


@dataclass(frozen=True)
class ScoreGroup:
    key: Optional[str]  # a procedure id, a channel, a helper's outcome; None: none
    count: int  # scores given
    mean: Optional[float]  # None when no score


@dataclass(frozen=True)
class Comment:
    at: dt.datetime
    channel: str
    procedure_id: Optional[str]
    helper_outcome: Optional[str]
    score: Optional[int]
    text: str


@dataclass(frozen=True)
class RatingSummary:
    count: int  # scores given
    skipped: int  # prompts declined
    mean: Optional[float]
    distribution: Tuple[Tuple[int, int], ...]  # (score, count) for 1..5
    by_procedure: Tuple[ScoreGroup, ...]  # most rated first
    by_channel: Tuple[ScoreGroup, ...]
    by_helper: Tuple[ScoreGroup, ...]  # None first: no helper in the session
    comments: Tuple[Comment, ...]  # the latest first


def _mean(total: int, count: int) -> Optional[float]:
    return round(total / count, 2) if count else None


def _groups(found: Dict[Optional[str], List[int]], none_first: bool = False) -> Tuple[ScoreGroup, ...]:
    groups = [ScoreGroup(key, len(scores), _mean(sum(scores), len(scores))) for key, scores in found.items()]
    if none_first:
        return tuple(sorted(groups, key=lambda g: (g.key is not None, -g.count, g.key or "")))
    return tuple(sorted(groups, key=lambda g: (-g.count, g.key is None, g.key or "")))


def _where(day_from: dt.date, day_to: dt.date, channel: Optional[str]) -> List[sa.sql.ColumnElement]:
    t = insight_ratings
    found = [t.c.day >= day_from, t.c.day <= day_to]
    if channel:
        found.append(t.c.channel == channel)
    return found


def rating_summary(
    connection: Connection,
    day_from: dt.date,
    day_to: dt.date,
    channel: Optional[str] = None,
    comments: int = LATEST_COMMENTS,
) -> RatingSummary:
    """The ratings given in the range: how many, their mean, by score, procedure, channel and helper
    outcome, and the latest `comments` comments."""
    t = insight_ratings
    where = _where(day_from, day_to, channel)
    statement = (
        sa.select(t.c.score, t.c.channel, t.c.procedure_id, t.c.helper_outcome, sa.func.count())
        .where(*where)
        .group_by(t.c.score, t.c.channel, t.c.procedure_id, t.c.helper_outcome)
    )
    distribution: Counter[int] = Counter()
    skipped = 0
    by_procedure: Dict[Optional[str], List[int]] = defaultdict(list)
    by_channel: Dict[Optional[str], List[int]] = defaultdict(list)
    by_helper: Dict[Optional[str], List[int]] = defaultdict(list)
    for score, row_channel, procedure_id, helper, n in connection.execute(statement):
        if score is None:
            skipped += int(n)
            continue
        scores = [int(score)] * int(n)
        distribution[int(score)] += int(n)
        by_procedure[procedure_id].extend(scores)
        by_channel[row_channel].extend(scores)
        by_helper[helper].extend(scores)
    count = sum(distribution.values())
    latest = connection.execute(
        sa.select(t.c.at, t.c.channel, t.c.procedure_id, t.c.helper_outcome, t.c.score, t.c.comment)
        .where(*where, t.c.comment.isnot(None))
        .order_by(t.c.at.desc(), t.c.id.desc())
        .limit(comments)
    )
    return RatingSummary(
        count=count,
        skipped=skipped,
        mean=_mean(sum(s * n for s, n in distribution.items()), count),
        distribution=tuple((s, distribution.get(s, 0)) for s in SCORES),
        by_procedure=_groups(by_procedure),
        by_channel=_groups(by_channel),
        by_helper=_groups(by_helper, none_first=True),
        comments=tuple(Comment(r.at, r.channel, r.procedure_id, r.helper_outcome, r.score, r.comment) for r in latest),
    )
