"""Read the knowledge-base spreadsheet back into validated procedures.

Three steps, every problem of each collected and raised together as InvalidKnowledgeBase
(nothing is returned partially): `xlsx_sheets` reads the sheets into rows (layout and cells);
here the rows of the eight sheets are joined into one record per procedure (unknown procedures
and channels, repeated indexes), and each record is validated by `Procedure.parse_obj`, whose
errors point back at the cell they come from. A problem names the sheet, the row as Excel shows
it and the column, in Vietnamese rendered from its code (`problems`): never from the English of
a message.

`read_xlsx` also returns the KB version the file was exported from (`xlsx_stamp`), which the
CLI needs to import it without undoing someone else's change.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple

from pydantic import ValidationError

from procedures_kb.errors import InvalidKnowledgeBase
from procedures_kb.kb_version import KbStamp
from procedures_kb.loader import validate_records
from procedures_kb.problems import Code, about
from procedures_kb.schema import ChannelKind, FactGroup, Procedure
from procedures_kb.schema_errors import error_loc, from_pydantic
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
    SOURCES,
    Column,
    Sheet,
)
from procedures_kb.xlsx_sheets import Findings, Origin, Row, SheetReader
from procedures_kb.xlsx_stamp import read_stamp

Loc = Tuple[Any, ...]
Fields = List[Tuple[Column, Tuple[str, ...]]]


@dataclass
class _Record:
    row: Row
    data: Dict[str, Any] = field(default_factory=dict)
    origins: Dict[Loc, Origin] = field(default_factory=dict)


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


class _Import:
    """One import: joins rows into records and validates them, reporting into `findings`."""

    def __init__(self, findings: Findings) -> None:
        self.findings = findings

    def procedures(self, rows: List[Row]) -> Dict[str, _Record]:
        records: Dict[str, _Record] = {}
        for row in rows:
            procedure_id = row.values.get("id")
            if procedure_id is None:
                self.findings.at(row.origin("id"), Code.missing)
            elif str(procedure_id) in records:
                self.findings.at(row.origin("id"), Code.id_repeated, row=records[str(procedure_id)].row.number)
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
                self.findings.at(row.origin("id"), Code.missing)
            elif str(procedure_id) not in records:
                self.findings.at(row.origin("id"), Code.unknown_procedure, id=procedure_id)
            else:
                groups[str(procedure_id)].append(row)
        return groups

    def indexed(self, rows: List[Row], header: str) -> List[Tuple[int, List[Row]]]:
        """Rows by their list index, in order; rows without a usable index are reported."""
        by_index: Dict[int, List[Row]] = defaultdict(list)
        for row in rows:
            index = row.values.get(header)
            if index is None:
                self.findings.at(row.origin(header), Code.missing)
            elif isinstance(index, bool) or not isinstance(index, int):
                self.findings.at(row.origin(header), Code.index_not_an_integer)
            else:
                by_index[index].append(row)
        return sorted(by_index.items())

    def ordered(self, rows: List[Row], header: str) -> List[Row]:
        result = []
        for index, same in self.indexed(rows, header):
            for duplicate in same[1:]:
                self.findings.at(
                    duplicate.origin(header), Code.index_repeated, column=header, index=index, row=same[0].number
                )
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
                    self.findings.at(row.origin(column.header), Code.differs_from_case_row, row=first.number)

    def attach_fees(self, rows: List[Row], records: Dict[str, _Record]) -> None:
        for procedure_id, group in self.group(rows, records).items():
            record = records[procedure_id]
            by_kind: Dict[str, List[Row]] = defaultdict(list)
            for row in group:
                kind = row.values.get("channels.kind")
                if kind is None:
                    self.findings.at(row.origin("channels.kind"), Code.missing)
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
        for row in rows:
            if kind not in kinds:
                self.findings.at(row.origin("channels.kind"), Code.not_one_of, choices=", ".join(kinds))
            else:
                self.findings.at(
                    row.origin("channels.kind"),
                    Code.channel_not_in_procedure,
                    id=procedure_id,
                    kind=kind,
                    sheet=CHANNELS.name,
                )
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
                    self.findings.at(origin, Code.missing)
                elif name not in groups:
                    self.findings.at(origin, Code.not_one_of, choices=", ".join(groups))
                elif name in seen:
                    self.findings.at(origin, Code.group_repeated, group=name, row=seen[name])
                else:
                    seen[name] = row.number
                    mark = _element(row, PROVENANCE.fields(), ("provenance", name), record.origins)
                    record.data.setdefault("provenance", {})[name] = mark

    def assemble(self, tables: Dict[str, List[Row]]) -> List[_Record]:
        records = self.procedures(tables[PROCEDURES.name])
        self.attach_list(tables[CODES.name], CODES, "code_index", "codes", records)
        self.attach_list(tables[LEGAL_BASIS.name], LEGAL_BASIS, "legal_basis_index", "legal_basis", records)
        self.attach_list(tables[FORMS.name], FORMS, "form_index", "forms", records)
        self.attach_list(tables[DELIVERY.name], DELIVERY, "delivery_index", "delivery", records)
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
                code, params = from_pydantic(error, record.data)
                origin, rest = _origin(record.origins, error_loc(error) + about(code, params), record.row.origin())
                if origin not in self.findings.bad_cells:
                    self.findings.add(origin.sheet, origin.row, origin.location(rest), code, **params)
            return None

    def check_names(self, records: List[Tuple[_Record, Procedure]]) -> None:
        """Across procedures: a title or alias belongs to one procedure only (as the YAML loader checks)."""
        rows = {procedure.id: record.row for record, procedure in records}
        for problem in validate_records({procedure.id: (procedure.id, procedure) for _, procedure in records}):
            column = "title" if problem.location == "title" else "aliases"
            self.findings.at(rows[problem.file].origin(column), Code(problem.code), **problem.params)


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
    findings = Findings()
    tables, stamp_rows = SheetReader(findings).read_book(path)
    job = _Import(findings)
    records = job.assemble(tables)
    validated = [(record, job.validate(record)) for record in records]
    valid = [(record, procedure) for record, procedure in validated if procedure is not None]
    job.check_names(valid)
    stamp = None
    if stamp_rows is not None:
        try:
            stamp = read_stamp(stamp_rows)
        except InvalidKnowledgeBase as exc:
            findings.extend(exc.problems)
    if findings.problems:
        raise InvalidKnowledgeBase(findings.problems)
    rows = {procedure.id: record.row.number for record, procedure in valid}
    return ImportedBook([procedure for _, procedure in valid], stamp, rows)


def import_xlsx(path: Path) -> List[Procedure]:
    """The procedures of a spreadsheet written by `export_xlsx` (see `read_xlsx`)."""
    return read_xlsx(path).procedures
