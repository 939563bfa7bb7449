"""The insights' daily roll-ups: conversations seen per day and channel, messages per
outcome, questions per procedure and aspect.

Revision ID: 0005_insight_rollups
Revises: 0004_insights

The same schema as `console/insights/rollup.py` (which says why they exist). The tables start
empty and are filled from `insight_turns` here, so a database that ingested turns before this
revision shows them on the dashboard too.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_insight_rollups"
down_revision = "0004_insights"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "insight_day_conversations",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("conversation", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("day", "channel", "conversation", name=op.f("pk_insight_day_conversations")),
    )
    op.create_table(
        "insight_day_outcomes",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("dossier_outcome", sa.String(32), nullable=False),
        sa.Column("turns", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "channel", "outcome", "dossier_outcome", name=op.f("pk_insight_day_outcomes")),
    )
    op.create_table(
        "insight_day_procedures",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("procedure_id", sa.String(128), nullable=False),
        sa.Column("aspect", sa.String(16), nullable=False),
        sa.Column("turns", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "channel", "procedure_id", "aspect", name=op.f("pk_insight_day_procedures")),
    )
    op.execute(
        "INSERT INTO insight_day_conversations (day, channel, conversation) "
        "SELECT DISTINCT day, channel, conversation FROM insight_turns"
    )
    op.execute(
        "INSERT INTO insight_day_outcomes (day, channel, outcome, dossier_outcome, turns) "
        "SELECT day, channel, outcome, COALESCE(dossier_outcome, ''), COUNT(*) FROM insight_turns "
        "GROUP BY day, channel, outcome, COALESCE(dossier_outcome, '')"
    )
    op.execute(
        "INSERT INTO insight_day_procedures (day, channel, procedure_id, aspect, turns) "
        "SELECT day, channel, procedure_id, COALESCE(aspect, ''), COUNT(*) FROM insight_turns "
        "WHERE outcome IN ('answered', 'clarified') AND procedure_id IS NOT NULL "
        "GROUP BY day, channel, procedure_id, COALESCE(aspect, '')"
    )


def downgrade() -> None:
    op.drop_table("insight_day_procedures")
    op.drop_table("insight_day_outcomes")
    op.drop_table("insight_day_conversations")
