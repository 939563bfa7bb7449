"""What the chat channels themselves say (not the assistant's answers, which are in
bot/messages.py): the apology when the assistant fails, notes for messages it cannot read, and
the national hotline that both quote. Vietnamese, NFC."""

from procedures_kb.answer_text import HOTLINE as HOTLINE  # one hotline, for the channels and the answers

CHANNEL_APOLOGY = (
    "Xin lỗi, hệ thống tạm thời gián đoạn, vui lòng thử lại sau ít phút. Cần hỗ trợ ngay, bạn gọi tổng đài {hotline}."
)
TEXT_ONLY = (
    'Hiện mình chỉ đọc được tin nhắn chữ. Bạn gõ câu hỏi giúp mình nhé, ví dụ: "làm giấy khai sinh cần giấy tờ gì?"'
)
BUTTON_EXPIRED = "Nút này đã hết hạn. Bạn gõ lại câu hỏi giúp mình nhé."
WEB_BUSY = (
    "Bạn nhắn nhanh quá, mình chưa kịp trả lời. Bạn chờ khoảng một phút rồi nhắn lại giúp mình, "
    "hoặc gọi tổng đài {hotline}."
)
EMPTY_MESSAGE = 'Mình chưa nhận được nội dung. Bạn gõ câu hỏi giúp mình nhé, ví dụ: "làm căn cước cần giấy tờ gì?"'
# Longer messages are not read (MAX_MESSAGE_CHARS in connectors/text.py).
MESSAGE_TOO_LONG = (
    "Tin nhắn dài quá {limit} ký tự nên mình chưa đọc được. Bạn gửi câu hỏi ngắn gọn hơn giúp mình nhé "
    '(ví dụ: "làm căn cước cần giấy tờ gì?").'
)
