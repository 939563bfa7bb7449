"""The procedure desk's words and its search.

A helper at a one-stop centre reads the same facts a citizen gets from the assistant, in the same
wording: each fact (a paper, a fee, a time limit, a date, a channel, the deadline, who must go, the
result, the record's date, the warning of a fact not verified or not known) is written by
`procedures_kb.wording`, which the assistant's answers (`procedures_kb/answers.py`) use too. What is here is
the desk's own: its headings, its marks, the lines of the text for a chat. The search is the
knowledge base's own (`KnowledgeBase.search`, the one the bot uses: accent-insensitive, aliases
such as "cccd", "đk"). All text is Vietnamese, NFC.
"""

from __future__ import annotations

from typing import List

from connectors.messages import HOTLINE as HOTLINE
from procedures_kb import Procedure
from procedures_kb.schema import Level
from procedures_kb.text import nfc

# --- the desk's own words -------------------------------------------------------------------

HEADINGS = {
    "documents": "Giấy tờ cần chuẩn bị",
    "fees": "Lệ phí",
    "time_limit": "Thời hạn giải quyết",
    "where": "Nơi nộp và cách nộp",
    "deadline": "Thời hạn phải đi đăng ký",
    "presence": "Ai phải đi, có nhờ người khác được không",
    "conditions": "Đối tượng và điều kiện",
    "forms": "Mẫu đơn, tờ khai",
    "steps": "Các bước thực hiện",
    "result": "Kết quả, thời hạn sử dụng và cách nhận",
    "legal_basis": "Căn cứ pháp lý",
}
# What a fact group is, inside a sentence ("Thông tin {giấy tờ} trên chưa được xác minh").
WORDS = {
    "documents": "giấy tờ",
    "fees": "lệ phí",
    "time_limit": "thời hạn giải quyết",
    "where": "nơi nộp",
    "deadline": "thời hạn phải đăng ký",
    "presence": "người phải có mặt và việc nộp thay",
    "conditions": "đối tượng và điều kiện",
    "forms": "mẫu đơn, tờ khai",
    "steps": "các bước thực hiện",
    "result": "kết quả và cách nhận",
    "legal_basis": "căn cứ pháp lý",
}
WAYS_HEADING = "Cách nộp"
LEVEL_NAMES = {Level.central: "Trung ương", Level.province: "Cấp tỉnh", Level.commune: "Cấp xã"}
CURATED = "Do biên tập viên soạn và kiểm tra"
IMPORTED = "Nhập từ danh mục thủ tục quốc gia, chưa rà soát"
VERIFIED_MARK = "Đã xác minh"
UNVERIFIED_MARK = "Chưa xác minh"
TEXT_PAPERS = "Giấy tờ:"
TEXT_FEES = "Lệ phí:"
TEXT_TIME = "Thời hạn giải quyết:"
TEXT_WHERE = "Nơi nộp:"
TEXT_MORE_PAPERS = "… và {count} giấy tờ khác (xem nguồn)"
TEXT_MORE = "… (xem thêm tại nguồn)"
TEXT_UNKNOWN = "Chưa có thông tin {items}: xem nguồn hoặc gọi tổng đài {hotline}."
TEXT_UNVERIFIED = "⚠️ Chưa xác minh: {items}. Kiểm tra tại nguồn hoặc gọi tổng đài {hotline}."
TEXT_SOURCE = "Nguồn: {url}"
PRINTED_ON = "In ngày {date}"
DESK_TITLE = "Tra cứu thủ tục"
CHECKLIST_TITLE = "Danh sách giấy tờ — {title}"
NOT_FOUND_TITLE = "Không tìm thấy thủ tục"

# A query longer than this is cut before the search: a procedure's name is never that long.
MAX_QUERY_CHARS = 200
MAX_RESULTS = 10


def legal_basis_lines(p: Procedure) -> List[str]:
    return [
        doc.number + (f" — {doc.title}" if doc.title else "") + (f" ({doc.note})" if doc.note else "")
        for doc in p.legal_basis
    ]


def clean_query(raw: str) -> str:
    """A query as the search reads it: NFC, single spaces, at most MAX_QUERY_CHARS characters."""
    return nfc(" ".join(raw.split()))[:MAX_QUERY_CHARS]
