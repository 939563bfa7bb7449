"""What the web chat widget itself says (its buttons, labels and notes), in Vietnamese (NFC).

The widget's script holds no sentence of its own: connectors/web_widget/routes.py puts these
into widget.js when it serves it, with the channels' apology, the "too fast" and "too long"
notes of connectors/messages.py, and the length cap of connectors/text.py, so the page says
exactly what the other channels say."""

from __future__ import annotations

from typing import Dict

from connectors import messages as msg
from connectors.text import too_long_note

WIDGET_TEXTS: Dict[str, str] = {
    "title": "Hỏi đáp thủ tục hành chính",
    "greeting": (
        "Xin chào! Mình là trợ lý tự động hướng dẫn thủ tục hành chính. Bạn hỏi giấy tờ, lệ phí, nơi nộp "
        'của một thủ tục, ví dụ: "làm giấy khai sinh cần giấy tờ gì?", hoặc tra cứu hồ sơ bằng mã hồ sơ nhé.'
    ),
    "bubble": "Hỏi đáp",
    "open": "Mở khung trò chuyện: {title}",
    "unread": "{count} tin nhắn mới",
    "close": "Đóng khung trò chuyện",
    "restart": "Bắt đầu cuộc trò chuyện mới",
    "log": "Các tin nhắn",
    "me": "Bạn:",
    "bot": "Trợ lý:",
    "suggestions": "Gợi ý trả lời",
    "input": "Nhập câu hỏi của bạn",
    "placeholder": "Nhập câu hỏi…",
    "send": "Gửi",
    "typing": "Trợ lý đang trả lời…",
    "retry": "Gửi lại",
    "offline": "Mất kết nối. Đang thử kết nối lại…",
    "left": "Còn {count} ký tự",
    "footer": "Trợ lý tự động, không thay cho hướng dẫn chính thức. Cần hỗ trợ, gọi tổng đài {hotline}.",
    "new_link": "(mở trong thẻ mới)",
}


def widget_texts() -> Dict[str, str]:
    """Every sentence the widget shows, the channels' own included, hotline filled in."""
    return {
        **{key: text.replace("{hotline}", msg.HOTLINE) for key, text in WIDGET_TEXTS.items()},
        "apology": msg.CHANNEL_APOLOGY.format(hotline=msg.HOTLINE),
        "busy": msg.WEB_BUSY.format(hotline=msg.HOTLINE),
        "too_long": too_long_note(),
    }
