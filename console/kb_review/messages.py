"""Every Vietnamese text of the KB review: errors, states, labels and the pages' sentences (NFC)."""

from __future__ import annotations

from typing import Dict

# -- errors ------------------------------------------------------------------------------------
INVALID_DRAFT = "Bản nháp có {count} lỗi, chưa lưu được; xem danh sách lỗi bên dưới."
UNKNOWN_DRAFT = "Không có bản nháp số {id}."
SELF_REVIEW = (
    "Bạn là người soạn bản nháp này nên không thể tự duyệt: theo nguyên tắc hai người, một người duyệt khác "
    "phải xem và duyệt."
)
NEEDS_REBASE = (
    "Thủ tục đã được thay đổi sau khi bản nháp được soạn. Người soạn cần cập nhật bản nháp theo bản đang dùng "
    "(nút “Cập nhật theo bản đang dùng”) trước khi duyệt."
)
NOT_WAITING = "Bản nháp này không còn chờ duyệt ({state})."
NOT_AUTHOR = "Chỉ người soạn bản nháp mới làm được việc này."
NOT_ADMIN = "Chỉ quản trị viên mới được đăng ngay không qua duyệt."
NOT_REVIEWER = "Chỉ người duyệt mới được duyệt hoặc từ chối bản nháp."
NOTE_REQUIRED = "Hãy ghi lý do thay đổi (tối đa 500 ký tự)."
URGENT_REASON_REQUIRED = "Đăng ngay không qua duyệt cần ghi rõ lý do khẩn (tối đa 500 ký tự)."
COMMENT_REQUIRED = "Từ chối cần ghi nhận xét cho người soạn (tối đa 500 ký tự)."
TOO_LONG = "Nội dung ghi tối đa 500 ký tự."
ID_MISMATCH = "Mã thủ tục trong bản nháp ({found}) khác với thủ tục đang sửa ({expected})."
ALREADY_EXISTS = "Đã có thủ tục mã {id}; hãy sửa thủ tục đó thay vì tạo mới."
NO_SUCH_PROCEDURE = "Không có thủ tục mã {id} trong kho."
BAD_PROCEDURE_ID = "Mã thủ tục không hợp lệ: chỉ gồm chữ thường không dấu, số và dấu gạch ngang."
NO_CHANGE = "Bản nháp giống hệt bản đang dùng: không có gì để duyệt."
ROLLBACK_SAME = "Thủ tục đang dùng đúng nội dung của phiên bản {version}: không cần khôi phục."
UNKNOWN_VERSION = "Thủ tục {id} không có phiên bản {version}."
AUDIT_BROKEN = "Không khôi phục được: nhật ký thay đổi hoặc phiên bản đã lưu không khớp mã kiểm tra ({detail})."
NOT_A_RECORD = "Dữ liệu gửi lên không phải một thủ tục (cần một đối tượng JSON)."
NLU_BAD_INTENT = "Ý định “{intent}” không có trong danh sách ý định của trợ lý."
NLU_BAD_TEXT = "Câu ví dụ cần có nội dung, trên một dòng, tối đa {limit} ký tự."
STALE_WORKBOOK = (
    "Không tạo bản nháp nào: tệp được xuất lúc {exported_at}; từ đó {count} thủ tục đã thay đổi trong kho, "
    "xung đột với tệp. Hãy xuất tệp mới rồi sửa lại các thủ tục này."
)
WORKBOOK_UNREADABLE = "Tệp bảng tính có {count} lỗi, không tạo bản nháp nào."
WORKBOOK_NO_CHANGE = "Tệp bảng tính không thay đổi thủ tục nào so với kho."
WORKBOOK_MISSING = "Hãy chọn tệp bảng tính (.xlsx) xuất từ trang này."
WORKBOOK_TOO_LARGE = "Tệp bảng tính quá lớn (tối đa 5 MB)."
PROVINCE_MOVED = (
    "Tệp thông tin riêng của tỉnh ({file}) đã thay đổi sau khi biểu mẫu được mở. Hãy mở lại biểu mẫu "
    "(thông tin đang dùng của tỉnh được nạp lại) rồi sửa lại; bản nháp này không thể duyệt."
)
PROVINCE_FILE_BROKEN = "Không đọc được tệp {file}: {detail}"
PROVINCE_UNKNOWN = "Tỉnh {slug} không có trong danh sách tỉnh (provinces/index.yml)."
PROVINCE_NOT_REBASED = "Bản nháp thông tin riêng của tỉnh không cập nhật tự động được: hãy mở lại biểu mẫu."
MOVED_MEANWHILE = "Thủ tục {ids} vừa thay đổi trong lúc xử lý; hãy thử lại."

# -- states and kinds ----------------------------------------------------------------------------
STATE_LABELS: Dict[str, str] = {
    "waiting": "Chờ duyệt",
    "published": "Đã đăng",
    "published_unreviewed": "Đã đăng, chưa qua duyệt",
    "rejected": "Bị từ chối",
    "withdrawn": "Đã rút",
}
KIND_LABELS: Dict[str, str] = {
    "edit": "Sửa thủ tục",
    "create": "Thêm thủ tục",
    "delete": "Xóa thủ tục",
    "rollback": "Khôi phục phiên bản cũ",
    "nlu_example": "Câu ví dụ cho trợ lý",
    "province": "Thông tin riêng của tỉnh",
}
ACTION_LABELS: Dict[str, str] = {
    "create": "Thêm",
    "edit": "Sửa",
    "delete": "Xóa",
    "rollback": "Khôi phục",
    "import": "Nhập từ bảng tính",
}
ASPECT_LABELS: Dict[str, str] = {
    "documents": "Giấy tờ",
    "fee": "Lệ phí",
    "time": "Thời gian",
    "where": "Nơi nộp",
    "online": "Nộp trực tuyến",
    "steps": "Các bước",
}

# -- pages -------------------------------------------------------------------------------------
DRAFTS_TITLE = "Bản nháp kho thủ tục"
DRAFT_TITLE = "Bản nháp số {id}"
HISTORY_TITLE = "Lịch sử thay đổi: {id}"
VERSION_DIFF_TITLE = "So sánh phiên bản {old} và {new}: {id}"
APPROVED = "Đã duyệt và đăng bản nháp. Trợ lý tự nạp lại kho thủ tục trong ít phút."
APPROVED_FLAG_CLEARED = "Đã duyệt bản nháp đã đăng khẩn: bỏ đánh dấu “chưa qua duyệt”."
APPROVED_NLU = (
    "Đã duyệt câu ví dụ: câu được thêm vào dữ liệu huấn luyện, có hiệu lực sau lần huấn luyện tới (make train)."
)
PUBLISHED_URGENT = "Đã đăng ngay. Bản nháp vẫn được đánh dấu “chưa qua duyệt” cho đến khi một người duyệt khác duyệt."
REJECTED = "Đã từ chối bản nháp."
WITHDRAWN = "Đã rút bản nháp."
REBASED = "Đã cập nhật bản nháp theo bản đang dùng: giữ các thay đổi của bạn ở {fields}; không có xung đột."
REBASE_NOTHING = "Bản nháp đã dựa trên bản đang dùng: không cần cập nhật."
REBASE_CONFLICTS = "Không cập nhật được: {count} mục bị sửa ở cả hai phía. Hãy sửa lại bản nháp từ bản đang dùng."
ROLLBACK_DRAFTED = "Đã tạo bản nháp khôi phục phiên bản {version}; bản nháp cần được duyệt trước khi đăng."
IMPORTED = "Đã tạo {count} bản nháp từ bảng tính; mỗi bản cần được duyệt."
NLU_TAKES_EFFECT = "Câu ví dụ chỉ có hiệu lực sau lần huấn luyện tới của trợ lý (make train)."
NEW_RECORD = "(thủ tục mới)"
DELETED_RECORD = "(thủ tục bị xóa)"
ABSENT = "(không có)"
PROVINCE_OVERRIDE_REMOVED = "(bỏ thông tin riêng của tỉnh: dùng thông tin chung cả nước)"
PROVINCE_NOW_HOLDS = "Tệp của tỉnh hiện ghi cho thủ tục này:"
PROVINCE_NOW_NOTHING = "Tệp của tỉnh hiện không có thông tin riêng cho thủ tục này."
PROVINCE_REOPEN = "Mở lại biểu mẫu"
