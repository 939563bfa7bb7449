"""Retention: what citizens asked is kept `CONSOLE_INSIGHTS_RETENTION_DAYS` (180 by default), no longer.

`purge(engine, days, now)` deletes the turns and the satisfaction ratings of the days before the
cutoff (days as in Vietnam, as the dashboard counts them) and the raw events older than the cutoff
that no ingester consumed (the console was off for that long). The console's ingester runs it once a day.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import List, Tuple

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from console.insights import ratings, rollup
from console.insights.tables import events, insight_turns
from motcua.settings import VIETNAM

_CHUNK = 1000


def cutoff_day(days: int, now: dt.datetime) -> dt.date:
    """The first day kept."""
    return (now - dt.timedelta(days=days)).astimezone(VIETNAM).date()


def _stale_events(engine: Engine, cutoff: float) -> int:
    """Delete the oldest raw events while their timestamp is before `cutoff` (they are in time order)."""
    deleted = 0
    while True:
        with engine.begin() as connection:
            rows = connection.execute(sa.select(events.c.id, events.c.data).order_by(events.c.id).limit(_CHUNK)).all()
            stale: List[int] = []
            for row in rows:
                try:
                    stamp = json.loads(row.data).get("timestamp")
                except (TypeError, ValueError, AttributeError):
                    stamp = None
                if isinstance(stamp, (int, float)) and stamp >= cutoff:
                    break
                stale.append(int(row.id))
            if stale:
                connection.execute(sa.delete(events).where(events.c.id.in_(stale)))
        deleted += len(stale)
        if len(stale) < _CHUNK:
            return deleted


def purge(engine: Engine, days: int, now: dt.datetime) -> Tuple[int, int]:
    """(turns deleted, raw events deleted). The daily roll-ups of those days go in the same transaction
    (they hold per-day conversation keys too), so the dashboard never shows a day it no longer keeps."""
    first_kept = cutoff_day(days, now)
    with engine.begin() as connection:
        turns = connection.execute(sa.delete(insight_turns).where(insight_turns.c.day < first_kept)).rowcount
        rollup.forget_before(connection, first_kept)
        ratings.forget_before(connection, first_kept)
    return int(turns or 0), _stale_events(engine, (now - dt.timedelta(days=days)).timestamp())
