"""The citizen's reply to "rate the help from 1 to 5": a score, a skip, or neither. Pure.

Read from the whole message, accent-insensitive, with the polite words around it left out
("cho 5 sao nhé", "mình chấm 4 sao ạ, cảm ơn"): a digit 1-5 with or without a unit ("5", "5 sao",
"5 điểm", "5/5", "5*"), the number in words ("năm sao"), stars ("⭐⭐⭐"), or words (SIPAS's five
levels): "rất tốt", "tuyệt" 5 · "tốt", "hài lòng" 4 · "bình thường", "tạm được" 3 · "tệ", "kém",
"không hài lòng" 2 · "rất tệ", "tồi tệ" 1. A whole message must be that: "5 giờ chiều mở cửa
không" and "làm hộ chiếu cần gì" are neither a score nor a skip (they are questions).
"""

from __future__ import annotations

import re
import unicodedata
from typing import List, Optional

MAX_CHARS = 200  # a rating is short; a longer message is something else
STARS = "⭐★🌟"
_TOKEN = re.compile(r"[0-9a-z]+|[/*]")

# Polite and framing words dropped wherever they are (folded). Two-word ones first.
_FILLER_PAIRS = {
    ("cam", "on"), ("ho", "tro"), ("tra", "loi"), ("dich", "vu"), ("danh", "gia"), ("cam", "thay"),
    ("tro", "ly"), ("muc", "do"), ("hom", "nay"), ("lan", "nay"),
}  # fmt: skip
_FILLERS = {
    "a", "ah", "nhe", "nha", "nhen", "ne", "day", "thi", "cho", "minh", "toi", "tui", "em", "anh", "chi",
    "ban", "bot", "cham", "muc", "la", "oi", "roi", "thay", "thanks", "thank", "thx", "tks", "camon", "ok",
    "oke", "okay", "vay", "nay", "so", "nhieu", "luon", "vang", "da", "cua",
}  # fmt: skip
_JOINED = {("toi", "te"): "toite"}  # "tồi tệ": not "tôi" (I) before "tệ"
_TEENCODE = {"ko": "khong", "k": "khong", "kg": "khong", "khg": "khong", "kh": "khong", "hong": "khong",
             "hok": "khong", "hem": "khong", "dc": "duoc", "dk": "duoc", "oki": "ok"}  # fmt: skip
_INTENSIFIERS = ("rat", "qua", "lam", "cuc", "ky", "vo", "cung", "sieu", "that", "su", "hoan", "toan", "very")
_UNITS = {"sao", "diem", "d", "*", "star", "stars"}
_NUMBER_WORDS = {"mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5}

# (folded phrase) → score; an intensifier ("rất", "quá", "lắm") makes 4 a 5 and 2 a 1.
_LEVELS = {
    5: "tuyet|tuyet voi|xuat sac|hoan hao|xin xo|excellent|perfect",
    4: "tot|hai long|hay|huu ich|kha|kha tot|good|chu dao",
    3: "binh thuong|tam duoc|tam on|on|trung binh|cung duoc|tam tam|khong te|khong kem|thuong thoi|normal",
    2: "te|kem|do|chan|chua tot|khong tot|chua hai long|khong hai long|khong on|chua on|khong hay|khong huu ich"
    "|bad|hoi te|hoi kem",
    1: "toite|te hai|vo dung|te nhat|kem nhat|khong ra gi",
}
_WORDS = {phrase: score for score, phrases in _LEVELS.items() for phrase in phrases.split("|")}
_NEGATIONS = ("khong", "chua")
# A skip is made of these words only, with one of the first set: "không", "thôi khỏi", "bỏ qua",
# "không cần đâu", "để sau", "chưa".
_SKIP_CORE = {"khong", "thoi", "khoi", "skip", "no", "chua", "bo"}
_SKIP_LATER = {"de sau", "lan sau", "de lan sau", "sau nhe"}
_SKIP_WORDS = _SKIP_CORE | {"can", "muon", "dau", "qua", "de", "sau", "lan", "danh", "gop", "y", "kien", "co", "gi"}


def fold(text: str) -> str:
    """Lower case, no diacritics, "đ" as "d" (NFC or not)."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn").replace("đ", "d")


def words(text: str) -> List[str]:
    """The message's folded words without the polite ones; each star counts as a "*"."""
    for star in STARS:
        text = text.replace(star, " * ")
    raw = [_TEENCODE.get(w, w) for w in _TOKEN.findall(fold(text[:MAX_CHARS]))]
    kept: List[str] = []
    i = 0
    while i < len(raw):
        pair = (raw[i], raw[i + 1]) if i + 1 < len(raw) else ("", "")
        if pair in _JOINED:
            kept.append(_JOINED[pair])
            i += 2
            continue
        if pair in _FILLER_PAIRS:
            i += 2
            continue
        if raw[i] not in _FILLERS or (raw[i] == "ok" and len(raw) == 1):
            kept.append(raw[i])
        i += 1
    return kept


def _number(found: List[str]) -> Optional[int]:
    """A score written as a number: "5", "5 sao", "5/5", "5 trên 5", "năm sao", "⭐⭐⭐"."""
    if found and all(w == "*" for w in found):
        return len(found) if len(found) <= 5 else None
    if not found:
        return None
    first = found[0]
    value = int(first) if first.isdigit() and len(first) == 1 else _NUMBER_WORDS.get(first)
    if value is None or not 1 <= value <= 5:
        return None
    rest = found[1:]
    if not rest or (len(rest) == 1 and rest[0] in _UNITS) or all(w == "*" for w in rest):
        return value
    if rest in (["/", "5"], ["tren", "5"], ["/", "5", "sao"]):
        return value
    return None


def _words_score(found: List[str]) -> Optional[int]:
    """A score written in words, an intensifier making 4 a 5 and 2 a 1 ("không tốt lắm" stays 2)."""
    phrase = " ".join(found)
    if phrase in _WORDS:
        return _WORDS[phrase]
    plain = [w for w in found if w not in _INTENSIFIERS]
    score = _WORDS.get(" ".join(plain))
    if score is None or len(plain) == len(found):
        return score
    mild = plain[0] in _NEGATIONS and [w for w in found if w in _INTENSIFIERS] == ["lam"]
    if score == 4:
        return 5
    if score == 2 and not mild:
        return 1
    return score


def read_rating(text: str) -> Optional[int]:
    """The score 1-5 the message gives, or None when it is not a rating."""
    if len(text) > MAX_CHARS:
        return None
    found = words(text)
    number = _number(found)
    return number if number is not None else _words_score(found)


def is_skip(text: str) -> bool:
    """Does the message decline ("không", "ko", "bỏ qua", "thôi", "không cần đâu, cảm ơn")?"""
    if len(text) > MAX_CHARS:
        return False
    found = words(text)
    return " ".join(found) in _SKIP_LATER or (bool(set(found) & _SKIP_CORE) and set(found) <= _SKIP_WORDS)
