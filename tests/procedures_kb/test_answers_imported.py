"""An answer from a record imported from the national catalogue: the same rendering, flagged as a
copy not yet reviewed, linking the official page and the hotline; a gap says so and links too."""

from __future__ import annotations

import datetime as dt

from procedures_kb.answers import Aspect, render_answer
from procedures_kb.schema import Procedure

URL = "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/019d2bfd-0000-7000-8000-000000000001"
NOTE = "Bản sao Cổng DVC quốc gia 06/2026, chưa rà soát"
TODAY = dt.date(2026, 11, 22)


def imported(documents: int = 3) -> Procedure:
    mark = {"verified": False, "sources": ["dvc"], "note": NOTE}
    return Procedure.parse_obj(
        {
            "id": "tthc-1-000893",
            "title": "Đăng ký kết hôn lưu động",
            "codes": [{"code": "1.000893", "level": "xa"}],
            "level": "xa",
            "agency": {"name": "Ủy ban nhân dân cấp xã"},
            "cases": [
                {
                    "name": "Giấy tờ phải nộp",
                    "documents": [{"name": f"Giấy tờ số {i}", "originals": 1} for i in range(1, documents + 1)],
                }
            ],
            "channels": [
                {"kind": "in_person", "time_limit": {"value": 5, "unit": "working_days"}, "fees": [{"free": True}]}
            ],
            "legal_basis": [{"number": "Nghị định 123/2015/NĐ-CP"}],
            "sources": [
                {"id": "dvc", "title": "Cổng Dịch vụ công quốc gia (bản sao 06/2026)", "url": URL, "kind": "secondary"}
            ],
            "provenance": {g: mark for g in ("documents", "fees", "time_limit", "agency", "channels", "legal_basis")},
            "last_verified": "2026-06-10",
            "imported_from": "national-tthc-2026-06",
        }
    )


def test_an_imported_answer_names_the_procedure_and_says_it_is_an_unreviewed_copy() -> None:
    text = render_answer(imported(), Aspect.documents, TODAY)
    assert "Đăng ký kết hôn lưu động" in text and "1.000893" in text
    assert "1. Giấy tờ số 1" in text and "3. Giấy tờ số 3" in text
    assert "chưa được xác minh" in text and NOTE in text
    assert URL in text and "1800 1096" in text
    assert "Sao từ Cổng Dịch vụ công quốc gia ngày 10/06/2026, chưa được cán bộ rà soát." in text
    assert "Cập nhật:" not in text  # an unreviewed copy is not dated as if someone had checked it


def test_steps_the_import_did_not_copy_send_the_citizen_to_the_official_page() -> None:
    text = render_answer(imported(), Aspect.steps, TODAY)
    assert "Hiện chưa có thông tin" in text and URL in text and "1800 1096" in text


def test_a_long_list_of_papers_ends_with_a_link_to_the_whole_list() -> None:
    text = render_answer(imported(documents=22), Aspect.documents, TODAY)
    assert "15. Giấy tờ số 15" in text and "Giấy tờ số 16" not in text
    assert f"… và 7 giấy tờ khác: xem đủ danh sách tại {URL}" in text
