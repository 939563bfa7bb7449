"""CSV files of the dashboard's tables, made to open cleanly in Excel.

- UTF-8 with a byte-order mark: without it Excel reads the file as the local code page and the
  Vietnamese comes out garbled.
- No formulas: a text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is given a
  leading apostrophe (OWASP's "CSV injection"), since a citizen's message is shown in the
  unanswered table and a cell such as `=HYPERLINK(...)` would run when opened. Numbers are written
  as numbers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Iterable, Optional, Sequence, Union

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = Union[str, int, float, dt.date, None]


def safe_cell(value: Cell) -> Union[str, int, float]:
    """The cell as written: None is empty, a text that a spreadsheet would run is quoted."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """The table as CSV bytes (BOM, comma-separated, CRLF line ends, quoted where needed)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return (BOM + out.getvalue()).encode("utf-8")


def filename(table: str, start: str, end: str, channel: Optional[str]) -> str:
    """`insights-<table>-<start>_<end>[-<channel>].csv` (ASCII only: the names come from our lists)."""
    suffix = f"-{channel}" if channel else ""
    return f"insights-{table}-{start}_{end}{suffix}.csv"
