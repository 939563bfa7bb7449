"""The insights' daily roll-up of the unanswered questions: one row per day, channel, normalised
text and outcome, with the count, the first and last time and a sample text.

Revision ID: 0007_unanswered_rollup
Revises: 0006_kb_province_drafts (0005_insight_rollups when that is not there)

The same schema as `console/insights/rollup.py` (`day_unanswered`, which says why it exists). The
table is filled from `insight_turns` here, so the unanswered questions ingested before this
revision are still listed.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_unanswered_rollup"
down_revision = "0006_kb_province_drafts"
branch_labels = None
depends_on = None

FILL = (
    "INSERT INTO insight_day_unanswered (day, channel, text_key, outcome, turns, first_at, last_at, sample) "
    "SELECT day, channel, text_key, outcome, COUNT(*), MIN(at), MAX(at), MIN(text) FROM insight_turns "
    "WHERE outcome IN ('not_understood', 'fallback', 'out_of_scope', 'no_procedure') "
    "GROUP BY day, channel, text_key, outcome"
)


def upgrade() -> None:
    op.create_table(
        "insight_day_unanswered",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("text_key", sa.String(200), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("turns", sa.Integer(), nullable=False),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sample", sa.String(500), nullable=False),
        sa.PrimaryKeyConstraint("day", "channel", "text_key", "outcome", name=op.f("pk_insight_day_unanswered")),
    )
    # the least text in code point order, as console.insights.rollup keeps it
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.execute(FILL.replace("MIN(text)", 'MIN(text COLLATE "C")') if postgresql else FILL)


def downgrade() -> None:
    op.drop_table("insight_day_unanswered")
