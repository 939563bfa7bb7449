"""The desk's checklist and chat text: the real knowledge base's facts, each with its provenance,
written as the assistant writes them (both use `procedures_kb.wording`, tested in
tests/procedures_kb/test_wording.py)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Dict

import pytest

from console import desk
from console.checklist import MAX_TEXT_CHARS, Checklist, Section, build_checklist, checklist_text
from procedures_kb import KnowledgeBase

TODAY = dt.date(2026, 12, 15)


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


def sections(checklist: Checklist) -> Dict[str, Section]:
    return {section.key: section for section in checklist.sections}


def texts(section: Section) -> list[str]:
    return [item.text for block in section.blocks for item in block.items]


def test_khai_sinh_checklist_holds_the_records_facts(kb: KnowledgeBase) -> None:
    checklist = build_checklist(kb.get("khai-sinh"), TODAY)
    assert checklist.title == "Đăng ký khai sinh"
    assert checklist.codes == (("1.001193", "Cấp xã"),)
    assert checklist.curated and checklist.origin == desk.CURATED
    assert checklist.date == "Cập nhật: 22/11/2026"
    assert checklist.source_url.endswith("ma_thu_tuc=1.001193")
    found = sections(checklist)
    papers = found["documents"].blocks
    assert papers[0].title == "Giấy tờ phải nộp"
    assert (
        papers[0].items[0].text
        == "Tờ khai đăng ký khai sinh; mẫu: Mẫu ban hành kèm Thông tư 04/2020/TT-BTP; 1 bản chính"
    )
    assert all(item.tick for block in papers for item in block.items)
    assert [item.shown for item in papers[1].items] == [True, True]  # "Giấy tờ phải xuất trình"
    fees = found["fees"].blocks
    assert fees[0].title == "Nộp trực tiếp và nộp trực tuyến"
    assert texts(found["fees"]) == [
        "Miễn lệ phí — Đăng ký khai sinh đúng hạn (trong 60 ngày kể từ ngày sinh)",
        "Mức thu do Hội đồng nhân dân tỉnh, thành phố quy định (khác nhau giữa các tỉnh) — Đăng ký khai sinh quá hạn",
    ]
    assert texts(found["time_limit"]) == [
        "Nộp trực tiếp và nộp trực tuyến: Trong ngày "
        "(Nhận hồ sơ sau 15 giờ thì trả kết quả trong ngày làm việc tiếp theo)"
    ]
    where = texts(found["where"])
    assert where[0] == "Cơ quan giải quyết: Ủy ban nhân dân cấp xã nơi cư trú của người cha hoặc người mẹ"
    assert "trực tuyến tại https://dichvucong.gov.vn" in where
    assert texts(found["deadline"])[0] == "Chậm nhất 60 ngày kể từ ngày sinh."
    assert texts(found["forms"]) == ["Tờ khai đăng ký khai sinh (ban hành kèm Thông tư 04/2020/TT-BTP)"]
    assert (
        texts(found["legal_basis"])[0]
        == "Luật Hộ tịch 2014 (Điều 11 (miễn lệ phí), Điều 15 (thời hạn 60 ngày), Điều 16)"
    )
    assert len(texts(found["steps"])) == 4
    for key in ("documents", "fees", "time_limit", "where", "deadline", "forms", "legal_basis"):
        assert found[key].verified and found[key].warning is None, key
        assert found[key].mark == "Đã xác minh"
        assert any(source.url for source in found[key].sources), key


def test_an_unverified_fact_says_so_and_names_the_source_and_hotline(kb: KnowledgeBase) -> None:
    found = sections(build_checklist(kb.get("khai-sinh"), TODAY))
    steps = found["steps"]
    assert not steps.verified and steps.mark == "Chưa xác minh"
    assert steps.warning is not None
    assert "chưa được xác minh" in steps.warning
    assert "1800 1096" in steps.warning
    assert "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/019d2bfd-3fe0-70ac-b9d6-5e9e20d6eef7" in steps.warning
    assert "Trình tự theo bản sao trang Cổng DVC 06/2026" in steps.warning  # the editor's note
    can_cuoc = sections(build_checklist(kb.get("can-cuoc"), TODAY))
    assert texts(can_cuoc["time_limit"]) == ["Nộp trực tiếp: 7 ngày làm việc"]
    assert texts(can_cuoc["fees"]) == ["Miễn lệ phí — Cấp thẻ căn cước lần đầu"]
    assert texts(can_cuoc["forms"])[0] == "Mẫu DC02: Tờ khai (ban hành kèm Thông tư 17/2024/TT-BCA)"
    assert not can_cuoc["where"].verified and "1800 1096" in (can_cuoc["where"].warning or "")


def test_an_imported_record_is_marked_and_a_missing_core_fact_points_to_the_source(kb: KnowledgeBase) -> None:
    record = kb.get("tthc-1-000005")
    checklist = build_checklist(record, TODAY)
    assert not checklist.curated and checklist.origin == desk.IMPORTED
    assert checklist.date == "Sao từ Cổng Dịch vụ công quốc gia ngày 10/06/2026, chưa được cán bộ rà soát."
    found = sections(checklist)
    assert not found["fees"].known and not found["fees"].verified
    assert found["fees"].warning == (
        "Hiện chưa có thông tin lệ phí đã được kiểm chứng cho thủ tục này. Bạn vui lòng xem tại "
        f"{checklist.source_url} hoặc gọi tổng đài 1800 1096."
    )
    assert all(not section.verified for section in checklist.sections)


def test_text_for_a_chat_holds_papers_fee_time_where_and_source(kb: KnowledgeBase) -> None:
    text = checklist_text(kb.get("khai-sinh"), TODAY)
    lines = text.splitlines()
    assert lines[0] == "Đăng ký khai sinh (mã TTHC 1.001193)"
    assert "☐ Tờ khai đăng ký khai sinh; mẫu: Mẫu ban hành kèm Thông tư 04/2020/TT-BTP; 1 bản chính" in lines
    assert "  – Miễn lệ phí — Đăng ký khai sinh đúng hạn (trong 60 ngày kể từ ngày sinh)" in lines
    assert "Thời hạn giải quyết:" in lines
    assert "• Cơ quan giải quyết: Ủy ban nhân dân cấp xã nơi cư trú của người cha hoặc người mẹ" in lines
    assert (
        lines[-2] == "Nguồn: https://dichvucong.gov.vn/p/home/dvc-chi-tiet-thu-tuc-hanh-chinh.html?ma_thu_tuc=1.001193"
    )
    assert lines[-1] == "Cập nhật: 22/11/2026"
    assert "Chưa xác minh" not in text  # papers, fee, time and where of khai sinh are verified
    cccd = checklist_text(kb.get("can-cuoc"), TODAY)
    assert "⚠️ Chưa xác minh: nơi nộp. Kiểm tra tại nguồn hoặc gọi tổng đài 1800 1096." in cccd


def test_every_records_text_is_short_nfc_and_ends_with_its_source(kb: KnowledgeBase) -> None:
    longest = 0
    for record in kb.all():
        text = checklist_text(record, TODAY)
        longest = max(longest, len(text))
        assert len(text) <= MAX_TEXT_CHARS, record.id
        assert unicodedata.is_normalized("NFC", text), record.id
        assert text.splitlines()[-2].startswith("Nguồn: https://"), record.id
    assert longest > 1_000  # some catalogue records are long: the cap is exercised


def test_a_long_list_of_papers_is_cut_with_a_count(kb: KnowledgeBase) -> None:
    record = kb.get("tthc-1-000005")
    papers = sum(len(case.documents) for case in record.cases)
    text = checklist_text(record, TODAY)
    shown = [line for line in text.splitlines() if line.startswith("☐ ")]
    assert 0 < len(shown) < papers
    assert f"… và {papers - len(shown)} giấy tờ khác (xem nguồn)" in text


@pytest.mark.parametrize("procedure_id", ["khai-sinh", "can-cuoc"])
def test_the_checklist_holds_the_records_values(kb: KnowledgeBase, procedure_id: str) -> None:
    record = kb.get(procedure_id)
    found = sections(build_checklist(record, TODAY))
    papers = [doc for case in record.cases for doc in case.documents]
    listed = texts(found["documents"])
    assert all(text.startswith(doc.name) and (doc.form or "") in text for text, doc in zip(listed, papers, strict=True))
    assert [block.title for block in found["documents"].blocks] == [
        case.name for case in record.cases if case.documents
    ]
    fees = " ".join(texts(found["fees"]))
    for channel in record.channels:
        for fee in channel.fees_on(TODAY) if channel.available else []:
            assert (fee.description or "") in fees
        if channel.available and channel.time_limit and channel.time_limit.value:
            assert f"{channel.time_limit.value:g} ngày" in " ".join(texts(found["time_limit"])), channel.kind
    assert record.agency is not None and record.agency.name in texts(found["where"])[0]
    forms = " ".join(texts(found["forms"]))
    assert all(form.name in forms and (form.code or "") in forms for form in record.forms)
    assert texts(found["steps"]) == [f"{number}. {step}" for number, step in enumerate(record.steps, start=1)]
    assert found["documents"].date == f"Cập nhật: {record.last_verified:%d/%m/%Y}"
