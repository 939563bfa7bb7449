"""Every admin change is validated first, logged (who, when, what) and can be rolled back to exact bytes."""

from __future__ import annotations

import copy
import datetime as dt
import getpass
import hashlib
import json
import logging
import os
import pwd
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import pytest
import yaml

from procedures_kb.audit import GENESIS, AuditLog, NoChange, UnknownVersion, os_user
from procedures_kb.errors import AuditLogBroken, ConcurrentChange, InvalidKnowledgeBase, UnknownProcedure
from procedures_kb.loader import DATA_DIR, load_records
from tests.procedures_kb.conftest import MINIMAL

A, B = "thu-tuc-mau", "thu-tuc-khac"


def make(procedure_id: str = A, title: str = "Thủ tục mẫu", alias: str = "giấy mẫu", amount: Any = 15000) -> str:
    record: Dict[str, Any] = copy.deepcopy(MINIMAL)
    record.update(id=procedure_id, title=title, aliases=[alias])
    record["channels"][0]["fees"][0]["amount"] = amount
    return yaml.safe_dump(record, allow_unicode=True, sort_keys=False)


ORIGINAL_A = make() + "# ghi chú của admin: giữ nguyên từng byte\n"


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    directory = tmp_path / "data"
    directory.mkdir()
    (directory / f"{A}.yml").write_text(ORIGINAL_A, encoding="utf-8")
    (directory / f"{B}.yml").write_text(make(B, "Thủ tục khác", "giấy khác", 30000), encoding="utf-8")
    return directory


@pytest.fixture
def audit(kb: Path) -> AuditLog:
    return AuditLog.for_kb(kb)


def snapshot(root: Path) -> Dict[str, bytes]:
    """Every file under root (KB, log and version store) with its bytes."""
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def log_lines(audit: AuditLog) -> List[Dict[str, Any]]:
    return [json.loads(line) for line in audit.path.read_text(encoding="utf-8").splitlines()]


def test_log_lives_next_to_the_kb_by_default(kb: Path, tmp_path: Path) -> None:
    assert AuditLog.for_kb(kb).path == tmp_path / "audit" / "audit.jsonl"


def test_edit_changes_the_file_and_logs_who_when_what(kb: Path, audit: AuditLog) -> None:
    new_text = make(amount=25000)
    [entry] = audit.record_change(kb, {A: new_text}, by="lan.nguyen", reason="Thông tư mới")

    assert (kb / f"{A}.yml").read_text(encoding="utf-8") == new_text
    [line] = log_lines(audit)
    assert line == json.loads(entry.to_json())
    assert (line["by"], line["action"], line["procedure_id"], line["reason"]) == (
        "lan.nguyen",
        "edit",
        A,
        "Thông tư mới",
    )
    assert line["changes"] == [{"path": "channels[0].fees[0].amount", "old": 15000, "new": 25000}]
    assert (line["from_version"], line["to_version"]) == (0, 1)
    when = dt.datetime.fromisoformat(line["ts"])
    assert when.utcoffset() == dt.timedelta(0)
    assert abs(dt.datetime.now(dt.timezone.utc) - when) < dt.timedelta(minutes=1)


def test_edit_of_the_shipped_data(tmp_path: Path) -> None:
    kb = tmp_path / "data"
    kb.mkdir()
    for path in DATA_DIR.glob("*.yml"):
        (kb / path.name).write_bytes(path.read_bytes())
    old = load_records(kb)["thuong-tru"].last_verified
    raw = yaml.safe_load((kb / "thuong-tru.yml").read_text(encoding="utf-8"))
    raw["last_verified"] = dt.date(2030, 1, 2)
    new_text = yaml.safe_dump(raw, allow_unicode=True, sort_keys=False)

    [entry] = AuditLog.for_kb(kb).record_change(kb, {"thuong-tru": new_text}, by="an")

    assert entry.changes == [{"path": "last_verified", "old": old.isoformat(), "new": "2030-01-02"}]
    assert load_records(kb)["thuong-tru"].last_verified == dt.date(2030, 1, 2)


INVALID: Dict[str, Callable[[], Dict[str, str]]] = {
    "amount as text": lambda: {A: make(amount="20.000")},
    "alias of another procedure": lambda: {A: make(alias="giấy khác")},
    "malformed YAML": lambda: {A: "title: [\n"},
    "invalid new procedure": lambda: {"moi": make("moi", "Thủ tục mới", "giấy mới", "15.000")},
}


@pytest.mark.parametrize("change", INVALID.values(), ids=INVALID.keys())
def test_invalid_change_writes_nothing(
    change: Callable[[], Dict[str, str]], kb: Path, audit: AuditLog, tmp_path: Path
) -> None:
    audit.record_change(kb, {B: make(B, "Thủ tục khác", "giấy khác", 35000)}, by="an")
    before = snapshot(tmp_path)

    with pytest.raises(InvalidKnowledgeBase) as caught:
        audit.record_change(kb, change(), by="an")

    assert caught.value.problems
    assert snapshot(tmp_path) == before


def test_invalid_change_names_the_field(kb: Path, audit: AuditLog) -> None:
    with pytest.raises(InvalidKnowledgeBase) as caught:
        audit.record_change(kb, {A: make(amount="20.000")}, by="an")
    assert [str(p) for p in caught.value.problems] == [
        f"{A}.yml: channels[0].fees[0].amount: value is not a valid integer"
    ]


def test_a_change_set_is_validated_as_a_whole(kb: Path, audit: AuditLog) -> None:
    """Moving an alias from one procedure to another is only valid if both files change together."""
    moved = {A: make(alias="giấy mẫu cũ"), B: make(B, "Thủ tục khác", "giấy mẫu", 30000)}
    entries = audit.record_change(kb, moved, by="an", reason="chuyển tên gọi")
    assert [e.procedure_id for e in entries] == [A, B]
    assert entries[0].changes == [{"path": "aliases[0]", "old": "giấy mẫu", "new": "giấy mẫu cũ"}]
    assert len({e.ts for e in entries}) == 1
    assert set(load_records(kb)) == {A, B}


def test_rollback_restores_exact_bytes_and_is_logged(kb: Path, audit: AuditLog) -> None:
    audit.record_change(kb, {A: make(amount=25000)}, by="an")
    entry = audit.rollback(kb, A, 0, by="binh", reason="nhập nhầm")

    assert (kb / f"{A}.yml").read_text(encoding="utf-8") == ORIGINAL_A
    assert (entry.action, entry.by, entry.from_version, entry.to_version) == ("rollback", "binh", 1, 2)
    assert entry.reason == "rollback to version 0: nhập nhầm"
    assert entry.changes == [{"path": "channels[0].fees[0].amount", "old": 25000, "new": 15000}]
    assert audit.history(A)[-1] == entry
    assert audit.versions(A) == [0, 1, 2]
    assert audit.version_text(A, 1) == make(amount=25000)


def test_rollback_to_unknown_version_is_a_clear_error(kb: Path, audit: AuditLog, tmp_path: Path) -> None:
    audit.record_change(kb, {A: make(amount=25000)}, by="an")
    before = snapshot(tmp_path)
    with pytest.raises(UnknownVersion, match=r"no saved version 7 \(saved versions: 0, 1\)"):
        audit.rollback(kb, A, 7, by="an")
    with pytest.raises(NoChange):
        audit.rollback(kb, A, 1, by="an")
    assert snapshot(tmp_path) == before


def test_history_filters_by_procedure(kb: Path, audit: AuditLog) -> None:
    audit.record_change(kb, {A: make(amount=20000)}, by="an")
    audit.record_change(kb, {B: make(B, "Thủ tục khác", "giấy khác", 40000)}, by="binh")
    audit.record_change(kb, {A: make(amount=21000)}, by="chi")

    assert [(e.procedure_id, e.by) for e in audit.history()] == [(A, "an"), (B, "binh"), (A, "chi")]
    assert [e.by for e in audit.history(A)] == ["an", "chi"]
    assert audit.history("khong-co") == []


def test_create_and_delete_are_logged(kb: Path, audit: AuditLog) -> None:
    text = make("moi", "Thủ tục mới", "giấy mới")
    [created] = audit.record_change(kb, {"moi": text}, by="an")
    [deleted] = audit.record_change(kb, {"moi": None}, by="binh", reason="trùng")

    assert (created.action, created.from_version, created.to_version) == ("create", None, 0)
    assert {"path": "title", "old": None, "new": "Thủ tục mới"} in created.changes
    assert (deleted.action, deleted.from_version, deleted.to_version) == ("delete", 0, None)
    assert not (kb / "moi.yml").exists()
    assert [e.action for e in audit.history("moi")] == ["create", "delete"]

    audit.rollback(kb, "moi", 0, by="an")
    assert (kb / "moi.yml").read_text(encoding="utf-8") == text
    with pytest.raises(UnknownProcedure):
        audit.record_change(kb, {"khong-co": None}, by="an")


@pytest.mark.parametrize("by", ["", "   "])
def test_a_change_must_say_who_made_it(by: str, kb: Path, audit: AuditLog, tmp_path: Path) -> None:
    before = snapshot(tmp_path)
    with pytest.raises(ValueError, match="who made it"):
        audit.record_change(kb, {A: make(amount=25000)}, by=by)
    with pytest.raises(ValueError, match="who made it"):
        audit.rollback(kb, A, 0, by=by)
    assert snapshot(tmp_path) == before


def test_unchanged_text_is_not_logged(kb: Path, audit: AuditLog) -> None:
    assert audit.record_change(kb, {A: ORIGINAL_A}, by="an") == []
    assert not audit.path.exists()


def test_procedure_id_cannot_leave_the_kb(kb: Path, audit: AuditLog) -> None:
    with pytest.raises(ValueError, match="not a procedure id"):
        audit.record_change(kb, {"../thoat": make()}, by="an")


def test_log_is_append_only(kb: Path, audit: AuditLog) -> None:
    audit.record_change(kb, {A: make(amount=20000)}, by="an")
    first = audit.path.read_bytes()
    audit.record_change(kb, {B: make(B, "Thủ tục khác", "giấy khác", 40000)}, by="binh")
    audit.rollback(kb, A, 0, by="chi")

    after = audit.path.read_bytes()
    assert after.startswith(first)
    assert len(after.splitlines()) == 3


def test_hand_edit_outside_the_log_is_kept_as_a_version(
    kb: Path, audit: AuditLog, caplog: pytest.LogCaptureFixture
) -> None:
    audit.record_change(kb, {A: make(amount=20000)}, by="an")
    (kb / f"{A}.yml").write_text(make(amount=99000), encoding="utf-8")

    with caplog.at_level(logging.WARNING, logger="procedures_kb.audit"):
        [entry] = audit.record_change(kb, {A: make(amount=21000)}, by="an")

    assert (entry.from_version, entry.to_version) == (2, 3)
    assert audit.version_text(A, 2) == make(amount=99000)
    assert "changed outside the audit log" in caplog.text


def test_truncated_last_line_is_skipped_and_reported(
    kb: Path, audit: AuditLog, caplog: pytest.LogCaptureFixture
) -> None:
    audit.record_change(kb, {A: make(amount=20000)}, by="an")
    with audit.path.open("ab") as handle:
        handle.write(b'{"ts": "2026-11-22T10:00:00+00:00", "by": "bi')  # a crash mid-write

    with caplog.at_level(logging.WARNING, logger="procedures_kb.audit"):
        assert [e.by for e in audit.history()] == ["an"]
    assert "line 2: truncated last line (a crash while writing?); skipped" in caplog.text

    audit.record_change(kb, {A: make(amount=21000)}, by="chi")
    assert [e.by for e in audit.history()] == ["an", "chi"]


# -- who, and a hash chain -----------------------------------------------------------


def sha(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def rewrite_line(audit: AuditLog, number: int, change: Callable[[Dict[str, Any]], Optional[Dict[str, Any]]]) -> None:
    """Edit (or, when change returns None, remove) one line of the log by hand."""
    lines = audit.path.read_bytes().splitlines()
    data = change(json.loads(lines[number - 1]))
    if data is None:
        del lines[number - 1]
    else:
        lines[number - 1] = json.dumps(data, ensure_ascii=False).encode("utf-8")
    audit.path.write_bytes(b"\n".join(lines) + b"\n")


def three_changes(kb: Path, audit: AuditLog) -> None:
    audit.record_change(kb, {A: make(amount=20000)}, by="an")
    audit.record_change(kb, {B: make(B, "Thủ tục khác", "giấy khác", 40000)}, by="binh")
    audit.record_change(kb, {A: make(amount=21000)}, by="chi")


def test_an_entry_records_the_operating_system_user(kb: Path, tmp_path: Path) -> None:
    audit = AuditLog(tmp_path / "audit" / "audit.jsonl", whoami=lambda: "lan.nguyen")
    [entry] = audit.record_change(kb, {A: make(amount=25000)}, by="Nguyễn Lan")
    assert (entry.by, entry.os_user) == ("Nguyễn Lan", "lan.nguyen")
    assert log_lines(audit)[0]["os_user"] == "lan.nguyen"


def test_the_operating_system_user_is_the_account_running_the_program(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SUDO_USER", raising=False)
    monkeypatch.setenv("USER", "gia-mao")  # the environment is not asked first
    monkeypatch.setenv("LOGNAME", "gia-mao")
    assert os_user() == pwd.getpwuid(os.getuid()).pw_name


def test_the_operating_system_user_falls_back_safely(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_account(uid: int) -> Any:
        raise KeyError(uid)

    def no_login() -> str:
        raise OSError("no login name")

    monkeypatch.delenv("SUDO_USER", raising=False)
    monkeypatch.setattr(pwd, "getpwuid", no_account)
    monkeypatch.setattr(getpass, "getuser", lambda: "lan")
    assert os_user() == "lan"
    monkeypatch.setattr(getpass, "getuser", no_login)
    assert os_user() == f"uid {os.getuid()}"
    monkeypatch.setenv("SUDO_USER", "lan")
    assert os_user() == f"uid {os.getuid()} (sudo from lan)"


def test_each_entry_holds_the_hash_of_the_line_before(kb: Path, audit: AuditLog) -> None:
    audit.record_change(kb, {A: make(amount=20000), B: make(B, "Thủ tục khác", "giấy khác", 40000)}, by="an")
    audit.rollback(kb, A, 0, by="binh")

    raw = audit.path.read_bytes().splitlines()
    lines = [json.loads(line) for line in raw]
    assert lines[0]["prev"] == GENESIS == "0" * 64
    assert [line["prev"] for line in lines[1:]] == [sha(line) for line in raw[:-1]]
    assert lines[0]["to_sha256"] == sha(make(amount=20000).encode("utf-8"))
    assert lines[0]["from_sha256"] == sha(ORIGINAL_A.encode("utf-8"))
    reading = audit.read()
    assert reading.problems == []
    assert reading.head == sha(raw[-1])


def test_an_edited_entry_is_reported_with_its_line_number(kb: Path, audit: AuditLog) -> None:
    three_changes(kb, audit)
    rewrite_line(audit, 2, lambda data: {**data, "by": "ai-do"})

    assert [str(problem) for problem in audit.read().problems] == [
        "line 3: does not follow line 2 (the hash it records differs): line 2 was edited, "
        "or entries between them were removed"
    ]
    assert [entry.by for entry in audit.history()] == ["an", "ai-do", "chi"]  # still readable


@pytest.mark.parametrize(("removed", "reported"), [(2, 2), (1, 1)])
def test_a_removed_entry_is_reported_with_its_line_number(
    removed: int, reported: int, kb: Path, audit: AuditLog
) -> None:
    three_changes(kb, audit)
    rewrite_line(audit, removed, lambda data: None)

    [problem] = audit.read().problems
    assert problem.line == reported
    assert problem.breaks_chain


def test_an_unreadable_line_is_reported_not_skipped(
    kb: Path, audit: AuditLog, caplog: pytest.LogCaptureFixture
) -> None:
    three_changes(kb, audit)
    lines = audit.path.read_bytes().splitlines()
    lines[1] = b"{not json"
    audit.path.write_bytes(b"\n".join(lines) + b"\n")

    with caplog.at_level(logging.WARNING, logger="procedures_kb.audit"):
        assert [entry.by for entry in audit.history()] == ["an", "chi"]
    problems = [str(problem) for problem in audit.read().problems]
    assert problems[0] == "line 2: unreadable (not a JSON object)"
    assert problems[1].startswith("line 3: does not follow line 2")
    assert "line 2: unreadable" in caplog.text


def test_old_entries_without_a_hash_stay_readable_and_the_chain_starts_after_them(kb: Path, audit: AuditLog) -> None:
    old = {"ts": "2026-01-02T03:04:05+00:00", "by": "cu", "action": "edit", "procedure_id": B}
    old_line = json.dumps({**old, "from_version": 0, "to_version": 1, "reason": "", "changes": []})
    audit.audit_dir.mkdir(parents=True)
    audit.path.write_text(old_line + "\n", encoding="utf-8")

    audit.record_change(kb, {A: make(amount=20000)}, by="an")

    first = audit.history()[0]
    assert (first.by, first.os_user, first.prev) == ("cu", "", None)
    assert log_lines(audit)[1]["prev"] == sha(old_line.encode("utf-8"))
    assert audit.read().problems == []

    with audit.path.open("a", encoding="utf-8") as handle:  # an unchained line after chained ones
        handle.write(old_line + "\n")
    assert [str(problem) for problem in audit.read().problems] == [
        "line 3: has no chain hash after chained entries: written by hand or by an old program"
    ]


def test_rollback_refuses_a_saved_version_changed_afterwards(kb: Path, audit: AuditLog, tmp_path: Path) -> None:
    audit.record_change(kb, {A: make(amount=25000)}, by="an")
    (audit.audit_dir / "versions" / A / "000000.yml").write_text(make(amount=1), encoding="utf-8")
    before = snapshot(tmp_path)

    with pytest.raises(AuditLogBroken, match=r"saved version 0 of 'thu-tuc-mau' does not match the sha256 "):
        audit.rollback(kb, A, 0, by="binh")
    assert snapshot(tmp_path) == before


def test_rollback_refuses_when_the_chain_is_broken(kb: Path, audit: AuditLog, tmp_path: Path) -> None:
    three_changes(kb, audit)
    rewrite_line(audit, 1, lambda data: {**data, "by": "ai-do"})
    before = snapshot(tmp_path)

    with pytest.raises(AuditLogBroken, match=r"line 2: does not follow line 1"):
        audit.rollback(kb, A, 0, by="binh")
    assert snapshot(tmp_path) == before


def test_rollback_refuses_a_version_with_no_recorded_hash(kb: Path, audit: AuditLog, tmp_path: Path) -> None:
    audit.record_change(kb, {A: make(amount=25000)}, by="an")
    hashed = ("prev", "from_sha256", "to_sha256", "os_user")
    rewrite_line(audit, 1, lambda data: {key: value for key, value in data.items() if key not in hashed})
    before = snapshot(tmp_path)

    with pytest.raises(AuditLogBroken, match=r"no sha256 of version 0 of 'thu-tuc-mau' is recorded"):
        audit.rollback(kb, A, 0, by="binh")
    assert snapshot(tmp_path) == before


def test_a_change_made_meanwhile_is_not_overwritten(kb: Path, audit: AuditLog, tmp_path: Path) -> None:
    seen = {A: sha(ORIGINAL_A.encode("utf-8")), "moi": None}
    audit.record_change(kb, {A: make(amount=21000)}, by="binh")  # after the caller looked
    before = snapshot(tmp_path)

    with pytest.raises(ConcurrentChange) as caught:
        audit.record_change(kb, {A: make(amount=25000)}, by="lan", expected=seen)

    assert caught.value.procedure_ids == [A]
    assert snapshot(tmp_path) == before
    new = make("moi", "Thủ tục mới", "giấy mới")
    assert [e.procedure_id for e in audit.record_change(kb, {"moi": new}, by="lan", expected=seen)] == ["moi"]


def test_a_change_that_clashes_with_an_imported_record_is_refused(kb: Path, audit: AuditLog, tmp_path: Path) -> None:
    """The would-be KB is validated with the imported records too: an editor's alias may not take
    the name of a procedure imported from the national catalogue."""
    imported = yaml.safe_load(make("tthc-1-000999", "Đăng ký kết hôn lưu động", "kết hôn lưu động"))
    (kb / "national").mkdir()
    (kb / "national" / "tthc-1-000999.json").write_text(
        json.dumps({**imported, "imported_from": "national-tthc-2026-06"}, ensure_ascii=False, default=str),
        encoding="utf-8",
    )
    assert set(load_records(kb)) == {A, B, "tthc-1-000999"}
    before = snapshot(tmp_path)
    with pytest.raises(InvalidKnowledgeBase) as caught:
        audit.record_change(kb, {A: make(alias="kết hôn lưu động")}, by="an")
    assert any("kết hôn lưu động" in str(p) for p in caught.value.problems), caught.value.problems
    assert snapshot(tmp_path) == before
