"""Province overrides: a province's own facts replace the national ones; mistakes are named."""

from __future__ import annotations

from pathlib import Path

import pytest

from procedures_kb import InvalidKnowledgeBase, KnowledgeBase


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("lệ phí khai sinh ở Nghệ An", "nghe-an"),
        ("o ha noi thi sao", "ha-noi"),
        ("mình ở sài gòn", "ho-chi-minh"),
        ("tphcm", "ho-chi-minh"),
        ("thành phố hồ chí minh", "ho-chi-minh"),
        ("ở Đắk Lắk", "dak-lak"),
    ],
)
def test_province_named_in_a_message(kb: KnowledgeBase, text: str, slug: str) -> None:
    province = kb.find_province(text)
    assert province is not None and province.slug == slug


@pytest.mark.parametrize("text", ["làm giấy khai sinh", "hnay trời đẹp", "nhà tôi ở gần chợ", ""])
def test_no_province_in_ordinary_text(kb: KnowledgeBase, text: str) -> None:
    assert kb.find_province(text) is None


def test_override_replaces_fields_and_merges_sources(kb: KnowledgeBase) -> None:
    national = kb.get("khai-sinh")
    local = kb.local("khai-sinh", "ha-noi")
    assert local is not None
    assert "Hà Nội" in (local.agency.name if local.agency else "")
    assert {s.id for s in national.sources} < {s.id for s in local.sources}
    assert local.codes == national.codes and local.title == national.title


def test_province_without_override_has_no_local_record(kb: KnowledgeBase) -> None:
    assert kb.local("khai-sinh", "da-nang") is None
    assert kb.local("thuong-tru", "nghe-an") is None


def problems(root: Path) -> list[str]:
    with pytest.raises(InvalidKnowledgeBase) as caught:
        KnowledgeBase.load(root / "data")
    assert all(p.code for p in caught.value.problems)  # each also said by code (problems.Code)
    return [str(p) for p in caught.value.problems]


def test_bad_override_files_are_all_reported(kb_copy: Path) -> None:
    root = kb_copy.parent
    (root / "provinces" / "da-nang.yml").write_text(
        "province: da-nang\n"
        "overrides:\n"
        "  khong-co: {}\n"
        "  thuong-tru:\n"
        "    title: Tên khác\n"
        "    channels: [{kind: in_person, fees: [{amount: '20.000'}]}]\n",
        encoding="utf-8",
    )
    (root / "provinces" / "sai-ten.yml").write_text("province: hue\noverrides: {}\n", encoding="utf-8")
    assert problems(root) == [
        "da-nang.yml: overrides.khong-co: unknown procedure id 'khong-co'",
        "da-nang.yml: overrides.thuong-tru.title: this field is national and cannot be overridden",
        "da-nang.yml: overrides.thuong-tru.channels[0].fees[0].amount: value is not a valid integer",
        "sai-ten.yml: province: 'hue' does not match the file name 'sai-ten'",
    ]


def test_province_file_for_an_unknown_province(kb_copy: Path) -> None:
    root = kb_copy.parent
    (root / "provinces" / "atlantis.yml").write_text("province: atlantis\noverrides: {}\n", encoding="utf-8")
    assert problems(root) == ["atlantis.yml: province: 'atlantis' is not in index.yml"]
