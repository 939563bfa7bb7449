"""The values the KB review service hands out: a draft, the live record, the outcome of a rebase."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any, Dict, List, Literal, Optional

from console.kb_review.errors import Conflict

DraftState = Literal["waiting", "published", "published_unreviewed", "rejected", "withdrawn"]
DraftKind = Literal["edit", "create", "delete", "rollback", "nlu_example"]


@dataclass(frozen=True)
class Draft:
    id: int
    kind: str
    procedure_id: Optional[str]  # None for nlu_example
    state: str
    data: Dict[str, Any]  # the record as files hold it; {"intent", "text"} for nlu_example; {} for delete
    base_sha256: Optional[str]  # sha256 of the live file it was based on (None: a new procedure)
    note: str
    author_id: int
    author_name: str
    created_at: dt.datetime
    updated_at: dt.datetime
    reviewer_id: Optional[int]
    reviewer_name: Optional[str]
    reviewed_at: Optional[dt.datetime]
    review_comment: Optional[str]
    urgent_reason: Optional[str]
    published_at: Optional[dt.datetime]
    published_version: Optional[int]
    rollback_version: Optional[int] = None  # the version a rollback draft restores
    base_text: Optional[str] = field(default=None, repr=False)  # the live text it was based on, when known

    @classmethod
    def from_row(cls, row: Any) -> "Draft":
        return cls(
            row.id,
            row.kind,
            row.procedure_id,
            row.state,
            json.loads(row.data or "{}"),
            row.base_sha256,
            row.note,
            row.author_id,
            row.author_name,
            row.created_at,
            row.updated_at,
            row.reviewer_id,
            row.reviewer_name,
            row.reviewed_at,
            row.review_comment,
            row.urgent_reason,
            row.published_at,
            row.published_version,
            row.rollback_version,
            row.base_text,
        )

    @property
    def open(self) -> bool:
        """Waiting for a review, or published urgently and not yet approved by another reviewer."""
        return self.state in ("waiting", "published_unreviewed")


@dataclass(frozen=True)
class LiveRecord:
    procedure_id: str
    data: Dict[str, Any]  # record_data of the live record
    sha256: str  # of the file's bytes
    label: str  # "<id>.yml" or "national/<id>.json"
    text: str = field(default="", repr=False)  # the file's text

    @property
    def imported(self) -> bool:
        return self.label.startswith("national/")


@dataclass(frozen=True)
class RebaseResult:
    draft: Draft  # the draft after the rebase (unchanged when there were conflicts or nothing to do)
    conflicts: List[Conflict] = field(default_factory=list)  # (field, base, live, draft); nothing saved
    moved: List[str] = field(default_factory=list)  # the draft's fields carried onto the live record
    rebased: bool = False  # a new base was saved
