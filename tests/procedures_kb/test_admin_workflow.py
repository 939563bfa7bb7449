"""An admin's day through the CLI: export, edit in a spreadsheet, import, check, roll back."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Tuple

import openpyxl
import pytest

from procedures_kb import KnowledgeBase, cli
from procedures_kb.audit import AuditLog
from procedures_kb.cli import main
from procedures_kb.loader import to_yaml
from procedures_kb.xlsx import SHEETS, export_xlsx


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
        if name == "_kb_version":  # very hidden: Excel does not show it
            continue
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
    # The groups beyond the first six are listed only where the record holds them.
    assert "khai-sinh                        steps, conditions" in lines
    assert any(line.startswith("so-do ") and "fees" in line and "legal_basis" in line for line in lines)
    assert not any(line.startswith("khai-sinh ") and "fees" in line for line in lines)  # verified
    assert lines[-1] == "23 of 23 procedures have unverified fact groups"


def test_stale_lists_old_records(kb_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--dir", str(kb_dir), "stale", "--days", "30", "--today", "2027-01-01")
    assert code == 4
    assert "2026-11-22     40 days  khai-sinh" in out
    assert out.strip().endswith("15 of 23 procedures not verified for more than 30 days")
    code, out, _ = run(capsys, "--dir", str(kb_dir), "stale", "--days", "60", "--today", "2027-01-01")
    assert code == 0
    assert out.strip() == "0 of 23 procedures not verified for more than 60 days"


# -- an export knows the KB version it was made from ------------------------------


def export(capsys: pytest.CaptureFixture[str], kb_dir: Path, sheet: Path) -> None:
    assert run(capsys, "--dir", str(kb_dir), "export", "--xlsx", str(sheet))[0] == 0


def import_(capsys: pytest.CaptureFixture[str], kb_dir: Path, sheet: Path, by: str, *more: str) -> Tuple[int, str, str]:
    return run(capsys, "--dir", str(kb_dir), "import", "--xlsx", str(sheet), "--by", by, *more)


def fee(kb_dir: Path, procedure_id: str, kind: str = "in_person") -> object:
    procedure = KnowledgeBase.load(kb_dir).get(procedure_id)
    return next(c for c in procedure.channels if c.kind.value == kind).fees[0].amount


def drop_rows(sheet_path: Path, procedure_id: str) -> None:
    book = openpyxl.load_workbook(sheet_path)
    for name in book.sheetnames:
        ws = book[name]
        if name in ("README", "_kb_version"):
            continue
        for row in range(ws.max_row, 1, -1):
            if ws.cell(row, 1).value == procedure_id:
                ws.delete_rows(row)
    book.save(sheet_path)


def audit_path(kb_dir: Path) -> Path:
    return kb_dir.parent / "audit" / "audit.jsonl"


def test_an_old_export_without_a_version_is_refused(
    kb_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = tmp_path / "cu.xlsx"
    export_xlsx(
        [p for p in KnowledgeBase.load(kb_dir).all() if not p.imported_from], sheet
    )  # as the program wrote it before versions
    set_fee(sheet, "thuong-tru", "in_person", 25000)
    before = snapshot(kb_dir)

    code, _, err = import_(capsys, kb_dir, sheet, "lan")

    assert code == 1
    assert (
        "cu.xlsx: tệp không ghi phiên bản kho thủ tục lúc xuất (xuất bằng chương trình cũ?); "
        "hãy xuất lại tệp mới bằng lệnh export rồi sửa trên tệp đó" in err
    )
    assert snapshot(kb_dir) == before
    assert not audit_path(kb_dir).exists()


def test_an_export_records_the_kb_version_in_a_hidden_sheet(
    kb_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = tmp_path / "kb.xlsx"
    export(capsys, kb_dir, sheet)
    book = openpyxl.load_workbook(sheet)
    assert book.sheetnames[-1] == "_kb_version"
    assert book["_kb_version"].sheet_state == "veryHidden"
    assert book.sheetnames[:-1] == ["README", *(s.name for s in SHEETS)]


def test_someone_elses_change_to_the_same_procedure_is_not_reverted(
    kb_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lan, binh = tmp_path / "lan.xlsx", tmp_path / "binh.xlsx"
    export(capsys, kb_dir, lan)
    export(capsys, kb_dir, binh)
    set_fee(binh, "thuong-tru", "in_person", 30000)
    assert import_(capsys, kb_dir, binh, "Bình")[0] == 0
    set_fee(lan, "thuong-tru", "in_person", 25000)
    before, log_before = snapshot(kb_dir), audit_path(kb_dir).read_bytes()

    code, out, err = import_(capsys, kb_dir, lan, "Lan")

    assert code == 1
    assert out == ""
    assert "Không nhập gì: tệp lan.xlsx được xuất lúc " in err
    assert "thủ tục thuong-tru: Bình (" in err
    assert "đã sửa thủ tục này sau khi tệp được xuất, và tệp cũng sửa nó" in err
    assert "hãy xuất lại tệp mới rồi sửa lại các thủ tục trên" in err
    assert snapshot(kb_dir) == before
    assert audit_path(kb_dir).read_bytes() == log_before
    assert fee(kb_dir, "thuong-tru") == 30000


def test_changes_to_different_procedures_are_merged(
    kb_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lan, binh = tmp_path / "lan.xlsx", tmp_path / "binh.xlsx"
    export(capsys, kb_dir, lan)
    export(capsys, kb_dir, binh)
    set_fee(binh, "tam-tru", "in_person", 9000)
    assert import_(capsys, kb_dir, binh, "Bình")[0] == 0
    set_fee(lan, "thuong-tru", "in_person", 25000)

    code, out, err = import_(capsys, kb_dir, lan, "Lan")

    assert code == 0, err
    assert out.strip() == "thuong-tru: version 0 -> 1 (1 changes)"
    assert "Changed in the knowledge base since the export, kept as they are now: tam-tru" in err
    assert fee(kb_dir, "thuong-tru") == 25000
    assert fee(kb_dir, "tam-tru") == 9000  # Bình's change is still there


def test_the_same_change_on_both_sides_is_no_conflict(
    kb_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lan, binh = tmp_path / "lan.xlsx", tmp_path / "binh.xlsx"
    export(capsys, kb_dir, lan)
    export(capsys, kb_dir, binh)
    set_fee(binh, "thuong-tru", "in_person", 25000)
    set_fee(lan, "thuong-tru", "in_person", 25000)
    assert import_(capsys, kb_dir, binh, "Bình")[0] == 0

    code, out, _ = import_(capsys, kb_dir, lan, "Lan")

    assert code == 0
    assert out.strip() == "No change: the spreadsheet matches the knowledge base."


def test_delete_missing_keeps_procedures_added_after_the_export(
    kb_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lan = tmp_path / "lan.xlsx"
    export(capsys, kb_dir, lan)
    new_record = (
        KnowledgeBase.load(kb_dir)
        .get("tam-tru")
        .copy(update={"id": "tam-tru-moi", "title": "Thủ tục thêm sau", "aliases": ["thủ tục thêm sau"]})
    )
    AuditLog.for_kb(kb_dir).record_change(kb_dir, {"tam-tru-moi": to_yaml(new_record)}, by="Bình")
    drop_rows(lan, "so-do")

    code, out, err = import_(capsys, kb_dir, lan, "Lan", "--delete-missing")

    assert code == 0, err
    assert out.strip().startswith("so-do: version 0 -> None (")
    assert "Added to the knowledge base after the export, kept: tam-tru-moi" in err
    assert (kb_dir / "tam-tru-moi.yml").exists()
    assert not (kb_dir / "so-do.yml").exists()


def test_delete_missing_never_deletes_a_procedure_changed_after_the_export(
    kb_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lan, binh = tmp_path / "lan.xlsx", tmp_path / "binh.xlsx"
    export(capsys, kb_dir, lan)
    export(capsys, kb_dir, binh)
    set_fee(binh, "tam-tru", "in_person", 9000)
    assert import_(capsys, kb_dir, binh, "Bình")[0] == 0
    drop_rows(lan, "tam-tru")
    before = snapshot(kb_dir)

    code, _, err = import_(capsys, kb_dir, lan, "Lan", "--delete-missing")

    assert code == 1
    assert "procedures: thủ tục tam-tru: Bình (" in err
    assert "không còn trong tệp nên sẽ bị xóa (--delete-missing)" in err
    assert snapshot(kb_dir) == before


def test_a_version_sheet_edited_by_hand_is_refused(
    kb_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = tmp_path / "kb.xlsx"
    export(capsys, kb_dir, sheet)
    book = openpyxl.load_workbook(sheet)
    stamp = book["_kb_version"]
    stamp.cell(stamp.max_row, 2).value = "0" * 64
    book.save(sheet)

    code, _, err = import_(capsys, kb_dir, sheet, "lan")

    assert code == 1
    assert "_kb_version: thông tin phiên bản bị sửa hoặc hỏng; hãy xuất lại tệp mới" in err


def test_a_change_landing_while_the_import_runs_is_not_overwritten(
    kb_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    lan = tmp_path / "lan.xlsx"
    export(capsys, kb_dir, lan)
    set_fee(lan, "thuong-tru", "in_person", 25000)
    theirs = (kb_dir / "thuong-tru.yml").read_text(encoding="utf-8").replace("20000", "30000")
    planned = cli.plan_import

    def plan_then_someone_writes(*args: Any, **kwargs: Any) -> Any:
        plan = planned(*args, **kwargs)
        AuditLog.for_kb(kb_dir).record_change(kb_dir, {"thuong-tru": theirs}, by="Bình")
        return plan

    monkeypatch.setattr(cli, "plan_import", plan_then_someone_writes)
    code, _, err = import_(capsys, kb_dir, lan, "Lan")

    assert code == 1
    assert "Không nhập gì: thủ tục thuong-tru vừa bị thay đổi trong lúc nhập; hãy chạy lại lệnh import." in err
    assert (kb_dir / "thuong-tru.yml").read_text(encoding="utf-8") == theirs
