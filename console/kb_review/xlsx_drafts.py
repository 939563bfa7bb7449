"""Spreadsheets: the live KB exported as the CLI's `export` does, and an edited sheet turned into
drafts with the CLI's `import` version check (`plan_import`): a sheet exported before a change it
would undo is refused whole, naming each conflict; otherwise one draft per changed procedure, based
on the file the sheet was exported from.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from console.kb_review import messages as msg
from console.kb_review.errors import InvalidDraft, StaleWorkbook
from procedures_kb import errors as kb_errors
from procedures_kb.audit import AuditLog
from procedures_kb.import_plan import plan_import
from procedures_kb.kb import KnowledgeBase
from procedures_kb.kb_files import locked
from procedures_kb.kb_version import stamp_kb
from procedures_kb.record_files import record_data
from procedures_kb.xlsx_export import export_xlsx
from procedures_kb.xlsx_import import read_xlsx

WORKBOOK_NAME = "bang-tinh.xlsx"
Planned = Tuple[str, Dict[str, Any], Optional[str]]  # procedure id, record data, sha256 of the file it replaces


def export(kb_dir: Path, audit_log: AuditLog) -> bytes:
    """The editors' records (`<id>.yml`) as an .xlsx with the stamp of the KB version (as the CLI's
    export: imported records are edited one by one, not in the sheet)."""
    with locked(kb_dir):  # no change lands between the records and the hashes of their files
        kb = KnowledgeBase.load(kb_dir)
        editable = [procedure for procedure in kb.all() if (kb_dir / f"{procedure.id}.yml").is_file()]
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        stamp = stamp_kb(kb_dir, editable, audit_log.read().head, now)
    with tempfile.TemporaryDirectory(prefix="kb-export-") as tmp:
        path = Path(tmp) / WORKBOOK_NAME
        export_xlsx(editable, path, stamp=stamp)
        return path.read_bytes()


def plan(kb_dir: Path, audit_log: AuditLog, xlsx_bytes: bytes) -> List[Planned]:
    """The procedures an uploaded sheet changes; InvalidDraft for an unreadable sheet, StaleWorkbook
    for a sheet that conflicts with changes made since its export."""
    with tempfile.TemporaryDirectory(prefix="kb-import-") as tmp:
        path = Path(tmp) / WORKBOOK_NAME
        path.write_bytes(xlsx_bytes)
        try:
            book = read_xlsx(path)
            planned = plan_import(book, WORKBOOK_NAME, KnowledgeBase.load(kb_dir), kb_dir, audit_log, False)
        except kb_errors.StaleWorkbook as exc:
            text = msg.STALE_WORKBOOK.format(exported_at=exc.exported_at, count=len(exc.problems))
            raise StaleWorkbook(text, exc.problems) from exc
        except kb_errors.InvalidKnowledgeBase as exc:
            raise InvalidDraft(exc.problems) from exc
        except (OSError, ValueError, KeyError, TypeError) as exc:  # not an .xlsx at all (openpyxl's errors)
            raise InvalidDraft([kb_errors.Problem(WORKBOOK_NAME, "", msg.WORKBOOK_MISSING)]) from exc
    by_id = {procedure.id: procedure for procedure in book.procedures}
    return [
        (procedure_id, record_data(by_id[procedure_id]), planned.expected.get(procedure_id))
        for procedure_id, text in sorted(planned.texts.items())
        if text is not None and procedure_id in by_id
    ]
