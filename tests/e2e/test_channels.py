"""Telegram and Zalo through the real Rasa server: real-shaped updates and events in, replies
arriving at fake Telegram and Zalo APIs (tests/fakes/) that speak the platforms' wire formats."""

from __future__ import annotations

import json
import time
from typing import Any, Dict, Tuple

import aiohttp
import pytest

from tests.e2e.conftest import TELEGRAM_SECRET, ZALO_OA_KEY, Fakes, wait_for
from tests.fakes.telegram_api import callback_update, sticker_update, text_update
from tests.fakes.zalo_api import signed, text_event

pytestmark = pytest.mark.e2e


def channel_url(webhook: str, name: str) -> str:
    return webhook.replace("/webhooks/rest/webhook", f"/webhooks/{name}/webhook")


async def post(url: str, body: bytes, headers: Dict[str, str]) -> Tuple[int, float]:
    started = time.monotonic()
    async with aiohttp.ClientSession() as session:
        async with session.post(url, data=body, headers=headers) as response:
            return response.status, time.monotonic() - started


async def telegram(webhook: str, update: Dict[str, Any], secret: str = TELEGRAM_SECRET) -> int:
    headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret}
    status, _ = await post(channel_url(webhook, "telegram"), json.dumps(update).encode(), headers)
    return status


# --- Telegram -------------------------------------------------------------------------------


async def test_telegram_question_follow_up_and_buttons(webhook: str, fakes: Fakes) -> None:
    chat = 5001
    assert await telegram(webhook, text_update(1, chat, "làm giấy khai sinh cần giấy tờ gì")) == 200
    first = wait_for(lambda: fakes.telegram.sent(chat))
    assert first[0]["text"].startswith("Giấy tờ cần chuẩn bị — Đăng ký khai sinh")
    assert await telegram(webhook, text_update(2, chat, "còn lệ phí?")) == 200
    fee = wait_for(lambda: fakes.telegram.sent(chat)[1:])
    assert fee[0]["text"].startswith("Lệ phí — Đăng ký khai sinh")

    other = 5002
    assert await telegram(webhook, text_update(3, other, "cần giấy tờ gì?")) == 200
    [question] = wait_for(lambda: fakes.telegram.sent(other))
    rows = question["reply_markup"]["inline_keyboard"]
    assert 1 <= len(rows) <= 4
    assert all(len(row[0]["callback_data"].encode()) <= 64 for row in rows)
    title, key = rows[0][0]["text"], rows[0][0]["callback_data"]
    assert await telegram(webhook, callback_update(4, other, key)) == 200
    answered = wait_for(lambda: fakes.telegram.sent(other)[1:])
    assert answered[0]["text"].startswith(f"Giấy tờ cần chuẩn bị — {title}")
    assert any(c["callback_query_id"] == "cb4" for c in fakes.telegram.calls_of("answerCallbackQuery"))


async def test_telegram_rejects_a_wrong_secret_and_answers_a_resent_update_once(webhook: str, fakes: Fakes) -> None:
    chat = 5003
    assert await telegram(webhook, text_update(10, chat, "xin chào"), secret="wrong") == 403
    assert await telegram(webhook, text_update(11, chat, "xin chào"), secret="") == 403
    time.sleep(1)
    assert fakes.telegram.sent(chat) == []
    for _ in range(3):
        assert await telegram(webhook, text_update(12, chat, "đăng ký tạm trú ở đâu")) == 200
    wait_for(lambda: fakes.telegram.sent(chat))
    time.sleep(1.5)
    assert len(fakes.telegram.sent(chat)) == 1


async def test_telegram_deep_link_sticker_and_dossier(webhook: str, fakes: Fakes) -> None:
    chat = 5004
    assert await telegram(webhook, text_update(20, chat, "/start tam-tru")) == 200
    opened = wait_for(lambda: fakes.telegram.sent(chat))
    assert "Đăng ký tạm trú" in opened[0]["text"]
    assert await telegram(webhook, sticker_update(21, chat)) == 200
    note = wait_for(lambda: fakes.telegram.sent(chat)[1:])
    assert note[0]["text"].startswith("Hiện mình chỉ đọc được tin nhắn chữ")
    assert await telegram(webhook, text_update(22, chat, "tra cứu hồ sơ 000.00.53.H48-261101-0009")) == 200
    status = wait_for(lambda: fakes.telegram.sent(chat)[2:])
    assert status[0]["text"].startswith("Hồ sơ 000.00.53.H48-261101-0009\nTình trạng: đã có kết quả")


async def test_telegram_malformed_body_is_refused(webhook: str) -> None:
    headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
    status, _ = await post(channel_url(webhook, "telegram"), b"{not json", headers)
    assert status == 400


# --- Zalo -----------------------------------------------------------------------------------


async def zalo(webhook: str, event: Dict[str, Any], key: str = ZALO_OA_KEY) -> Tuple[int, float]:
    raw, headers = signed(event, key)
    return await post(channel_url(webhook, "zalo"), raw, headers)


async def test_zalo_acknowledges_fast_then_answers_question_and_follow_up(webhook: str, fakes: Fakes) -> None:
    app = fakes.zalo.app_id
    status, seconds = await zalo(webhook, text_event(app, "z1", "làm căn cước mất bao lâu", "zm1"))
    assert status == 200 and seconds < 2
    [reply] = wait_for(lambda: fakes.zalo.sent_to("z1"))
    assert reply["text"].startswith("Thời hạn giải quyết — Cấp thẻ căn cước")
    await zalo(webhook, text_event(app, "z1", "nộp ở đâu?", "zm2"))
    where = wait_for(lambda: fakes.zalo.sent_to("z1")[1:])
    assert where[0]["text"].startswith("Nơi nộp hồ sơ — Cấp thẻ căn cước")


async def test_zalo_button_tap_and_follow(webhook: str, fakes: Fakes) -> None:
    app = fakes.zalo.app_id
    await zalo(webhook, text_event(app, "z2", "lệ phí bao nhiêu", "zm10"))
    [question] = wait_for(lambda: fakes.zalo.sent_to("z2"))
    buttons = question["attachment"]["payload"]["buttons"]
    assert all(b["type"] == "oa.query.hide" and len(b["title"]) <= 100 for b in buttons)
    tapped = text_event(app, "z2", buttons[0]["payload"], "zm11")  # a hidden tap comes back as text
    await zalo(webhook, tapped)
    answer = wait_for(lambda: fakes.zalo.sent_to("z2")[1:])
    assert answer[0]["text"].startswith(f"Lệ phí — {buttons[0]['title']}")
    follow = {"app_id": app, "event_name": "follow", "timestamp": str(int(time.time() * 1000)),
              "follower": {"id": "z3"}, "oa_id": "oa-1"}  # fmt: skip
    await zalo(webhook, follow)
    welcome = wait_for(lambda: fakes.zalo.sent_to("z3"))
    assert welcome[0]["text"].startswith("Xin chào! Mình là trợ lý tự động")


async def test_zalo_signatures_and_duplicates(webhook: str, fakes: Fakes) -> None:
    app = fakes.zalo.app_id
    event = text_event(app, "z4", "xin chào", "zm20")
    assert (await zalo(webhook, event, key="not-the-key"))[0] == 403
    raw, headers = signed(event, ZALO_OA_KEY)
    del headers["X-ZEvent-Signature"]
    assert (await post(channel_url(webhook, "zalo"), raw, headers))[0] == 401
    time.sleep(1)
    assert fakes.zalo.sent_to("z4") == []
    for _ in range(3):  # Zalo retries a delivery it thinks failed
        assert (await zalo(webhook, event))[0] == 200
    wait_for(lambda: fakes.zalo.sent_to("z4"))
    time.sleep(1.5)
    assert len(fakes.zalo.sent_to("z4")) == 1


async def test_zalo_expired_token_is_refreshed_then_the_reply_sent(webhook: str, fakes: Fakes) -> None:
    refreshes = fakes.zalo.refreshes
    fakes.zalo.access_token = "only-after-refresh"  # the token the server holds has expired
    await zalo(webhook, text_event(fakes.zalo.app_id, "z5", "thủ tục kết hôn cần giấy tờ gì", "zm30"))
    [reply] = wait_for(lambda: fakes.zalo.sent_to("z5"))
    assert reply["text"].startswith("Giấy tờ cần chuẩn bị — Đăng ký kết hôn")
    assert fakes.zalo.refreshes == refreshes + 1
    assert any(r["error"] == -216 for r in fakes.zalo.refused)
