"""What the satisfaction rating says to the citizen (NFC). The goodbye and the thanks before the
prompt are the domain's `utter_goodbye` and `utter_thanks`."""

from __future__ import annotations

from typing import Dict, List

from bot.messages import HOTLINE

PROMPT = (
    "Bạn chấm mức hài lòng với hỗ trợ hôm nay từ 1 đến 5 sao nhé? (5 sao là rất hài lòng.) "
    'Bạn chọn một nút, gõ số, hoặc gõ "bỏ qua".'
)
SKIP_PAYLOAD = "bỏ qua"  # a payload is sent as typed text: it must read as what it means
NO_COMMENT_PAYLOAD = "không"
BUTTONS: List[Dict[str, str]] = [
    {"title": "1 ⭐ Rất không hài lòng", "payload": "1"},
    {"title": "2 ⭐ Chưa hài lòng", "payload": "2"},
    {"title": "3 ⭐ Bình thường", "payload": "3"},
    {"title": "4 ⭐ Hài lòng", "payload": "4"},
    {"title": "5 ⭐ Rất hài lòng", "payload": "5"},
    {"title": "Bỏ qua", "payload": SKIP_PAYLOAD},
]
COMMENT_BUTTONS: List[Dict[str, str]] = [{"title": "Không góp ý", "payload": NO_COMMENT_PAYLOAD}]

RATED_GOOD = 'Cảm ơn bạn đã chấm {score} sao! Bạn có góp ý gì thêm không? Bạn nhắn ngắn gọn, hoặc gõ "không" để bỏ qua.'
RATED_POOR = (
    "Cảm ơn bạn đã chấm {score} sao. Mình chưa hỗ trợ tốt ở điểm nào? Bạn nhắn ngắn gọn để chúng tôi "
    f'cải thiện, hoặc gõ "không" để bỏ qua. Cần hỗ trợ ngay, bạn gọi tổng đài {HOTLINE} (miễn phí).'
)
SKIPPED = "Vâng ạ. Chúc bạn làm thủ tục thuận lợi! Khi cần hỏi thêm, bạn cứ nhắn mình."
NO_COMMENT = "Vâng, cảm ơn bạn đã đánh giá! Khi cần hỏi thêm về thủ tục, bạn cứ nhắn mình."
ASK_COMMENT_TEXT = 'Bạn nhắn góp ý ngay dưới đây nhé (hoặc gõ "không" để bỏ qua).'
COMMENTED = "Cảm ơn góp ý của bạn! Ý kiến đã được ghi nhận để chúng tôi hỗ trợ người dân tốt hơn."
