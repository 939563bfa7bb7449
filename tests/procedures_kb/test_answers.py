"""What a citizen reads: facts from the record, an honest warning when unverified, the source."""

from __future__ import annotations

import datetime as dt

import pytest

from procedures_kb import KnowledgeBase
from procedures_kb.answers import Aspect, render_answer
from procedures_kb.wording import format_amount


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


def test_amounts_use_vietnamese_thousands_separator() -> None:
    assert format_amount(200000) == "200.000"
    assert format_amount(0) == "0"


def test_reduced_fee_is_shown_until_it_ends(kb: KnowledgeBase) -> None:
    text = render_answer(kb.get("cap-doi-can-cuoc"), Aspect.fee, dt.date(2026, 12, 31))
    assert "25.000 đồng" in text
    assert "áp dụng đến hết 31/12/2026" in text
    assert "50.000 đồng" not in text


def test_full_fee_is_shown_after_the_reduction(kb: KnowledgeBase) -> None:
    text = render_answer(kb.get("cap-doi-can-cuoc"), Aspect.fee, dt.date(2027, 1, 1))
    assert "50.000 đồng" in text
    assert "25.000 đồng" not in text


def test_unverified_fact_says_so_and_points_to_source_and_hotline(kb: KnowledgeBase) -> None:
    text = render_answer(kb.get("ho-chieu"), Aspect.time, dt.date(2026, 11, 22))
    assert "8 ngày làm việc" in text
    assert "⚠️ Thông tin thời hạn giải quyết trên chưa được xác minh với nguồn chính thức" in text
    assert "1800 1096" in text


def test_verified_fact_has_no_warning(kb: KnowledgeBase) -> None:
    text = render_answer(kb.get("thuong-tru"), Aspect.time, dt.date(2026, 11, 22))
    assert "7 ngày làm việc" in text
    assert "chưa được xác minh" not in text


def test_missing_fact_is_not_invented(kb: KnowledgeBase) -> None:
    # The amounts under Thông tư 16/2025/TT-BTC are still unverified, so the record has no fee line.
    text = render_answer(kb.get("ly-lich-tu-phap"), Aspect.fee, dt.date(2026, 11, 22))
    assert "Hiện chưa có thông tin lệ phí đã được kiểm chứng cho thủ tục này" in text
    assert "1800 1096" in text
    assert "đồng" not in text


def test_every_answer_names_procedure_source_and_date(kb: KnowledgeBase) -> None:
    for procedure in kb.all():
        for aspect in Aspect:
            text = render_answer(procedure, aspect, dt.date(2026, 11, 22))
            assert procedure.title in text.splitlines()[0], (procedure.id, aspect)
            assert "\nNguồn: " in text, (procedure.id, aspect)
            date = procedure.last_verified.strftime("%d/%m/%Y")
            dated = (
                f"Sao từ Cổng Dịch vụ công quốc gia ngày {date}, chưa được cán bộ rà soát."
                if procedure.imported_from
                else f"Cập nhật: {date}"
            )
            assert text.endswith(dated), (procedure.id, aspect)
            assert "\n\n" not in text, "a blank line would split the answer into separate messages"
