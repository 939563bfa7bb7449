"""The citizens' satisfaction ratings: from the assistant's messages to `insight_ratings`.

The rating flow (bot/actions/rating.py) marks each of its messages with
`motcua.rating = {"stage", "id", "score", "comment", "procedure", "channel", "helper_outcome"}`.
`rating_of(events)` (pure) reads the one a turn carries when it says something to keep: a score
("rated"), a skip ("skipped") or a comment ("commented"); the prompt itself and the other steps are
not kept. `record(connection, turns)` adds the turns' ratings to `insight_ratings` in the ingester's
transaction: one row per prompt (its id, within the conversation), the comment added to the row of
its score. The comment is masked again here (phone, ID and dossier numbers; the broker did it
first) and capped. `forget_before(connection, day)` follows the retention.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Dict, Iterable, Mapping, Optional, Sequence, Tuple

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from connectors.masking import mask
from console.insights.tables import RATING_COMMENT_CHARS, insight_ratings

STORED_STAGES = ("rated", "skipped", "commented")
BATCH = 500  # rows per statement


@dataclass(frozen=True)
class Rating:
    """What a turn says of a rating prompt."""

    prompt: str
    score: Optional[int]  # 1-5; None when skipped
    comment: Optional[str] = None
    procedure_id: Optional[str] = None
    helper_outcome: Optional[str] = None
    channel: Optional[str] = None


def _text(value: Any, limit: int) -> Optional[str]:
    return value[:limit] if isinstance(value, str) and value else None


def _score(value: Any) -> Optional[int]:
    return value if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5 else None


def _parse(found: Mapping[str, Any]) -> Optional[Rating]:
    stage, prompt, score = found.get("stage"), _text(found.get("id"), 32), _score(found.get("score"))
    if stage not in STORED_STAGES or prompt is None or (stage != "skipped" and score is None):
        return None
    comment = found.get("comment") if stage == "commented" else None
    if isinstance(comment, str):
        comment = " ".join(mask(comment).split())[:RATING_COMMENT_CHARS] or None
    return Rating(
        prompt=prompt,
        score=None if stage == "skipped" else score,
        comment=comment if isinstance(comment, str) else None,
        procedure_id=_text(found.get("procedure"), 128),
        helper_outcome=_text(found.get("helper_outcome"), 32),
        channel=_text(found.get("channel"), 32),
    )


def rating_of(events: Iterable[Dict[str, Any]]) -> Optional[Rating]:
    """The rating the assistant's messages among `events` record (the last), or None."""
    found = None
    for event in events:
        if event.get("event") != "bot":
            continue
        motcua = (event.get("metadata") or {}).get("motcua")
        rating = motcua.get("rating") if isinstance(motcua, dict) else None
        parsed = _parse(rating) if isinstance(rating, dict) else None
        found = parsed or found
    return found


def _insert(connection: Connection) -> Any:
    if connection.dialect.name == "postgresql":
        return postgresql.insert(insight_ratings)
    if connection.dialect.name == "sqlite":
        return sqlite.insert(insight_ratings)
    raise NotImplementedError(f"ratings need SQLite or PostgreSQL, not {connection.dialect.name}")


def _columns(turn: Any) -> Mapping[str, Any]:
    return turn if isinstance(turn, Mapping) else vars(turn)


def _merge(old: Dict[str, Any], new: Dict[str, Any]) -> Dict[str, Any]:
    """Two rows of one prompt in a batch: the first time, the latest score and comment given."""
    merged = dict(old)
    for key in ("score", "comment", "procedure_id", "helper_outcome"):
        if new[key] is not None:
            merged[key] = new[key]
    return merged


def record(connection: Connection, turns: Sequence[Any]) -> int:
    """Add the ratings of a batch of turns (`classify.Turn` objects or dicts with a `rating`); the
    prompts written."""
    rows: Dict[Tuple[str, str], Dict[str, Any]] = {}
    for turn in map(_columns, turns):
        rating = turn.get("rating")
        if not isinstance(rating, Rating):
            continue
        row = {
            "conversation": turn["conversation"], "prompt": rating.prompt, "at": turn["at"], "day": turn["day"],
            "channel": rating.channel or turn["channel"], "procedure_id": rating.procedure_id,
            "helper_outcome": rating.helper_outcome, "score": rating.score, "comment": rating.comment,
        }  # fmt: skip
        key = (row["conversation"], rating.prompt)
        rows[key] = _merge(rows[key], row) if key in rows else row
    if not rows:
        return 0
    table = insight_ratings
    values = [rows[key] for key in sorted(rows)]  # one order for every writer: no deadlock between two
    for start in range(0, len(values), BATCH):
        statement = _insert(connection).values(values[start : start + BATCH])
        new = statement.excluded
        statement = statement.on_conflict_do_update(
            index_elements=["conversation", "prompt"],
            set_={
                "score": sa.func.coalesce(new.score, table.c.score),
                "comment": sa.func.coalesce(new.comment, table.c.comment),
                "procedure_id": sa.func.coalesce(new.procedure_id, table.c.procedure_id),
                "helper_outcome": sa.func.coalesce(new.helper_outcome, table.c.helper_outcome),
            },
        )
        connection.execute(statement)
    return len(values)


def forget_before(connection: Connection, day: dt.date) -> int:
    """Delete the ratings of the days before `day` (the retention); the rows deleted."""
    return int(connection.execute(insight_ratings.delete().where(insight_ratings.c.day < day)).rowcount or 0)
