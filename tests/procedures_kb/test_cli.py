"""The admin's command line: validate, search, show."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from procedures_kb import KnowledgeBase
from procedures_kb.audit import AuditLog, os_user
from procedures_kb.cli import main
from procedures_kb.loader import to_yaml


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


# -- the audit log -----------------------------------------------------------------


def changed_fee(kb_dir: Path, procedure_id: str, amount: int) -> str:
    record = KnowledgeBase.load(kb_dir).get(procedure_id)
    channel = record.channels[0]
    fees = [channel.fees[0].copy(update={"amount": amount}), *channel.fees[1:]]
    channels = [channel.copy(update={"fees": fees}), *record.channels[1:]]
    return to_yaml(record.copy(update={"channels": channels}))


@pytest.fixture
def logged(kb_copy: Path) -> AuditLog:
    """A KB copy with three logged changes."""
    audit = AuditLog.for_kb(kb_copy)
    for by, amount in (("an", 21000), ("binh", 22000), ("chi", 23000)):
        audit.record_change(kb_copy, {"thuong-tru": changed_fee(kb_copy, "thuong-tru", amount)}, by=by)
    return audit


def edit_line(audit: AuditLog, number: int, old: bytes, new: bytes) -> None:
    lines = audit.path.read_bytes().split(b"\n")
    lines[number - 1] = lines[number - 1].replace(old, new)
    audit.path.write_bytes(b"\n".join(lines))


def test_audit_verify_passes_an_intact_log(kb_copy: Path, logged: AuditLog, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--dir", str(kb_copy), "audit-verify"]) == 0
    head = hashlib.sha256(logged.path.read_bytes().splitlines()[-1]).hexdigest()
    assert capsys.readouterr().out.strip() == f"OK: 3 entries in {logged.path}, chain intact; last entry sha256 {head}"


def test_audit_verify_fails_on_an_edited_entry(
    kb_copy: Path, logged: AuditLog, capsys: pytest.CaptureFixture[str]
) -> None:
    edit_line(logged, 2, b'"by": "binh"', b'"by": "ai-do"')
    assert main(["--dir", str(kb_copy), "audit-verify"]) == 5
    err = capsys.readouterr().err
    assert "line 3: does not follow line 2" in err
    assert err.strip().endswith("Audit log broken: 1 problem(s).")


def test_audit_verify_checks_a_head_noted_earlier(
    kb_copy: Path, logged: AuditLog, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = logged.path.read_bytes().splitlines()
    head = hashlib.sha256(lines[-1]).hexdigest()
    assert main(["--dir", str(kb_copy), "audit-verify", "--expect-head", head]) == 0
    logged.path.write_bytes(b"\n".join(lines[:-1]) + b"\n")  # the last entry removed: the chain alone cannot tell
    capsys.readouterr()
    assert main(["--dir", str(kb_copy), "audit-verify", "--expect-head", head]) == 5
    assert f"no entry has sha256 {head}: the log was cut or rewritten after it" in capsys.readouterr().err


def test_audit_verify_works_when_the_kb_does_not_load(
    kb_copy: Path, logged: AuditLog, capsys: pytest.CaptureFixture[str]
) -> None:
    (kb_copy / "hong.yml").write_text("title: [", encoding="utf-8")
    assert main(["--dir", str(kb_copy), "audit-verify"]) == 0


def test_history_reports_broken_lines_with_their_numbers(
    kb_copy: Path, logged: AuditLog, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = logged.path.read_bytes().split(b"\n")
    lines[1] = b"rac"
    logged.path.write_bytes(b"\n".join(lines))

    assert main(["--dir", str(kb_copy), "history", "thuong-tru"]) == 5
    out, err = capsys.readouterr()
    assert [line.split()[1] for line in out.splitlines() if not line.startswith(" ")] == ["an", "chi"]
    assert "audit log line 2: unreadable (not a JSON object)" in err
    assert "audit log line 3: does not follow line 2" in err


def test_history_shows_the_operating_system_user(
    kb_copy: Path, logged: AuditLog, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--dir", str(kb_copy), "history"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert f" an [{os_user()}] " in first


def test_rollback_of_a_tampered_version_is_refused(
    kb_copy: Path, logged: AuditLog, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = logged.audit_dir / "versions" / "thuong-tru" / "000001.yml"
    saved.write_text(saved.read_text(encoding="utf-8").replace("21000", "1"), encoding="utf-8")
    assert main(["--dir", str(kb_copy), "rollback", "thuong-tru", "1", "--by", "lan"]) == 5
    assert "saved version 1 of 'thuong-tru' does not match the sha256" in capsys.readouterr().err
