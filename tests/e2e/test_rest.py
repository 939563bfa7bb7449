"""End to end: the real action server and Rasa server on free ports, talked to over REST."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import say

pytestmark = pytest.mark.e2e


async def test_papers_then_fee_for_the_same_procedure(webhook: str) -> None:
    [reply] = await say(webhook, "citizen-a", "làm giấy khai sinh cần giấy tờ gì")
    assert reply["recipient_id"] == "citizen-a"
    assert reply["text"].startswith("Giấy tờ cần chuẩn bị — Đăng ký khai sinh (mã TTHC 1.001193)")
    assert "Tờ khai đăng ký khai sinh" in reply["text"]
    assert "Giấy chứng sinh" in reply["text"]

    [reply] = await say(webhook, "citizen-a", "còn lệ phí?")
    assert reply["text"].startswith("Lệ phí — Đăng ký khai sinh (mã TTHC 1.001193)")
    assert "Miễn lệ phí" in reply["text"]
    assert "Cập nhật: 22/11/2026" in reply["text"]


async def test_each_sender_has_its_own_conversation(webhook: str) -> None:
    await say(webhook, "citizen-b", "đăng ký tạm trú cần giấy tờ gì")
    [reply] = await say(webhook, "citizen-c", "còn lệ phí?")
    assert reply["text"].startswith("Bạn muốn hỏi lệ phí của thủ tục nào?")
    assert [button["title"] for button in reply["buttons"]][:2] == ["Đăng ký khai sinh", "Đăng ký thường trú"]

    [reply] = await say(webhook, "citizen-c", reply["buttons"][1]["payload"])
    assert reply["text"].startswith("Lệ phí — Đăng ký thường trú")
    assert "20.000 đồng" in reply["text"]


async def test_a_vague_question_gets_the_list_of_procedures(webhook: str) -> None:
    """The list names the curated procedures only, and comes within the REST channel's wait
    (made by comparing whole records over the catalogue, it once took seconds and the citizen
    got "hệ thống tạm thời gián đoạn")."""
    [reply] = await say(webhook, "citizen-v", "tôi muốn làm thủ tục hành chính")
    assert "Mình có thể hướng dẫn các thủ tục sau" in reply["text"]
    assert "• Đăng ký kết hôn (trong nước)" in reply["text"]
    assert "(mã TTHC" not in reply["text"] and len(reply["text"]) < 2_000


async def test_out_of_scope_and_bot_challenge(webhook: str) -> None:
    [reply] = await say(webhook, "citizen-d", "bạn là người hay máy?")
    assert "trợ lý tự động" in reply["text"]
    [reply] = await say(webhook, "citizen-d", "giá vàng hôm nay bao nhiêu")
    assert reply["text"].startswith("Xin lỗi, mình chỉ hướng dẫn thủ tục hành chính")


@pytest.mark.parametrize("message", ["😀😀😀", "a" * 5000, "   "])
async def test_odd_messages_get_an_answer_and_the_server_keeps_serving(webhook: str, message: str) -> None:
    replies = await say(webhook, "citizen-e", message)
    assert replies, "the citizen must not be left without a reply"
    assert all(reply.get("text") for reply in replies)
    [reply] = await say(webhook, "citizen-e", "đăng ký thường trú mất bao lâu")
    assert "7 ngày làm việc" in reply["text"]
