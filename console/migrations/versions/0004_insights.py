"""The insights: Rasa's event table, the ingester's cursor, one row per citizen message.

Revision ID: 0004_insights
Revises: 0003_kb_drafts

The same schema as `console/insights/tables.py`. `events` is Rasa's SQL event broker table: the
assistant's broker (bot/event_broker.py) makes it when it writes first, so it is made here only
when missing (and dropped on downgrade only when this migration made it… which it cannot know:
downgrade drops it, the events not yet consumed are lost with it).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_insights"
down_revision = "0003_kb_drafts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if not sa.inspect(op.get_bind()).has_table("events"):
        op.create_table(
            "events",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("sender_id", sa.String(255), nullable=True),
            sa.Column("data", sa.Text(), nullable=True),
            sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        )
    op.create_table(
        "insight_cursor",
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_insight_cursor")),
    )
    op.create_table(
        "insight_turns",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("conversation", sa.String(64), nullable=False),
        sa.Column("intent", sa.String(64), nullable=True),
        sa.Column("text", sa.String(500), nullable=False),
        sa.Column("text_key", sa.String(200), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("procedure_id", sa.String(128), nullable=True),
        sa.Column("aspect", sa.String(16), nullable=True),
        sa.Column("dossier_outcome", sa.String(32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insight_turns")),
    )
    op.create_index(op.f("ix_insight_turns_day_channel"), "insight_turns", ["day", "channel"])
    op.create_index(op.f("ix_insight_turns_outcome_day"), "insight_turns", ["outcome", "day"])
    op.create_index(op.f("ix_insight_turns_text_key"), "insight_turns", ["text_key"])
    op.create_index(op.f("ix_insight_turns_procedure_id"), "insight_turns", ["procedure_id"])
    # -- part D (roll-ups) may add its tables here, or better in 0005_insight_rollups -------------


def downgrade() -> None:
    op.drop_table("insight_turns")
    op.drop_table("insight_cursor")
    op.drop_table("events")
