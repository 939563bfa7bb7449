"""The spreadsheet layout of the knowledge base, and writing procedures into it.

One sheet per kind of row; every row names its procedure by `id` and, for lists, keeps
the order in an `*_index` column (1, 2, 3…). Column headers are schema field paths as an
admin reads them: `fees.amount` is the `amount` of a fee line, `time_limit.value` the value
of a channel's time limit. The reading side is `procedures_kb.xlsx_import`.

Given the KB version it was made from, an export records it in a hidden sheet
(`procedures_kb.xlsx_stamp`) so that its import changes only what the admin changed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple, Type

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from procedures_kb import xlsx_limits
from procedures_kb.kb_version import KbStamp
from procedures_kb.schema import ChannelKind, DocumentMode, FactGroup, Level, Procedure, SourceKind, TimeUnit
from procedures_kb.xlsx_stamp import write_stamp

README_SHEET = "README"


class Kind(str, Enum):
    """How a column's cells are written and read."""

    text = "text"
    int = "int"
    float = "float"
    bool = "bool"
    date = "date"
    list = "list"  # several items, one per line inside the cell


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind = Kind.text
    width: int = 20
    key: bool = False  # names the row (procedure id, list index), not a field of the element
    choices: Optional[Type[Enum]] = None


@dataclass(frozen=True)
class Sheet:
    name: str
    prefix: str  # headers starting with it are fields of the sheet's element, e.g. "fees."
    columns: Tuple[Column, ...]
    description: str

    def column(self, header: str) -> Optional[Column]:
        return next((column for column in self.columns if column.header == header), None)

    def path(self, column: Column) -> Tuple[str, ...]:
        """Where a field column goes inside the sheet's element: "fees.amount" -> ("amount",)."""
        header = column.header
        if self.prefix and header.startswith(self.prefix):
            header = header[len(self.prefix) :]
        return tuple(header.split("."))

    def fields(self) -> List[Tuple[Column, Tuple[str, ...]]]:
        return [(column, self.path(column)) for column in self.columns if not column.key]


_ID = Column("id", width=24, key=True)


def _index(header: str) -> Column:
    return Column(header, Kind.int, 10, key=True)


PROCEDURES = Sheet(
    "procedures",
    "",
    (
        Column("id", width=24),
        Column("schema_version", Kind.int, 10),
        Column("title", width=36),
        Column("field", width=16),
        Column("level", width=12, choices=Level),
        Column("applicants", width=40),
        Column("result", width=30),
        Column("last_verified", Kind.date, 14),
        Column("agency.name", width=32),
        Column("agency.note", width=32),
        Column("age_range.min", Kind.int, 10),
        Column("age_range.max", Kind.int, 10),
        Column("aliases", Kind.list, 36),
        Column("excludes", Kind.list, 30),
        Column("requirements", Kind.list, 60),
        Column("steps", Kind.list, 60),
    ),
    "Mỗi dòng một thủ tục: tên, lĩnh vực, cấp, cơ quan, kết quả, tên gọi khác, yêu cầu, các bước.",
)
CODES = Sheet(
    "codes",
    "codes.",
    (_ID, _index("code_index"), Column("codes.code", width=14), Column("codes.level", width=12, choices=Level)),
    "Mã thủ tục trên Cổng Dịch vụ công (dạng 1.001193, ô định dạng Text); mã đầu tiên là mã chính.",
)
CASES_DOCUMENTS = Sheet(
    "cases_documents",
    "cases.",
    (
        _ID,
        _index("case_index"),
        Column("cases.name", width=30),
        Column("cases.condition", width=30),
        _index("document_index"),
        Column("documents.name", width=50),
        Column("documents.form", width=30),
        Column("documents.originals", Kind.int, 10),
        Column("documents.copies", Kind.int, 10),
        Column("documents.mode", width=10, choices=DocumentMode),
        Column("documents.condition", width=40),
    ),
    "Giấy tờ theo trường hợp: một dòng mỗi giấy tờ; trường hợp không có giấy tờ thì một dòng để trống các cột "
    "documents.*. Các dòng cùng case_index ghi cùng cases.name.",
)
CHANNELS = Sheet(
    "channels",
    "channels.",
    (
        _ID,
        _index("channel_index"),
        Column("channels.kind", width=12, choices=ChannelKind),
        Column("channels.available", Kind.bool, 10),
        Column("channels.url", width=30),
        Column("channels.note", width=40),
        Column("time_limit.value", Kind.float, 10),
        Column("time_limit.unit", width=14, choices=TimeUnit),
        Column("time_limit.note", width=40),
    ),
    "Cách thức nộp (trực tiếp, trực tuyến, bưu chính) và thời hạn giải quyết; mỗi kênh một lần cho mỗi thủ tục.",
)
FEES = Sheet(
    "fees",
    "fees.",
    (
        _ID,
        Column("channels.kind", width=12, key=True, choices=ChannelKind),
        _index("fee_index"),
        Column("fees.amount", Kind.int, 12),
        Column("fees.free", Kind.bool, 8),
        Column("fees.set_by_province", Kind.bool, 10),
        Column("fees.unit", width=10),
        Column("fees.description", width=50),
        Column("fees.exemptions", Kind.list, 40),
        Column("fees.valid_from", Kind.date, 12),
        Column("fees.valid_to", Kind.date, 12),
    ),
    "Lệ phí của từng kênh (channels.kind phải có trong sheet channels). Mỗi dòng đúng một trong: fees.amount, "
    "fees.free = TRUE, fees.set_by_province = TRUE.",
)
LEGAL_BASIS = Sheet(
    "legal_basis",
    "legal_basis.",
    (
        _ID,
        _index("legal_basis_index"),
        Column("legal_basis.number", width=30),
        Column("legal_basis.title", width=40),
        Column("legal_basis.note", width=40),
    ),
    "Căn cứ pháp lý: số hiệu văn bản, tên, ghi chú.",
)
SOURCES = Sheet(
    "sources",
    "sources.",
    (
        _ID,
        _index("source_index"),
        Column("sources.id", width=22),
        Column("sources.title", width=50),
        Column("sources.url", width=40),
        Column("sources.kind", width=12, choices=SourceKind),
    ),
    "Nguồn đã đối chiếu; sources.id là mã ngắn (chữ thường, số, gạch ngang) dùng trong sheet provenance.",
)
PROVENANCE = Sheet(
    "provenance",
    "provenance.",
    (
        _ID,
        Column("provenance.group", width=14, key=True, choices=FactGroup),
        Column("provenance.verified", Kind.bool, 10),
        Column("provenance.sources", Kind.list, 30),
        Column("provenance.note", width=60),
    ),
    "Nhóm thông tin đã xác minh hay chưa, theo nguồn nào (sources.id của cùng thủ tục).",
)
SHEETS: Tuple[Sheet, ...] = (PROCEDURES, CODES, CASES_DOCUMENTS, CHANNELS, FEES, LEGAL_BASIS, SOURCES, PROVENANCE)

_README = (
    ("Mục đích", "Sửa thủ tục hành chính trong Excel rồi nhập lại; chương trình kiểm tra toàn bộ và báo mọi lỗi."),
    ("Sheet", "Không đổi tên, thêm hay xóa sheet và cột: tên lạ hoặc thiếu đều bị báo lỗi. Sheet README được bỏ qua."),
    ("id", "Mọi dòng gắn với một thủ tục qua cột id; id phải có trong sheet procedures."),
    ("*_index", "Thứ tự trong danh sách: số nguyên 1, 2, 3…, không trùng trong cùng thủ tục."),
    ("Ô trống", "Không có giá trị (hoặc giá trị mặc định)."),
    (
        "Nhiều mục",
        "aliases, excludes, requirements, steps, fees.exemptions, provenance.sources: mỗi mục một dòng trong ô "
        "(Alt+Enter).",
    ),
    ("Ngày", "Dạng YYYY-MM-DD, ví dụ 2026-11-22 (ô định dạng Text)."),
    ("Số tiền", "fees.amount là số nguyên đồng, không có dấu chấm: 20000, không phải 20.000."),
    ("Đúng/sai", "TRUE hoặc FALSE."),
)


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
    for topic, text in _README:
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
