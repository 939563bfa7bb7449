"""The handoff queue: requests for a person (`handoffs`) and their recent messages (`handoff_messages`).

Revision ID: 0002_handoffs
Revises: 0001_accounts

The same schema as `console/handoff/tables.py`. Names are written out, marked final with `op.f`
(the metadata's naming convention would otherwise wrap a check constraint's name again). The
partial unique index keeps one open (waiting or claimed) handoff per conversation on SQLite and
PostgreSQL alike.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_handoffs"
down_revision = "0001_accounts"
branch_labels = None
depends_on = None

OPEN = "state IN ('waiting', 'claimed')"


def _at(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "handoffs",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("centre", sa.String(64), nullable=False),
        sa.Column("procedure_id", sa.String(128), nullable=True),
        sa.Column("procedure_name", sa.String(512), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        _at("requested_at", nullable=False),
        _at("claimed_at"),
        _at("ended_at"),
        sa.Column("helper", sa.String(128), nullable=True),
        sa.Column("outcome", sa.String(32), nullable=True),
        sa.Column("counter", sa.String(16), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoffs")),
        sa.CheckConstraint(
            "state IN ('waiting', 'claimed', 'ended', 'missed', 'cancelled')", name=op.f("ck_handoffs_state")
        ),
    )
    op.create_index(op.f("ix_handoffs_centre_state_requested_at"), "handoffs", ["centre", "state", "requested_at"])
    op.create_index(op.f("ix_handoffs_state_requested_at"), "handoffs", ["state", "requested_at"])
    op.create_index(op.f("ix_handoffs_helper"), "handoffs", ["helper"])
    op.create_index(
        op.f("uq_handoffs_open_conversation"),
        "handoffs",
        ["conversation_id"],
        unique=True,
        sqlite_where=sa.text(OPEN),
        postgresql_where=sa.text(OPEN),
    )
    op.create_table(
        "handoff_messages",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False, autoincrement=True),
        sa.Column("handoff_id", sa.String(32), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        _at("at", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoff_messages")),
        sa.ForeignKeyConstraint(
            ["handoff_id"], ["handoffs.id"], name=op.f("fk_handoff_messages_handoff_id_handoffs"), ondelete="CASCADE"
        ),
    )
    op.create_index(op.f("ix_handoff_messages_handoff_id_id"), "handoff_messages", ["handoff_id", "id"])


def downgrade() -> None:
    op.drop_table("handoff_messages")
    op.drop_table("handoffs")
