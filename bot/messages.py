"""Every Vietnamese sentence the actions send, in one place (NFC).

Fixed replies that need no data (greet, goodbye, out of scope…) are domain responses in
bot/domain.yml; the templates here are the ones filled with knowledge-base facts.
"""

from __future__ import annotations

HOTLINE = "1800 1096"

GREETING = (
    "Xin chào! Mình là trợ lý tự động hướng dẫn thủ tục hành chính. Bạn có thể hỏi giấy tờ cần "
    "chuẩn bị, lệ phí, thời hạn, nơi nộp hay cách nộp trực tuyến của một thủ tục — ví dụ: "
    '"làm giấy khai sinh cần giấy tờ gì?"'
)
OFFICIAL_PORTAL = "https://dichvucong.gov.vn"

ASPECT_HEADINGS = {
    "documents": "Giấy tờ cần chuẩn bị",
    "fee": "Lệ phí",
    "time": "Thời hạn giải quyết",
    "where": "Nơi nộp hồ sơ",
    "steps": "Các bước thực hiện",
    "online": "Nộp hồ sơ trực tuyến",
    "overview": "Thông tin thủ tục",
}

# What the citizen asked about, as words inside a sentence.
ASPECT_WORDS = {
    "documents": "giấy tờ",
    "fee": "lệ phí",
    "time": "thời hạn giải quyết",
    "where": "nơi nộp",
    "steps": "các bước thực hiện",
    "online": "cách nộp trực tuyến",
    "overview": "thông tin",
}

CODE = "mã TTHC {code}"
HEADING = "{heading} — {title}"

CHANNEL_NAMES = {
    "in_person": "Nộp trực tiếp",
    "online": "Nộp trực tuyến",
    "post": "Qua bưu chính",
}
CHANNEL_JOIN = " và "

UNIT_NAMES = {
    "working_days": "ngày làm việc",
    "days": "ngày",
    "hours": "giờ",
}
SAME_DAY = "Trong ngày"
IMMEDIATELY = "Ngay khi nhận đủ hồ sơ hợp lệ"

FEE_FREE = "Miễn lệ phí"
FEE_PROVINCE = "Mức thu do Hội đồng nhân dân tỉnh, thành phố quy định (khác nhau giữa các tỉnh)"
FEE_AMOUNT = "{amount} đồng"
FEE_PER_UNIT = "/{unit}"
FEE_EXEMPTIONS = "Miễn, giảm: {items}"
FEE_UNTIL = "áp dụng đến hết {date}"
FEE_FROM = "áp dụng từ {date}"

DOC_FORM = "mẫu: {form}"
DOC_ORIGINALS = "{count} bản chính"
DOC_COPIES = "{count} bản sao"
DOC_CONDITION = "({condition})"

AGENCY = "Cơ quan giải quyết: {name}"
WAYS_TO_FILE = "Cách nộp: {ways}"
WAY_IN_PERSON = "trực tiếp tại Bộ phận một cửa"
WAY_ONLINE = "trực tuyến"
WAY_ONLINE_AT = "trực tuyến tại {url}"
WAY_POST = "qua dịch vụ bưu chính"

ONLINE_YES = "Có, thủ tục này nộp trực tuyến được{where}."
ONLINE_WHERE = " tại {url}"
ONLINE_NO = "Thủ tục này chưa nhận hồ sơ trực tuyến. Bạn nộp trực tiếp tại Bộ phận một cửa."
ONLINE_TIME = "Thời hạn khi nộp trực tuyến: {time}"
ONLINE_FEE = "Lệ phí khi nộp trực tuyến: {fee}"

RESULT = "Kết quả: {result}"

PROVINCE_APPLIES = "Áp dụng tại {province}."
PROVINCE_NO_LOCAL = "Chưa có thông tin riêng của {province}; dưới đây là quy định chung toàn quốc."
PROVINCE_ASK = (
    "Mức thu do từng tỉnh quy định nên khác nhau giữa các tỉnh. Bạn cho biết tỉnh, thành phố "
    'của bạn (ví dụ: "ở Nghệ An") để xem thông tin riêng nếu có.'
)
PROVINCE_HAS_LOCAL = "Đã có thông tin riêng cho: {provinces}."
OVERVIEW_ASK_MORE = "Bạn muốn biết thêm về giấy tờ, lệ phí, thời hạn, nơi nộp hay nộp trực tuyến?"

NO_FACT = (
    "Hiện chưa có thông tin {aspect} đã được kiểm chứng cho thủ tục này. "
    "Bạn vui lòng xem tại {source} hoặc gọi tổng đài {hotline}."
)
UNVERIFIED = (
    "⚠️ Thông tin {aspect} trên chưa được xác minh với nguồn chính thức{note}. "
    "Bạn vui lòng kiểm tra lại tại {source} hoặc gọi tổng đài {hotline} trước khi đi nộp."
)
UNVERIFIED_NOTE = " ({note})"

LEGAL_BASIS = "Căn cứ: {items}"
SOURCE = "Nguồn: {items}"
LAST_VERIFIED = "Cập nhật: {date}"

ASK_WHICH_PROCEDURE = (
    "Bạn muốn hỏi {aspect} của thủ tục nào? Bạn chọn, gõ số hoặc gõ tên thủ tục (ví dụ: khai sinh, tạm trú):"
)
ASK_WHICH_OF = "Bạn muốn hỏi {aspect} của thủ tục nào trong các thủ tục sau? Bạn chọn, gõ số hoặc gõ tên thủ tục:"
ASK_CONFIRM = "Có phải bạn muốn hỏi về thủ tục «{title}»?"
BUTTON_YES = "Đúng"
BUTTON_NO = "Không phải"
AFTER_DENY = "Xin lỗi vì đã hiểu nhầm. Bạn gõ lại tên thủ tục giúp mình nhé (ví dụ: đăng ký tạm trú, làm căn cước)."
AFFIRM_NOTHING_PENDING = "Vâng ạ. Bạn cần hỏi thêm gì cứ nhắn nhé."
DENY_NOTHING_PENDING = "Vâng ạ. Nếu cần hỏi về thủ tục khác, bạn cứ gõ tên thủ tục."

LIST_PROCEDURES = "Mình có thể hướng dẫn các thủ tục sau (gõ tên thủ tục):"
LIST_OR_PICK = "Hay chọn một thủ tục hay được hỏi (gõ số):"
NUMBERED_OPTION = "{n}. {title}"
CHOOSE_OUT_OF_RANGE = "Bạn chọn một số từ 1 đến {count} giúp mình nhé."
NOTHING_TO_CHOOSE = "Bạn muốn hỏi về thủ tục nào? Bạn gõ tên thủ tục giúp mình (ví dụ: khai sinh, tạm trú)."
PROVINCE_NOTED = "Mình đã ghi nhận bạn ở {province}. Bạn muốn hỏi về thủ tục nào?"
PROVINCE_NOT_FOUND = (
    "Mình chưa nhận ra tỉnh, thành phố trong tin nhắn. Bạn gõ tên tỉnh giúp mình (ví dụ: Nghệ An, Hà Nội)."
)

KB_UNAVAILABLE = (
    "Xin lỗi, hệ thống tra cứu thủ tục đang gặp sự cố. Bạn vui lòng thử lại sau ít phút hoặc gọi tổng đài {hotline}."
)
