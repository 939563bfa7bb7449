"""The notices a subscriber reads when their dossier moves: every status in plain words with its next
step, the code masked, how to stop; the appointment-day warning; the ZNS template's parameters."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

import pytest

from bot import messages as bot_msg
from connectors.messages import HOTLINE
from connectors.portal.client import redact
from dossiers import notice
from dossiers.model import VIETNAM, Dossier, Status

NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=VIETNAM)
CODE = "000.00.53.H48-261101-0004"
STOP = 'Muốn dừng nhận thông báo, bạn nhắn "hủy theo dõi".'


def dossier(status: int, **extra: Any) -> Dossier:
    return Dossier.parse_obj(
        {
            "code": CODE,
            "procedure_name": "Đăng ký thường trú",
            "applicant_name": "Phạm Minh Đức",
            "phone": "0905123404",
            "status_code": status,
            **extra,
        }
    )


EXPECTED_STATUS = {
    1: "đã nộp trực tuyến, chưa được tiếp nhận",
    2: "đã được tiếp nhận",
    3: "không được tiếp nhận",
    4: "đang được giải quyết",
    5: "cần bổ sung giấy tờ",
    6: "đang chờ bạn nộp thuế, phí, lệ phí",
    7: "đã rút hồ sơ",
    8: "đã dừng xử lý",
    9: "đã có kết quả, chờ bạn đến nhận",
    10: "đã trả kết quả",
}


@pytest.mark.parametrize("status", list(range(1, 11)))
def test_every_status_is_told_in_plain_words_with_its_next_step(status: int) -> None:
    text = notice.status_notice(dossier(status), NOW)
    lines = text.split("\n")
    assert lines[0] == "Thông báo hồ sơ 000.00.53.H48-261101-**** — Đăng ký thường trú"
    assert lines[1] == f"Hồ sơ vừa chuyển sang tình trạng mới: {EXPECTED_STATUS[status]}."
    assert lines[-2] == f"Bước tiếp theo: {bot_msg.STATUS_NEXT_STEP[status]}"
    assert lines[-1] == STOP
    assert CODE not in text and "0905123404" not in text and "Phạm Minh Đức" not in text
    assert text == unicodedata.normalize("NFC", text)
    assert len(text) < 1000  # one short message on every channel (Zalo: 2,000 characters)


def test_the_words_are_the_assistants_own() -> None:
    """The replies to a lookup and the notices say a status the same way."""
    for status in Status:
        assert notice.status_words(dossier(int(status))) == bot_msg.STATUS_WORDS[int(status)]
    assert notice.HOTLINE == HOTLINE
    assert notice.mask_code(CODE) == redact(CODE)


def test_papers_to_add_are_named_with_where_to_bring_them() -> None:
    text = notice.status_notice(
        dossier(5, note="Bản sao giấy khai sinh có chứng thực", agency="Công an phường Hải Châu"), NOW
    )
    assert "Giấy tờ cần bổ sung: Bản sao giấy khai sinh có chứng thực" in text.split("\n")
    assert "Cơ quan giải quyết: Công an phường Hải Châu" in text.split("\n")
    assert "Bạn bổ sung giấy tờ theo yêu cầu" in text


def test_the_fee_to_pay_is_named() -> None:
    text = notice.status_notice(dossier(6, note="Lệ phí 50.000 đồng"), NOW)
    assert "Cần nộp: Lệ phí 50.000 đồng" in text.split("\n")
    assert "Bạn nộp khoản thuế, phí, lệ phí theo thông báo" in text


def test_a_result_to_collect_says_when_and_where() -> None:
    appointment = dt.datetime(2026, 11, 24, 16, 0, tzinfo=VIETNAM)
    text = notice.status_notice(dossier(9, appointment_at=appointment.isoformat(), agency="UBND phường Hải Châu"), NOW)
    lines = text.split("\n")
    assert "Ngày hẹn trả: 16:00 ngày 24/11/2026" in lines
    assert "Nơi nhận kết quả: UBND phường Hải Châu" in lines
    assert "mang giấy tiếp nhận hồ sơ (phiếu hẹn) và giấy tờ tùy thân" in text


def test_a_refusal_gives_its_reason() -> None:
    text = notice.status_notice(dossier(3, note="Thiếu tờ khai"), NOW)
    assert "Lý do: Thiếu tờ khai" in text.split("\n")


def test_the_appointment_is_read_in_the_assistants_time_zone() -> None:
    utc = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.timezone.utc)  # 16:00 in Vietnam
    assert "Ngày hẹn trả: 16:00 ngày 24/11/2026" in notice.status_notice(
        dossier(9, appointment_at=utc.isoformat()), NOW
    )


def test_simulated_data_says_so() -> None:
    text = notice.status_notice(dossier(4, simulated=True), NOW)
    assert text.split("\n")[-2] == bot_msg.DOSSIER_SIMULATED


def test_the_appointment_day_warning() -> None:
    appointment = dt.datetime(2026, 11, 20, 16, 0, tzinfo=VIETNAM)
    late = dossier(4, appointment_at=appointment.isoformat(), agency="Công an phường Hải Châu")
    text = notice.notice(notice.KIND_APPOINTMENT_TODAY, late, NOW)
    assert text == (
        "Thông báo hồ sơ 000.00.53.H48-261101-**** — Đăng ký thường trú\n"
        "Hôm nay (20/11/2026) là ngày hẹn trả kết quả (hẹn lúc 16:00), nhưng hồ sơ chưa có kết quả "
        "(tình trạng: đang được giải quyết). Trước khi đến nhận, bạn gọi cho Công an phường Hải Châu hoặc "
        f"tổng đài {HOTLINE} để hỏi lại, tránh mất công đi lại.\n{STOP}"
    )
    assert "cơ quan giải quyết hoặc tổng đài" in notice.appointment_today_notice(dossier(4), NOW)


@pytest.mark.parametrize(
    ("status", "day", "today"),
    [(4, 0, True), (2, 0, True), (5, 0, True), (4, 1, False), (4, -1, False), (9, 0, False), (10, 0, False)],
)
def test_the_warning_is_for_the_appointment_day_of_a_dossier_not_done(status: int, day: int, today: bool) -> None:
    appointment = dt.datetime(2026, 11, 20, 16, 0, tzinfo=VIETNAM) + dt.timedelta(days=day)
    assert notice.appointment_is_today(dossier(status, appointment_at=appointment.isoformat()), NOW) is today
    assert notice.appointment_is_today(dossier(status), NOW) is False


def test_final_statuses() -> None:
    assert {s for s in Status if notice.is_final(dossier(int(s)))} == {
        Status.NOT_ACCEPTED,
        Status.WITHDRAWN,
        Status.STOPPED,
        Status.RETURNED,
    }


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown kind"):
        notice.notice("weekly", dossier(4), NOW)


def test_the_zns_parameters_hold_no_personal_data() -> None:
    appointment = dt.datetime(2026, 11, 24, 16, 0, tzinfo=VIETNAM)
    data = notice.template_data("status", dossier(9, appointment_at=appointment.isoformat()), NOW)
    assert data == {
        "ma_ho_so": "000.00.53.H48-261101-****",
        "thu_tuc": "Đăng ký thường trú",
        "trang_thai": "đã có kết quả, chờ bạn đến nhận",
        "ngay_hen": "24/11/2026",
        "buoc_tiep_theo": bot_msg.STATUS_NEXT_STEP[9][:200],
    }
    assert all(len(v) <= 200 for v in data.values())
