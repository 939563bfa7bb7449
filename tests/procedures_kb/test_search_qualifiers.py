"""A question about a procedure the KB does not hold is not answered with one it holds whose name
shares its words ("đăng ký kết hôn lưu động" is not "đăng ký kết hôn"), and among near-duplicate
procedures the search picks the one a citizen most likely means, or offers both."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Iterable, List, Optional, Set

import pytest

from procedures_kb import Hit, KnowledgeBase, Procedure
from procedures_kb.loader import load_records
from procedures_kb.schema import Level, Source, SourceKind

IMPORTED = "national-tthc-2026-06"


@pytest.fixture(scope="module")
def full_kb() -> KnowledgeBase:
    return KnowledgeBase.load()


@pytest.fixture(scope="module")
def kb(full_kb: KnowledgeBase) -> KnowledgeBase:
    """The curated records alone: a KB that holds ordinary kết hôn, khai tử… and not their variants
    (the full KB holds many of them, imported from the national catalogue)."""
    return KnowledgeBase({p.id: p for p in full_kb.all() if not p.imported_from})


@pytest.mark.parametrize(
    ("query", "variant"),
    [("đăng ký kết hôn lưu động cần giấy tờ gì", "lưu động"), ("dang ky khai tu luu dong o dau", "lưu động")],
)
def test_on_the_full_kb_the_variant_itself_answers(full_kb: KnowledgeBase, query: str, variant: str) -> None:
    match = full_kb.search(query).match
    assert match is not None and match.procedure_id.startswith("tthc-") and variant in match.title.lower()


@pytest.fixture(scope="module")
def bare_kb() -> KnowledgeBase:
    """The real records without their `excludes`: what the general guard must catch by itself."""
    return KnowledgeBase(
        {pid: r.copy(update={"excludes": []}) for pid, r in load_records().items() if not r.imported_from}
    )


def ids(hits: Iterable[Hit]) -> List[str]:
    return [hit.procedure_id for hit in hits]


# -- the real KB ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("qualified", "plain", "held"),
    [
        ("đăng ký kết hôn lưu động cần giấy tờ gì", "đăng ký kết hôn cần giấy tờ gì", "ket-hon"),
        ("dang ky khai tu luu dong o dau", "dang ky khai tu o dau", "khai-tu"),
        ("đăng ký khai tử lưu động ở đâu", "đăng ký khai tử ở đâu", "khai-tu"),
        ("làm khai sinh lưu động cho con", "lam khai sinh cho con", "khai-sinh"),
        ("cần giấy tờ gì để đăng ký kết hôn lưu động", "cần giấy tờ gì để đăng ký kết hôn", "ket-hon"),
        ("dang ky khai sinh nuoc ngoai", "dang ky khai sinh", "khai-sinh"),
        ("khai sinh cho con sinh ở nước ngoài", "khai sinh cho con", "khai-sinh"),
        ("đăng ký kết hôn ytnn", "đăng ký kết hôn", "ket-hon"),
        ("đk kết hôn vs người nc ngoài", "đk kết hôn", "ket-hon"),
        ("làm căn cước cho người nước ngoài", "làm căn cước", "can-cuoc"),
        ("khai sinh lại cho con", "khai sinh cho con", "khai-sinh"),
        ("xác định lại dân tộc trong giấy khai sinh", "làm giấy khai sinh", "khai-sinh"),
        ("bổ sung tên cha trong giấy khai sinh", "làm giấy khai sinh", "khai-sinh"),
        ("bổ sung thông tin khai sinh", "làm khai sinh", "khai-sinh"),
        ("đăng ký khai sinh kết hợp nhận cha mẹ con", "đăng ký khai sinh", "khai-sinh"),
        ("chung thuc di chuc", "chung thuc ban sao", "chung-thuc-ban-sao"),
        ("chứng thực văn bản thỏa thuận phân chia di sản", "chứng thực bản sao", "chung-thuc-ban-sao"),
        ("chứng thực văn bản từ chối nhận di sản", "chứng thực bản sao", "chung-thuc-ban-sao"),
        ("chứng thực giao dịch", "chứng thực giấy tờ", "chung-thuc-ban-sao"),
        ("chứng thực chữ ký hợp đồng", "chứng thực chữ ký", "chung-thuc-chu-ky"),
    ],
)
def test_a_qualifier_the_kb_does_not_hold_is_not_answered_with_the_plain_procedure(
    kb: KnowledgeBase, qualified: str, plain: str, held: str
) -> None:
    result = kb.search(qualified)
    assert result.match is None, f"{qualified!r} answered with {result.match}"
    assert held not in ids(result.hits), "not even offered: a citizen would say yes to it"
    plain_match = kb.search(plain).match
    assert plain_match is not None and plain_match.procedure_id == held


@pytest.mark.parametrize(
    ("query", "held"),
    [
        ("đăng ký lại khai sinh cần gì", "khai-sinh"),
        ("đăng ký lại khai tử", "khai-tu"),
        ("đăng ký lại kết hôn", "ket-hon"),
        ("đăng ký kết hôn có yếu tố nước ngoài", "ket-hon"),
        ("kết hôn với người nước ngoài", "ket-hon"),
        ("khai sinh có yếu tố nước ngoài", "khai-sinh"),
        ("ghi chú kết hôn", "ket-hon"),
        ("chứng thực hợp đồng mua bán nhà", "chung-thuc-ban-sao"),
        ("công chứng hợp đồng", "chung-thuc-ban-sao"),
        ("công chứng di chúc", "chung-thuc-ban-sao"),
        ("chứng thực chữ ký người dịch", "chung-thuc-chu-ky"),
        ("cải chính khai sinh", "khai-sinh"),
    ],
)
def test_the_guard_holds_without_the_records_excludes(
    kb: KnowledgeBase, bare_kb: KnowledgeBase, query: str, held: str
) -> None:
    for base in (kb, bare_kb):
        result = base.search(query)
        assert result.match is None, f"{query!r} answered with {result.match}"
        assert held not in ids(result.hits)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("lý lịch tư pháp cho người nước ngoài", "ly-lich-tu-phap"),  # every LLTP procedure serves them
        ("chứng thực bản sao giấy tờ nước ngoài", "chung-thuc-ban-sao"),  # one procedure since 2025
        ("xin trích lục khai sinh để làm thủ tục thừa kế", "trich-luc-ho-tich"),  # a purpose, not asked
        ("trích lục kết hôn", "trich-luc-ho-tich"),
    ],
)
def test_a_procedure_that_covers_the_qualifier_answers(kb: KnowledgeBase, query: str, expected: str) -> None:
    result = kb.search(query)
    assert result.qualifiers, "the question names a qualifier"
    assert result.match is not None and result.match.procedure_id == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("đăng ký tạm trú có cần hợp đồng thuê nhà không", "tam-tru"),
        ("hưởng trợ cấp thất nghiệp khi chấm dứt hợp đồng lao động", "tro-cap-that-nghiep"),
        ("làm hộ chiếu để đi du lịch nước ngoài", "ho-chieu"),
        ("làm hộ chiếu cho người đi làm ở nước ngoài", "ho-chieu"),
        ("hồ sơ khai sinh bị yêu cầu bổ sung giấy tờ", "khai-sinh"),
        ("người giám hộ làm căn cước cho cháu dưới 14 tuổi", "can-cuoc-duoi-14"),
    ],
)
def test_the_same_words_as_the_citizens_situation_do_not_block(kb: KnowledgeBase, query: str, expected: str) -> None:
    result = kb.search(query)
    assert result.qualifiers == frozenset()
    assert result.match is not None and result.match.procedure_id == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("đăng ký kết hôn có yếu tố nước ngoài", {"nước ngoài"}),
        ("dang ky ket hon co yeu to nuoc ngoai", {"nước ngoài"}),
        ("kết hôn với người nc ngoài", {"nước ngoài"}),
        ("đk kết hôn ytnn", {"nước ngoài"}),
        ("khai sinh lưu động", {"lưu động"}),
        ("KHAI SINH LUU DONG", {"lưu động"}),
        (unicodedata.normalize("NFD", "khai tử lưu động"), {"lưu động"}),  # decomposed, as some phones send
        ("dk lai khai sinh", {"đăng ký lại"}),
        ("cải chính hộ tịch", {"cải chính"}),
        ("cai chinh ho tich", {"cải chính"}),
        ("xác định lại dân tộc", {"xác định lại"}),
        ("chứng thực văn bản thỏa thuận phân chia di sản", {"văn bản thỏa thuận", "di sản"}),
        ("chứng thực văn bản thoả thuận", {"văn bản thỏa thuận"}),  # old-style tone mark
        ("đăng ký nhận cha mẹ con", {"nhận cha mẹ con"}),
        ("đăng ký nhận con nuôi", {"nuôi con nuôi"}),
        ("đăng ký giám hộ cho cháu", {"giám hộ"}),
        ("thủ tục ghi chú ly hôn", {"ghi chú", "ly hôn"}),
        ("xác nhận độc thân cho người đã ly hôn", set()),
        ("lệ phí khai sinh có thay đổi không", set()),
        ("lam khai sinh cho con", set()),
    ],
)
def test_what_the_question_names(kb: KnowledgeBase, query: str, expected: Set[str]) -> None:
    assert kb.search(query).qualifiers == frozenset(expected)


# -- near-duplicates, in KBs made here ----------------------------------------------------------

SOURCE = Source(id="portal", title="Cổng Dịch vụ công quốc gia", kind=SourceKind.secondary)


def record(
    pid: str,
    title: str,
    aliases: Iterable[str] = (),
    imported: bool = True,
    level: Optional[Level] = Level.commune,
    field: Optional[str] = "Hộ tịch",
) -> Procedure:
    """A record as an editor writes it, or as the importer writes one from the catalogue (its
    name, and the name without "Thủ tục" as the only alias)."""
    names = list(aliases)
    if imported and title.startswith("Thủ tục "):
        names.append(title[len("Thủ tục ") :])
    return Procedure(id=pid, title=title, aliases=names, level=level, field=field, sources=[SOURCE],
                     last_verified=dt.date(2026, 6, 10), imported_from=IMPORTED if imported else None)  # fmt: skip


def knowledge(*records: Procedure) -> KnowledgeBase:
    return KnowledgeBase({r.id: r for r in records})


@pytest.fixture(scope="module")
def civil_status() -> KnowledgeBase:
    """Two curated records with colloquial aliases (and the `excludes` editors wrote before the
    KB held the variants), beside imported variants named as the catalogue names them."""
    return knowledge(
        record(
            "khai-sinh",
            "Đăng ký khai sinh",
            ["khai sinh", "làm giấy khai sinh", "giấy khai sinh", "khai sinh cho con", "làm giấy khai sinh cho con"],
            imported=False,
        ),
        record("ket-hon", "Đăng ký kết hôn (trong nước)", ["kết hôn", "đăng ký kết hôn"], imported=False).copy(
            update={"excludes": ["kết hôn có yếu tố nước ngoài", "đăng ký lại kết hôn", "ly hôn"]}
        ),
        record("a-khai-sinh-luu-dong", "Thủ tục đăng ký khai sinh lưu động"),
        record("a-khai-sinh-nuoc-ngoai", "Thủ tục đăng ký khai sinh có yếu tố nước ngoài"),
        record("a-dang-ky-lai-khai-sinh", "Thủ tục đăng ký lại khai sinh"),
        record("a-khai-sinh-nhan-cha-me-con", "Thủ tục đăng ký khai sinh kết hợp đăng ký nhận cha, mẹ, con"),
        record("a-ket-hon-luu-dong", "Thủ tục đăng ký kết hôn lưu động"),
        record("a-ket-hon-nuoc-ngoai", "Thủ tục đăng ký kết hôn có yếu tố nước ngoài"),
        record("a-dang-ky-lai-ket-hon", "Thủ tục đăng ký lại kết hôn"),
        record("a-khai-tu", "Thủ tục đăng ký khai tử"),
        record("a-khai-tu-luu-dong", "Thủ tục đăng ký khai tử lưu động"),
        record("a-khai-tu-nuoc-ngoai", "Thủ tục đăng ký khai tử có yếu tố nước ngoài"),
        record("a-dang-ky-lai-khai-tu", "Đăng ký lại khai tử"),
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("khai sinh cho con lưu động", "a-khai-sinh-luu-dong"),
        ("làm giấy khai sinh cho con lưu động", "a-khai-sinh-luu-dong"),
        ("khai sinh cho con ở nước ngoài", "a-khai-sinh-nuoc-ngoai"),
        ("dk lai khai sinh cho con", "a-dang-ky-lai-khai-sinh"),
        ("đăng ký lại giấy khai sinh cho con", "a-dang-ky-lai-khai-sinh"),
        ("khai sinh lại cho con", "a-dang-ky-lai-khai-sinh"),
        ("làm khai sinh cho con kết hợp nhận cha con", "a-khai-sinh-nhan-cha-me-con"),
        ("kết hôn với người nước ngoài", "a-ket-hon-nuoc-ngoai"),  # another form of the qualifier
        ("đăng ký kết hôn ytnn", "a-ket-hon-nuoc-ngoai"),
    ],
)
def test_a_named_qualifier_gets_the_variant_that_covers_it(
    civil_status: KnowledgeBase, query: str, expected: str
) -> None:
    result = civil_status.search(query)
    assert result.match is not None and result.match.procedure_id == expected
    assert not {"khai-sinh", "ket-hon"} & set(ids(result.hits)), "the plain procedure is not even offered"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("đăng ký kết hôn có yếu tố nước ngoài", "a-ket-hon-nuoc-ngoai"),
        ("đăng ký lại kết hôn", "a-dang-ky-lai-ket-hon"),
    ],
)
def test_a_curated_records_excludes_do_not_hide_the_variant_the_kb_now_holds(
    civil_status: KnowledgeBase, query: str, expected: str
) -> None:
    match = civil_status.search(query).match
    assert match is not None and match.procedure_id == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("thủ tục đăng ký khai sinh", "khai-sinh"),
        ("thu tuc dang ky khai sinh can gi", "khai-sinh"),
        ("thủ tục đăng ký kết hôn", "ket-hon"),
    ],
)
def test_without_a_qualifier_the_plain_procedure_beats_the_variants(
    civil_status: KnowledgeBase, query: str, expected: str
) -> None:
    match = civil_status.search(query).match
    assert match is not None and match.procedure_id == expected


def test_two_qualifiers_no_record_covers_get_nothing(civil_status: KnowledgeBase) -> None:
    result = civil_status.search("đăng ký lại khai sinh có yếu tố nước ngoài")
    assert result.match is None
    assert result.hits == [], "each variant covers one of the two: none is the procedure asked"


def test_a_curated_record_beats_an_imported_one_of_the_same_name() -> None:
    kb = knowledge(
        record("cap-lai-can-cuoc", "Cấp lại thẻ căn cước", imported=False, level=Level.province, field="Căn cước"),
        record("a-cap-lai-the-can-cuoc", "Cấp lại thẻ căn cước", field="Căn cước"),
    )
    match = kb.search("cấp lại thẻ căn cước").match
    assert match is not None and match.procedure_id == "cap-lai-can-cuoc"


def test_a_local_procedure_beats_the_central_one_of_the_same_name() -> None:
    kb = knowledge(
        record("bo-cap-lai-the-can-cuoc", "Cấp lại thẻ căn cước", level=Level.central, field="Căn cước"),
        record("tinh-cap-lai-the-can-cuoc", "Cấp lại thẻ căn cước", level=Level.province, field="Căn cước"),
    )
    match = kb.search("cấp lại thẻ căn cước").match
    assert match is not None and match.procedure_id == "tinh-cap-lai-the-can-cuoc"


def test_two_alike_and_close_are_both_offered_neither_answered() -> None:
    kb = knowledge(
        record("tinh-cap-lai-the-can-cuoc", "Cấp lại thẻ căn cước", level=Level.province, field="Căn cước"),
        record("xa-cap-lai-the-can-cuoc", "Cấp lại thẻ căn cước", level=Level.commune, field="Căn cước"),
    )
    result = kb.search("cấp lại thẻ căn cước")
    assert result.match is None
    assert set(ids(result.suggestions)) == {"tinh-cap-lai-the-can-cuoc", "xa-cap-lai-the-can-cuoc"}
