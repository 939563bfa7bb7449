"""Every admin change is validated first, logged (who, when, what) and can be rolled back to exact bytes."""

from __future__ import annotations

import copy
import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any, Callable, Dict, List

import pytest
import yaml

from procedures_kb.audit import AuditLog, NoChange, UnknownVersion
from procedures_kb.errors import InvalidKnowledgeBase, UnknownProcedure
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
    assert "truncated last line 2 skipped" in caplog.text

    audit.record_change(kb, {A: make(amount=21000)}, by="chi")
    assert [e.by for e in audit.history()] == ["an", "chi"]
