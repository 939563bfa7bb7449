"""Reading a knowledge-base spreadsheet into rows: its layout (sheets, columns) and its cells.

The file is opened read-only and read within the caps of `xlsx_limits` (a size bomb is refused
before anything is parsed). Unknown or missing sheets and columns, formulas, Excel errors and
dates not written YYYY-MM-DD are reported by sheet, row (as Excel numbers it) and column, in
Vietnamese, rendered from problem codes (`problems`). Text cells are normalised to NFC (Excel
on some systems writes NFD). Turning rows into procedures is `xlsx_import`'s part.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Set, Tuple
from xml.etree.ElementTree import ParseError

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from procedures_kb import xlsx_limits
from procedures_kb.errors import InvalidKnowledgeBase, Problem
from procedures_kb.problems import Code, problem_vi
from procedures_kb.xlsx_layout import README_SHEET, SHEETS, Column, Kind, Sheet
from procedures_kb.xlsx_stamp import STAMP_SHEET

Grid = List[Tuple[int, Tuple[Any, ...]]]  # (row number as Excel shows it, cells) of non-empty rows

_UNREADABLE = (InvalidFileException, zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, KeyError, ValueError)
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")  # of a cell's text: 3.10's fromisoformat is no stricter


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


class _Reported:
    """Stands for a cell already reported: the schema rejects it, so rules on the whole row wait."""

    def __repr__(self) -> str:
        return "<ô đã báo lỗi>"


REPORTED = _Reported()
_ORDER = [sheet.name for sheet in SHEETS]


class Findings:
    """The problems of one import, in Vietnamese, listed in sheet and row order; a cell is reported once."""

    def __init__(self) -> None:
        self._found: List[Tuple[Tuple[int, int], Problem]] = []
        self.bad_cells: Set[Origin] = set()

    def add(self, sheet: str, row: int, location: str, code: Code, /, **params: Any) -> None:
        key = (_ORDER.index(sheet) if sheet in _ORDER else -1, row)
        self._found.append((key, problem_vi(sheet, location, code, **params)))

    def at(self, origin: Origin, code: Code, /, **params: Any) -> None:
        """A problem of a cell (or a row), unless that cell was reported already."""
        if origin in self.bad_cells:
            return
        self.add(origin.sheet, origin.row, origin.location(), code, **params)
        if origin.column:
            self.bad_cells.add(origin)

    def extend(self, problems: Iterable[Problem]) -> None:
        self._found.extend(((-1, 0), problem) for problem in problems)

    @property
    def problems(self) -> List[Problem]:
        return [problem for _, problem in sorted(self._found, key=lambda item: item[0])]


# -- cells ------------------------------------------------------------------------


def text(value: str) -> Optional[str]:
    return unicodedata.normalize("NFC", value).strip() or None


def _date(value: Any) -> Tuple[Any, Optional[Code]]:
    if isinstance(value, dt.datetime):
        return (value.date(), None) if value.time() == dt.time(0) else (None, Code.date_format)
    if isinstance(value, dt.date):
        return value, None
    if isinstance(value, str) and _DATE_RE.match(value):
        try:
            return dt.date.fromisoformat(value), None
        except ValueError:
            pass
    return None, Code.date_format


def convert(value: Any, kind: Kind) -> Tuple[Any, Optional[Code]]:
    """A cell's value as the schema expects it (NFC text, ISO date, int amount…), or a problem's code."""
    if isinstance(value, str):
        value = text(value)
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


# -- sheets -----------------------------------------------------------------------


def _unreadable(path: Path, exc: BaseException) -> InvalidKnowledgeBase:
    return InvalidKnowledgeBase([problem_vi(path.name, "", Code.unreadable_workbook, reason=str(exc))])


class SheetReader:
    """Reads the sheets of one workbook into rows, reporting into `findings`."""

    def __init__(self, findings: Findings) -> None:
        self.findings = findings

    def read_book(self, path: Path) -> Tuple[Dict[str, List[Row]], Optional[Grid]]:
        """The rows of every sheet, and the rows of the version sheet (None if there is none)."""
        try:
            xlsx_limits.check_archive(path)
            book = load_workbook(path, read_only=True)
        except (*_UNREADABLE, ParseError) as exc:
            raise _unreadable(path, exc) from exc
        try:
            return self.read_sheets(book)
        except (*_UNREADABLE, ParseError) as exc:  # read-only mode parses a sheet while it is read
            raise _unreadable(path, exc) from exc
        finally:
            book.close()

    def read_sheets(self, book: Any) -> Tuple[Dict[str, List[Row]], Optional[Grid]]:
        for name in book.sheetnames:
            if name not in _ORDER and name not in (README_SHEET, STAMP_SHEET):
                self.findings.add(name, 0, "", Code.sheet_not_allowed, allowed=", ".join(_ORDER))
        read = [name for name in (*_ORDER, STAMP_SHEET) if name in book.sheetnames]
        too_big = [xlsx_limits.check_dimension(book[name], name) for name in read]
        if any(too_big):
            raise InvalidKnowledgeBase([problem for problem in too_big if problem is not None])
        tables: Dict[str, List[Row]] = {}
        for sheet in SHEETS:
            if sheet.name in book.sheetnames:
                tables[sheet.name] = self.read_sheet(list(xlsx_limits.rows(book[sheet.name], sheet.name)), sheet)
            else:
                self.findings.add(sheet.name, 0, "", Code.sheet_missing)
                tables[sheet.name] = []
        stamp = list(xlsx_limits.rows(book[STAMP_SHEET], STAMP_SHEET)) if STAMP_SHEET in book.sheetnames else None
        return tables, stamp

    def headers(self, cells: Sequence[Any], sheet: Sheet) -> Optional[Dict[int, Column]]:
        """Columns by position; None when a column naming the rows is missing."""
        found: Dict[int, Column] = {}
        for position, cell in enumerate(cells):
            header = text(cell.value) if isinstance(cell.value, str) else cell.value
            if header is None:
                continue
            column = sheet.column(str(header))
            where = f"dòng 1, cột {header}"
            if column is None:
                self.findings.add(sheet.name, 1, where, Code.column_not_allowed)
            elif column in found.values():
                self.findings.add(sheet.name, 1, where, Code.column_repeated)
            else:
                found[position] = column
        missing = [column for column in sheet.columns if column not in found.values()]
        for column in missing:
            self.findings.add(sheet.name, 1, "dòng 1", Code.column_missing, column=column.header)
        return None if any(column.key or column.header == "id" for column in missing) else found

    def read_sheet(self, grid: Grid, sheet: Sheet) -> List[Row]:
        header: Tuple[Any, ...] = grid[0][1] if grid and grid[0][0] == 1 else ()
        columns = self.headers(header, sheet)
        if columns is None:
            return []
        rows: List[Row] = []
        reported = {position for position, cell in enumerate(header) if cell.value is not None}
        for number, cells in grid[1:] if header else grid:
            if all(text(c.value) is None if isinstance(c.value, str) else c.value is None for c in cells):
                continue
            for position, cell in enumerate(cells):
                if cell.value is not None and position not in reported:
                    reported.add(position)
                    where = f"dòng {number}, cột {get_column_letter(position + 1)}"
                    self.findings.add(sheet.name, number, where, Code.cell_without_column)
            values = {column.header: self.cell(cells[p], number, column, sheet) for p, column in columns.items()}
            rows.append(Row(sheet.name, number, values))
        return rows

    def cell(self, cell: Any, number: int, column: Column, sheet: Sheet) -> Any:
        """The cell's value; a reported cell becomes a value the schema rejects at that field, silently."""
        origin = Origin(sheet.name, number, column.header)
        if cell.data_type == "f":
            self.findings.at(origin, Code.formula)
        elif cell.data_type == "e":
            self.findings.at(origin, Code.excel_error, value=cell.value)
        else:
            value, code = convert(cell.value, column.kind)
            if code is None:
                return value
            self.findings.at(origin, code)
        return None if column.key or column.header == "id" else REPORTED
