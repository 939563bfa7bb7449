"""The citizens' satisfaction ratings: one row per rating prompt answered (a score or a skip, and
the optional comment).

Revision ID: 0008_ratings
Revises: 0007_unanswered_rollup

The same schema as `insight_ratings` in `console/insights/tables.py`; filled by the ingester
(console/insights/ratings.py) from the rating marks of the assistant's messages.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_ratings"
down_revision = "0007_unanswered_rollup"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "insight_ratings",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False, autoincrement=True),
        sa.Column("conversation", sa.String(64), nullable=False),
        sa.Column("prompt", sa.String(32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("procedure_id", sa.String(128), nullable=True),
        sa.Column("helper_outcome", sa.String(32), nullable=True),
        sa.Column("score", sa.SmallInteger(), nullable=True),
        sa.Column("comment", sa.String(500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insight_ratings")),
        sa.UniqueConstraint("conversation", "prompt", name=op.f("uq_insight_ratings_conversation")),
    )
    op.create_index(op.f("ix_insight_ratings_day_channel"), "insight_ratings", ["day", "channel"])


def downgrade() -> None:
    op.drop_index(op.f("ix_insight_ratings_day_channel"), table_name="insight_ratings")
    op.drop_table("insight_ratings")
