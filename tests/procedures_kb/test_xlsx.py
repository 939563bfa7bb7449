"""Spreadsheet export/import: what an admin editing procedures in Excel sees.

An untouched export comes back equal; an edit comes back as the new value; a mistake is
named by sheet, row (as Excel numbers it) and column, in Vietnamese, with every mistake of
the file listed at once and nothing imported.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import signal
import unicodedata
import zipfile
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Set, Type

import pytest
from openpyxl import load_workbook
from pydantic import BaseModel

from procedures_kb import InvalidKnowledgeBase, KnowledgeBase, Problem, Procedure, xlsx_limits
from procedures_kb.schema import ChannelKind
from procedures_kb.xlsx import SHEETS, export_xlsx, import_xlsx
from procedures_kb.xlsx_layout import Kind
from procedures_kb.xlsx_sheets import convert

Keys = Dict[str, Any]


@pytest.fixture(scope="module")
def records() -> List[Procedure]:
    """The editors' records: what `export` writes (the imported ones are kept by the importer)."""
    return [p for p in KnowledgeBase.load().all() if not p.imported_from]


@pytest.fixture
def book(records: List[Procedure], tmp_path: Path) -> Path:
    """The real KB exported to a fresh file."""
    path = tmp_path / "thu-tuc.xlsx"
    export_xlsx(records, path)
    return path


def row_of(worksheet: Any, keys: Keys) -> int:
    headers = [cell.value for cell in worksheet[1]]
    for cells in worksheet.iter_rows(min_row=2):
        values = dict(zip(headers, (cell.value for cell in cells), strict=True))
        if all(values.get(header) == value for header, value in keys.items()):
            return int(cells[0].row)
    raise AssertionError(f"no row with {keys}")


def edit(path: Path, sheet: str, keys: Keys, column: str, value: Any) -> int:
    """Set one cell the way an admin would in Excel; returns the row number."""
    workbook = load_workbook(path)
    worksheet = workbook[sheet]
    row = row_of(worksheet, keys)
    headers = [cell.value for cell in worksheet[1]]
    worksheet.cell(row, headers.index(column) + 1).value = value
    workbook.save(path)
    return row


def add_column(path: Path, sheet: str, header: str, value: Any = None) -> None:
    workbook = load_workbook(path)
    worksheet = workbook[sheet]
    column = worksheet.max_column + 1
    worksheet.cell(1, column).value = header
    worksheet.cell(2, column).value = value
    workbook.save(path)


def problems_of(path: Path) -> List[Problem]:
    with pytest.raises(InvalidKnowledgeBase) as caught:
        import_xlsx(path)
    return caught.value.problems


def imported(path: Path) -> Dict[str, Procedure]:
    return {procedure.id: procedure for procedure in import_xlsx(path)}


THUONG_TRU_FEE: Keys = {"id": "thuong-tru", "channels.kind": "in_person", "fee_index": 1}
CAN_CUOC_FEE: Keys = {"id": "cap-doi-can-cuoc", "channels.kind": "in_person", "fee_index": 1}


# -- lossless ---------------------------------------------------------------------


def test_round_trip_of_the_real_kb_is_lossless(records: List[Procedure], book: Path) -> None:
    back = import_xlsx(book)
    assert [procedure.id for procedure in back] == [procedure.id for procedure in records]
    for original, copy in zip(records, back, strict=True):
        assert copy == original, original.id
        assert copy.dict() == original.dict(), original.id


def test_unusual_values_round_trip(records: List[Procedure], tmp_path: Path) -> None:
    data = records[0].dict()
    data["cases"].append({"name": "Trường hợp không cần giấy tờ", "condition": "=khi đã có trong CSDL"})
    data["age_range"] = {"min": 0}
    data["channels"] = [
        {"kind": "post", "available": False, "time_limit": {"value": 0.5, "unit": "days"}, "fees": [{"free": True}]},
        {"kind": "online", "time_limit": {"unit": "immediately"}, "fees": [{"set_by_province": True, "unit": "bản"}]},
    ]
    tricky = Procedure.parse_obj(data)
    path = tmp_path / "tricky.xlsx"
    export_xlsx([tricky], path)
    assert import_xlsx(path) == [tricky]


def test_sheets_are_laid_out_for_people(book: Path) -> None:
    workbook = load_workbook(book)
    assert workbook.sheetnames == ["README", *(sheet.name for sheet in SHEETS)]
    fees = workbook["fees"]
    assert fees.freeze_panes == "A2"
    assert all(cell.font.bold for cell in fees[1])
    assert fees.column_dimensions["H"].width >= 30  # fees.description
    row = row_of(fees, CAN_CUOC_FEE)
    assert fees.cell(row, 10).value == "2025-07-01"  # dates are ISO text, not reformatted by Excel
    assert "YYYY-MM-DD" in " ".join(str(cell.value) for cell in workbook["README"]["B"])


# Where each sheet's rows sit in a record: "fees.amount" on the fees sheet is channels[i].fees[j].amount.
SHEET_PATHS = {
    "procedures": "",
    "codes": "codes.",
    "cases_documents": "cases.",
    "channels": "channels.",
    "fees": "channels.fees.",
    "legal_basis": "legal_basis.",
    "forms": "forms.",
    "delivery": "delivery.",
    "sources": "sources.",
    "provenance": "provenance.",
}


def schema_fields(model: Type[BaseModel], prefix: str = "") -> Set[str]:
    fields: Set[str] = set()
    for name, field in model.__fields__.items():
        inner = field.type_
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            fields |= schema_fields(inner, f"{prefix}{name}.")
        else:
            fields.add(prefix + name)
    return fields


def test_every_schema_field_has_a_column() -> None:
    """A field added to the schema without a column here would be dropped silently by the export."""
    columns = {SHEET_PATHS[sheet.name] + ".".join(path) for sheet in SHEETS for _, path in sheet.fields()}
    assert columns == schema_fields(Procedure)


# -- edits ------------------------------------------------------------------------


def test_edited_fee_amount_is_imported(book: Path) -> None:
    edit(book, "fees", THUONG_TRU_FEE, "fees.amount", 25000)
    fee = imported(book)["thuong-tru"].channels[0].fees[0]
    assert fee.amount == 25000
    assert isinstance(fee.amount, int)


def test_a_real_date_cell_is_accepted(records: List[Procedure], book: Path) -> None:
    edit(book, "fees", CAN_CUOC_FEE, "fees.valid_from", dt.datetime(2025, 7, 1))
    assert imported(book)["cap-doi-can-cuoc"] == next(p for p in records if p.id == "cap-doi-can-cuoc")


def test_text_booleans_are_accepted(book: Path) -> None:
    edit(book, "channels", {"id": "thuong-tru", "channels.kind": "online"}, "channels.available", "FALSE")
    channel = imported(book)["thuong-tru"].channel(ChannelKind.online)
    assert channel is not None and channel.available is False


def test_index_columns_set_the_order(book: Path) -> None:
    edit(book, "fees", CAN_CUOC_FEE, "fee_index", 9)
    fees = imported(book)["cap-doi-can-cuoc"].channels[0].fees
    assert [fee.amount for fee in fees] == [50000, 30000, 25000]


def test_nfd_text_is_normalised_to_nfc(book: Path) -> None:
    title = "Đăng ký khai sinh cho trẻ"
    edit(book, "procedures", {"id": "khai-sinh"}, "title", unicodedata.normalize("NFD", title))
    assert imported(book)["khai-sinh"].title == title


def test_whole_number_from_excel_comes_back_as_int() -> None:
    assert convert(20000.0, Kind.int) == (20000, None)
    assert convert("20.000", Kind.int) == ("20.000", None)  # left for the schema to reject


# -- mistakes ---------------------------------------------------------------------


def test_amount_written_as_text_names_sheet_row_and_column(book: Path) -> None:
    row = edit(book, "fees", THUONG_TRU_FEE, "fees.amount", "20.000")
    [problem] = problems_of(book)
    assert problem.file == "fees"
    assert problem.location == f"dòng {row}, cột fees.amount"
    assert problem.message == "số tiền phải là số nguyên (ví dụ 20000), không phải chữ"


def test_date_in_the_wrong_format(book: Path) -> None:
    row = edit(book, "procedures", {"id": "khai-sinh"}, "last_verified", "22/11/2026")
    [problem] = problems_of(book)
    assert (problem.file, problem.location) == ("procedures", f"dòng {row}, cột last_verified")
    assert "YYYY-MM-DD" in problem.message


def test_valid_to_before_valid_from(book: Path) -> None:
    row = edit(book, "fees", CAN_CUOC_FEE, "fees.valid_to", "2025-01-01")
    [problem] = problems_of(book)
    assert (problem.file, problem.location) == ("fees", f"dòng {row}, cột fees.valid_to")
    assert problem.message.startswith("valid_to trước valid_from")


def test_unknown_column_and_sheet(book: Path) -> None:
    add_column(book, "fees", "le_phi", "20000")
    workbook = load_workbook(book)
    workbook.create_sheet("Sheet1")
    workbook.save(book)
    problems = problems_of(book)
    unknown = Problem("fees", "dòng 1, cột le_phi", "trường không được phép: cột này không có trong mẫu")
    assert [problem for problem in problems if problem.file == "fees"] == [unknown]
    assert any(problem.file == "Sheet1" and "không được phép" in problem.message for problem in problems)


def test_unknown_procedure_in_a_child_sheet(book: Path) -> None:
    row = edit(book, "channels", {"id": "thuong-tru", "channels.kind": "online"}, "id", "thuong-tru-moi")
    problems = problems_of(book)
    assert Problem("channels", f"dòng {row}, cột id", "không phải thủ tục đã biết: thuong-tru-moi") in problems


def test_missing_required_field(book: Path) -> None:
    row = edit(book, "procedures", {"id": "khai-sinh"}, "title", None)
    assert problems_of(book) == [Problem("procedures", f"dòng {row}, cột title", "thiếu trường bắt buộc")]


def test_provenance_naming_an_unknown_source(book: Path) -> None:
    keys = {"id": "thuong-tru", "provenance.group": "fees"}
    row = edit(book, "provenance", keys, "provenance.sources", "tt-75-2022\ntt-khong-co")
    [problem] = problems_of(book)
    assert (problem.file, problem.location) == ("provenance", f"dòng {row}, cột provenance.sources")
    assert "tt-khong-co" in problem.message


def test_duplicate_index_and_formula_are_reported(book: Path) -> None:
    row = edit(book, "fees", CAN_CUOC_FEE, "fee_index", 2)
    formula_row = edit(book, "fees", THUONG_TRU_FEE, "fees.amount", "=10000*2")
    locations = {(problem.file, problem.location) for problem in problems_of(book)}
    assert locations == {("fees", f"dòng {row + 1}, cột fee_index"), ("fees", f"dòng {formula_row}, cột fees.amount")}


def test_every_problem_is_reported_at_once(book: Path) -> None:
    fee_row = edit(book, "fees", THUONG_TRU_FEE, "fees.amount", "20.000")
    date_row = edit(book, "procedures", {"id": "khai-sinh"}, "last_verified", "22/11/2026")
    title_row = edit(book, "procedures", {"id": "thuong-tru"}, "title", "")
    child_row = edit(book, "legal_basis", {"id": "khai-sinh", "legal_basis_index": 1}, "id", "khong-co")
    add_column(book, "codes", "ghi_chu")
    locations = [(problem.file, problem.location) for problem in problems_of(book)]
    assert sorted(locations) == sorted(
        [
            ("fees", f"dòng {fee_row}, cột fees.amount"),
            ("procedures", f"dòng {date_row}, cột last_verified"),
            ("procedures", f"dòng {title_row}, cột title"),
            ("legal_basis", f"dòng {child_row}, cột id"),
            ("codes", "dòng 1, cột ghi_chu"),
        ]
    )


def test_a_name_of_another_procedure_is_reported(book: Path) -> None:
    row = edit(book, "procedures", {"id": "tam-tru"}, "aliases", "tạm trú\nthường trú")
    [problem] = problems_of(book)
    assert (problem.file, problem.location) == ("procedures", f"dòng {row}, cột aliases")
    assert "thuong-tru" in problem.message


def test_missing_sheet_is_reported(book: Path) -> None:
    workbook = load_workbook(book)
    del workbook["provenance"]
    workbook.save(book)
    assert Problem("provenance", "", "thiếu sheet này") in problems_of(book)


# -- size caps --------------------------------------------------------------------


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Fail (instead of hanging) when the block takes longer than `seconds`."""

    def expire(signum: int, frame: Any) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def refused_quickly(path: Path) -> List[Problem]:
    """Refused without reading what the sheet claims: a guard against a hang (reading the rows
    a lying dimension announces takes minutes), not a speed target, so loaded machines pass."""
    with deadline(10.0):
        return problems_of(path)


def rewrite_member(path: Path, name: str, change: Callable[[bytes], bytes]) -> None:
    """Change one part of the zip the way a hand-crafted file would."""
    with zipfile.ZipFile(path) as source:
        parts = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in parts:
            target.writestr(info, change(data) if info.filename == name else data)


def sheet_part(path: Path, sheet: str) -> str:
    """The zip member holding a sheet (openpyxl numbers them in workbook order)."""
    workbook = load_workbook(path, read_only=True)
    try:
        return f"xl/worksheets/sheet{workbook.sheetnames.index(sheet) + 1}.xml"
    finally:
        workbook.close()


def test_caps_leave_room_for_the_national_catalogue() -> None:
    """2,642 national procedures at ~8 provenance rows each, plus room to grow."""
    assert xlsx_limits.MAX_ROWS >= 8 * 2_642 * 2
    assert xlsx_limits.MAX_COLUMNS >= max(len(sheet.columns) for sheet in SHEETS) * 3
    assert xlsx_limits.MAX_FILE_BYTES == 20 * 1024 * 1024


def test_a_far_away_cell_is_refused_quickly_without_reading_cells(book: Path) -> None:
    workbook = load_workbook(book)
    workbook["fees"]["XFD1048576"] = "x"
    workbook.save(book)

    [problem] = refused_quickly(book)

    assert (problem.file, problem.location) == ("fees", "")
    assert problem.message == (
        "sheet quá lớn: có ô tới dòng 1048576, cột XFD; tối đa 50000 dòng và 90 cột "
        "(xóa các dòng, cột thừa rồi lưu lại)"
    )


def test_a_sheet_whose_dimension_lies_is_still_refused_quickly(book: Path) -> None:
    workbook = load_workbook(book)
    workbook["fees"]["A1048576"] = "x"
    workbook.save(book)
    part = sheet_part(book, "fees")
    rewrite_member(book, part, lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:K37"', xml))

    [problem] = refused_quickly(book)

    assert (problem.file, problem.location) == ("fees", "")
    assert problem.message == "sheet quá lớn: có dữ liệu sau dòng 50000 (tối đa 50000 dòng)"


def test_data_past_the_column_cap_is_refused(book: Path) -> None:
    workbook = load_workbook(book)
    workbook["codes"]["CM2"] = "x"  # column 91
    workbook.save(book)
    # the dimension says CM; so does the cell
    [problem] = refused_quickly(book)
    assert (problem.file, problem.location) == ("codes", "")
    assert problem.message.startswith("sheet quá lớn: có ô tới dòng")


def test_more_rows_than_the_cap_are_refused(
    records: List[Procedure], book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(xlsx_limits, "MAX_ROWS", 30)
    problems = refused_quickly(book)
    last = 1 + sum(len(record.provenance) for record in records)  # the header, then one row per mark
    assert (
        Problem(
            "provenance",
            "",
            f"sheet quá lớn: có ô tới dòng {last}, cột E; tối đa 30 dòng và 90 cột"
            " (xóa các dòng, cột thừa rồi lưu lại)",
        )
        in problems
    )


def test_a_zip_bomb_is_refused_before_it_is_unpacked(book: Path) -> None:
    """A part that unpacks to over 200 MB of XML from a few hundred kB on disk."""
    part = sheet_part(book, "README")
    with zipfile.ZipFile(book) as source:
        parts = [(info.filename, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for name, data in parts:
            if name != part:
                target.writestr(name, data)
                continue
            head, tail = data.split(b"<sheetData>", 1)
            with target.open(name, "w", force_zip64=True) as handle:
                handle.write(head + b"<sheetData>")
                chunk = b" " * (1024 * 1024)
                for _ in range(201):
                    handle.write(chunk)
                handle.write(tail)
    assert book.stat().st_size < 2 * 1024 * 1024

    [problem] = refused_quickly(book)

    assert (problem.file, problem.location) == (book.name, "")
    assert problem.message.startswith("tệp quá lớn khi giải nén: ")
    assert "tối đa 200 MB" in problem.message


def test_a_file_over_the_size_cap_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "lon.xlsx"
    with path.open("wb") as handle:
        handle.truncate(21 * 1024 * 1024)
    [problem] = refused_quickly(path)
    assert problem == Problem("lon.xlsx", "", "tệp quá lớn: 21.0 MB (tối đa 20 MB)")


def test_export_refuses_a_sheet_the_import_would_refuse(
    records: List[Procedure], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(xlsx_limits, "MAX_ROWS", 30)
    with pytest.raises(ValueError, match="sheet codes would have 31 rows; an import takes at most 30"):
        export_xlsx(records, tmp_path / "lon.xlsx")
