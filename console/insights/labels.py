"""The Vietnamese text of the insights dashboard and the unanswered questions (NFC), in one place."""

from __future__ import annotations

from typing import Dict

DASHBOARD_TITLE = "Thống kê"
UNANSWERED_TITLE = "Câu hỏi chưa trả lời được"
ALIAS_TITLE = "Tạo tên gọi khác cho thủ tục"
RETENTION = "Dữ liệu được giữ {days} ngày; dữ liệu cũ hơn được xoá tự động."
SATISFACTION_TITLE = "Mức độ hài lòng"
SATISFACTION = (
    "Người dân chấm từ 1 đến 5 sao khi cảm ơn hoặc chào sau khi được trả lời, hoặc khi người hỗ trợ kết thúc "
    "trao đổi (mỗi phiên tối đa một lần), kèm góp ý nếu muốn. Góp ý đã được che số điện thoại, số giấy tờ, mã hồ sơ."
)
NO_PROCEDURE = "Chưa rõ thủ tục"
NO_HELPER = "Không qua người hỗ trợ"
WITH_HELPER = "Có người hỗ trợ: {outcome}"
STARS = "{score} sao"
NO_DATA = "Không có dữ liệu trong khoảng thời gian này"
ALL_CHANNELS = "Tất cả kênh"

BAD_DATE = "Ngày “{value}” không hợp lệ: hãy nhập theo dạng năm-tháng-ngày, ví dụ 2026-11-22."
BAD_ORDER = "Ngày bắt đầu phải trước hoặc bằng ngày kết thúc."
TOO_LONG = "Khoảng thời gian dài nhất là {days} ngày; đã rút lại còn {days} ngày tính đến ngày kết thúc."
BAD_CHANNEL = "Kênh “{value}” không có trong dữ liệu; đang hiển thị tất cả kênh."
UNKNOWN_TABLE = "Không có bảng này."

NLU_DRAFT_NOTE = "Từ câu hỏi chưa trả lời được ({count} lần)"
ALIAS_DRAFT_NOTE = "Tên gọi khác từ câu hỏi chưa trả lời được ({count} lần)"
BAD_INTENT = "Hãy chọn một ý định (intent) có trong danh sách."
BAD_TEXT = "Câu mẫu không được để trống và dài tối đa {chars} ký tự."
BAD_PROCEDURE = "Không tìm thấy thủ tục đã chọn."
ALIAS_EXISTS = "Thủ tục “{title}” đã có tên gọi này."
DRAFT_FAILED = "Chưa tạo được bản nháp: {reason}"

SHARE_LABELS: Dict[str, str] = {
    "answered": "Đã trả lời",
    "clarified": "Hỏi lại cho rõ",
    "not_understood": "Không hiểu",
    "out_of_scope": "Ngoài phạm vi",
    "no_procedure": "Không có thủ tục",
    "other": "Khác",
}

DOSSIER_LABELS: Dict[str, str] = {
    "found": "Tìm thấy",
    "not_found": "Không tìm thấy",
    "invalid_code": "Mã không hợp lệ",
    "owner_check_failed": "Không khớp chủ hồ sơ",
    "portal_unavailable": "Cổng dịch vụ không phản hồi",
    "limited": "Bị giới hạn số lần tra",
    "asked_code": "Đã hỏi mã hồ sơ",
}

HANDOFF_STATE_LABELS: Dict[str, str] = {
    "waiting": "Đang chờ",
    "claimed": "Đang hỗ trợ",
    "missed": "Bị lỡ (không ai nhận)",
    "cancelled": "Công dân huỷ",
    "ended": "Đã kết thúc",
}

UNANSWERED_OUTCOME_LABELS: Dict[str, str] = {
    "not_understood": "Không hiểu",
    "fallback": "Không chắc chắn (fallback)",
    "out_of_scope": "Ngoài phạm vi",
    "no_procedure": "Không có thủ tục",
}

ASPECT_LABELS: Dict[str, str] = {
    "documents": "Giấy tờ",
    "fee": "Lệ phí",
    "time": "Thời hạn giải quyết",
    "where": "Nơi nộp",
    "steps": "Các bước",
    "online": "Nộp trực tuyến",
    "overview": "Tổng quan",
    "deadline": "Hạn phải làm",
    "presence": "Ai phải đến",
    "conditions": "Điều kiện",
    "form": "Mẫu đơn",
    "result": "Kết quả",
    "": "Chưa rõ khía cạnh",
}

# The CSV files: the name in the address, the title of the table on the page.
TABLE_TITLES: Dict[str, str] = {
    "per-day": "Hội thoại và tin nhắn theo ngày, theo kênh",
    "outcomes": "Tỉ lệ kết quả trả lời",
    "procedures": "Câu hỏi theo thủ tục và khía cạnh",
    "dossier": "Tra cứu hồ sơ theo kết quả",
    "handoffs": "Chuyển cho người hỗ trợ",
    "handoff-outcomes": "Kết quả các lần chuyển cho người hỗ trợ",
    "unanswered": "Câu hỏi chưa trả lời được",
    "ratings": "Số lượt đánh giá theo số sao",
    "ratings-summary": "Tổng hợp đánh giá",
    "ratings-by-procedure": "Đánh giá theo thủ tục",
    "ratings-by-channel": "Đánh giá theo kênh",
    "ratings-by-helper": "Đánh giá theo người hỗ trợ",
    "rating-comments": "Góp ý mới nhất",
}
