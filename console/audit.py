"""The audit log: who did what, when, to which conversation. Rows are only ever added.

`record` takes an engine (its own transaction) or a connection (the caller's transaction, so the
audit row and the change it describes are kept or lost together). `detail` becomes a JSON object:
put ids, counts and reasons in it, never a password, a hash, a token or a citizen's personal data.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Union

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from console.tables import audit, utcnow

Bind = Union[Engine, Connection]


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: dt.datetime
    user_id: Optional[int]
    action: str
    conversation_id: Optional[str]
    detail: Dict[str, Any]


def record(
    engine: Bind, user_id: Optional[int], action: str, conversation_id: Optional[str] = None, **detail: Any
) -> None:
    """Add one row: `user_id` acted (None: the system or an unknown caller), `action` is a short verb."""
    values = {
        "at": utcnow(),
        "user_id": user_id,
        "action": action[:64],
        "conversation_id": conversation_id,
        "detail": json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str),
    }
    if isinstance(engine, Connection):
        engine.execute(audit.insert().values(**values))
        return
    with engine.begin() as connection:
        connection.execute(audit.insert().values(**values))


def recent(engine: Bind, limit: int = 50, *, user_id: Optional[int] = None) -> List[AuditEntry]:
    """The newest `limit` rows, newest first (only `user_id`'s when given)."""
    query = sa.select(audit).order_by(audit.c.id.desc()).limit(max(1, limit))
    if user_id is not None:
        query = query.where(audit.c.user_id == user_id)
    if isinstance(engine, Connection):
        rows = engine.execute(query).all()
    else:
        with engine.connect() as connection:
            rows = connection.execute(query).all()
    return [
        AuditEntry(row.id, row.at, row.user_id, row.action, row.conversation_id, json.loads(row.detail or "{}"))
        for row in rows
    ]
