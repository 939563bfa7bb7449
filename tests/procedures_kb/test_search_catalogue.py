"""The search over records imported from the national catalogue: official names are found by the
few words citizens type, the xã or tỉnh version a question names is preferred (or both are offered),
and a curated record's colloquial alias does not answer a question that names another procedure."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
import yaml

from procedures_kb import KnowledgeBase, Procedure
from procedures_kb.loader import DATA_DIR
from procedures_kb.schema import Level, Source, SourceKind
from procedures_kb.search_confidence import MODEL_PATH
from procedures_kb.search_match import query_pairs
from procedures_kb.search_names import level_asked, search_keys

HERE = Path(__file__).parent
IMPORTED = "national-tthc-2026-06"
SOURCE = Source(id="portal", title="Cổng dịch vụ công quốc gia", kind=SourceKind.primary)


def record(
    pid: str,
    title: str,
    aliases: Optional[List[str]] = None,
    excludes: Optional[List[str]] = None,
    level: Level = Level.commune,
    imported: bool = True,
    field: Optional[str] = None,
) -> Procedure:
    return Procedure(
        id=pid,
        title=title,
        field=field,
        aliases=aliases or [],
        excludes=excludes or [],
        level=level,
        sources=[SOURCE],
        last_verified=dt.date(2026, 6, 10),
        imported_from=IMPORTED if imported else None,
    )


def small_kb(*records: Procedure) -> KnowledgeBase:
    filler = [
        record("f1", "Cấp giấy phép khai thác thủy sản", level=Level.province),
        record("f2", "Đăng ký thay đổi nội dung đăng ký hợp tác xã"),
        record("f3", "Cấp lại giấy chứng nhận đăng ký tàu cá", level=Level.province),
        record("f4", "Công nhận hộ nghèo, hộ cận nghèo thường xuyên hằng năm"),
    ]
    return KnowledgeBase({r.id: r for r in [*records, *filler]})


def matched(kb: KnowledgeBase, query: str) -> Optional[str]:
    match = kb.search(query).match
    return match.procedure_id if match else None


# -- names as citizens type them ------------------------------------------------------------


def test_a_level_phrase_in_the_official_name_does_not_block_a_match() -> None:
    kb = small_kb(record("lost", "Trình báo mất giấy thông hành (thực hiện tại cấp xã)"))
    assert matched(kb, "trình báo mất giấy thông hành") == "lost"
    assert matched(kb, "trinh bao mat giay thong hanh can gi") == "lost"


def test_the_words_that_narrow_an_official_name_may_be_left_out() -> None:
    kb = small_kb(
        record("nhap", "Nhập quốc tịch Việt Nam ở trong nước", level=Level.province),
        record("thoi", "Thôi quốc tịch Việt Nam ở trong nước", level=Level.province),
    )
    assert matched(kb, "nhập quốc tịch Việt Nam") == "nhap"
    assert matched(kb, "xin thoi quoc tich viet nam") == "thoi"


def test_each_alternative_of_a_joined_name_is_a_name() -> None:
    kb = small_kb(
        record(
            "gd",
            "Đăng ký giao dịch với cơ quan thuế bằng phương thức điện tử/Đăng ký thay đổi, bổ sung thông tin"
            " giao dịch điện tử",
        )
    )
    assert matched(kb, "đăng ký giao dịch với cơ quan thuế bằng phương thức điện tử") == "gd"
    assert matched(kb, "dang ky thay doi bo sung thong tin giao dich dien tu") == "gd"


def test_a_key_in_many_other_names_is_not_made() -> None:
    names = [
        "Khai thuế/ Khai quyết toán đối với Nhà thầu nước ngoài",
        "Khai thuế đối với hộ kinh doanh, cá nhân kinh doanh",
        "Khai thuế đối với cá nhân cho thuê tài sản",
        "Khai thuế đối với hãng vận tải nước ngoài",
        "Khai thuế bảo vệ môi trường",
    ]
    records = [record(f"t{i}", name) for i, name in enumerate(names)]
    keys = search_keys(records)
    assert "Khai thuế" not in keys["t0"]
    assert "Khai quyết toán đối với Nhà thầu nước ngoài" in keys["t0"]
    assert matched(small_kb(*records), "khai thuế") is None


def test_abbreviations_of_the_catalogue_are_expanded() -> None:
    kb = small_kb(
        record("mst", "Khôi phục mã số thuế"),
        record("visa", "Cấp thị thực cho người nước ngoài tại Việt Nam", level=Level.province),
    )
    assert matched(kb, "khôi phục mst") == "mst"
    assert matched(kb, "xin visa cho người nước ngoài đang ở Việt Nam") == "visa"


# -- xã and tỉnh versions of one name ---------------------------------------------------------


@pytest.fixture
def levels() -> KnowledgeBase:
    return small_kb(
        record("xa", "Trình báo mất hộ chiếu phổ thông (thực hiện tại cấp xã)"),
        record("tinh", "Trình báo mất hộ chiếu phổ thông (thực hiện tại cấp tỉnh)", level=Level.province),
    )


def test_the_level_the_question_names_is_preferred(levels: KnowledgeBase) -> None:
    assert matched(levels, "trình báo mất hộ chiếu phổ thông ở công an xã") == "xa"
    assert matched(levels, "trinh bao mat ho chieu pho thong o phuong") == "xa"
    assert matched(levels, "trình báo mất hộ chiếu phổ thông tại công an tỉnh") == "tinh"


def test_both_levels_are_offered_when_the_question_does_not_say(levels: KnowledgeBase) -> None:
    result = levels.search("trình báo mất hộ chiếu phổ thông")
    assert result.match is None
    assert {hit.procedure_id for hit in result.suggestions[:2]} == {"xa", "tinh"}


@pytest.mark.parametrize(
    ("query", "level"),
    [
        ("làm ở công an xã", Level.commune),
        ("nop o ubnd xa", Level.commune),
        ("lên phường làm", Level.commune),
        ("cấp tỉnh", Level.province),
        ("đăng ký hợp tác xã", None),
        ("bảo hiểm xã hội", None),
        ("đi làm xa", None),
        ("tinh thue", None),
    ],
)
def test_the_level_a_question_names(query: str, level: Optional[Level]) -> None:
    assert level_asked(query_pairs(query)) == level


# -- curated records among imported ones -------------------------------------------------------


def test_an_alias_typed_whole_does_not_answer_a_question_another_name_explains_better() -> None:
    kb = small_kb(
        record("ho-chieu", "Cấp hộ chiếu phổ thông", aliases=["mất hộ chiếu", "làm hộ chiếu"], imported=False),
        record("trinh-bao", "Trình báo mất hộ chiếu phổ thông (thực hiện tại cấp xã)"),
    )
    assert matched(kb, "trình báo mất hộ chiếu phổ thông ở công an xã") == "trinh-bao"
    assert matched(kb, "làm hộ chiếu phổ thông cần gì") == "ho-chieu"


def test_an_excludes_phrase_does_not_veto_the_procedure_it_names() -> None:
    kb = small_kb(
        record("tam-tru", "Đăng ký tạm trú", aliases=["tạm trú"], excludes=["gia hạn tạm trú"], imported=False),
        record("gia-han", "Gia hạn tạm trú"),
    )
    assert matched(kb, "gia hạn tạm trú cần giấy tờ gì") == "gia-han"
    assert matched(kb, "đăng ký tạm trú") == "tam-tru"


# -- the full KB against the development set ----------------------------------------------------


def _has_national_records() -> bool:
    return any((DATA_DIR / "national").glob("*.json"))


@pytest.mark.skipif(not _has_national_records(), reason="no imported records in procedures_kb/data/national/")
def test_development_set_on_national_procedures() -> None:
    kb = KnowledgeBase.load()
    data: Dict[str, Any] = yaml.safe_load((HERE / "search_national_dev.yml").read_text(encoding="utf-8"))
    holders: Dict[str, set] = {}
    for procedure in kb.all():
        for code in procedure.codes:
            holders.setdefault(code.code, set()).add(procedure.id)
    top1 = wrong = 0
    for item in data["queries"]:
        match = kb.search(item["q"]).match
        top1 += bool(match and match.procedure_id in holders.get(item["code"], set()))
        wrong += bool(match and match.procedure_id not in holders.get(item["code"], set()))
    n = len(data["queries"])
    no_match = sum(kb.search(query).match is None for query in data["no_match"]) / len(data["no_match"])
    assert top1 / n >= 0.66
    assert wrong / n <= 0.085
    assert no_match >= 0.95


@pytest.mark.skipif(not _has_national_records(), reason="no imported records in procedures_kb/data/national/")
@pytest.mark.parametrize(
    ("name", "min_top1", "max_wrong"),
    [
        ("search_national_heldout3.yml", 0.88, 0.03),
        ("search_national_heldout4.yml", 0.72, 0.06),
        ("search_national_heldout5.yml", 0.79, 0.05),
        ("search_national_heldout6.yml", 0.76, 0.06),
    ],
)
def test_blind_set_on_national_procedures(name: str, min_top1: float, max_wrong: float) -> None:
    """Written from the portal copy alone by someone who had not seen the search; measured, never
    tuned on. Set 3, first measured with the name search alone: top-1 58.4 %, wrong 16.9 %, every
    unrelated message unanswered. With the confidence model (`search_confidence`): top-1 70.6 %,
    wrong 5.9 %, 19 of its 20 unrelated messages unanswered; 70.2 % and 6.3 % on 2026-12-06, then
    71.4 % and 6.3 % (the frame of a yes/no question and "chuẩn bị", "ý là" dropped); 89.8 % and
    4.3 % with the editors' citizen names of the imported records. Set 4, written 2026-12-06 without
    seeing those names: 37.5 % and 13.3 % without them, 67.1 % and 9.2 % with the first
    round (its first measure), 72.1 % and 5.8 % with the search as committed. Later the same day the
    model answers only when surer (wrong answers cost citizens more than a question with buttons):
    set 3 88.2 % and 1.6 %, set 4 67.1 % and 4.6 %; and not while another candidate stays close: set
    3 87.8 % and 1.6 %, set 4 67.1 % and 4.2 %. Set 5, on codes no development set has, measured
    before and after that last rule: 75.4 % and 4.2 % both times (the right procedure ranked first
    for 91.2 %). Then a first candidate with no other near is answered from 0.7: set 3 89.4 % and
    2.7 %, set 4 73.8 % and 5.4 %, set 5 (its third measure) 80.8 % and 4.6 %. With development
    sets 5 and 6 fitted on too: set 3 88.6 % and 2.4 %, set 4 72.5 % and 5.4 %, set 5 80.0 % and
    3.8 %; set 6, written with set 5 and measured then for the first time, 77.5 % and 5.4 %. With a
    typed "cấp lại" putting the sibling that renews first: set 3 88.2 % and 2.4 %, set 4 72.1 % and
    4.6 %, set 5 79.6 % and 3.8 %, set 6 78.3 % and 5.4 %. Floors just under that, so they catch a
    regression; the issue's target is 90 % and 3 %."""
    assert MODEL_PATH.exists(), "the search's confidence model is fitted by make (make fit-search)"
    data: Dict[str, Any] = yaml.safe_load((HERE / name).read_text(encoding="utf-8"))
    kb = _full_kb()
    holders: Dict[str, set] = {}
    for procedure in kb.all():
        for code in procedure.codes:
            holders.setdefault(code.code, set()).add(procedure.id)
    right = wrong = 0
    for item in data["queries"]:
        match = kb.search(item["q"]).match
        right += bool(match and match.procedure_id in holders[item["code"]])
        wrong += bool(match and match.procedure_id not in holders[item["code"]])
    assert right / len(data["queries"]) >= min_top1
    assert wrong / len(data["queries"]) <= max_wrong
    assert sum(kb.search(message).match is None for message in data["no_match"]) >= 18


def test_a_follow_up_opening_with_the_word_for_so_is_not_about_a_card() -> None:
    """A follow-up "thế tạm trú mất mấy ngày" switches to tạm trú; it does not ask about "thẻ tạm trú" (the
    foreigners' residence card), though "the" folds to both. "thế chấp" keeps its word."""
    assert "the" not in [folded for _, folded in query_pairs("Thế tạm trú mất mấy ngày")]
    assert "the" in [folded for _, folded in query_pairs("thế chấp quyền sử dụng đất")]
    assert "the" in [folded for _, folded in query_pairs("thẻ tạm trú")]


def test_the_frame_of_a_yes_no_question_is_not_the_has_of_a_name() -> None:
    """ "… có nhờ người khác được không": that "có" is not the one of "có yếu tố nước ngoài"."""
    assert "co" not in [folded for _, folded in query_pairs("khai sinh có nhờ người khác đi thay được không")]
    assert "co" in [folded for _, folded in query_pairs("khai sinh có yếu tố nước ngoài cần gì không")]
    assert "co" in [folded for _, folded in query_pairs("đăng ký khai sinh có yếu tố nước ngoài")]
    assert "co" not in [folded for _, folded in query_pairs("kết hôn lại có được không ạ")]  # a particle after


# -- what citizens call things, and near-duplicates told apart ---------------------------------


@pytest.fixture
def marriage() -> KnowledgeBase:
    return small_kb(
        record(
            "ket-hon",
            "Đăng ký kết hôn (trong nước)",
            aliases=["đăng ký kết hôn"],
            excludes=["kết hôn với người nước ngoài", "đăng ký lại kết hôn"],  # as the curated record has them
            imported=False,
        ),
        record("nn", "Thủ tục đăng ký kết hôn có yếu tố nước ngoài", level=Level.province),
    )


@pytest.mark.parametrize(
    "query",
    [
        "Chồng tôi là người Hàn Quốc, giờ muốn đăng ký kết hôn ở Việt Nam cần giấy tờ gì?",
        "vo sap cuoi quoc tich uc, dang ky ket hon o dau",
        "đăng ký kết hôn với bạn gái người Đài Loan",
    ],
)
def test_a_nationality_names_the_foreign_variant(marriage: KnowledgeBase, query: str) -> None:
    """A spouse's nationality is the "có yếu tố nước ngoài" of the catalogue's name: ordinary
    marriage registration must never answer it."""
    assert matched(marriage, query) == "nn"
    assert "ket-hon" not in [hit.procedure_id for hit in marriage.search(query).hits]


@pytest.mark.parametrize(
    "query",
    [
        "người lao động đăng ký kết hôn cần giấy gì",  # "người lao": not a Lao citizen
        "đăng ký kết hôn trước khi đi xuất khẩu lao động sang Nhật",  # going abroad, not a party
        "đăng ký kết hôn xong thì đi du lịch Hàn Quốc được không",
    ],
)
def test_words_of_a_country_that_name_no_foreign_party(marriage: KnowledgeBase, query: str) -> None:
    assert matched(marriage, query) == "ket-hon"


def test_colloquial_names_reach_the_official_ones() -> None:
    """What citizens call things reaches the official names: "sổ đỏ" is the land-use certificate,
    "bhxh" social insurance, "rút" is "hưởng". The curated record keeps its alias, and the
    imported procedure the words name is answered."""
    kb = small_kb(
        record(
            "so-do",
            "Đăng ký, cấp Giấy chứng nhận quyền sử dụng đất lần đầu",
            aliases=["sổ đỏ", "làm sổ đỏ"],
            excludes=["cấp lại sổ đỏ", "mất sổ đỏ", "sang tên sổ đỏ"],  # as the curated record has them
            imported=False,
            field="Đất đai",
        ),
        record("mat", "Cấp lại Giấy chứng nhận do bị mất", field="Đất đai"),
        record(
            "sang-ten-xe",
            "Cấp chứng nhận đăng ký xe, biển số xe trong trường hợp thay đổi chủ xe (đăng ký sang tên xe)",
            field="Đăng ký, quản lý phương tiện giao thông",
        ),
        record("mot-lan", "Giải quyết hưởng bảo hiểm xã hội một lần", level=Level.province),
    )
    assert matched(kb, "cap lai so do bi mat") == "mat"
    assert matched(kb, "mất sổ hồng rồi, xin cấp lại thế nào") == "mat"
    assert matched(kb, "làm sổ đỏ cần gì") == "so-do"
    assert matched(kb, "rut bhxh 1 lan can giay to gi") == "mot-lan"
    # What a name says in parentheses is a name; a look-alike of another field is not it.
    assert matched(kb, "sang tên xe máy cũ mua lại") == "sang-ten-xe"
    assert matched(kb, "sang tên sổ đỏ cho con") is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("nhà tôi khoan giếng lấy nước tưới vườn có phải đăng ký không", "gieng"),
        ("con trai cưới vợ muốn ra riêng một hộ", "tach-ho"),
        ("bi tru het diem bang lai thi phuc hoi diem o dau", "kiem-tra"),
        ("đkkh vs ng nước ngoài cần gì", "kh-nn"),
        ("hkd muốn dùng hđđt có mã của cqt", "hddt"),
    ],
)
def test_what_citizens_call_an_act_reaches_its_official_name(query: str, expected: str) -> None:
    kb = small_kb(
        record("bien-dong", "Đăng ký biến động quyền sử dụng đất trong các trường hợp chuyển nhượng, tặng cho",
               level=Level.province, field="Đất đai"),
        record("gieng", "Đăng ký khai thác nước dưới đất", field="Tài nguyên nước"),
        record("tach-ho", "Tách hộ", field="Đăng ký, quản lý cư trú"),
        record("kiem-tra", "Đăng ký kiểm tra kiến thức pháp luật về trật tự, an toàn giao thông đường bộ",
               level=Level.province),
        record("kh-nn", "Thủ tục đăng ký kết hôn có yếu tố nước ngoài", field="Hộ tịch"),
        record("hddt", "Đăng ký sử dụng hoá đơn điện tử có mã của cơ quan thuế", field="Thuế"),
    )  # fmt: skip
    assert matched(kb, query) == expected


@pytest.mark.parametrize("query", ["sang tên sổ đỏ mảnh đất mua của hàng xóm", "sang ten so do mat bao lau"])
def test_transferring_a_land_title_is_offered_as_the_registration_of_a_change(query: str) -> None:
    """ "Sang tên sổ đỏ" is the catalogue's "Đăng ký biến động … chuyển nhượng": offered first (the
    catalogue holds several such registrations, so the citizen picks)."""
    result = _full_kb().search(query)
    assert result.hits and result.hits[0].title.startswith("Đăng ký biến động")
    assert "chuyển nhượng" in result.hits[0].title


def test_a_change_names_another_procedure_only_in_civil_status() -> None:
    """ "Thay đổi", "bổ sung" name the hộ tịch procedure that changes a record; elsewhere they are
    the citizen's situation: a changed design asks for the building permit's adjustment."""
    kb = small_kb(
        record("dieu-chinh", "Cấp điều chỉnh giấy phép xây dựng đối với công trình cấp III, cấp IV",
               field="Hoạt động xây dựng"),
        record("khai-sinh", "Đăng ký khai sinh", aliases=["làm giấy khai sinh"], imported=False, field="Hộ tịch"),
    )  # fmt: skip
    assert matched(kb, "điều chỉnh giấy phép xây dựng khi thay đổi thiết kế") == "dieu-chinh"
    assert matched(kb, "thay đổi giấy khai sinh cho con") is None


def test_every_nationality_procedure_concerns_a_foreign_party() -> None:
    kb = small_kb(record("nhap", "Nhập quốc tịch Việt Nam ở trong nước", level=Level.province, field="Quốc tịch"))
    assert matched(kb, "chồng tôi người Hàn Quốc muốn nhập quốc tịch Việt Nam") == "nhap"


def test_a_synonym_needs_its_own_diacritics_or_none() -> None:
    """A plan ("sơ đồ") folds like "sổ đỏ" and is not one."""
    assert "chứng" not in [word for word, _ in query_pairs("sơ đồ thửa đất")]
    assert "chứng" in [word for word, _ in query_pairs("so do bi mat")]


def test_a_renewal_the_question_does_not_name_loses() -> None:
    kb = small_kb(
        record("cap", "Cấp thẻ thường trú cho người nước ngoài tại Việt Nam (thực hiện tại cấp tỉnh)"),
        record("cap-lai", "Cấp lại thẻ thường trú cho người nước ngoài tại Việt Nam tại Công an cấp tỉnh"),
    )
    assert matched(kb, "chồng người Úc muốn xin thẻ thường trú ở Việt Nam") == "cap"
    assert matched(kb, "cấp lại thẻ thường trú cho người nước ngoài bị mất") == "cap-lai"


@pytest.mark.skipif(not _has_national_records(), reason="no imported records in procedures_kb/data/national/")
@pytest.mark.parametrize(
    "question",
    ["giay chung nhan dang ky phuong tien duong sat bi mat thi xin cap lai",
     "giấy chứng nhận đăng ký phương tiện đường sắt bị rách, xin cấp lại"],
)  # fmt: skip
def test_a_renewal_the_question_names_is_preferred_to_a_title_that_does_not_renew(question: str) -> None:
    """A key of the first issue typed whole ("đăng ký phương tiện đường sắt", of "Cấp Giấy chứng nhận
    đăng ký phương tiện giao thông đường sắt") is not what is asked when a renewal is near: that
    one was answered, with 0.97."""
    result = _full_kb().search(question)
    assert result.hits[0].procedure_id != "tthc-1-010000"
    assert result.match is None or result.match.procedure_id == "tthc-1-004844"


def test_a_company_of_1_member_is_one_of_one_member() -> None:
    """The catalogue writes the number of members in words ("công ty TNHH một thành viên")."""
    assert ("một", "mot") in query_pairs("thanh lap cty tnhh 1 thanh vien can von bn")
    assert ("hai", "hai") in query_pairs("công ty tnhh 2 thành viên")


def test_twins_are_told_apart_by_the_rest_of_their_names() -> None:
    kb = small_kb(
        record("khach", "Đăng ký phương tiện lần đầu đối với phương tiện thủy nội địa chở khách"),
        record("hang", "Đăng ký phương tiện lần đầu đối với phương tiện thủy nội địa chở hàng hóa"),
    )
    assert matched(kb, "đăng ký phương tiện lần đầu cho thuyền chở khách trên sông") == "khach"
    assert matched(kb, "dang ky phuong tien lan dau, ghe cho hang hoa") == "hang"
    assert kb.search("đăng ký phương tiện lần đầu").match is None  # neither: both are offered
    assert {hit.procedure_id for hit in kb.search("đăng ký phương tiện lần đầu").suggestions} == {"khach", "hang"}


def test_a_name_typed_in_its_distinctive_words_with_nothing_near_is_answered() -> None:
    kb = small_kb(record("thai-san", "Giải quyết hưởng chế độ thai sản", level=Level.province))
    assert matched(kb, "vợ mới sinh, hưởng chế độ thai sản nộp hồ sơ ở đâu") == "thai-san"
    assert matched(kb, "chế độ cho vợ") is None


def test_a_look_alike_is_known_by_its_official_words() -> None:
    """An editor's `excludes` phrase in colloquial words ("rút bhxh 1 lần") does not veto the
    imported procedure it names in official words."""
    kb = small_kb(
        record(
            "tro-cap",
            "Giải quyết hưởng trợ cấp thất nghiệp",
            aliases=["trợ cấp thất nghiệp", "bảo hiểm thất nghiệp"],
            excludes=["rút bhxh 1 lần"],
            imported=False,
        ),
        record("mot-lan", "Giải quyết hưởng bảo hiểm xã hội một lần", level=Level.province),
    )
    assert matched(kb, "rút bhxh 1 lần cần giấy tờ gì") == "mot-lan"
    assert matched(kb, "lãnh bảo hiểm thất nghiệp ở đâu") == "tro-cap"


def test_a_key_without_the_names_qualifier_counts_only_when_the_question_names_it() -> None:
    """The key "Cấp thị thực", cut from "Cấp thị thực cho người nước ngoài", does not answer a
    citizen's "xin visa đi Mỹ" (a visa of another country, which no procedure here issues)."""
    kb = small_kb(record("thi-thuc", "Cấp thị thực cho người nước ngoài tại Việt Nam", level=Level.province))
    assert matched(kb, "xin visa đi Mỹ") is None
    assert matched(kb, "xin visa cho người nước ngoài đang ở Việt Nam") == "thi-thuc"


def test_what_a_paper_is_for_does_not_say_which_procedure() -> None:
    kb = small_kb(
        record("lltp", "Cấp Phiếu lý lịch tư pháp", aliases=["lý lịch tư pháp"], imported=False),
        record("thi-thuc", "Cấp thị thực cho người nước ngoài tại Việt Nam", level=Level.province),
    )
    assert matched(kb, "can xin phieu ly lich tu phap so 2 de xin visa di my") == "lltp"


def test_words_that_file_a_name_are_not_needed() -> None:
    """Citizens do not type "Thủ tục", "Giải quyết" or "Quyết định" before what they ask for."""
    tu_tuat = record("tu-tuat", "Giải quyết hưởng chế độ tử tuất", level=Level.province)
    assert "hưởng chế độ tử tuất" in search_keys([tu_tuat])["tu-tuat"]
    assert matched(small_kb(tu_tuat), "bố mất, gia đình nhận chế độ tử tuất như thế nào") == "tu-tuat"


def test_a_variant_the_question_does_not_name_is_not_a_close_second() -> None:
    kb = small_kb(
        record("nn", "Thủ tục đăng ký khai tử có yếu tố nước ngoài"),
        record("lai-nn", "Thủ tục đăng ký lại khai tử có yếu tố nước ngoài"),
    )
    assert matched(kb, "khai tử cho người nước ngoài chết ở Việt Nam") == "nn"


def test_the_situation_after_sau_khi_or_vi_does_not_say_which_procedure() -> None:
    kb = small_kb(
        record("the", "Cấp thẻ công chứng viên", level=Level.province),
        record("bo-nhiem", "Bổ nhiệm công chứng viên", level=Level.province),
    )
    assert matched(kb, "xin thẻ công chứng viên sau khi được bổ nhiệm") == "the"
    assert matched(kb, "xin the cong chung vien sau khi duoc bo nhiem") == "the"
    assert matched(kb, "muốn được bổ nhiệm công chứng viên vì đã hành nghề lâu năm") == "bo-nhiem"


def test_a_negation_the_question_does_not_type_marks_the_other_twin() -> None:
    kb = small_kb(
        record("ctv", "Chứng thực chữ ký người dịch mà người dịch là cộng tác viên dịch thuật của Ủy ban nhân dân"),
        record(
            "khong-ctv",
            "Chứng thực chữ ký người dịch mà người dịch không phải là cộng tác viên dịch thuật của Ủy ban nhân dân",
        ),
    )
    assert matched(kb, "chứng thực chữ ký người dịch là cộng tác viên dịch thuật của xã") == "ctv"
    assert matched(kb, "chứng thực chữ ký người dịch không phải cộng tác viên của xã") == "khong-ctv"


@pytest.mark.skipif(not _has_national_records(), reason="no imported records in procedures_kb/data/national/")
@pytest.mark.parametrize(
    "follow_up",
    ["còn lệ phí?", "lệ phí bao nhiêu", "con le phi", "thế còn thời gian", "mất mấy ngày", "nộp ở đâu",
     "làm online được không", "cần giấy tờ gì", "các bước thế nào", "nộp qua bưu điện được không"],
)  # fmt: skip
def test_a_follow_up_naming_only_an_aspect_suggests_no_procedure(follow_up: str) -> None:
    """A follow-up such as "còn lệ phí?" asks about the conversation's procedure: a short official name holding
    "phí" ("Khai phí/Khai quyết toán phí bảo vệ môi trường…") must not be offered for it."""
    assert _full_kb().search(follow_up).suggestions == []


@pytest.mark.skipif(not _has_national_records(), reason="no imported records in procedures_kb/data/national/")
@pytest.mark.parametrize(
    "question",
    ["đăng ký cần giấy tờ gì", "dang ky can gi", "xin cấp ở đâu", "đăng ký lại thì làm sao", "làm mới mất bao lâu",
     "cho em hỏi thủ tục với ạ"],
)  # fmt: skip
def test_a_question_naming_only_an_act_offers_no_procedure(question: str) -> None:
    """ "đăng ký cần giấy tờ gì" names no object: among ~1,500 names some record always shares its act
    (water extraction, T-VAN registration were offered), so the citizen is asked which procedure,
    with the popular ones, not with those."""
    assert _full_kb().search(question).hits == []


@pytest.mark.skipif(not _has_national_records(), reason="no imported records in procedures_kb/data/national/")
def test_an_act_with_its_object_is_searched() -> None:
    assert _full_kb().search("dk ket hon can gi").match is not None
    assert _full_kb().search("làm sổ").hits, "a bare object is offered"


@functools.lru_cache(maxsize=1)
def _full_kb() -> KnowledgeBase:
    return KnowledgeBase.load()


def test_citizens_messages_do_not_fill_the_name_caches() -> None:
    """Names are split once and cached while the index is built; a flood of distinct messages of
    the largest size a channel lets through must not grow those caches (memory an attacker
    could fill)."""
    from procedures_kb.qualifiers import name_spans
    from procedures_kb.search_words import name_pairs

    kb = small_kb(record("nn", "Thủ tục đăng ký kết hôn có yếu tố nước ngoài"))
    before = (name_pairs.cache_info().currsize, name_spans.cache_info().currsize)
    for n in range(200):
        kb.search(f"chồng tôi người Hàn Quốc {n} " + "đăng ký kết hôn " * 120)
    assert (name_pairs.cache_info().currsize, name_spans.cache_info().currsize) == before
