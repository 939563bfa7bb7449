"""The table of migrations 0003 and 0006 (KB drafts), as the code uses it, on `console.db.metadata`.

One row per draft. `data` is the JSON of the record as files hold it (`{}` for a deletion,
`{"intent", "text"}` for an NLU example, `{"province", "procedure_id", "override"}` for a
province's override of a procedure). `base_text` keeps the exact live text the draft was based on
(its sha256 is `base_sha256`; the province file's for a province draft): the common ancestor of a
rebase, even when the change that moved the live record did not go through the audit log's
version store.
"""

from __future__ import annotations

import sqlalchemy as sa

from console.db import metadata
from console.tables import UTCDateTime

STATES = ("waiting", "published", "published_unreviewed", "rejected", "withdrawn")
KINDS = ("edit", "create", "delete", "rollback", "nlu_example", "province")

kb_drafts = sa.Table(
    "kb_drafts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("procedure_id", sa.String(128), nullable=True),
    sa.Column("state", sa.String(24), nullable=False),
    sa.Column("data", sa.Text, nullable=False),
    sa.Column("base_sha256", sa.String(64), nullable=True),
    sa.Column("base_text", sa.Text, nullable=True),
    sa.Column("rollback_version", sa.Integer, nullable=True),
    sa.Column("note", sa.String(500), nullable=False),
    sa.Column("author_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("author_name", sa.String(64), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("reviewer_id", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
    sa.Column("reviewer_name", sa.String(64), nullable=True),
    sa.Column("reviewed_at", UTCDateTime, nullable=True),
    sa.Column("review_comment", sa.String(500), nullable=True),
    sa.Column("urgent_reason", sa.String(500), nullable=True),
    sa.Column("published_at", UTCDateTime, nullable=True),
    sa.Column("published_version", sa.Integer, nullable=True),
    sa.CheckConstraint(
        "state IN ('waiting', 'published', 'published_unreviewed', 'rejected', 'withdrawn')", name="state"
    ),
    sa.CheckConstraint("kind IN ('edit', 'create', 'delete', 'rollback', 'nlu_example', 'province')", name="kind"),
    sa.Index("ix_kb_drafts_state_updated_at", "state", "updated_at"),
    sa.Index("ix_kb_drafts_procedure_id_state", "procedure_id", "state"),
)
