"""How one fact is written, for the assistant and the helpers' desk alike: amounts with dots, dates
day first, a fee's period and exemptions, half days with a comma, papers with their form and counts,
channels with the same fact shown together, and the sentence under a fact not verified or not known."""

from __future__ import annotations

import copy
import datetime as dt
import unicodedata
from typing import Any, Dict

import pytest

from procedures_kb import FactGroup, KnowledgeBase, Procedure, wording
from procedures_kb.schema import ChannelKind, Document, FeeLine, TimeLimit, TimeUnit
from tests.procedures_kb.conftest import MINIMAL

TODAY = dt.date(2026, 12, 15)


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


def record_with(**changes: Any) -> Procedure:
    data: Dict[str, Any] = copy.deepcopy(MINIMAL)
    data.update(changes)
    return Procedure.parse_obj(data)


def test_amounts_dates_and_fees() -> None:
    assert wording.format_amount(1_250_000) == "1.250.000"
    assert wording.format_date(dt.date(2027, 1, 5)) == "05/01/2027"
    assert wording.format_fee(FeeLine(free=True)) == "Miễn lệ phí"
    assert wording.format_fee(FeeLine(set_by_province=True, description="Đăng ký quá hạn")).startswith(
        "Mức thu do Hội đồng nhân dân tỉnh, thành phố quy định (khác nhau giữa các tỉnh) — Đăng ký quá hạn"
    )
    fee = FeeLine(
        amount=25_000,
        unit="lần",
        description="Nộp trực tuyến",
        valid_to=dt.date(2026, 12, 31),
        exemptions=["Người có công với cách mạng", "Hộ nghèo"],
    )
    assert wording.format_fee(fee) == (
        "25.000 đồng/lần — Nộp trực tuyến; áp dụng đến hết 31/12/2026. "
        "Miễn, giảm: Người có công với cách mạng; Hộ nghèo"
    )
    assert wording.format_fee(FeeLine(amount=50_000, valid_from=dt.date(2027, 1, 1))) == (
        "50.000 đồng — áp dụng từ 01/01/2027"
    )


def test_time_limits() -> None:
    assert wording.format_time(TimeLimit(value=7, unit=TimeUnit.working_days)) == "7 ngày làm việc"
    assert wording.format_time(TimeLimit(value=1.5, unit=TimeUnit.days)) == "1,5 ngày"
    assert wording.format_time(TimeLimit(value=None, unit=TimeUnit.same_day, note="nộp trước 15 giờ")) == (
        "Trong ngày (nộp trước 15 giờ)"
    )
    assert wording.format_time(TimeLimit(value=None, unit=TimeUnit.immediately)) == "Ngay khi nhận đủ hồ sơ hợp lệ"


def test_a_paper_names_its_form_counts_and_condition() -> None:
    doc = Document(name="Tờ khai", form="CT01", originals=1, copies=2, condition="nếu nộp trực tiếp")
    assert wording.format_document(doc) == "Tờ khai; mẫu: CT01; 1 bản chính; 2 bản sao (nếu nộp trực tiếp)"
    assert wording.format_document(Document(name="Căn cước", originals=0, copies=0)) == "Căn cước"


def test_channels_with_the_same_fact_are_shown_together() -> None:
    record = record_with(
        channels=[
            {"kind": "in_person", "time_limit": {"value": 3, "unit": "working_days"}, "fees": [{"amount": 15000}]},
            {"kind": "online", "time_limit": {"value": 3, "unit": "working_days"}, "fees": [{"amount": 7500}]},
            {"kind": "post", "available": False, "time_limit": {"value": 5, "unit": "working_days"}},
        ]
    )
    assert wording.times_by_channel(record) == [("Nộp trực tiếp và nộp trực tuyến", "3 ngày làm việc")]
    assert wording.fees_by_channel(record, TODAY) == [
        ("Nộp trực tiếp", ["15.000 đồng"]),
        ("Nộp trực tuyến", ["7.500 đồng"]),
    ]
    assert wording.channel_names([ChannelKind.post]) == "Qua bưu chính"
    assert [wording.way_of_filing(ch) for ch in record.channels] == [
        "trực tiếp tại Bộ phận một cửa",
        "trực tuyến",
        "qua dịch vụ bưu chính",
    ]


def test_a_record_without_a_link_points_to_the_national_portal() -> None:
    record = record_with()
    assert wording.official_source(record, FactGroup.fees) == "https://dichvucong.gov.vn"
    assert [s.id for s in wording.sources_of(record, (FactGroup.documents,))] == ["tt-75"]
    assert wording.verified_line(record) == "Cập nhật: 01/11/2026"
    assert wording.verified_line(record_with(imported_from="tthc-2026-06")) == (
        "Sao từ Cổng Dịch vụ công quốc gia ngày 01/11/2026, chưa được cán bộ rà soát."
    )


def test_the_sentence_under_a_fact_not_verified_or_not_known() -> None:
    record = record_with(
        provenance={
            "fees": {"verified": True, "sources": ["tt-75"]},
            "time_limit": {"verified": False, "note": "theo bản sao cổng DVC"},
        }
    )
    source = "https://example.gov.vn/tt"
    assert wording.fact_warning(record, [FactGroup.fees], "lệ phí", source, "1800 1096") is None
    assert wording.fact_warning(record, [FactGroup.time_limit], "thời hạn giải quyết", source, "1800 1096") == (
        "⚠️ Thông tin thời hạn giải quyết trên chưa được xác minh với nguồn chính thức (theo bản sao cổng DVC). "
        "Bạn vui lòng kiểm tra lại tại https://example.gov.vn/tt hoặc gọi tổng đài 1800 1096 trước khi đi nộp."
    )
    assert wording.fact_warning(record, [FactGroup.fees], "giấy tờ", source, "1800 1096", known=False) == (
        "Hiện chưa có thông tin giấy tờ đã được kiểm chứng cho thủ tục này. "
        "Bạn vui lòng xem tại https://example.gov.vn/tt hoặc gọi tổng đài 1800 1096."
    )


def test_the_facts_of_real_records(kb: KnowledgeBase) -> None:
    khai_sinh = kb.get("khai-sinh")
    assert wording.titled(khai_sinh) == "Đăng ký khai sinh (mã TTHC 1.001193)"
    assert wording.deadline_lines(khai_sinh)[0] == "Chậm nhất 60 ngày kể từ ngày sinh."
    assert wording.agency_line(khai_sinh) == (
        "Cơ quan giải quyết: Ủy ban nhân dân cấp xã nơi cư trú của người cha hoặc người mẹ"
    )
    can_cuoc = kb.get("can-cuoc")
    assert wording.form_name(can_cuoc.forms[0]) == "Mẫu DC02: Tờ khai (ban hành kèm Thông tư 17/2024/TT-BCA)"
    assert wording.applicant_lines(can_cuoc)[-1] == "Độ tuổi: từ đủ 14 tuổi"


def test_every_sentence_is_nfc() -> None:
    sentences = [value for name, value in vars(wording).items() if name.isupper()]
    texts = [text for value in sentences for text in (value.values() if isinstance(value, dict) else [value])]
    assert len(texts) > 50
    assert all(unicodedata.is_normalized("NFC", text) for text in texts)
