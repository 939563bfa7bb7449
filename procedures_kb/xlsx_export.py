"""Writing procedures into the knowledge base's spreadsheet layout (`procedures_kb.xlsx_layout`).
The reading side is `procedures_kb.xlsx_import`.

Given the KB version it was made from, an export records it in a hidden sheet
(`procedures_kb.xlsx_stamp`) so that its import changes only what the admin changed.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from procedures_kb import xlsx_limits
from procedures_kb.kb_version import KbStamp
from procedures_kb.schema import Procedure
from procedures_kb.xlsx_layout import (
    CASES_DOCUMENTS,
    CHANNELS,
    CODES,
    DELIVERY,
    FEES,
    FORMS,
    LEGAL_BASIS,
    PROCEDURES,
    PROVENANCE,
    README_SHEET,
    README_TEXT,
    SHEETS,
    SOURCES,
    Column,
    Kind,
    Sheet,
)
from procedures_kb.xlsx_stamp import write_stamp

# -- rows -------------------------------------------------------------------------


def _procedure_rows(procedure: Procedure) -> Iterator[Tuple[Dict[str, Any], Dict[str, Any]]]:
    yield {}, procedure.dict()


def _indexed(procedure: Procedure, header: str, items: Sequence[Any]) -> Iterator[Tuple[Dict[str, Any], Any]]:
    for number, item in enumerate(items, 1):
        yield {"id": procedure.id, header: number}, item.dict()


def _case_rows(procedure: Procedure) -> Iterator[Tuple[Dict[str, Any], Dict[str, Any]]]:
    for case_number, case in enumerate(procedure.cases, 1):
        keys = {"id": procedure.id, "case_index": case_number}
        element = {"name": case.name, "condition": case.condition}
        if not case.documents:
            yield keys, element
        for number, document in enumerate(case.documents, 1):
            yield {**keys, "document_index": number}, {**element, "documents": document.dict()}


def _fee_rows(procedure: Procedure) -> Iterator[Tuple[Dict[str, Any], Dict[str, Any]]]:
    for channel in procedure.channels:
        for number, fee in enumerate(channel.fees, 1):
            yield {"id": procedure.id, "channels.kind": channel.kind.value, "fee_index": number}, fee.dict()


def _provenance_rows(procedure: Procedure) -> Iterator[Tuple[Dict[str, Any], Dict[str, Any]]]:
    for group, mark in procedure.provenance.items():
        yield {"id": procedure.id, "provenance.group": group.value}, mark.dict()


def _rows(sheet: Sheet, procedure: Procedure) -> Iterator[Tuple[Dict[str, Any], Dict[str, Any]]]:
    """(key cells, element as a dict) for each row a procedure has in a sheet."""
    if sheet is PROCEDURES:
        return _procedure_rows(procedure)
    if sheet is CASES_DOCUMENTS:
        return _case_rows(procedure)
    if sheet is FEES:
        return _fee_rows(procedure)
    if sheet is PROVENANCE:
        return _provenance_rows(procedure)
    lists: Dict[str, Tuple[str, Sequence[Any]]] = {
        CODES.name: ("code_index", procedure.codes),
        CHANNELS.name: ("channel_index", procedure.channels),
        LEGAL_BASIS.name: ("legal_basis_index", procedure.legal_basis),
        FORMS.name: ("form_index", procedure.forms),
        DELIVERY.name: ("delivery_index", procedure.delivery),
        SOURCES.name: ("source_index", procedure.sources),
    }
    header, items = lists[sheet.name]
    return _indexed(procedure, header, items)


def _lookup(element: Dict[str, Any], path: Tuple[str, ...]) -> Any:
    value: Any = element
    for part in path:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def cell_value(value: Any) -> Any:
    """The value written into a cell: enums by value, dates as ISO text, lists one item per line."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return _joined(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _joined(items: List[Any]) -> Optional[str]:
    texts = [str(item.value if isinstance(item, Enum) else item) for item in items]
    for text in texts:
        if not text or "\n" in text:
            raise ValueError(f"cannot write list item {text!r} one per line (empty or contains a line break)")
    return "\n".join(texts) or None


# -- writing ----------------------------------------------------------------------


def _write_header(worksheet: Worksheet, headers: Sequence[str], widths: Sequence[int]) -> None:
    worksheet.append(list(headers))
    for number, width in enumerate(widths, 1):
        worksheet.cell(1, number).font = Font(bold=True)
        worksheet.column_dimensions[get_column_letter(number)].width = width
    worksheet.freeze_panes = "A2"


def _write_cell(worksheet: Worksheet, row: int, number: int, column: Column, value: Any) -> None:
    cell = worksheet.cell(row, number, cell_value(value))
    if cell.data_type == "f":  # text starting with "=" stays text
        cell.data_type = "s"
    if column.kind in (Kind.date, Kind.text, Kind.list):
        cell.number_format = "@"  # Excel keeps "2026-11-22" and "1.001193" as typed
    cell.alignment = Alignment(vertical="top", wrap_text=column.width >= 30 or column.kind is Kind.list)


def _add_choices(worksheet: Worksheet, sheet: Sheet, last_row: int) -> None:
    for number, column in enumerate(sheet.columns, 1):
        if column.choices is None:
            continue
        values = ",".join(str(member.value) for member in column.choices)
        validation = DataValidation(type="list", formula1=f'"{values}"', allow_blank=True)
        letter = get_column_letter(number)
        validation.add(f"{letter}2:{letter}{max(last_row, 2) + 500}")
        worksheet.add_data_validation(validation)


def _write_sheet(worksheet: Worksheet, sheet: Sheet, procedures: Sequence[Procedure]) -> None:
    _write_header(worksheet, [column.header for column in sheet.columns], [column.width for column in sheet.columns])
    paths = {column.header: sheet.path(column) for column in sheet.columns}
    row = 1
    for procedure in procedures:
        for keys, element in _rows(sheet, procedure):
            row += 1
            for number, column in enumerate(sheet.columns, 1):
                value = keys.get(column.header) if column.key else _lookup(element, paths[column.header])
                _write_cell(worksheet, row, number, column, value)
    worksheet.auto_filter.ref = f"A1:{get_column_letter(len(sheet.columns))}{row}"
    _add_choices(worksheet, sheet, row)


def _write_readme(worksheet: Worksheet) -> None:
    _write_header(worksheet, ["Mục", "Hướng dẫn"], [18, 110])
    for topic, text in README_TEXT:
        worksheet.append([topic, text])
    choices = {column.header: column.choices for sheet in SHEETS for column in sheet.columns if column.choices}
    listed = (f"{header}: {', '.join(str(member.value) for member in enum)}" for header, enum in choices.items())
    worksheet.append(["Giá trị cố định", "; ".join(listed)])
    worksheet.append([])
    for sheet in SHEETS:
        worksheet.append([sheet.name, sheet.description])
    for cells in worksheet.iter_rows(min_row=2):
        cells[1].alignment = Alignment(wrap_text=True, vertical="top")


def _check_size(procedures: Sequence[Procedure]) -> None:
    """Refuse to write a sheet longer than an import takes."""
    for sheet in SHEETS:
        rows = 1 + sum(1 for procedure in procedures for _ in _rows(sheet, procedure))
        if rows > xlsx_limits.MAX_ROWS:
            raise ValueError(
                f"sheet {sheet.name} would have {rows} rows; an import takes at most {xlsx_limits.MAX_ROWS}"
            )


def export_xlsx(procedures: Sequence[Procedure], path: Path, stamp: Optional[KbStamp] = None) -> None:
    """Write procedures to an .xlsx file that `import_xlsx` reads back into equal records; with the
    stamp of the KB version they come from, which the CLI's import requires."""
    _check_size(procedures)
    book = Workbook()
    readme = book.active
    readme.title = README_SHEET
    _write_readme(readme)
    for sheet in SHEETS:
        _write_sheet(book.create_sheet(sheet.name), sheet, procedures)
    if stamp is not None:
        write_stamp(book, stamp)
    book.save(path)
