"""An imported record (national/<id>.json) is changed in place through the audit log, with the same
checks as an editor's record: validated, versioned, chained, refused when it moved meanwhile."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Dict

import pytest

from procedures_kb.audit import AuditLog
from procedures_kb.audit_changes import record_file
from procedures_kb.errors import ConcurrentChange, InvalidKnowledgeBase
from procedures_kb.loader import load_records
from tests.procedures_kb.conftest import MINIMAL

N = "thu-tuc-quoc-gia"


def as_json(amount: Any = 15000, title: str = "Thủ tục quốc gia") -> str:
    record: Dict[str, Any] = copy.deepcopy(MINIMAL)
    record.update(id=N, title=title, aliases=["giấy quốc gia"])
    record["channels"][0]["fees"][0]["amount"] = amount
    return json.dumps(record, ensure_ascii=False, indent=2) + "\n"


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    directory = tmp_path / "data"
    (directory / "national").mkdir(parents=True)
    (directory / "national" / f"{N}.json").write_text(as_json(), encoding="utf-8")
    return directory


def test_an_imported_record_is_written_in_its_json_file(kb: Path) -> None:
    audit = AuditLog.for_kb(kb)
    path = kb / "national" / f"{N}.json"
    before = path.read_bytes()
    assert record_file(kb, N) == path and record_file(kb, "moi") == kb / "moi.yml"

    [entry] = audit.record_change(kb, {N: as_json(amount=20000)}, by="lan", reason="mức phí mới")

    assert not (kb / f"{N}.yml").exists()
    assert json.loads(path.read_text(encoding="utf-8"))["channels"][0]["fees"][0]["amount"] == 20000
    assert load_records(kb)[N].channels[0].fees[0].amount == 20000
    assert entry.action == "edit" and entry.from_version == 0 and entry.to_version == 1
    assert audit.version_text(N, 0).encode("utf-8") == before
    assert [c["path"] for c in entry.changes] == ["channels[0].fees[0].amount"]
    assert audit.read().chain_problems == []


def test_an_invalid_or_moved_imported_record_is_refused(kb: Path) -> None:
    audit = AuditLog.for_kb(kb)
    path = kb / "national" / f"{N}.json"
    before = path.read_bytes()
    with pytest.raises(InvalidKnowledgeBase):
        audit.record_change(kb, {N: as_json(amount="abc")}, by="lan")
    with pytest.raises(ConcurrentChange):
        audit.record_change(kb, {N: as_json(amount=1)}, by="lan", expected={N: "0" * 64})
    assert path.read_bytes() == before and not audit.path.exists()


def test_an_imported_record_rolls_back_in_place(kb: Path) -> None:
    audit = AuditLog.for_kb(kb)
    path = kb / "national" / f"{N}.json"
    before = path.read_bytes()
    [edit] = audit.record_change(kb, {N: as_json(amount=20000)}, by="lan")
    with pytest.raises(ConcurrentChange):
        audit.rollback(kb, N, 0, by="minh", expected="0" * 64)
    entry = audit.rollback(kb, N, 0, by="minh", reason="nhầm", expected=edit.to_sha256)
    assert path.read_bytes() == before and entry.to_version == 2 and not (kb / f"{N}.yml").exists()
