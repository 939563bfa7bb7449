"""Writing an approved draft to the KB through the audit log, its errors said in Vietnamese.

The audit log checks, under the KB's lock, that the file is still the one the draft was based on
(`expected`), validates the whole KB it would make, saves both versions, replaces the file
atomically and appends a hash-chained entry. A rollback draft goes through `AuditLog.rollback`,
which also checks the saved version against the hash the log recorded for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from console.kb_review import messages as msg
from console.kb_review import records
from console.kb_review.errors import InvalidDraft, NeedsRebase, NotAllowed
from console.kb_review.model import Draft
from procedures_kb.audit import NoChange, UnknownVersion
from procedures_kb.errors import AuditLogBroken, ConcurrentChange, InvalidKnowledgeBase, UnknownProcedure

if TYPE_CHECKING:
    from console.kb_review.service import KbReview


def write_draft(service: "KbReview", draft: Draft, reason: str) -> Optional[int]:
    """Publish `draft` (by its author's name, with `reason`); the version it made (None: deleted)."""
    procedure_id = draft.procedure_id
    if procedure_id is None:
        raise ValueError("an NLU example is not written to the KB")
    log, kb_dir = service.audit_log, service.kb_dir
    try:
        if draft.kind == "rollback":
            if draft.rollback_version is None:
                raise ValueError("a rollback draft names its version")
            entry = log.rollback(
                kb_dir, procedure_id, draft.rollback_version, draft.author_name, reason, expected=draft.base_sha256
            )
            return entry.to_version
        text = None if draft.kind == "delete" else service.draft_text(draft)
        entries = log.record_change(
            kb_dir,
            {procedure_id: text},
            by=draft.author_name,
            reason=reason,
            expected={procedure_id: draft.base_sha256},
        )
    except ConcurrentChange as exc:
        raise NeedsRebase(procedure_id) from exc
    except InvalidKnowledgeBase as exc:
        raise InvalidDraft([records.in_vietnamese(found) for found in exc.problems]) from exc
    except NoChange as exc:
        raise NotAllowed(msg.ROLLBACK_SAME.format(version=draft.rollback_version)) from exc
    except UnknownVersion as exc:
        raise NotAllowed(msg.UNKNOWN_VERSION.format(id=procedure_id, version=draft.rollback_version)) from exc
    except UnknownProcedure as exc:
        raise NotAllowed(msg.NO_SUCH_PROCEDURE.format(id=procedure_id)) from exc
    except AuditLogBroken as exc:
        raise NotAllowed(msg.AUDIT_BROKEN.format(detail=exc)) from exc
    if not entries:
        raise NotAllowed(msg.NO_CHANGE)
    return entries[0].to_version
