"""The answers beyond the first six aspects: the deadline the citizen must meet, who must go and
whether someone else may file, conditions, forms, and the result with its validity and how it is
received. Every fact printed is the record's; an unknown part is said to be unknown, with the
official page and the hotline, never filled in."""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict

from procedures_kb import Procedure
from procedures_kb.answers import Aspect, render_answer

TODAY = dt.date(2026, 12, 6)
SOURCE = {"id": "luat", "title": "Luật Hộ tịch 2014", "kind": "primary"}
PAGE = {"id": "dvc", "title": "Cổng DVC — Đăng ký khai sinh", "url": "https://dichvucong.gov.vn/p/1", "kind": "primary"}


def record(**fields: Any) -> Procedure:
    data: Dict[str, Any] = {
        "id": "khai-sinh",
        "title": "Đăng ký khai sinh",
        "codes": [{"code": "1.001193", "level": "xa"}],
        "sources": [SOURCE, PAGE],
        "last_verified": "2026-11-22",
    }
    data.update(fields)
    return Procedure.parse_obj(data)


def test_the_deadline_is_the_citizens_not_the_offices() -> None:
    procedure = record(
        deadline={
            "value": 60,
            "unit": "days",
            "counted_from": "kể từ ngày sinh",
            "who": "cha hoặc mẹ",
            "basis": "Luật Hộ tịch 2014, Điều 15",
            "if_missed": "đăng ký khai sinh quá hạn",
        },
        provenance={"deadline": {"verified": True, "sources": ["luat"]}},
    )
    text = render_answer(procedure, Aspect.deadline, TODAY)
    assert text.startswith("Thời hạn bạn phải đi đăng ký — Đăng ký khai sinh (mã TTHC 1.001193)")
    assert "Chậm nhất 60 ngày kể từ ngày sinh (cha hoặc mẹ)." in text
    assert "Nếu quá hạn: đăng ký khai sinh quá hạn" in text
    assert "Căn cứ thời hạn: Luật Hộ tịch 2014, Điều 15" in text
    assert "chưa được xác minh" not in text


def test_an_unknown_deadline_is_not_invented() -> None:
    text = render_answer(record(), Aspect.deadline, TODAY)
    assert "Chậm nhất" not in text
    assert "Hiện chưa có thông tin thời hạn phải đăng ký" in text
    assert "https://dichvucong.gov.vn/p/1" in text and "1800 1096" in text


def test_who_must_go_and_filing_for_someone_else() -> None:
    procedure = record(
        presence={"who": "Hai bên nam, nữ", "representation": False, "how": "không ủy quyền được"},
        provenance={"presence": {"verified": False, "sources": ["dvc"], "note": "Theo nguồn thứ cấp"}},
    )
    text = render_answer(procedure, Aspect.presence, TODAY)
    assert "Người phải có mặt: Hai bên nam, nữ" in text
    assert "Người khác có thể nộp thay: không — người yêu cầu phải tự đi — không ủy quyền được" in text
    assert "⚠️ Thông tin người phải có mặt và việc nộp thay trên chưa được xác minh" in text
    assert "(Theo nguồn thứ cấp)" in text


def test_conditions_are_the_applicants_ages_and_requirements() -> None:
    procedure = record(
        applicants="Công dân Việt Nam",
        age_range={"min": 14},
        requirements=["Có mặt để thu nhận sinh trắc học"],
        provenance={"conditions": {"verified": True, "sources": ["luat"]}},
    )
    text = render_answer(procedure, Aspect.conditions, TODAY)
    assert "Đối tượng thực hiện: Công dân Việt Nam" in text
    assert "Độ tuổi: từ đủ 14 tuổi" in text
    assert "• Có mặt để thu nhận sinh trắc học" in text


def test_forms_name_the_code_and_the_official_page_never_a_file_of_ours() -> None:
    procedure = record(
        forms=[{"name": "Tờ khai thay đổi thông tin cư trú", "code": "CT01", "issued_by": "Thông tư 66/2023/TT-BCA"}],
        cases=[
            {
                "name": "Giấy tờ phải nộp",
                "documents": [{"name": "Tờ khai đăng ký khai sinh", "form": "Thông tư 04/2020/TT-BTP", "originals": 1}],
            }
        ],
        provenance={
            "forms": {"verified": True, "sources": ["dvc"]},
            "documents": {"verified": True, "sources": ["dvc"]},
        },
    )
    text = render_answer(procedure, Aspect.form, TODAY)
    assert "• Mẫu CT01: Tờ khai thay đổi thông tin cư trú (ban hành kèm Thông tư 66/2023/TT-BCA)" in text
    assert "• Tờ khai đăng ký khai sinh: Thông tư 04/2020/TT-BTP" in text
    assert "trang thủ tục: https://dichvucong.gov.vn/p/1" in text
    assert ".doc" not in text


def test_the_result_says_what_is_known_and_what_is_not() -> None:
    procedure = record(
        result="Giấy khai sinh (bản chính)",
        delivery=[{"kind": "counter"}, {"kind": "post"}],
        provenance={
            "result": {"verified": True, "sources": ["luat"]},
            "delivery": {"verified": True, "sources": ["dvc"]},
        },
    )
    text = render_answer(procedure, Aspect.result, TODAY)
    assert "Kết quả: Giấy khai sinh (bản chính)" in text
    assert "Cách nhận kết quả: trực tiếp tại nơi nộp hồ sơ; qua dịch vụ bưu chính công ích" in text
    assert "Chưa có thông tin về thời hạn sử dụng của kết quả trong cơ sở dữ liệu" in text
    assert "chưa được xác minh" not in text  # the groups it holds are verified; the missing one is said missing


def test_an_imported_records_form_points_to_the_portal_page() -> None:
    procedure = record(
        imported_from="national-tthc-2026-06",
        cases=[
            {
                "name": "Giấy tờ phải nộp",
                "documents": [
                    {
                        "name": "Tờ khai đăng ký nhận cha, mẹ, con",
                        "form": "mẫu tải tại trang thủ tục trên Cổng Dịch vụ công quốc gia",
                        "originals": 1,
                    }
                ],
            }
        ],
        provenance={"documents": {"verified": False, "sources": ["dvc"], "note": "Bản sao Cổng DVC quốc gia 06/2026"}},
    )
    text = render_answer(procedure, Aspect.form, TODAY)
    assert "• Tờ khai đăng ký nhận cha, mẹ, con: mẫu tải tại trang thủ tục trên Cổng Dịch vụ công quốc gia" in text
    assert "⚠️ Thông tin mẫu đơn, tờ khai trên chưa được xác minh" in text
