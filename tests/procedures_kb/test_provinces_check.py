"""One override checked as the loader checks province files (the console's review uses this), and a
province file written back that reads as the same overrides and loads."""

from __future__ import annotations

from pathlib import Path

import pytest

from procedures_kb import InvalidKnowledgeBase, KnowledgeBase
from procedures_kb.problems import Code
from procedures_kb.provinces import (
    PROVINCES_DIR,
    check_override,
    province_file_text,
    read_index,
    read_province_text,
)


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


def test_a_good_override_gives_the_record_the_loader_gives(kb: KnowledgeBase) -> None:
    overrides = read_province_text("ha-noi.yml", (PROVINCES_DIR / "ha-noi.yml").read_text(encoding="utf-8"))
    record, problems = check_override(kb.get("khai-sinh"), overrides["khai-sinh"])
    assert problems == [] and record == kb.local("khai-sinh", "ha-noi")


def test_problems_are_those_of_the_loader_at_the_field_of_the_record(kb: KnowledgeBase) -> None:
    national = kb.get("ho-chieu")
    channels = [channel.dict(exclude_none=True) for channel in national.channels]
    channels[0]["fees"][0]["amount"] = "20.000"
    record, problems = check_override(national, {"codes": [], "mau_don": 1, "channels": channels}, "x.yml")
    assert record is None
    assert {(p.location, p.code) for p in problems} >= {
        ("codes", Code.national_field.value),
        ("channels[0].fees[0].amount", Code.amount_as_text.value),
    }
    assert "mau_don" in {p.location for p in problems} and all(p.file == "x.yml" for p in problems)
    assert check_override(national, ["not", "a", "mapping"])[1][0].code == Code.override_not_a_mapping.value


def test_a_written_province_file_reads_back_and_loads(kb_copy: Path) -> None:
    provinces = kb_copy.parent / "provinces"
    overrides = read_province_text("nghe-an.yml", (provinces / "nghe-an.yml").read_text(encoding="utf-8"))
    overrides["ho-chieu"] = {"agency": {"name": "Phòng Quản lý xuất nhập cảnh Công an tỉnh Nghệ An"}}
    text = province_file_text("nghe-an", overrides)
    assert read_province_text("nghe-an.yml", text) == overrides
    (provinces / "nghe-an.yml").write_text(text, encoding="utf-8")
    local = KnowledgeBase.load(kb_copy).local("ho-chieu", "nghe-an")
    assert local is not None and local.agency is not None and "Nghệ An" in local.agency.name
    assert "da-nang" in read_index(provinces) and read_province_text("x.yml", "") == {}
    with pytest.raises(InvalidKnowledgeBase):
        read_province_text("x.yml", "province: x\nextra: 1\n")
