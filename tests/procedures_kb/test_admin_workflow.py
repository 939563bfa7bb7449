"""An admin's day through the CLI: export, edit in a spreadsheet, import, check, roll back."""

from __future__ import annotations

from pathlib import Path
from typing import Tuple

import openpyxl
import pytest

from procedures_kb import KnowledgeBase
from procedures_kb.cli import main


@pytest.fixture
def kb_dir(kb_copy: Path) -> Path:
    return kb_copy


def snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.glob("*.yml"))}


def set_fee(sheet_path: Path, procedure_id: str, kind: str, value: object) -> Tuple[int, int]:
    """Change the first fee of a channel in the 'fees' sheet, as an admin would in Excel."""
    book = openpyxl.load_workbook(sheet_path)
    sheet = book["fees"]
    headers = [cell.value for cell in sheet[1]]
    col = headers.index("fees.amount") + 1
    for row in range(2, sheet.max_row + 1):
        if (
            sheet.cell(row, 1).value == procedure_id
            and sheet.cell(row, headers.index("channels.kind") + 1).value == kind
        ):
            sheet.cell(row, col).value = value
            book.save(sheet_path)
            return row, col
    raise AssertionError(f"no fee row for {procedure_id} {kind}")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> Tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_unchanged_sheet_changes_nothing(kb_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheet = tmp_path / "kb.xlsx"
    assert run(capsys, "--dir", str(kb_dir), "export", "--xlsx", str(sheet))[0] == 0
    before = snapshot(kb_dir)
    code, out, _ = run(capsys, "--dir", str(kb_dir), "import", "--xlsx", str(sheet), "--by", "lan")
    assert code == 0
    assert out.strip() == "No change: the spreadsheet matches the knowledge base."
    assert snapshot(kb_dir) == before


def test_edit_import_history_rollback(kb_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    original = (kb_dir / "thuong-tru.yml").read_bytes()
    sheet = tmp_path / "kb.xlsx"
    run(capsys, "--dir", str(kb_dir), "export", "--xlsx", str(sheet))
    set_fee(sheet, "thuong-tru", "in_person", 25000)

    code, out, _ = run(capsys, "--dir", str(kb_dir), "import", "--xlsx", str(sheet), "--by", "lan", "--reason", "NQ")
    assert code == 0
    assert out.strip() == "thuong-tru: version 0 -> 1 (1 changes)"
    fee = KnowledgeBase.load(kb_dir).get("thuong-tru").channels[0].fees[0]
    assert fee.amount == 25000

    code, out, _ = run(capsys, "--dir", str(kb_dir), "history", "thuong-tru")
    assert " lan " in out and "import" in out and "NQ" in out
    assert "channels[0].fees[0].amount: 20000 -> 25000" in out

    code, out, _ = run(capsys, "--dir", str(kb_dir), "rollback", "thuong-tru", "0", "--by", "lan")
    assert code == 0
    assert out.strip() == "thuong-tru: restored version 0 as version 2"
    assert (kb_dir / "thuong-tru.yml").read_bytes() == original


def test_bad_sheet_is_reported_in_full_and_writes_nothing(
    kb_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = tmp_path / "kb.xlsx"
    run(capsys, "--dir", str(kb_dir), "export", "--xlsx", str(sheet))
    row, _ = set_fee(sheet, "thuong-tru", "in_person", "20.000")
    row2, _ = set_fee(sheet, "tam-tru", "online", "bảy nghìn")
    before = snapshot(kb_dir)
    code, _, err = run(capsys, "--dir", str(kb_dir), "import", "--xlsx", str(sheet), "--by", "lan")
    assert code == 1
    assert "2 problem(s)" in err
    assert f"fees: dòng {row}, cột fees.amount" in err
    assert f"fees: dòng {row2}, cột fees.amount" in err
    assert snapshot(kb_dir) == before
    assert not (kb_dir.parent / "audit" / "audit.jsonl").exists()


def test_row_missing_from_sheet_keeps_the_procedure(
    kb_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = tmp_path / "kb.xlsx"
    run(capsys, "--dir", str(kb_dir), "export", "--xlsx", str(sheet))
    book = openpyxl.load_workbook(sheet)
    for name in book.sheetnames[1:]:
        ws = book[name]
        for row in range(ws.max_row, 1, -1):
            if ws.cell(row, 1).value == "so-do":
                ws.delete_rows(row)
    book.save(sheet)
    code, _, err = run(capsys, "--dir", str(kb_dir), "import", "--xlsx", str(sheet), "--by", "lan")
    assert code == 0
    assert "Not in the sheet, kept (use --delete-missing to delete): so-do" in err
    assert (kb_dir / "so-do.yml").exists()


def test_rollback_needs_a_name(kb_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--dir", str(kb_dir), "rollback", "thuong-tru", "0"])
    assert "--by" in capsys.readouterr().err


def test_unverified_lists_what_the_assistant_flags(kb_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--dir", str(kb_dir), "unverified")
    assert code == 0
    lines = out.strip().splitlines()
    assert "khai-sinh                        steps" in lines
    assert any(line.startswith("so-do ") and "fees" in line and "legal_basis" in line for line in lines)
    assert not any(line.startswith("khai-sinh ") and "fees" in line for line in lines)  # verified
    assert lines[-1] == "23 of 23 procedures have unverified fact groups"


def test_stale_lists_old_records(kb_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--dir", str(kb_dir), "stale", "--days", "30", "--today", "2027-01-01")
    assert code == 4
    assert "2026-11-22     40 days  khai-sinh" in out
    assert out.strip().endswith("23 of 23 procedures not verified for more than 30 days")
    code, out, _ = run(capsys, "--dir", str(kb_dir), "stale", "--days", "60", "--today", "2027-01-01")
    assert code == 0
    assert out.strip() == "0 of 23 procedures not verified for more than 60 days"
