"""Dossier lookups: a "hồ sơ" message is a lookup only when it looks like one; the status, the
details for the owner, the limits and the failures, against the portal simulator."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.actions.dossier import ActionCheckDossierStatus, ActionNotUnderstood, ActionOutOfScope, procedure_question
from bot.actions.followups import ActionChooseOption
from bot.actions.procedures import ActionAnswerDocuments
from bot.dossier_services import DossierServices, reset_services
from connectors.portal.simulator import Simulator
from motcua.settings import get_settings
from procedures_kb.answers import Aspect
from tests.bot.actions.dossier_chat import Chat
from tests.bot.actions.test_actions import run


@pytest.mark.parametrize(
    ("text", "aspect"),
    [
        ("nộp hồ sơ ở đâu", Aspect.where),
        ("nop ho so o dau", Aspect.where),
        ("hồ sơ gồm những gì", Aspect.documents),
        ("hồ sơ hưởng thất nghiệp nộp ở đâu", Aspect.where),
        ("hồ sơ của tôi đến đâu rồi", None),
        ("tra cứu hồ sơ 000.00.53.H48-220921-0099", None),
        ("hồ sơ nộp ở đâu mà tra cứu đến đâu rồi", None),
        ("hồ sơ xong chưa", None),
    ],
)
def test_procedure_question_or_lookup(text: str, aspect: Aspect | None) -> None:
    assert procedure_question(text) == aspect


async def test_where_to_file_is_answered_for_the_procedure_in_context() -> None:
    messages, _ = await run(ActionCheckDossierStatus(), "nộp hồ sơ ở đâu", slots={"procedure": "tam-tru"})
    assert messages[0]["text"].startswith("Nơi nộp hồ sơ — Đăng ký tạm trú")


CHECK = ActionCheckDossierStatus()


async def test_asks_for_the_code_then_gives_the_status_and_asks_for_the_digits(portal: DossierServices) -> None:
    chat = Chat()
    asked = await chat.say(CHECK, "hồ sơ của tôi đến đâu rồi")
    assert asked.startswith("Bạn gửi giúp mình mã hồ sơ")
    assert "000.00.53.H48-220921-0099" in asked  # an example of the format
    status = await chat.say(ActionOutOfScope(), "000 00 53 h48 261101 0004")  # whatever the NLU said
    assert status.splitlines()[:2] == ["Hồ sơ 000.00.53.H48-261101-0004", "Tình trạng: đang được giải quyết"]
    assert "Bước tiếp theo: Cơ quan đang giải quyết" in status
    assert "4 số cuối của số điện thoại" in status
    # Nothing about the person before the owner check: no phone, no name, no procedure.
    for secret in ("0905", "Phạm", "Chứng thực", "Hải Châu", "Ngày hẹn trả"):
        assert secret not in status
    details = await chat.say(ActionChooseOption(), "3404")  # "3404" may read as a picked number
    assert details.startswith("Chi tiết hồ sơ 000.00.53.H48-261101-0004 — Chứng thực bản sao từ bản chính")
    assert "Người nộp: Phạm M*** Đ" in details  # masked, for the owner
    assert "Ngày tiếp nhận: 08:30 ngày 19/11/2026" in details
    assert "Ngày hẹn trả: 16:30 ngày 29/11/2026" in details
    assert "Cơ quan giải quyết: UBND phường Hải Châu, TP Đà Nẵng" in details


async def test_a_code_in_the_first_message_is_used_at_once(portal: DossierServices) -> None:
    reply = await Chat().say(CHECK, "mã hồ sơ 000.00.53.H48-261101-0009 xong chưa")
    assert reply.startswith("Hồ sơ 000.00.53.H48-261101-0009\n")
    assert "trích lục" not in reply
    assert "Tình trạng: đã có kết quả, chờ bạn đến nhận" in reply
    assert "mang giấy tiếp nhận hồ sơ (phiếu hẹn) và giấy tờ tùy thân" in reply


async def test_supplement_request_lists_the_papers_to_add_for_the_owner(portal: DossierServices) -> None:
    chat = Chat()
    status = await chat.say(CHECK, "tra cứu hồ sơ 000.00.53.H48-261101-0005")
    assert "Tình trạng: cần bổ sung giấy tờ" in status
    assert "ngày hẹn trả và giấy tờ cần bổ sung, bạn nhắn 4 số cuối" in status
    assert "giấy chứng sinh" not in status
    details = await chat.say(ActionNotUnderstood(), "4 số cuối là 34 05")
    assert "Giấy tờ cần bổ sung: Bổ sung giấy chứng sinh bản chính" in details
    assert 'thủ tục «Đăng ký khai sinh», bạn hỏi "cần giấy tờ gì?"' in details
    papers = await chat.say(ActionAnswerDocuments(), "cần giấy tờ gì")  # the dossier's procedure is in context
    assert papers.startswith("Giấy tờ cần chuẩn bị — Đăng ký khai sinh")


async def test_refused_dossier_gives_the_reason_to_the_owner(portal: DossierServices) -> None:
    chat = Chat()
    assert "Tình trạng: không được tiếp nhận" in await chat.say(CHECK, "000.00.53.H48-261101-0003")
    details = await chat.say(CHECK, "3403")
    assert "Lý do: Hồ sơ thiếu văn bản đồng ý cho đăng ký tạm trú" in details


async def test_overdue_dossier_gets_an_apology_and_the_hotline(portal: DossierServices) -> None:
    reply = await Chat().say(CHECK, "000.00.53.H48-261101-0011")
    assert "Hồ sơ đã quá ngày hẹn trả. Mình xin lỗi vì sự chậm trễ này" in reply
    assert "1800 1096" in reply


async def test_due_soon_is_said(portal: DossierServices) -> None:
    assert "Hồ sơ sắp đến ngày hẹn trả kết quả." in await Chat().say(CHECK, "000.00.53.H48-261101-0012")


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("000.00.53.H48-261101-0001", "đã nộp trực tuyến, chưa được tiếp nhận"),
        ("000.00.53.H48-261101-0002", "đã được tiếp nhận"),
        ("000.00.53.H48-261101-0006", "đang chờ bạn nộp thuế, phí, lệ phí"),
        ("000.00.53.H48-261101-0007", "đã rút hồ sơ"),
        ("000.00.53.H48-261101-0008", "đã dừng xử lý"),
        ("000.00.53.H48-261101-0010", "đã trả kết quả"),
        ("03706/2026/07906", "đã có kết quả, chờ bạn đến nhận"),
    ],
)
async def test_every_status_in_plain_words(portal: DossierServices, code: str, words: str) -> None:
    assert f"Tình trạng: {words}" in await Chat().say(CHECK, f"tra cứu {code}")


async def test_wrong_digits_show_nothing_and_count_toward_the_limit(portal: DossierServices) -> None:
    chat = Chat()
    await chat.say(CHECK, "000.00.53.H48-261101-0005")  # 1 lookup
    for _ in range(4):  # 4 wrong attempts: 5 in all
        reply = await chat.say(CHECK, "1111")
        assert reply.startswith("4 số cuối chưa khớp")
        assert "giấy chứng sinh" not in reply
    blocked = await chat.say(CHECK, "3405")  # right digits, but over the limit
    assert blocked.startswith("Bạn đã tra cứu 5 lần trong 10 phút")
    assert "giấy chứng sinh" not in blocked
    assert "1800 1096" in blocked
    other = await Chat("citizen-2").say(CHECK, "000.00.53.H48-261101-0005")
    assert other.startswith("Hồ sơ 000.00.53.H48-261101-0005")  # another sender is not limited


async def test_invalid_and_unknown_codes(portal: DossierServices) -> None:
    chat = Chat()
    bad = await chat.say(CHECK, "hồ sơ 000.00.53.H48-2611-0004 đến đâu rồi")
    assert bad.startswith("Mã hồ sơ này chưa đúng định dạng. Mã hồ sơ có dạng 000.00.53.H48-220921-0099")
    unknown = await chat.say(CHECK, "000.00.53.H48-261101-0999")
    assert unknown.startswith("Không tìm thấy hồ sơ mã 000.00.53.H48-261101-0999")


async def test_digits_are_only_taken_right_after_they_were_asked_for(portal: DossierServices) -> None:
    chat = Chat()
    await chat.say(CHECK, "000.00.53.H48-261101-0004")
    await chat.say(ActionAnswerDocuments(), "làm khai sinh cần gì")  # the citizen moved on
    reply = await chat.say(ActionChooseOption(), "3404")
    assert not reply.startswith("Chi tiết hồ sơ")


async def test_a_dead_portal_gets_a_clear_answer_quickly(portal: DossierServices, simulator: Simulator) -> None:
    simulator.mode = "timeout"
    started = time.monotonic()
    reply = await Chat().say(CHECK, "000.00.53.H48-261101-0004")
    assert time.monotonic() - started < 5
    assert reply.startswith("Hệ thống tra cứu hồ sơ đang bận")
    assert "1800 1096" in reply


async def test_a_slow_lookup_does_not_hold_other_citizens(portal: DossierServices, simulator: Simulator) -> None:
    slow = asyncio.create_task(Chat("slow").say(CHECK, "000.00.00.H99-000000-0408"))
    started = time.monotonic()
    fast = await Chat("fast").say(CHECK, "000.00.53.H48-261101-0009")
    assert fast.startswith("Hồ sơ 000.00.53.H48-261101-0009") and time.monotonic() - started < 1
    assert (await slow).startswith("Hệ thống tra cứu hồ sơ đang bận")


async def test_without_a_portal_the_citizen_is_pointed_to_the_official_one() -> None:
    reset_services(DossierServices(get_settings()))  # PORTAL_URL is not set in tests
    try:
        reply = (await run(CHECK, "000.00.53.H48-261101-0004"))[0][0]["text"]
    finally:
        reset_services()
    assert reply.startswith("Tra cứu hồ sơ chưa được kết nối") and "https://dichvucong.gov.vn" in reply


async def test_a_switch_read_as_a_dossier_question_keeps_the_last_question() -> None:
    slots = {"procedure": "ket-hon", "last_aspect": "online"}
    messages, _ = await run(CHECK, "thế còn giấy xác nhận tình trạng hôn nhân?", slots=slots)
    assert messages[0]["text"].startswith("Nộp hồ sơ trực tuyến — Cấp Giấy xác nhận tình trạng hôn nhân")


async def test_a_procedure_named_without_lookup_words_is_about_the_procedure() -> None:
    messages, _ = await run(CHECK, "hồ sơ đăng ký tạm trú")
    assert messages[0]["text"].startswith("Thông tin thủ tục — Đăng ký tạm trú")
    asked, _ = await run(CHECK, "hồ sơ đăng ký tạm trú của tôi đến đâu rồi")
    assert asked[0]["text"].startswith("Bạn gửi giúp mình mã hồ sơ")


async def test_not_understood_but_plainly_a_procedure_question_is_answered() -> None:
    messages, _ = await run(ActionNotUnderstood(), "đi thuê nhà thì đăng ký tạm trú ở đâu")
    assert messages[0]["text"].startswith("Nơi nộp hồ sơ — Đăng ký tạm trú")
    switch, _ = await run(ActionNotUnderstood(), "còn giấy phép xây dựng nhà ở thì sao?", slots={"last_aspect": "time"})
    assert switch[0]["text"].startswith("Thời hạn giải quyết — Cấp giấy phép xây dựng nhà ở riêng lẻ")


@pytest.mark.parametrize(
    "text", ["giá iphone 15 bao nhiêu tiền", "cuối tuần đi đâu chơi", "còn gì nữa không", "thời tiết ở đâu đẹp"]
)
async def test_unrelated_messages_still_get_the_fixed_reply(text: str) -> None:
    messages, _ = await run(ActionOutOfScope(), text)
    assert [m.get("response") for m in messages] == ["utter_out_of_scope"]
