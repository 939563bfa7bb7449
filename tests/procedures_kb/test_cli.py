"""The admin's command line: validate, search, show."""

from __future__ import annotations

from pathlib import Path

import pytest

from procedures_kb.cli import main


def test_validate_ok(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate"]) == 0
    assert capsys.readouterr().out.startswith("OK: ")


def test_validate_reports_problems_and_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "hong.yml").write_text("title: [", encoding="utf-8")
    assert main(["--dir", str(tmp_path), "validate"]) == 1
    err = capsys.readouterr().err
    assert "1 problem(s) in the knowledge base" in err
    assert "hong.yml: line 1" in err


def test_search_prints_the_match(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "lam giay khai sinh"]) == 0
    assert capsys.readouterr().out.startswith("match: khai-sinh (Đăng ký khai sinh)")


def test_search_without_match(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "thời tiết hôm nay"]) == 3
    assert capsys.readouterr().out.startswith("no match")


def test_show_prints_the_record(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "thuong-tru"]) == 0
    out = capsys.readouterr().out
    assert "title: Đăng ký thường trú" in out
    assert "amount: 20000" in out


def test_show_unknown_id(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "khong-co"]) == 2
    assert "no procedure with id 'khong-co'" in capsys.readouterr().err
