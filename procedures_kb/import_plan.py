"""What an import of a spreadsheet may change, given what changed in the KB since its export.

The admin's changes are the procedures whose record in the sheet differs from the record as
exported (the stamp's record_sha256), plus, with --delete-missing, the exported procedures
without rows. Someone else's changes are the files whose sha256 differs from the stamp's
(edited, added or deleted since the export, through the audit log or not). Disjoint changes
merge: the import writes only the admin's. A procedure changed on both sides differently is a
conflict, and the whole import is refused, naming each conflict and who made the other change.
A procedure added or changed after the export is never deleted by --delete-missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Set

from procedures_kb.audit import AuditLog
from procedures_kb.audit_chain import AuditEntry
from procedures_kb.errors import InvalidKnowledgeBase, Problem, StaleWorkbook
from procedures_kb.kb import KnowledgeBase
from procedures_kb.kb_version import KbStamp, file_hashes, record_hash
from procedures_kb.loader import to_yaml
from procedures_kb.schema import Procedure
from procedures_kb.xlsx_import import ImportedBook
from procedures_kb.xlsx_layout import PROCEDURES

NO_STAMP = (
    "tệp không ghi phiên bản kho thủ tục lúc xuất (xuất bằng chương trình cũ?); "
    "hãy xuất lại tệp mới bằng lệnh export rồi sửa trên tệp đó"
)
EDITED_BOTH = "đã sửa thủ tục này sau khi tệp được xuất, và tệp cũng sửa nó"
DELETED_THERE = "đã xóa thủ tục này sau khi tệp được xuất, và tệp lại sửa nó"
ADDED_BOTH = "đã thêm một thủ tục cùng id sau khi tệp được xuất, khác với thủ tục trong tệp"
DELETED_HERE = "đã sửa thủ tục này sau khi tệp được xuất; nó không còn trong tệp nên sẽ bị xóa (--delete-missing)"


@dataclass
class ImportPlan:
    texts: Dict[str, Optional[str]] = field(default_factory=dict)  # to write (None = delete)
    expected: Dict[str, Optional[str]] = field(default_factory=dict)  # sha256 of the files they replace
    kept_changed: List[str] = field(default_factory=list)  # changed in the KB since the export only
    kept_added: List[str] = field(default_factory=list)  # added to the KB after the export
    kept_missing: List[str] = field(default_factory=list)  # exported, no rows, no --delete-missing


def _who(entries: Optional[List[AuditEntry]], procedure_id: str) -> str:
    """Who changed a procedure since the export, from the audit log."""
    if entries is None:
        return "không rõ ai (nhật ký thay đổi không còn dòng cuối lúc xuất)"
    names = [
        f"{entry.by} ({entry.os_user}, {entry.ts})" if entry.os_user else f"{entry.by} ({entry.ts})"
        for entry in entries
        if entry.procedure_id == procedure_id
    ]
    return "; ".join(names) or "ai đó (sửa thẳng tệp, ngoài nhật ký thay đổi)"


class _Planner:
    def __init__(self, book: ImportedBook, stamp: KbStamp, kb: KnowledgeBase, kb_dir: Path, audit: AuditLog):
        self.book, self.stamp, self.kb = book, stamp, kb
        self.now = file_hashes(kb_dir)
        self.moved: Set[str] = {
            key for key in set(stamp.files) | set(self.now) if stamp.files.get(key) != self.now.get(key)
        }
        self.since = audit.read().after(stamp.audit_head) if self.moved else []
        self.plan = ImportPlan()
        self.conflicts: List[Problem] = []

    def conflict(self, procedure_id: str, what: str) -> None:
        row = self.book.rows.get(procedure_id)
        where = f"dòng {row}" if row else ""
        message = f"thủ tục {procedure_id}: {_who(self.since, procedure_id)} {what}"
        self.conflicts.append(Problem(PROCEDURES.name, where, message))

    def write(self, procedure_id: str, text: Optional[str]) -> None:
        self.plan.texts[procedure_id] = text
        self.plan.expected[procedure_id] = self.now.get(procedure_id)

    def edited(self, record: Procedure) -> None:
        key = record.id
        if self.stamp.records.get(key) == record_hash(record):
            return  # not changed in the sheet: whatever the KB has now stays
        if key in self.kb and self.kb.get(key) == record:
            return  # already so: the same change was made on both sides
        if key not in self.moved:
            self.write(key, to_yaml(record))
        elif key not in self.now:
            self.conflict(key, DELETED_THERE)
        elif key in self.stamp.files:
            self.conflict(key, EDITED_BOTH)
        else:
            self.conflict(key, ADDED_BOTH)

    def missing(self, procedure_id: str, delete: bool) -> None:
        if procedure_id not in self.stamp.files:
            self.plan.kept_added.append(procedure_id)
        elif not delete:
            self.plan.kept_missing.append(procedure_id)
        elif procedure_id in self.moved:
            self.conflict(procedure_id, DELETED_HERE)
        else:
            self.write(procedure_id, None)


def plan_import(
    book: ImportedBook, workbook: str, kb: KnowledgeBase, kb_dir: Path, audit: AuditLog, delete_missing: bool
) -> ImportPlan:
    """The changes an import makes; InvalidKnowledgeBase for a file without a stamp, StaleWorkbook
    for conflicts with changes made since the export (nothing is written in either case)."""
    if book.stamp is None:
        raise InvalidKnowledgeBase([Problem(workbook, "", NO_STAMP)])
    planner = _Planner(book, book.stamp, kb, kb_dir, audit)
    imported = {procedure.id for procedure in book.procedures}
    for record in book.procedures:
        planner.edited(record)
    for procedure_id in sorted(planner.now):
        if procedure_id not in imported:
            planner.missing(procedure_id, delete_missing)
    if planner.conflicts:
        raise StaleWorkbook(workbook, book.stamp.exported_at, planner.conflicts)
    plan = planner.plan
    plan.kept_changed = sorted(planner.moved & set(book.stamp.files) - set(plan.texts) - set(plan.kept_missing))
    return plan
