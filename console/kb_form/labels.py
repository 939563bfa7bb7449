"""Every Vietnamese word of the procedure form (NFC), in one place: field labels, hints, the names
of choices, the headings of the fact groups, the page's own sentences.

Labels are looked up by the field's path without indices (`channels.fees.amount`), then by its
own name (`note`), then fall back to the schema field's title or name, so a field added to the
schema shows up with its name until someone gives it a label here.
"""

from __future__ import annotations

from typing import Mapping

# -- fields, by path (indices and provenance groups left out), then by name -------------------
FIELD_LABELS: Mapping[str, str] = {
    "id": "Mã định danh (id)",
    "title": "Tên thủ tục",
    "codes": "Mã thủ tục hành chính",
    "codes.code": "Mã TTHC",
    "codes.level": "Cấp của mã",
    "aliases": "Tên gọi khác (mỗi dòng một tên)",
    "excludes": "Cụm từ không thuộc thủ tục này (mỗi dòng một cụm)",
    "field": "Lĩnh vực",
    "level": "Cấp thực hiện",
    "agency": "Cơ quan thực hiện",
    "agency.name": "Tên cơ quan",
    "applicants": "Đối tượng thực hiện",
    "age_range": "Độ tuổi người nộp",
    "age_range.min": "Từ tuổi",
    "age_range.max": "Đến tuổi",
    "requirements": "Yêu cầu, điều kiện (mỗi dòng một ý)",
    "cases": "Các trường hợp và giấy tờ",
    "cases.name": "Tên trường hợp",
    "cases.condition": "Áp dụng khi",
    "cases.documents": "Giấy tờ",
    "cases.documents.name": "Tên giấy tờ",
    "cases.documents.form": "Mẫu",
    "cases.documents.originals": "Số bản chính",
    "cases.documents.copies": "Số bản sao",
    "cases.documents.mode": "Nộp hay xuất trình",
    "cases.documents.condition": "Điều kiện",
    "channels": "Cách thức thực hiện",
    "channels.kind": "Kênh",
    "channels.available": "Đang nhận hồ sơ qua kênh này",
    "channels.url": "Đường dẫn nộp hồ sơ",
    "channels.time_limit": "Thời hạn giải quyết",
    "channels.time_limit.value": "Số",
    "channels.time_limit.unit": "Đơn vị",
    "channels.fees": "Phí, lệ phí",
    "channels.fees.amount": "Số tiền (VND)",
    "channels.fees.free": "Miễn phí",
    "channels.fees.set_by_province": "Do tỉnh quy định",
    "channels.fees.unit": "Tính theo (lần, trang, bản…)",
    "channels.fees.description": "Mô tả",
    "channels.fees.exemptions": "Đối tượng được miễn (mỗi dòng một ý)",
    "channels.fees.valid_from": "Áp dụng từ ngày",
    "channels.fees.valid_to": "Áp dụng đến ngày",
    "steps": "Các bước (mỗi dòng một bước)",
    "result": "Kết quả",
    "deadline": "Thời hạn người dân phải thực hiện",
    "deadline.value": "Số",
    "deadline.unit": "Đơn vị",
    "deadline.counted_from": "Tính từ",
    "deadline.who": "Người phải thực hiện",
    "deadline.basis": "Căn cứ",
    "deadline.if_missed": "Nếu quá hạn",
    "presence": "Có mặt và ủy quyền",
    "presence.who": "Ai phải có mặt",
    "presence.representation": "Người khác nộp thay",
    "presence.how": "Cách nộp thay",
    "forms": "Mẫu đơn, tờ khai",
    "forms.name": "Tên mẫu",
    "forms.code": "Ký hiệu mẫu",
    "forms.issued_by": "Ban hành kèm",
    "forms.url": "Đường dẫn tải mẫu",
    "validity": "Thời hạn hiệu lực của kết quả",
    "delivery": "Cách nhận kết quả",
    "delivery.kind": "Nhận qua",
    "legal_basis": "Văn bản pháp luật",
    "legal_basis.number": "Số, tên văn bản",
    "legal_basis.title": "Trích yếu",
    "sources": "Nguồn",
    "sources.id": "Mã nguồn (chữ thường, số, dấu gạch ngang)",
    "sources.title": "Tên nguồn",
    "sources.url": "Đường dẫn",
    "sources.kind": "Loại nguồn",
    "provenance": "Xác minh",
    "provenance.verified": "Đã xác minh",
    "provenance.sources": "Mã các nguồn đã đối chiếu (cách nhau bằng dấu phẩy)",
    "provenance.note": "Ghi chú xác minh",
    "last_verified": "Ngày xác minh gần nhất",
    "imported_from": "Sao tự động từ (để trống khi cán bộ đã rà soát)",
    "schema_version": "Phiên bản lược đồ",
}

NAME_LABELS: Mapping[str, str] = {
    "name": "Tên",
    "note": "Ghi chú",
    "url": "Đường dẫn",
    "condition": "Điều kiện",
    "title": "Tiêu đề",
    "kind": "Loại",
    "value": "Số",
    "unit": "Đơn vị",
    "description": "Mô tả",
}

HINTS: Mapping[str, str] = {
    "id": "Chữ thường không dấu, số và dấu gạch ngang, ví dụ khai-sinh; không đổi được sau khi tạo.",
    "codes.code": "Dạng 1.001193",
    "channels.fees.amount": "Số nguyên, không dấu chấm (ví dụ 20000); hoặc để trống và chọn Miễn phí hay Do tỉnh "
    "quy định.",
    "channels.time_limit.value": "Để trống với đơn vị “trong ngày” hoặc “ngay khi nhận đủ hồ sơ”.",
    "channels.fees.valid_from": "Để trống nếu không giới hạn",
    "channels.fees.valid_to": "Để trống nếu không giới hạn",
    "provenance.sources": "Mã lấy từ phần Nguồn, ví dụ: dvc-1-001193, luat-ho-tich-2014",
}

# Text fields shown as a textarea (by name): they hold a sentence or more.
LONG_TEXT = frozenset({"note", "condition", "description", "applicants", "result", "if_missed", "how", "validity"})

# -- the names of choices, by the schema's enum class --------------------------------------------
CHOICE_LABELS: Mapping[str, Mapping[str, str]] = {
    "Level": {"trung_uong": "Trung ương", "tinh": "Tỉnh", "xa": "Xã"},
    "SourceKind": {"primary": "Chính thức (văn bản, cổng nhà nước)", "secondary": "Thứ cấp (báo, công ty luật…)"},
    "DocumentMode": {"submit": "Phải nộp", "show": "Xuất trình tại quầy"},
    "ChannelKind": {"in_person": "Trực tiếp", "online": "Trực tuyến", "post": "Bưu chính"},
    "TimeUnit": {
        "working_days": "ngày làm việc",
        "days": "ngày",
        "hours": "giờ",
        "same_day": "trong ngày",
        "immediately": "ngay khi nhận đủ hồ sơ",
    },
    "DeadlineUnit": {"days": "ngày", "working_days": "ngày làm việc", "months": "tháng"},
    "DeliveryKind": {"counter": "Tại nơi nộp hồ sơ", "post": "Qua bưu chính", "electronic": "Bản điện tử"},
}
NO_CHOICE = "— chưa chọn —"
TRISTATE = {"": "Chưa rõ", "true": "Được", "false": "Không được"}

# -- the fact groups and the form's sections -------------------------------------------------------
GROUP_LABELS: Mapping[str, str] = {
    "documents": "Thành phần hồ sơ",
    "fees": "Phí, lệ phí",
    "time_limit": "Thời hạn giải quyết",
    "agency": "Cơ quan thực hiện",
    "channels": "Cách thức thực hiện",
    "steps": "Trình tự thực hiện",
    "result": "Kết quả",
    "legal_basis": "Căn cứ pháp lý",
    "deadline": "Thời hạn người dân phải thực hiện",
    "presence": "Có mặt, ủy quyền",
    "conditions": "Đối tượng, điều kiện",
    "forms": "Mẫu đơn, tờ khai",
    "validity": "Hiệu lực của kết quả",
    "delivery": "Nhận kết quả",
}
SECTION_HEADINGS: Mapping[str, str] = {
    "general": "Thông tin chung",
    "sources": "Nguồn",
    "other": "Trường khác",
    **GROUP_LABELS,
    "channels": "Cách thức nộp, thời hạn và lệ phí",
}
MARK_LEGEND = "Xác minh: {group}"

# Rows of a list, by the list's path ("Giấy tờ 2").
ROW_LABELS: Mapping[str, str] = {
    "codes": "Mã",
    "cases": "Trường hợp",
    "cases.documents": "Giấy tờ",
    "channels": "Kênh",
    "channels.fees": "Dòng lệ phí",
    "forms": "Mẫu",
    "delivery": "Cách nhận",
    "legal_basis": "Văn bản",
    "sources": "Nguồn",
}
ROW_DEFAULT = "Dòng"
ADD_ROW = "Thêm {what}"
REMOVE_ROW = "Xóa {what} này"
MOVE_UP = "Đưa {what} lên trên"

# -- the page ------------------------------------------------------------------------------------
EDIT_TITLE = "Sửa thủ tục: {title}"
NEW_TITLE = "Thêm thủ tục mới"
DRAFT_NOTICE = "Bạn đang sửa bản nháp số {draft} (đang chờ duyệt) của mình."
LIVE_NOTICE = (
    "Thay đổi được lưu thành bản nháp chờ người khác duyệt; trợ lý vẫn trả lời theo bản hiện hành cho đến khi "
    "bản nháp được duyệt và xuất bản."
)
NOTE_LABEL = "Lý do thay đổi"
NOTE_HINT = "Bắt buộc, tối đa {limit} ký tự: người duyệt đọc lý do này."
NOTE_REQUIRED = "Hãy ghi lý do thay đổi."
NOTE_TOO_LONG = "Lý do thay đổi dài quá {limit} ký tự."
SAVE = "Lưu bản nháp"
SAVE_HEADING = "Lưu thay đổi"
TOC_LABEL = "Các phần của biểu mẫu"
BACK_TO_PROCEDURE = "Về trang thủ tục"
BACK_TO_LIST = "Kho thủ tục"
CANCEL = "Hủy"
ERRORS_HEADING = "Chưa lưu được: có {count} lỗi cần sửa"
ERROR_LINE = "dòng {line}: {message}"
UNLOCATED = "Cả thủ tục"
ID_TAKEN = "Đã có thủ tục với id này."
NOT_YOUR_DRAFT = "Bản nháp này không phải của bạn hoặc không còn chờ duyệt."
REQUIRED_MARK = "(bắt buộc)"
ROW_ERRORS = "Lỗi của {what}"

# -- a province's override of a procedure (console.kb_form.overrides) ------------------------------
PROVINCE_TITLE = "Thông tin riêng của {province}: {title}"
PROVINCE_USE = "Dùng thông tin riêng của tỉnh"
PROVINCE_USE_HINT = "Bỏ chọn: phần này dùng thông tin chung cả nước (không ghi vào tệp của tỉnh)."
PROVINCE_NOTICE = (
    "Chỉ các phần được chọn “Dùng thông tin riêng của tỉnh” được ghi vào tệp của tỉnh; các phần khác lấy "
    "theo thông tin chung cả nước. Lưu sẽ tạo bản nháp; thông tin chỉ đổi khi một người duyệt khác duyệt."
)
PROVINCE_NO_OVERRIDE = "Tỉnh chưa có thông tin riêng cho thủ tục này: biểu mẫu điền sẵn thông tin chung cả nước."
PROVINCE_MOVED_NOW = "Tệp của tỉnh hiện ghi cho thủ tục này:"
PROVINCE_REOPEN = "Mở lại biểu mẫu với thông tin đang dùng"
PROVINCE_HISTORY = "Lịch sử thay đổi thông tin riêng của tỉnh"
PROVINCE_NO_HISTORY = "Chưa có bản nháp nào cho thông tin riêng của tỉnh về thủ tục này."
