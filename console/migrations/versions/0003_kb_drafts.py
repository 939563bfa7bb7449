"""KB drafts and their reviews (`kb_drafts`).

Revision ID: 0003_kb_drafts
Revises: 0002_handoffs

The same schema as `console/kb_review/tables.py`; names written out and marked final with `op.f`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_kb_drafts"
down_revision = "0002_handoffs"
branch_labels = None
depends_on = None


def _at(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "kb_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("procedure_id", sa.String(128), nullable=True),
        sa.Column("state", sa.String(24), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("base_sha256", sa.String(64), nullable=True),
        sa.Column("base_text", sa.Text(), nullable=True),
        sa.Column("rollback_version", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(500), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("author_name", sa.String(64), nullable=False),
        _at("created_at", nullable=False),
        _at("updated_at", nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("reviewer_name", sa.String(64), nullable=True),
        _at("reviewed_at"),
        sa.Column("review_comment", sa.String(500), nullable=True),
        sa.Column("urgent_reason", sa.String(500), nullable=True),
        _at("published_at"),
        sa.Column("published_version", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_drafts")),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_kb_drafts_author_id_users")),
        sa.ForeignKeyConstraint(["reviewer_id"], ["users.id"], name=op.f("fk_kb_drafts_reviewer_id_users")),
        sa.CheckConstraint(
            "state IN ('waiting', 'published', 'published_unreviewed', 'rejected', 'withdrawn')",
            name=op.f("ck_kb_drafts_state"),
        ),
        sa.CheckConstraint(
            "kind IN ('edit', 'create', 'delete', 'rollback', 'nlu_example')", name=op.f("ck_kb_drafts_kind")
        ),
    )
    op.create_index(op.f("ix_kb_drafts_state_updated_at"), "kb_drafts", ["state", "updated_at"])
    op.create_index(op.f("ix_kb_drafts_procedure_id_state"), "kb_drafts", ["procedure_id", "state"])


def downgrade() -> None:
    op.drop_table("kb_drafts")
