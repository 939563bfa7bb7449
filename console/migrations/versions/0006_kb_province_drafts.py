"""KB drafts of a province's override (`kb_drafts.kind` 'province').

Revision ID: 0006_kb_province_drafts
Revises: 0005_insight_rollups

The same schema as `console/kb_review/tables.py`. SQLite cannot change a CHECK constraint in place:
the batch mode copies the table (its rows too) with the new constraint.
"""

from __future__ import annotations

from alembic import op

revision = "0006_kb_province_drafts"
down_revision = "0005_insight_rollups"
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('edit', 'create', 'delete', 'rollback', 'nlu_example')"
NEW_KINDS = "kind IN ('edit', 'create', 'delete', 'rollback', 'nlu_example', 'province')"


def _kinds(condition: str) -> None:
    with op.batch_alter_table("kb_drafts", recreate="auto") as batch:
        batch.drop_constraint(op.f("ck_kb_drafts_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_kb_drafts_kind"), condition)


def upgrade() -> None:
    _kinds(NEW_KINDS)


def downgrade() -> None:
    op.execute("DELETE FROM kb_drafts WHERE kind = 'province'")
    _kinds(OLD_KINDS)
