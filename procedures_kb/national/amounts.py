"""Amounts of money in the copy's fee texts, with the sentence that says what they are for.

An amount is read only where the text writes it unambiguously: digits with thousands separators
("135.000", "7,000") or at least four digits, followed by a Vietnamese currency word ("đồng",
"đ", "VNĐ"). Amounts in dollars are found so they can be reported, never converted. A sentence
that names a validity period gives the amount its dates; one that ended before the copy was made
marks the amount stale.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import List, Optional, Tuple

from procedures_kb.national.rules import COPY_DATE, MAX_FEE_DESCRIPTION_CHARS

_NUMBER = r"(?<![\d.,])(?P<number>\d{1,3}(?:[.,]\d{3})+|\d+)"
VND_RE = re.compile(_NUMBER + r"\s*(?:việt nam đồng|đồng|vnđ|vnd|đ)(?!\w)", re.IGNORECASE)
USD_RE = re.compile(_NUMBER + r"\s*(?:usd|đô la mỹ)(?!\w)", re.IGNORECASE)
UNIT_RE = re.compile(r"\s*/\s*(?P<unit>[^,;.()\n:/]{1,30}?(?:/[^,;.()\n:/]{1,15})?)\s*(?=[,;.()\n:]|$)")
_DATE = r"(?:(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})|(?P<d2>\d{1,2}) tháng (?P<m2>\d{1,2}) năm (?P<y2>\d{4}))"
END_RE = re.compile(r"(?:đến hết ngày|đến ngày|hết ngày)\s+" + _DATE, re.IGNORECASE)
START_RE = re.compile(r"(?:kể từ ngày|từ ngày)\s+" + _DATE, re.IGNORECASE)
# A sentence ends at . ; ! ? followed by a space (not a thousands separator), or at a line break.
_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+|\n+")
# Where the clause of an amount starts: after one of these, looking back from the amount.
_CLAUSE_START = re.compile(r"[,;(\n]|[.!?]\s|(?:^|\s)[-+•]\s|\)\s")
FEE_WORDS = re.compile(r"phí|mức thu|\bthu\b", re.IGNORECASE)
NO_FEE_WORDS = re.compile(r"miễn (?:phí|lệ phí|thu)|không thu", re.IGNORECASE)
NO_FEE_NOTES = ("", "không", "không có", "không quy định", "không thu")
PROVINCE_SETS = re.compile(r"hội đồng nhân dân|hđnd", re.IGNORECASE)


@dataclass(frozen=True)
class Found:
    """An amount as written: in đồng (`value`), or in dollars (`foreign`), or too small to trust."""

    value: Optional[int]
    text: str
    start: int
    end: int
    sentence: str
    unit: Optional[str] = None
    foreign: bool = False


def to_int(number: str) -> int:
    return int(number.replace(".", "").replace(",", ""))


def plausible(number: str) -> bool:
    """An amount in đồng is plausible when written with thousands separators or at least 1.000."""
    return to_int(number) >= 1000


def sentences(text: str) -> List[Tuple[int, int]]:
    """(start, end) of each sentence of `text`."""
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def _sentence_at(text: str, spans: List[Tuple[int, int]], index: int) -> str:
    for start, end in spans:
        if start <= index < end:
            return text[start:end]
    return text


def find_amounts(text: str) -> List[Found]:
    """Every amount of money in `text`, in order, with its sentence and unit ("lần", "hộ chiếu")."""
    spans = sentences(text)
    found: List[Found] = []
    for regex, foreign in ((VND_RE, False), (USD_RE, True)):
        for match in regex.finditer(text):
            number = match.group("number")
            unit_match = UNIT_RE.match(text, match.end())
            unit = " ".join(unit_match.group("unit").split()) if unit_match else None
            end = unit_match.end() if unit_match else match.end()
            value = None if foreign or not plausible(number) else to_int(number)
            sentence = _sentence_at(text, spans, match.start())
            found.append(Found(value, match.group(0), match.start(), end, sentence, unit or None, foreign))
    return sorted(found, key=lambda item: item.start)


def _date(match: re.Match[str]) -> Optional[dt.date]:
    day, month, year = (match.group("d"), match.group("m"), match.group("y"))
    if day is None:
        day, month, year = match.group("d2"), match.group("m2"), match.group("y2")
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def period(sentence: str) -> Tuple[Optional[dt.date], Optional[dt.date], bool]:
    """(valid_from, valid_to, ended) stated in a sentence. `ended`: a period in it ended before the
    copy was made (a stale rate). A date is kept only when the sentence states exactly one."""
    ends = [day for day in map(_date, END_RE.finditer(sentence)) if day]
    starts = [day for day in map(_date, START_RE.finditer(sentence)) if day]
    ended = any(day < COPY_DATE for day in ends)
    valid_to = ends[0] if len(ends) == 1 else None
    valid_from = starts[0] if len(starts) == 1 and (valid_to is None or starts[0] <= valid_to) else None
    return valid_from, valid_to, ended


def shorten(text: str, limit: int = MAX_FEE_DESCRIPTION_CHARS) -> Optional[str]:
    """Whitespace-normalised text without its outer punctuation, cut at a word under `limit`."""
    text = " ".join(text.split()).strip(" -+•:;,.()/")
    if not text:
        return None
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:(")
    return cut + "…"


def clause(text: str, found: Found) -> Optional[str]:
    """What an amount is for: its clause up to the amount ("Lệ phí cấp giấy phép lái xe"), or, when
    nothing comes before it, the words after it."""
    before = text[: found.start]
    starts = [match.end() for match in _CLAUSE_START.finditer(before)]
    head = shorten(before[starts[-1] if starts else 0 :])
    if head:
        return head
    rest = text[found.end :]
    stop = re.search(r"[,;\n]|\.\s", rest)
    return shorten(rest[: stop.start()] if stop else rest)


def names_a_fee(text: str) -> bool:
    """The text speaks of a fee to pay (not of an exemption)."""
    return bool(FEE_WORDS.search(NO_FEE_WORDS.sub("", text)))


def says_no_fee(note: str) -> bool:
    """A fee note that says there is nothing to pay: "Không", "Không có", "Không quy định", "Miễn…"."""
    words = " ".join(note.split()).strip(" -+.:;()").lower()
    return words in NO_FEE_NOTES or words.startswith(("miễn", "không thu", "không phải nộp"))


def names_more_than_no_fee(note: str) -> bool:
    """A "free" note worth keeping: more than "Không", "Không có", "Không quy định"."""
    return " ".join(note.split()).strip(" -+.:;()").lower() not in NO_FEE_NOTES


def amount_in(text: str, value: int) -> List[str]:
    """The sentences of `text` that write `value` ("160.000" or "160,000")."""
    written = (f"{value:,}", f"{value:,}".replace(",", "."))
    return [text[a:b] for a, b in sentences(text) if any(w in text[a:b] for w in written)]
