"""Every Vietnamese sentence the console's Python code shows to a person, in NFC, in one place.

Templates (`console/templates/`) hold the text of the pages themselves; what code chooses at run
time (errors, confirmations, labels) lives here, so a wording is changed once.
"""

from __future__ import annotations

from typing import Dict

from connectors.messages import HOTLINE  # one hotline for the assistant and the console

APP_TITLE = "Bàn trợ giúp Một Cửa"

# -- logging in -------------------------------------------------------------------------------
LOGIN_TITLE = "Đăng nhập"
LOGIN_INVALID = "Tên đăng nhập hoặc mật khẩu không đúng."
LOGIN_LOCKED = (
    "Tài khoản tạm thời bị khoá vì đăng nhập sai nhiều lần. "
    "Vui lòng thử lại sau {minutes} phút hoặc nhờ quản trị viên mở khoá."
)
LOGIN_DISABLED = "Tài khoản này đã bị vô hiệu hoá. Vui lòng liên hệ quản trị viên."
LOGIN_RATE_LIMITED = "Có quá nhiều lần đăng nhập từ máy này. Vui lòng đợi một phút rồi thử lại."
LOGGED_OUT = "Bạn đã đăng xuất."

# -- pages ------------------------------------------------------------------------------------
HOME_TITLE = "Trang chính"
ADMIN_USERS_TITLE = "Tài khoản người dùng"

# -- refusals and errors (short pages) --------------------------------------------------------
CSRF_FAILED = "Yêu cầu không hợp lệ: phiên làm việc đã hết hạn hoặc biểu mẫu đã cũ. Vui lòng tải lại trang rồi thử lại."
FORBIDDEN = "Bạn không có quyền mở trang này."
NOT_FOUND = "Không tìm thấy trang này."
METHOD_NOT_ALLOWED = "Thao tác này không được hỗ trợ ở trang này."
TOO_LARGE = "Dữ liệu gửi lên quá lớn."
BAD_REQUEST = "Yêu cầu không hợp lệ."
UNAUTHORIZED = "Vui lòng đăng nhập."
TOO_MANY_REQUESTS = "Bạn thao tác quá nhanh. Vui lòng đợi một chút rồi thử lại."
SERVER_ERROR = "Đã có lỗi ở máy chủ. Vui lòng thử lại sau ít phút; nếu vẫn lỗi, hãy báo quản trị viên."
ERROR_TITLE = "Có lỗi"

STATUS_MESSAGES: Dict[int, str] = {
    400: BAD_REQUEST,
    401: UNAUTHORIZED,
    403: FORBIDDEN,
    404: NOT_FOUND,
    405: METHOD_NOT_ALLOWED,
    413: TOO_LARGE,
    429: TOO_MANY_REQUESTS,
    500: SERVER_ERROR,
}

# -- presence and roles -----------------------------------------------------------------------
PRESENCE_LABELS: Dict[str, str] = {"available": "Sẵn sàng", "away": "Vắng mặt"}
ROLE_LABELS: Dict[str, str] = {"helper": "Tình nguyện viên", "admin": "Quản trị viên", "reviewer": "Người duyệt"}

# -- the command line (python -m console users ...) -------------------------------------------
CLI_USER_CREATED = "Đã tạo tài khoản {name} (vai trò {role})."
CLI_USER_DISABLED = "Đã vô hiệu hoá tài khoản {name}."
CLI_USER_UNLOCKED = "Đã mở khoá tài khoản {name}."


def status_message(status: int) -> str:
    """The sentence for an HTTP error status (the server error's for an unknown one)."""
    return STATUS_MESSAGES.get(status, BAD_REQUEST if 400 <= status < 500 else SERVER_ERROR)


# -- the human handoff: what the citizen is sent (console/handoff_service.py) ------------------
HANDOFF_CLAIMED = (
    "Chào bạn, mình là tình nguyện viên hỗ trợ của Trung tâm phục vụ hành chính công. "
    "Mình đã đọc tin nhắn của bạn, bạn cần giúp gì ạ?"
)
HANDOFF_BACK_TO_BOT = (
    'Bạn đã quay lại trợ lý tự động. Bạn cứ hỏi về thủ tục cần làm; muốn gặp người hỗ trợ, nhắn "gặp người hỗ trợ".'
)
HANDOFF_ENDED = (
    "Tình nguyện viên đã kết thúc cuộc trò chuyện. Cảm ơn bạn! Từ giờ trợ lý tự động sẽ trả lời bạn; "
    "bạn cứ hỏi tiếp về thủ tục cần làm."
)
HANDOFF_ENDED_COUNTER = (
    "Tình nguyện viên đã kết thúc cuộc trò chuyện. Bạn vui lòng đến quầy số {counter} của Bộ phận một cửa "
    "để được giải quyết. Từ giờ trợ lý tự động sẽ trả lời bạn."
)
HANDOFF_ENDED_HOTLINE = (
    f"Tình nguyện viên đã kết thúc cuộc trò chuyện. Bạn vui lòng gọi tổng đài dịch vụ công {HOTLINE} "
    "(miễn phí) để được hướng dẫn tiếp. Từ giờ trợ lý tự động sẽ trả lời bạn."
)
HANDOFF_MISSED = (
    "Xin lỗi bạn, hiện chưa có tình nguyện viên nào trả lời được. Bạn gọi tổng đài dịch vụ công "
    f"{HOTLINE} (miễn phí), hoặc thử lại sau. Từ giờ trợ lý tự động sẽ trả lời bạn."
)

# -- the human handoff: what a helper sees ------------------------------------------------------
QUEUE_TITLE = "Hàng chờ"
CHAT_TITLE = "Trò chuyện với công dân"
HANDOFF_GONE = "Không tìm thấy yêu cầu này (có thể đã kết thúc)."
HANDOFF_TAKEN = "Cuộc trò chuyện này đang do {helper} phụ trách."
HANDOFF_CLOSED_STATE = "Yêu cầu này đã kết thúc, bị huỷ hoặc đã quá hạn chờ."
HANDOFF_NOT_YOURS = "Bạn không còn phụ trách cuộc trò chuyện này."
HANDOFF_EMPTY_REPLY = "Tin nhắn trống."
CHAT_HISTORY_UNAVAILABLE = "Chưa lấy được toàn bộ cuộc trò chuyện từ trợ lý; dưới đây là các tin nhắn gần nhất."
DELIVERY_FAILED = "Tin nhắn chưa gửi được tới công dân. Vui lòng thử lại sau ít phút."
DELIVERY_ZALO_WINDOW = (
    "Tin nhắn chưa gửi được: Zalo chỉ cho gửi tin tư vấn trong 7 ngày kể từ tin nhắn cuối của công dân. "
    "Công dân cần nhắn cho Official Account trước; hoặc hướng dẫn họ gọi tổng đài 1800 1096."
)
DELIVERY_FAILURES: Dict[str, str] = {
    "zalo_window_closed": DELIVERY_ZALO_WINDOW,
    "telegram_blocked": "Tin nhắn chưa gửi được: công dân đã chặn bot Telegram.",
    "telegram_rate_limited": "Telegram đang giới hạn số tin nhắn. Vui lòng đợi vài giây rồi gửi lại.",
    "mailbox_full": "Công dân chưa đọc các tin nhắn trước (trang web đã đóng?). Vui lòng đợi họ quay lại.",
    "message_too_large": "Tin nhắn quá dài. Vui lòng chia thành nhiều tin ngắn hơn.",
}
RASA_UNAVAILABLE = "Chưa kết nối được với trợ lý. Vui lòng thử lại sau ít phút."
TRANSFER_UNKNOWN = "Không tìm thấy đồng nghiệp này."
END_BAD_OUTCOME = "Vui lòng chọn kết quả (và số quầy khi chuyển tới quầy)."
TOO_MANY_STREAMS = "Quá nhiều cửa sổ đang mở. Vui lòng đóng bớt rồi tải lại trang."
OUTCOME_LABELS: Dict[str, str] = {
    "answered": "Đã giải đáp",
    "sent_to_counter": "Chuyển tới quầy",
    "sent_to_hotline": "Chuyển tổng đài 1800 1096",
    "abusive": "Lời lẽ không phù hợp",
    "citizen_left": "Công dân đã rời đi",
}
CHANNEL_LABELS: Dict[str, str] = {"telegram": "Telegram", "zalo": "Zalo", "web": "Web", "rest": "REST"}
WEEKDAYS: Dict[str, str] = {
    "mon": "Thứ Hai",
    "tue": "Thứ Ba",
    "wed": "Thứ Tư",
    "thu": "Thứ Năm",
    "fri": "Thứ Sáu",
    "sat": "Thứ Bảy",
    "sun": "Chủ nhật",
}
