"""The insights' tables, on the console's one `metadata`; made by the migration `0004_insights`.

- `events`: exactly the table of Rasa's SQL event broker (bot/event_broker.py writes it, masked),
  a queue: the ingester deletes the rows it has turned into `insight_turns`.
- `insight_cursor`: one row per ingester ("events"): the newest event id consumed, and the row the
  ingesters lock so that two console processes never consume the same events.
- `insight_turns`: one row per citizen message: when, where from, the conversation as an HMAC of
  its sender id (never the id), the masked text and its normalised key, and the outcome.
- `insight_ratings` (migration `0008_ratings`): one row per satisfaction prompt answered
  (console/insights/ratings.py): the score (NULL when skipped), the masked comment, the channel, the
  procedure in context and how a helper's chat of that session ended.
"""

from __future__ import annotations

import sqlalchemy as sa

from console.db import metadata
from console.tables import UTCDateTime

OUTCOMES = (
    "rating",  # a reply the rating flow took (bot/actions/rating.py), whatever the action's name says
    "answered",
    "clarified",
    "dossier",
    "handoff",
    "no_procedure",
    "out_of_scope",
    "not_understood",
    "fallback",
    "smalltalk",
    "other",
)  # highest priority first: a turn's outcome is the first of these its bot messages carry
UNANSWERED = ("not_understood", "fallback", "out_of_scope", "no_procedure")
DOSSIER_OUTCOMES = (
    "found",
    "not_found",
    "invalid_code",
    "owner_check_failed",
    "portal_unavailable",
    "limited",
    "asked_code",
)

TEXT_CHARS = 500
TEXT_KEY_CHARS = 200

events = sa.Table(
    "events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255)),
    sa.Column("data", sa.Text),
)

insight_cursor = sa.Table(
    "insight_cursor",
    metadata,
    sa.Column("name", sa.String(32), primary_key=True),
    sa.Column("last_id", sa.Integer, nullable=False, server_default="0"),
)

insight_turns = sa.Table(
    "insight_turns",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("conversation", sa.String(64), nullable=False),
    sa.Column("intent", sa.String(64)),
    sa.Column("text", sa.String(TEXT_CHARS), nullable=False),
    sa.Column("text_key", sa.String(TEXT_KEY_CHARS), nullable=False),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("procedure_id", sa.String(128)),
    sa.Column("aspect", sa.String(16)),
    sa.Column("dossier_outcome", sa.String(32)),
    sa.Index("ix_insight_turns_day_channel", "day", "channel"),
    sa.Index("ix_insight_turns_outcome_day", "outcome", "day"),
    sa.Index("ix_insight_turns_text_key", "text_key"),
    sa.Index("ix_insight_turns_procedure_id", "procedure_id"),
)

RATING_COMMENT_CHARS = 500

insight_ratings = sa.Table(
    "insight_ratings",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("conversation", sa.String(64), nullable=False),
    sa.Column("prompt", sa.String(32), nullable=False),  # the prompt's id: one row a prompt
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("procedure_id", sa.String(128)),
    sa.Column("helper_outcome", sa.String(32)),
    sa.Column("score", sa.SmallInteger),  # 1-5; NULL: the citizen skipped the prompt
    sa.Column("comment", sa.String(RATING_COMMENT_CHARS)),
    sa.UniqueConstraint("conversation", "prompt"),
    sa.Index("ix_insight_ratings_day_channel", "day", "channel"),
)
