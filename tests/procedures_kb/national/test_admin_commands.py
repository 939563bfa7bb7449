"""The admins' commands with imported records beside the editors' ones: the spreadsheet carries
the editors' records only, and the review lists leave the unreviewed imports out unless asked."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Dict, Tuple

import openpyxl
import pytest
import yaml

from procedures_kb.cli import main
from tests.procedures_kb.conftest import MINIMAL


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "data"
    (directory / "national").mkdir(parents=True)
    (directory / "thu-tuc-mau.yml").write_text(yaml.safe_dump(MINIMAL, allow_unicode=True), encoding="utf-8")
    imported: Dict[str, Any] = copy.deepcopy(MINIMAL)
    imported.update(id="tthc-1-004194", title="Đăng ký tạm trú", aliases=[], imported_from="national-tthc-2026-06")
    imported["provenance"] = {"fees": {"verified": False, "sources": ["tt-75"]}}
    (directory / "national" / "tthc-1-004194.json").write_text(json.dumps(imported, ensure_ascii=False), "utf-8")
    return directory


def run(capsys: pytest.CaptureFixture[str], *args: str) -> Tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_spreadsheet_holds_the_editors_records(
    kb_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = tmp_path / "kb.xlsx"
    code, out, err = run(capsys, "--dir", str(kb_dir), "export", "--xlsx", str(sheet))
    assert code == 0
    assert out.strip() == f"Wrote 1 procedures to {sheet}"
    assert "1 imported records of national/" in err
    ids = [row[0] for row in openpyxl.load_workbook(sheet)["procedures"].iter_rows(min_row=2, values_only=True)]
    assert ids == ["thu-tuc-mau"]
    code, out, _ = run(capsys, "--dir", str(kb_dir), "import", "--xlsx", str(sheet), "--by", "lan", "--delete-missing")
    assert (code, out.strip()) == (0, "No change: the spreadsheet matches the knowledge base.")
    assert (kb_dir / "national" / "tthc-1-004194.json").is_file()  # not deleted as "missing from the sheet"


def test_review_lists_leave_out_unreviewed_imports_unless_asked(
    kb_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "--dir", str(kb_dir), "stale", "--days", "30", "--today", "2027-01-01")
    assert (code, out.strip().splitlines()[-1]) == (4, "1 of 1 procedures not verified for more than 30 days")
    assert "tthc-1-004194" not in out and "1 imported records not reviewed yet" in err
    code, out, _ = run(capsys, "--dir", str(kb_dir), "stale", "--days", "30", "--today", "2027-01-01", "--imported")
    assert "tthc-1-004194" in out and out.strip().endswith("2 of 2 procedures not verified for more than 30 days")
    _, out, _ = run(capsys, "--dir", str(kb_dir), "unverified", "--imported")
    assert "tthc-1-004194" in out and out.strip().endswith("2 of 2 procedures have unverified fact groups")
