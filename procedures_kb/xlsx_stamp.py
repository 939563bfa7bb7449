"""The hidden sheet that records which KB version a spreadsheet was exported from.

A "very hidden" sheet (Excel's unhide menu does not list it; Excel and LibreOffice keep it
when they save) holds a few header lines and one row per procedure:

    format       1
    exported_at  2026-11-22T03:00:00+00:00
    kb_sha256    <sha256 of the whole KB directory>
    audit_head   <sha256 of the audit log's last line>
    id           file_sha256    record_sha256
    khai-sinh    <sha256>       <sha256>
"""

from __future__ import annotations

import re
from typing import Any, Dict, Sequence, Tuple

from openpyxl import Workbook

from procedures_kb.errors import InvalidKnowledgeBase, Problem
from procedures_kb.kb_version import FORMAT, KbStamp
from procedures_kb.schema import SLUG_RE

STAMP_SHEET = "_kb_version"
BROKEN = "thông tin phiên bản bị sửa hoặc hỏng; hãy xuất lại tệp mới"
_HEX = re.compile(r"^[0-9a-f]{64}$")
_HEADER = ("id", "file_sha256", "record_sha256")
_KEYS = ("format", "exported_at", "kb_sha256", "audit_head")


def write_stamp(book: Workbook, stamp: KbStamp) -> None:
    sheet = book.create_sheet(STAMP_SHEET)
    sheet.sheet_state = "veryHidden"
    values = (str(FORMAT), stamp.exported_at, stamp.kb_sha256, stamp.audit_head)
    for key, value in zip(_KEYS, values, strict=True):
        sheet.append([key, value])
    sheet.append(list(_HEADER))
    for procedure_id in sorted(stamp.files):
        sheet.append([procedure_id, stamp.files[procedure_id], stamp.records[procedure_id]])
    for cells in sheet.iter_rows():
        for cell in cells:
            cell.number_format = "@"


class _Broken(Exception):
    pass


def _texts(cells: Sequence[Any], width: int, number: int) -> Tuple[str, ...]:
    values = [cell.value for cell in cells]
    if any(value is not None for value in values[width:]):
        raise _Broken(f"dòng {number} có ô thừa")
    texts = tuple(value.strip() if isinstance(value, str) else "" for value in values[:width])
    if len(texts) < width or not all(texts):
        raise _Broken(f"dòng {number} thiếu ô")
    return texts


def _parse(rows: Sequence[Tuple[int, Sequence[Any]]]) -> KbStamp:
    numbers = [number for number, _ in rows]
    if numbers[: len(_KEYS) + 1] != list(range(1, len(_KEYS) + 2)):
        raise _Broken("thiếu dòng đầu")
    header: Dict[str, str] = {}
    for number, cells in rows[: len(_KEYS)]:
        key, value = _texts(cells, 2, number)
        header[key] = value
    if list(header) != list(_KEYS) or header["format"] != str(FORMAT):
        raise _Broken("dòng đầu không đúng mẫu")
    if _texts(rows[len(_KEYS)][1], 3, len(_KEYS) + 1) != _HEADER:
        raise _Broken(f"dòng {len(_KEYS) + 1} không đúng mẫu")
    files: Dict[str, str] = {}
    records: Dict[str, str] = {}
    for number, cells in rows[len(_KEYS) + 1 :]:
        procedure_id, file_hash, record = _texts(cells, 3, number)
        if not SLUG_RE.match(procedure_id) or procedure_id in files:
            raise _Broken(f"dòng {number}: id {procedure_id}")
        if not (_HEX.match(file_hash) and _HEX.match(record)):
            raise _Broken(f"dòng {number}: mã băm")
        files[procedure_id], records[procedure_id] = file_hash, record
    stamp = KbStamp(header["exported_at"], header["audit_head"], files, records)
    if not _HEX.match(stamp.audit_head) or stamp.kb_sha256 != header["kb_sha256"]:
        raise _Broken("mã băm của kho không khớp với các dòng")
    return stamp


def read_stamp(rows: Sequence[Tuple[int, Sequence[Any]]]) -> KbStamp:
    """The stamp from the sheet's non-empty rows (number, cells); InvalidKnowledgeBase if it was touched."""
    try:
        return _parse(rows)
    except _Broken as exc:
        raise InvalidKnowledgeBase([Problem(STAMP_SHEET, "", f"{BROKEN} ({exc})")]) from None
