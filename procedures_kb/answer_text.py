"""The sentences of the answers about a procedure (`procedures_kb.answers`), in NFC.

The assistant sends them and the console's KB editor previews them, so they live with the KB;
`bot/messages.py` names them too, beside the assistant's other sentences.
"""

from __future__ import annotations

__all__ = [
    "ASPECT_HEADINGS",
    "ASPECT_WORDS",
    "FORM_GET",
    "FORM_LINE",
    "HEADING",
    "HOTLINE",
    "LEGAL_BASIS",
    "MISSING_PART",
    "MORE_DOCUMENTS",
    "ONLINE_FEE",
    "ONLINE_NO",
    "ONLINE_TIME",
    "ONLINE_WHERE",
    "ONLINE_YES",
    "OVERVIEW_ASK_MORE",
    "PART_DELIVERY",
    "PART_VALIDITY",
    "PROVINCE_APPLIES",
    "PROVINCE_ASK",
    "PROVINCE_HAS_LOCAL",
    "PROVINCE_NO_LOCAL",
    "REQUIREMENTS",
    "SOURCE",
    "WAYS_TO_FILE",
]

HOTLINE = "1800 1096"  # the national public-service hotline (tổng đài Cổng Dịch vụ công quốc gia)

ASPECT_HEADINGS = {
    "documents": "Giấy tờ cần chuẩn bị",
    "fee": "Lệ phí",
    "time": "Thời hạn giải quyết",
    "where": "Nơi nộp hồ sơ",
    "steps": "Các bước thực hiện",
    "online": "Nộp hồ sơ trực tuyến",
    "overview": "Thông tin thủ tục",
    "deadline": "Thời hạn bạn phải đi đăng ký",
    "presence": "Ai phải đi, có nhờ người khác được không",
    "conditions": "Đối tượng và điều kiện",
    "form": "Mẫu đơn, tờ khai",
    "result": "Kết quả, thời hạn sử dụng và cách nhận",
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
    "deadline": "thời hạn phải đăng ký",
    "presence": "người phải có mặt và việc nộp thay",
    "conditions": "đối tượng và điều kiện",
    "form": "mẫu đơn, tờ khai",
    "result": "kết quả và cách nhận",
}

HEADING = "{heading} — {title}"

WAYS_TO_FILE = "Cách nộp: {ways}"

ONLINE_YES = "Có, thủ tục này nộp trực tuyến được{where}."
ONLINE_WHERE = " tại {url}"
ONLINE_NO = "Thủ tục này chưa nhận hồ sơ trực tuyến. Bạn nộp trực tiếp tại Bộ phận một cửa."
ONLINE_TIME = "Thời hạn khi nộp trực tuyến: {time}"
ONLINE_FEE = "Lệ phí khi nộp trực tuyến: {fee}"

# The aspects beyond the first six (issue 16).
REQUIREMENTS = "Yêu cầu, điều kiện:"
FORM_LINE = "• {name}"
FORM_GET = (
    "Mẫu lấy tại Bộ phận một cửa nơi nộp, hoặc tải / điền trực tuyến tại trang thủ tục: {source}. "
    "Khi nộp trực tuyến, tờ khai là biểu mẫu điện tử điền ngay trên cổng."
)
MISSING_PART = "Chưa có thông tin về {part} trong cơ sở dữ liệu: xem {source} hoặc gọi tổng đài {hotline}."
PART_VALIDITY = "thời hạn sử dụng của kết quả"
PART_DELIVERY = "cách nhận kết quả"

PROVINCE_APPLIES = "Áp dụng tại {province}."
PROVINCE_NO_LOCAL = "Chưa có thông tin riêng của {province}; dưới đây là quy định chung toàn quốc."
PROVINCE_ASK = (
    "Mức thu do từng tỉnh quy định nên khác nhau giữa các tỉnh. Bạn cho biết tỉnh, thành phố "
    'của bạn (ví dụ: "ở Nghệ An") để xem thông tin riêng nếu có.'
)
PROVINCE_HAS_LOCAL = "Đã có thông tin riêng cho: {provinces}."
OVERVIEW_ASK_MORE = "Bạn muốn biết thêm về giấy tờ, lệ phí, thời hạn, nơi nộp hay nộp trực tuyến?"

LEGAL_BASIS = "Căn cứ: {items}"
SOURCE = "Nguồn: {items}"
MORE_DOCUMENTS = "… và {count} giấy tờ khác: xem đủ danh sách tại {source}"
