"""Read the knowledge-base spreadsheet back into validated procedures.

Every problem is collected — the layout (unknown or missing sheets and columns), the cells
(formulas, dates, list indexes), references (rows naming an unknown procedure or channel) and
the schema rules checked by `Procedure.parse_obj` — and raised together as InvalidKnowledgeBase;
nothing is returned partially. A problem names the sheet, the row as Excel shows it and the
column, in Vietnamese. Text cells are normalised to NFC (Excel on some systems writes NFD).

The file is opened read-only and read within the caps of `xlsx_limits` (a size bomb is refused
before anything is parsed). `read_xlsx` also returns the KB version the file was exported from
(`xlsx_stamp`), which the CLI needs to import it without undoing someone else's change.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Pattern, Sequence, Set, Tuple
from xml.etree.ElementTree import ParseError

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from pydantic import ValidationError

from procedures_kb import xlsx_limits
from procedures_kb.errors import InvalidKnowledgeBase, Problem
from procedures_kb.kb_version import KbStamp
from procedures_kb.loader import validate_records
from procedures_kb.schema import ChannelKind, FactGroup, Procedure
from procedures_kb.xlsx_export import (
    CASES_DOCUMENTS,
    CHANNELS,
    CODES,
    FEES,
    LEGAL_BASIS,
    PROCEDURES,
    PROVENANCE,
    README_SHEET,
    SHEETS,
    SOURCES,
    Column,
    Kind,
    Sheet,
)
from procedures_kb.xlsx_stamp import STAMP_SHEET, read_stamp

Loc = Tuple[Any, ...]
Fields = List[Tuple[Column, Tuple[str, ...]]]
Grid = List[Tuple[int, Tuple[Any, ...]]]  # (row number as Excel shows it, cells) of non-empty rows

_UNREADABLE = (InvalidFileException, zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, KeyError, ValueError)

MISSING = "thiếu trường bắt buộc"
DATE_MESSAGE = "ngày phải có dạng YYYY-MM-DD (ví dụ 2026-11-22)"
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

_MESSAGES: Dict[str, str] = {
    "value_error.missing": MISSING,
    "value_error.extra": "trường không được phép",
    "type_error.float": "phải là số (ví dụ 7 hoặc 0.5)",
    "type_error.bool": "phải là TRUE hoặc FALSE",
    "value_error.date": DATE_MESSAGE,
    "type_error.date": DATE_MESSAGE,
    "type_error.enum": "giá trị không hợp lệ; chỉ được dùng: {choices}",
    "type_error.str": "phải là chữ, không phải số hay ngày (hãy định dạng ô là Text)",
    "value_error.number.not_ge": "phải lớn hơn hoặc bằng {limit_value}",
    "value_error.number.not_gt": "phải lớn hơn {limit_value}",
    "value_error.list.min_items": "cần ít nhất {limit_value} dòng",
    "type_error.none.not_allowed": "không được để trống",
}

# Messages of the schema's own validators -> (Vietnamese, the field they are about).
_SCHEMA_MESSAGES: Tuple[Tuple[Pattern[str], str, Tuple[str, ...]], ...] = tuple(
    (re.compile(pattern), message, hint)
    for pattern, message, hint in (
        (
            r"a fee line needs exactly one of",
            "mỗi dòng lệ phí cần đúng một trong: fees.amount, fees.free = TRUE, fees.set_by_province = TRUE",
            (),
        ),
        (r"valid_to (\S+) is before valid_from (\S+)", "valid_to trước valid_from ({0} trước {1})", ("valid_to",)),
        (r"unit (\S+) needs a value", "đơn vị {0} cần có số ở time_limit.value", ("value",)),
        (r"unit (\S+) takes no value", "đơn vị {0} không đi kèm số; hãy để trống time_limit.value", ("value",)),
        (r"max (\S+) is below min (\S+)", "age_range.max ({0}) nhỏ hơn age_range.min ({1})", ("max",)),
        (
            r"a verified fact group must name",
            "nhóm đã xác minh (verified = TRUE) phải ghi ít nhất một nguồn",
            ("sources",),
        ),
        (r"channel (\S+) is listed more than once", "kênh {0} được ghi nhiều lần", ()),
        (
            r"provenance\.(\S+) names unknown source\(s\): (.+)",
            "provenance {0} ghi nguồn không có trong sheet sources của thủ tục: {1}",
            ("provenance", "{0}", "sources"),
        ),
        (
            r"schema_version (\S+) is newer than this program \((\S+)\)",
            "schema_version {0} mới hơn chương trình ({1})",
            (),
        ),
        (r"an alias cannot be empty", "tên gọi khác không được để trống", ()),
    )
)
_DUPLICATE_NAME = re.compile(r"^(.*) is already a name of procedure '([^']*)'")


class _Reported:
    """Stands for a cell already reported: the schema rejects it, so rules on the whole row wait."""

    def __repr__(self) -> str:
        return "<ô đã báo lỗi>"


_REPORTED = _Reported()


@dataclass(frozen=True)
class Origin:
    """The cell (or row, when column is None) a value came from."""

    sheet: str
    row: int
    column: Optional[str] = None

    def location(self, rest: str = "") -> str:
        if self.column:
            return f"dòng {self.row}, cột {self.column}"
        return f"dòng {self.row}, trường {rest}" if rest else f"dòng {self.row}"


@dataclass
class Row:
    sheet: str
    number: int
    values: Dict[str, Any]

    def origin(self, header: Optional[str] = None) -> Origin:
        return Origin(self.sheet, self.number, header)


@dataclass
class _Record:
    row: Row
    data: Dict[str, Any] = field(default_factory=dict)
    origins: Dict[Loc, Origin] = field(default_factory=dict)


# -- cells ------------------------------------------------------------------------


def _text(value: str) -> Optional[str]:
    return unicodedata.normalize("NFC", value).strip() or None


def _date(value: Any) -> Tuple[Any, Optional[str]]:
    if isinstance(value, dt.datetime):
        return (value.date(), None) if value.time() == dt.time(0) else (None, DATE_MESSAGE)
    if isinstance(value, dt.date):
        return value, None
    if isinstance(value, str) and _DATE_RE.match(value):
        try:
            return dt.date.fromisoformat(value), None
        except ValueError:
            pass
    return None, DATE_MESSAGE


def convert(value: Any, kind: Kind) -> Tuple[Any, Optional[str]]:
    """A cell's value as the schema expects it (NFC text, ISO date, int amount…), or a problem message."""
    if isinstance(value, str):
        value = _text(value)
    if value is None:
        return ([] if kind is Kind.list else None), None
    if kind is Kind.list:
        items = [line.strip() for line in value.splitlines()] if isinstance(value, str) else [value]
        return [item for item in items if item != ""], None
    if kind is Kind.date:
        return _date(value)
    if kind is Kind.int and isinstance(value, float) and value.is_integer():
        return int(value), None  # Excel stores 20000 as 20000.0 at times
    return value, None


# -- pydantic errors --------------------------------------------------------------


def _schema_message(message: str) -> Tuple[str, Loc]:
    for pattern, template, hint in _SCHEMA_MESSAGES:
        match = pattern.search(message)
        if match:
            groups = match.groups()
            return template.format(*groups), tuple(part.format(*groups) for part in hint)
    if any(ord(char) > 127 for char in message):  # the schema already says it in Vietnamese
        return message, ()
    return f"giá trị không hợp lệ ({message})", ()


def translate(error: Mapping[str, Any], value: Any) -> Tuple[str, Loc]:
    """A pydantic error in Vietnamese, and the field it is about relative to its location."""
    kind = error["type"]
    if kind == "value_error":
        return _schema_message(error["msg"])
    if kind == "type_error.integer":
        loc = error["loc"]
        base = "số tiền phải là số nguyên (ví dụ 20000)" if loc and loc[-1] == "amount" else "phải là số nguyên"
        return (f"{base}, không phải chữ" if isinstance(value, str) else base), ()
    template = _MESSAGES.get(kind)
    if template is None:
        return f"giá trị không hợp lệ ({error['msg']})", ()
    context = dict(error.get("ctx") or {})
    context["choices"] = ", ".join(str(member.value) for member in context.get("enum_values", []))
    return template.format(**context), ()


def _value_at(data: Any, loc: Loc) -> Any:
    for part in loc:
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return None
    return data


def _origin(origins: Dict[Loc, Origin], loc: Loc, default: Origin) -> Tuple[Origin, str]:
    """The most precise origin known for a location, and the part of the location it does not cover."""
    for size in range(len(loc), -1, -1):
        origin = origins.get(loc[:size])
        if origin is not None:
            return origin, ".".join(str(part) for part in loc[size:])
    return default, ".".join(str(part) for part in loc)


# -- building records -------------------------------------------------------------


def _put(data: Dict[str, Any], path: Tuple[str, ...], value: Any) -> None:
    for part in path[:-1]:
        data = data.setdefault(part, {})
    data[path[-1]] = value


def _element(row: Row, fields: Fields, loc: Loc, origins: Dict[Loc, Origin]) -> Dict[str, Any]:
    """The dict a row describes; remembers which cell each field came from."""
    data: Dict[str, Any] = {}
    origins[loc] = row.origin()
    for column, path in fields:
        origins[loc + path] = row.origin(column.header)
        value = row.values.get(column.header)
        if value is not None and value != []:
            _put(data, path, value)
    return data


def _blank(row: Row, headers: Sequence[str]) -> bool:
    return all(row.values.get(header) in (None, []) for header in headers)


def _first_repeat(rows: List[Row], header: str) -> Optional[Origin]:
    seen: Set[Any] = set()
    for row in rows:
        value = row.values.get(header)
        if value is not None and value in seen:
            return row.origin(header)
        seen.add(value)
    return None


def _sort_key(problem: Problem) -> Tuple[int, int]:
    order = [sheet.name for sheet in SHEETS]
    match = re.match(r"dòng (\d+)", problem.location)
    return (order.index(problem.file) if problem.file in order else -1, int(match.group(1)) if match else 0)


class _Import:
    """One import: the problems found so far and the cells already reported."""

    def __init__(self) -> None:
        self.problems: List[Problem] = []
        self.bad_cells: Set[Origin] = set()

    def report(self, origin: Origin, message: str) -> None:
        if origin in self.bad_cells:
            return
        self.problems.append(Problem(origin.sheet, origin.location(), message))
        if origin.column:
            self.bad_cells.add(origin)

    # -- layout

    def read_book(self, path: Path) -> Tuple[Dict[str, List[Row]], Optional[Grid]]:
        """The rows of every sheet, and the rows of the version sheet (None if there is none)."""
        try:
            xlsx_limits.check_archive(path)
            book = load_workbook(path, read_only=True)
        except (*_UNREADABLE, ParseError) as exc:
            raise InvalidKnowledgeBase([Problem(path.name, "", f"không đọc được tệp Excel ({exc})")]) from exc
        try:
            return self.read_sheets(book)
        except (*_UNREADABLE, ParseError) as exc:  # read-only mode parses a sheet while it is read
            raise InvalidKnowledgeBase([Problem(path.name, "", f"không đọc được tệp Excel ({exc})")]) from exc
        finally:
            book.close()

    def read_sheets(self, book: Any) -> Tuple[Dict[str, List[Row]], Optional[Grid]]:
        names = [sheet.name for sheet in SHEETS]
        for name in book.sheetnames:
            if name not in names and name not in (README_SHEET, STAMP_SHEET):
                self.problems.append(Problem(name, "", f"sheet không được phép; chỉ dùng: {', '.join(names)}"))
        read = [name for name in (*names, STAMP_SHEET) if name in book.sheetnames]
        too_big = [xlsx_limits.check_dimension(book[name], name) for name in read]
        if any(too_big):
            raise InvalidKnowledgeBase([problem for problem in too_big if problem is not None])
        tables: Dict[str, List[Row]] = {}
        for sheet in SHEETS:
            if sheet.name in book.sheetnames:
                tables[sheet.name] = self.read_sheet(list(xlsx_limits.rows(book[sheet.name], sheet.name)), sheet)
            else:
                self.problems.append(Problem(sheet.name, "", "thiếu sheet này"))
                tables[sheet.name] = []
        stamp = list(xlsx_limits.rows(book[STAMP_SHEET], STAMP_SHEET)) if STAMP_SHEET in book.sheetnames else None
        return tables, stamp

    def headers(self, cells: Sequence[Any], sheet: Sheet) -> Optional[Dict[int, Column]]:
        """Columns by position; None when a column naming the rows is missing."""
        found: Dict[int, Column] = {}
        for position, cell in enumerate(cells):
            header = _text(cell.value) if isinstance(cell.value, str) else cell.value
            if header is None:
                continue
            column = sheet.column(str(header))
            where = f"dòng 1, cột {header}"
            if column is None:
                self.problems.append(Problem(sheet.name, where, "trường không được phép: cột này không có trong mẫu"))
            elif column in found.values():
                self.problems.append(Problem(sheet.name, where, "cột bị lặp lại"))
            else:
                found[position] = column
        missing = [column for column in sheet.columns if column not in found.values()]
        for column in missing:
            self.problems.append(Problem(sheet.name, "dòng 1", f"thiếu cột {column.header}"))
        return None if any(column.key or column.header == "id" for column in missing) else found

    def read_sheet(self, grid: Grid, sheet: Sheet) -> List[Row]:
        header: Tuple[Any, ...] = grid[0][1] if grid and grid[0][0] == 1 else ()
        columns = self.headers(header, sheet)
        if columns is None:
            return []
        rows: List[Row] = []
        reported = {position for position, cell in enumerate(header) if cell.value is not None}
        for number, cells in grid[1:] if header else grid:
            if all(_text(c.value) is None if isinstance(c.value, str) else c.value is None for c in cells):
                continue
            for position, cell in enumerate(cells):
                if cell.value is not None and position not in reported:
                    reported.add(position)
                    where = f"dòng {number}, cột {get_column_letter(position + 1)}"
                    self.problems.append(Problem(sheet.name, where, "ô có dữ liệu nhưng cột không có tên trong mẫu"))
            values = {column.header: self.cell(cells[p], number, column, sheet) for p, column in columns.items()}
            rows.append(Row(sheet.name, number, values))
        return rows

    def cell(self, cell: Any, number: int, column: Column, sheet: Sheet) -> Any:
        """The cell's value; a reported cell becomes a value the schema rejects at that field, silently."""
        origin = Origin(sheet.name, number, column.header)
        message = None
        if cell.data_type == "f":
            message = "không dùng công thức; hãy ghi giá trị"
        elif cell.data_type == "e":
            message = f"ô bị lỗi Excel ({cell.value})"
        else:
            value, message = convert(cell.value, column.kind)
        if message is None:
            return value
        self.report(origin, message)
        return None if column.key or column.header == "id" else _REPORTED

    # -- rows into records

    def procedures(self, rows: List[Row]) -> Dict[str, _Record]:
        records: Dict[str, _Record] = {}
        for row in rows:
            procedure_id = row.values.get("id")
            if procedure_id is None:
                self.report(row.origin("id"), MISSING)
            elif str(procedure_id) in records:
                self.report(row.origin("id"), f"id trùng với dòng {records[str(procedure_id)].row.number}")
            else:
                record = _Record(row)
                record.data = _element(row, PROCEDURES.fields(), (), record.origins)
                records[str(procedure_id)] = record
        return records

    def group(self, rows: List[Row], records: Dict[str, _Record]) -> Dict[str, List[Row]]:
        groups: Dict[str, List[Row]] = defaultdict(list)
        for row in rows:
            procedure_id = row.values.get("id")
            if procedure_id is None:
                self.report(row.origin("id"), MISSING)
            elif str(procedure_id) not in records:
                self.report(row.origin("id"), f"không phải thủ tục đã biết: {procedure_id}")
            else:
                groups[str(procedure_id)].append(row)
        return groups

    def indexed(self, rows: List[Row], header: str) -> List[Tuple[int, List[Row]]]:
        """Rows by their list index, in order; rows without a usable index are reported."""
        by_index: Dict[int, List[Row]] = defaultdict(list)
        for row in rows:
            index = row.values.get(header)
            if index is None:
                self.report(row.origin(header), MISSING)
            elif isinstance(index, bool) or not isinstance(index, int):
                self.report(row.origin(header), "phải là số nguyên (1, 2, 3…)")
            else:
                by_index[index].append(row)
        return sorted(by_index.items())

    def ordered(self, rows: List[Row], header: str) -> List[Row]:
        result = []
        for index, same in self.indexed(rows, header):
            for duplicate in same[1:]:
                self.report(duplicate.origin(header), f"{header} {index} trùng với dòng {same[0].number}")
            result.append(same[0])
        return result

    def attach_list(self, rows: List[Row], sheet: Sheet, index: str, name: str, records: Dict[str, _Record]) -> None:
        for procedure_id, group in self.group(rows, records).items():
            record = records[procedure_id]
            ordered = self.ordered(group, index)
            record.data[name] = [
                _element(row, sheet.fields(), (name, i), record.origins) for i, row in enumerate(ordered)
            ]
            if ordered:  # list-wide rules ("channel listed more than once") point at the first repeated kind
                record.origins[(name,)] = _first_repeat(ordered, "channels.kind") or ordered[0].origin()

    def attach_cases(self, rows: List[Row], records: Dict[str, _Record]) -> None:
        fields = CASES_DOCUMENTS.fields()
        case_fields = [(column, path) for column, path in fields if path[0] != "documents"]
        document_fields = [(column, path[1:]) for column, path in fields if path[0] == "documents"]
        document_headers = ["document_index", *(column.header for column, _ in document_fields)]
        for procedure_id, group in self.group(rows, records).items():
            record = records[procedure_id]
            cases = []
            for number, (_, case_rows) in enumerate(self.indexed(group, "case_index")):
                loc: Loc = ("cases", number)
                case = _element(case_rows[0], case_fields, loc, record.origins)
                self.check_same(case_rows, case_fields)
                documents = self.ordered([r for r in case_rows if not _blank(r, document_headers)], "document_index")
                case["documents"] = [
                    _element(row, document_fields, (*loc, "documents", i), record.origins)
                    for i, row in enumerate(documents)
                ]
                cases.append(case)
            record.data["cases"] = cases

    def check_same(self, rows: List[Row], fields: Fields) -> None:
        """Every row of one case repeats the case's name and condition (or leaves them empty)."""
        first = rows[0]
        for row in rows[1:]:
            for column, _ in fields:
                value = row.values.get(column.header)
                if value is not None and value != first.values.get(column.header):
                    self.report(row.origin(column.header), f"khác với dòng {first.number} của cùng case_index")

    def attach_fees(self, rows: List[Row], records: Dict[str, _Record]) -> None:
        for procedure_id, group in self.group(rows, records).items():
            record = records[procedure_id]
            by_kind: Dict[str, List[Row]] = defaultdict(list)
            for row in group:
                kind = row.values.get("channels.kind")
                if kind is None:
                    self.report(row.origin("channels.kind"), MISSING)
                else:
                    by_kind[str(kind)].append(row)
            for kind, kind_rows in by_kind.items():
                position = self.channel_position(record, procedure_id, kind, kind_rows)
                if position is not None:
                    loc: Loc = ("channels", position, "fees")
                    fees = self.ordered(kind_rows, "fee_index")
                    record.data["channels"][position]["fees"] = [
                        _element(row, FEES.fields(), (*loc, i), record.origins) for i, row in enumerate(fees)
                    ]

    def channel_position(self, record: _Record, procedure_id: str, kind: str, rows: List[Row]) -> Optional[int]:
        for position, channel in enumerate(record.data.get("channels", [])):
            if channel.get("kind") == kind:
                return position
        kinds = [member.value for member in ChannelKind]
        if kind not in kinds:
            message = f"giá trị không hợp lệ; chỉ được dùng: {', '.join(kinds)}"
        else:
            message = f"thủ tục {procedure_id} không có kênh {kind} trong sheet {CHANNELS.name}"
        for row in rows:
            self.report(row.origin("channels.kind"), message)
        return None

    def attach_provenance(self, rows: List[Row], records: Dict[str, _Record]) -> None:
        groups = [member.value for member in FactGroup]
        for procedure_id, group in self.group(rows, records).items():
            record = records[procedure_id]
            seen: Dict[str, int] = {}
            for row in group:
                name = row.values.get("provenance.group")
                origin = row.origin("provenance.group")
                if name is None:
                    self.report(origin, MISSING)
                elif name not in groups:
                    self.report(origin, f"giá trị không hợp lệ; chỉ được dùng: {', '.join(groups)}")
                elif name in seen:
                    self.report(origin, f"nhóm {name} trùng với dòng {seen[name]}")
                else:
                    seen[name] = row.number
                    mark = _element(row, PROVENANCE.fields(), ("provenance", name), record.origins)
                    record.data.setdefault("provenance", {})[name] = mark

    def assemble(self, tables: Dict[str, List[Row]]) -> List[_Record]:
        records = self.procedures(tables[PROCEDURES.name])
        self.attach_list(tables[CODES.name], CODES, "code_index", "codes", records)
        self.attach_list(tables[LEGAL_BASIS.name], LEGAL_BASIS, "legal_basis_index", "legal_basis", records)
        self.attach_list(tables[SOURCES.name], SOURCES, "source_index", "sources", records)
        self.attach_list(tables[CHANNELS.name], CHANNELS, "channel_index", "channels", records)
        self.attach_cases(tables[CASES_DOCUMENTS.name], records)
        self.attach_fees(tables[FEES.name], records)
        self.attach_provenance(tables[PROVENANCE.name], records)
        return list(records.values())

    # -- validation

    def validate(self, record: _Record) -> Optional[Procedure]:
        try:
            return Procedure.parse_obj(record.data)
        except ValidationError as exc:
            for error in exc.errors():
                loc = tuple(part for part in error["loc"] if part != "__root__")
                message, hint = translate(error, _value_at(record.data, loc))
                origin, rest = _origin(record.origins, loc + hint, record.row.origin())
                if origin not in self.bad_cells:
                    self.problems.append(Problem(origin.sheet, origin.location(rest), message))
            return None

    def check_names(self, records: List[Tuple[_Record, Procedure]]) -> None:
        """Across procedures: a title or alias belongs to one procedure only (as the YAML loader checks)."""
        rows = {procedure.id: record.row for record, procedure in records}
        for problem in validate_records({procedure.id: (procedure.id, procedure) for _, procedure in records}):
            column = "title" if problem.location == "title" else "aliases"
            match = _DUPLICATE_NAME.match(problem.message)
            message = f"{match[1]} đã là tên của thủ tục {match[2]}" if match else f"tên bị trùng ({problem.message})"
            self.report(rows[problem.file].origin(column), message)


@dataclass(frozen=True)
class ImportedBook:
    procedures: List[Procedure]
    stamp: Optional[KbStamp]  # the KB version it was exported from; None for a file without one
    rows: Dict[str, int]  # procedure id -> its row in the procedures sheet


def read_xlsx(path: Path) -> ImportedBook:
    """Read procedures, and the KB version they were exported from, from a spreadsheet written by
    `export_xlsx` (and edited by people).

    Raises InvalidKnowledgeBase listing every problem found; never returns a partial result.
    """
    job = _Import()
    tables, stamp_rows = job.read_book(path)
    records = job.assemble(tables)
    validated = [(record, job.validate(record)) for record in records]
    valid = [(record, procedure) for record, procedure in validated if procedure is not None]
    job.check_names(valid)
    stamp = None
    if stamp_rows is not None:
        try:
            stamp = read_stamp(stamp_rows)
        except InvalidKnowledgeBase as exc:
            job.problems.extend(exc.problems)
    if job.problems:
        raise InvalidKnowledgeBase(sorted(job.problems, key=_sort_key))
    rows = {procedure.id: record.row.number for record, procedure in valid}
    return ImportedBook([procedure for _, procedure in valid], stamp, rows)


def import_xlsx(path: Path) -> List[Procedure]:
    """The procedures of a spreadsheet written by `export_xlsx` (see `read_xlsx`)."""
    return read_xlsx(path).procedures
