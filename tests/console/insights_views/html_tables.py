"""The rows of the insights pages' tables, as the text of their cells (for exact assertions)."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Dict, List, Optional


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: Dict[str, List[List[str]]] = {}
        self.figures: Dict[str, str] = {}
        self._section: Optional[str] = None
        self._row: Optional[List[str]] = None
        self._cell: Optional[List[str]] = None
        self._figure: Optional[str] = None
        self._in_body = False

    def handle_starttag(self, tag: str, attrs: List) -> None:
        values = dict(attrs)
        if tag == "section" and values.get("data-table"):
            self._section = values["data-table"]
            self.tables[self._section] = []
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body and self._section:
            self._row = []
        elif tag == "td" and self._row is not None:
            self._cell = []
        elif tag == "span" and values.get("data-figure"):
            self._figure = values["data-figure"]
            self.figures[self._figure] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._section:
            self.tables[self._section].append(self._row)
            self._row = None
        elif tag == "tbody":
            self._in_body = False
        elif tag == "span":
            self._figure = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._figure:
            self.figures[self._figure] += data.strip()


def tables_of(html: str) -> Dict[str, List[List[str]]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def figures_of(html: str) -> Dict[str, str]:
    parser = _Tables()
    parser.feed(html)
    return parser.figures
