"""How big a spreadsheet the importer takes, checked before anything is unpacked or parsed.

The KB is heading for the national catalogue (2,642 procedures). Its largest sheet is
`provenance`, about 8 rows per procedure (178 rows for 23 procedures today), so about 21,000
rows for the whole catalogue; `cases_documents` has one row per paper. 50,000 rows per sheet
leaves room for twice that. A sheet has at most 16 columns. The export of 23 procedures is
40 kB on disk and 230 kB unpacked; the caps allow a catalogue with far longer texts.

A spreadsheet is refused before it is parsed when the file, or the sizes its zip declares for
its parts (zip bombs), pass the caps, or when a sheet's <dimension> says it has cells past
them; and rows are read in read-only mode, bounded by the caps, because a <dimension> can lie.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any, Iterator, Optional, Tuple

from openpyxl.cell.read_only import EMPTY_CELL
from openpyxl.utils import get_column_letter

from procedures_kb.errors import InvalidKnowledgeBase, Problem

MB = 1024 * 1024

MAX_ROWS = 50_000  # per sheet, the header row included
MAX_COLUMNS = 90  # per sheet
MAX_FILE_BYTES = 20 * MB  # the .xlsx file on disk
MAX_UNPACKED_BYTES = 200 * MB  # all parts of the zip together, as their headers declare them
MAX_PARTS = 500  # members of the zip (an Excel workbook has a few dozen)


def _too_big(name: str, message: str) -> InvalidKnowledgeBase:
    return InvalidKnowledgeBase([Problem(name, "", message)])


def check_archive(path: Path) -> None:
    """Refuse a file too big on disk or once unpacked, from the zip's directory alone (nothing is unpacked).

    The sizes the zip declares are what Python's zipfile unpacks at most: a part that unpacks to
    more than it declares fails its check instead of growing.
    """
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise _too_big(path.name, f"tệp quá lớn: {size / MB:.1f} MB (tối đa {MAX_FILE_BYTES // MB} MB)")
    with zipfile.ZipFile(path) as archive:
        parts = archive.infolist()
    if len(parts) > MAX_PARTS:
        raise _too_big(path.name, f"tệp có quá nhiều phần ({len(parts)}; tối đa {MAX_PARTS}): không phải tệp Excel")
    total = sum(part.file_size for part in parts)
    if total > MAX_UNPACKED_BYTES:
        biggest = max(parts, key=lambda part: part.file_size)
        raise _too_big(
            path.name,
            f"tệp quá lớn khi giải nén: {total / MB:.1f} MB, trong đó {biggest.filename} "
            f"{biggest.file_size / MB:.1f} MB (tối đa {MAX_UNPACKED_BYTES // MB} MB)",
        )


def check_dimension(worksheet: Any, name: str) -> Optional[Problem]:
    """The sheet's size as its <dimension> element states it (which may lie: `rows` checks again)."""
    rows, columns = worksheet.max_row or 0, worksheet.max_column or 0
    if rows <= MAX_ROWS and columns <= MAX_COLUMNS:
        return None
    message = (
        f"sheet quá lớn: có ô tới dòng {rows}, cột {get_column_letter(max(columns, 1))}; tối đa {MAX_ROWS} dòng "
        f"và {MAX_COLUMNS} cột (xóa các dòng, cột thừa rồi lưu lại)"
    )
    return Problem(name, "", message)


def rows(worksheet: Any, name: str) -> Iterator[Tuple[int, Tuple[Any, ...]]]:
    """(row number, cells of the first MAX_COLUMNS columns) of every row that has a cell, in a read-only
    sheet; never reads past the caps, and refuses a sheet with anything past them."""
    max_rows, max_columns = MAX_ROWS, MAX_COLUMNS
    bounded = worksheet.iter_rows(min_row=1, max_row=max_rows + 1, max_col=max_columns + 1)
    gap: Optional[Tuple[Any, ...]] = None  # openpyxl fills every gap between rows with one same tuple
    for number, cells in enumerate(bounded, start=1):
        if number > max_rows:  # openpyxl pads up to max_row only when a row lies beyond it
            raise _too_big(name, f"sheet quá lớn: có dữ liệu sau dòng {max_rows} (tối đa {max_rows} dòng)")
        if cells is gap:
            continue
        if all(cell is EMPTY_CELL for cell in cells):
            gap = cells
            continue
        if cells[max_columns].value is not None:
            letter = get_column_letter(max_columns)
            raise _too_big(name, f"sheet quá lớn: có dữ liệu sau cột {letter} (tối đa {max_columns} cột)")
        yield number, cells[:max_columns]
