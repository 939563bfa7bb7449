"""The SQL queue's tables, on the console's one `metadata`; made by the migration `0002_handoffs`.

`handoffs` holds one row per request; a partial unique index lets a conversation have one open
(waiting or claimed) handoff at most, on SQLite and PostgreSQL alike. `handoff_messages` holds
the recent messages of each (the last 50). Times are `UTCDateTime` (aware, stored in UTC).
"""

from __future__ import annotations

import sqlalchemy as sa

from console.db import metadata
from console.tables import UTCDateTime

OPEN = "state IN ('waiting', 'claimed')"


handoffs = sa.Table(
    "handoffs",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("conversation_id", sa.String(255), nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("centre", sa.String(64), nullable=False),
    sa.Column("procedure_id", sa.String(128)),
    sa.Column("procedure_name", sa.String(512)),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("requested_at", UTCDateTime(), nullable=False),
    sa.Column("claimed_at", UTCDateTime()),
    sa.Column("ended_at", UTCDateTime()),
    sa.Column("helper", sa.String(128)),
    sa.Column("outcome", sa.String(32)),
    sa.Column("counter", sa.String(16)),
    sa.CheckConstraint("state IN ('waiting', 'claimed', 'ended', 'missed', 'cancelled')", name="state"),
    sa.Index("ix_handoffs_centre_state_requested_at", "centre", "state", "requested_at"),
    sa.Index("ix_handoffs_state_requested_at", "state", "requested_at"),
    sa.Index("ix_handoffs_helper", "helper"),
    sa.Index(
        "uq_handoffs_open_conversation",
        "conversation_id",
        unique=True,
        sqlite_where=sa.text(OPEN),
        postgresql_where=sa.text(OPEN),
    ),
)

handoff_messages = sa.Table(
    "handoff_messages",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("handoff_id", sa.String(32), sa.ForeignKey("handoffs.id", ondelete="CASCADE"), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("text", sa.Text(), nullable=False),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Index("ix_handoff_messages_handoff_id_id", "handoff_id", "id"),
)
