"""Channels (cách thức thực hiện) parsed back out of the copy's flattened table text.

The copy writes the table as one string: the header "Hình thức nộpThời gianPhí, lệ phíMô tả",
then for each row the channel, the time, the fee cell (with its own note in parentheses) and
the description, with nothing between them:

    Trực tuyến3 Ngày làm việc7,000 Việt Nam Đồng(…thu 7.000 đồng/lần đăng ký.)- Nộp hồ sơ …
    Trực tiếp1Miễn phí

A row starts where a channel name is followed at once by a time or a fee cell ("Trực tuyến qua
Cổng…" inside a description is not a row). What cannot be read for sure is left out with a
reason (`Issue`): a time whose unit was lost ("1", "3"), a unit we have no name for (months),
rows of one channel disagreeing on the time, a fee cell whose digits run into the time or whose
scale is unclear ("135 VNĐ" for 135.000), dollars, a rate whose period ended before the copy,
and "Miễn phí" / "Không có thông tin" when the text names a fee without its amount.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

from procedures_kb.national import amounts as money
from procedures_kb.national.rules import CHANNEL_NAMES, NO_INFORMATION, TIME_UNITS
from procedures_kb.schema import Channel, ChannelKind, FeeLine, TimeLimit

HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"
_NAMES = "|".join(re.escape(name) for name in CHANNEL_NAMES)
ROW_START = re.compile(rf"({_NAMES})(?=\d|Không|Miễn phí)")
TIME_RE = re.compile(r"(?P<value>\d+(?:[.,]\d+)?)(?:\s*(?P<unit>Ngày làm việc|Ngày|Giờ|Tháng|Năm|Tuần|Phút))?")
NO_TIME = ("Không có thông tin", "Không quy định", "Không phải trả kết quả cho người nộp thuế", "Không")
FEE_CELL = re.compile(
    r"(?P<free>Miễn phí)|(?P<none>Không có thông tin)"
    r"|(?P<number>\d[\d.,]*)?\s*(?P<currency>Việt Nam Đồng|VNĐ|VND|USD)"
)


@dataclass(frozen=True)
class Issue:
    """A fact left out: its group (time_limit, fees, …), the reason code, and the text it came from."""

    group: str
    reason: str
    detail: str = ""


@dataclass
class Row:
    kind: ChannelKind
    time: Optional[TimeLimit] = None
    fee_cell: str = "missing"  # free | none | amount | unclear | foreign | missing
    fee_amount: Optional[int] = None
    note: str = ""  # the fee cell's own note, in parentheses after it
    description: str = ""
    issues: List[Issue] = field(default_factory=list)


def _time(row: Row, text: str) -> str:
    """Read the time cell into `row`; return the rest of the row's text."""
    for words in NO_TIME:
        if text.startswith(words):
            return text[len(words) :]
    match = TIME_RE.match(text)
    if not match:
        return text
    value, unit = match.group("value"), match.group("unit")
    if unit is None:
        row.issues.append(Issue("time_limit", "time_unit_lost", value))
    elif unit not in TIME_UNITS:
        row.issues.append(Issue("time_limit", "time_unit_not_in_schema", f"{value} {unit}"))
    else:
        number = float(value.replace(",", "."))
        row.time = TimeLimit(value=int(number) if number.is_integer() else number, unit=TIME_UNITS[unit])
    return text[match.end() :]


def _balanced(text: str) -> Tuple[str, str]:
    """("inside", rest) for text starting with "(": the parenthesised part and what follows it."""
    depth = 0
    for index, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return text[1:index], text[index + 1 :]
    return text[1:], ""


def _fee_cell(row: Row, text: str, time_digits_run_on: bool) -> str:
    match = FEE_CELL.match(text)
    if not match:
        return text
    if match.group("free"):
        row.fee_cell = "free"
    elif match.group("none"):
        row.fee_cell = "none"
    elif match.group("currency") == "USD":
        row.fee_cell = "foreign"
    else:
        number = match.group("number")
        separated = bool(number and re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", number))
        if number and separated and not time_digits_run_on and money.plausible(number):
            row.fee_cell, row.fee_amount = "amount", money.to_int(number)
        else:
            row.fee_cell = "unclear"
    rest = text[match.end() :]
    if rest.startswith("("):
        row.note, rest = _balanced(rest)
    return rest


def parse_row(kind: ChannelKind, text: str) -> Row:
    row = Row(kind)
    rest = _time(row, text)
    # "Trực tuyến1100 VNĐ": the time's unit is lost and its digits run into the fee's.
    run_on = bool(row.issues) and bool(re.match(r"\s*(?:Việt Nam Đồng|VNĐ|VND|USD)", rest))
    if run_on:
        row.issues[-1] = Issue("time_limit", "time_unit_lost", text[:20])
    rest = _fee_cell(row, rest, run_on)
    row.description = rest.strip()
    return row


def parse_rows(text: str) -> Tuple[List[Row], Optional[Issue]]:
    """The rows of the flattened table; an Issue when the text is not such a table."""
    if not text.strip() or text.strip() == NO_INFORMATION:
        return [], None
    if not text.startswith(HEADER):
        return [], Issue("channels", "channels_table_unreadable", text[:80])
    body = text[len(HEADER) :]
    starts = list(ROW_START.finditer(body))
    if not starts or starts[0].start() != 0:
        return [], Issue("channels", "channels_table_unreadable", body[:80])
    rows = []
    for index, match in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(body)
        rows.append(parse_row(CHANNEL_NAMES[match.group(1)], body[match.end() : end]))
    return rows, None


def _line(found: money.Found, text: str) -> FeeLine:
    valid_from, valid_to, _ = money.period(found.sentence)
    return FeeLine(
        amount=found.value,
        unit=found.unit,
        description=money.clause(text, found),
        valid_from=valid_from,
        valid_to=valid_to,
    )


def row_fees(row: Row) -> Tuple[List[FeeLine], List[Issue]]:
    """The fee lines of a row: every amount of its fee cell, its note and its description."""
    lines: List[FeeLine] = []
    issues: List[Issue] = []
    for text, all_fees in ((row.note, True), (row.description, False)):
        for found in money.find_amounts(text):
            if not all_fees and not money.names_a_fee(found.sentence):
                continue  # an amount of something else (capital, a fine's ceiling…)
            if found.foreign:
                issues.append(Issue("fees", "fee_in_foreign_currency", found.text))
            elif found.value is None:
                issues.append(Issue("fees", "fee_amount_unclear", found.text))
            elif money.period(found.sentence)[2]:
                issues.append(Issue("fees", "fee_period_ended", money.shorten(found.sentence, 120) or ""))
            else:
                lines.append(_line(found, text))
    if row.fee_cell == "amount" and row.fee_amount is not None:
        stale = [s for s in money.amount_in(row.note, row.fee_amount) if money.period(s)[2]]
        unmentioned_ended = money.period(row.note)[2] and not money.amount_in(row.note, row.fee_amount)
        if stale or unmentioned_ended:
            issues.append(Issue("fees", "fee_period_ended", f"{row.fee_amount}: {money.shorten(row.note, 100)}"))
        elif row.fee_amount not in {line.amount for line in lines}:
            note = money.shorten(row.note) if row.note and not money.find_amounts(row.note) else None
            lines.insert(0, FeeLine(amount=row.fee_amount, description=note))
    elif not lines and not issues:
        issues.extend(_without_amount(row, lines))
    return _unique(lines), issues


def _without_amount(row: Row, lines: List[FeeLine]) -> List[Issue]:
    """A row whose texts hold no amount: free, set by the province, or left out."""
    text = f"{row.note}\n{row.description}"
    if row.fee_cell in ("free", "none") and money.PROVINCE_SETS.search(text):
        sentence = next((s for s in re.split(r"(?<=[.;])\s+|\n", text) if money.PROVINCE_SETS.search(s)), "")
        lines.append(FeeLine(set_by_province=True, description=money.shorten(sentence)))
        return []
    if row.fee_cell == "free":
        if money.says_no_fee(row.note) and not money.names_a_fee(row.description):
            said = money.shorten(row.note) if money.names_more_than_no_fee(row.note) else None
            lines.append(FeeLine(free=True, description=said))
            return []
        return [Issue("fees", "fee_placeholder_without_amount", money.shorten(text, 100) or "Miễn phí")]
    reasons = {
        "none": "fee_no_information",
        "unclear": "fee_amount_unclear",
        "foreign": "fee_in_foreign_currency",
        "missing": "fee_no_information",
    }
    return [Issue("fees", reasons.get(row.fee_cell, "fee_no_information"), money.shorten(text, 100) or "")]


def _unique(lines: List[FeeLine]) -> List[FeeLine]:
    seen, unique = set(), []
    for line in lines:
        key = (line.amount, line.free, line.set_by_province, line.unit, line.valid_from, line.valid_to)
        if key not in seen:
            seen.add(key)
            unique.append(line)
    return unique


def build_channels(rows: List[Row]) -> Tuple[List[Channel], List[Issue]]:
    """One channel per kind (in the schema's order); rows of one kind merge their fee lines, and
    their time when they agree."""
    by_kind: Dict[ChannelKind, List[Row]] = {}
    for row in rows:
        by_kind.setdefault(row.kind, []).append(row)
    channels, issues = [], []
    for kind in ChannelKind:
        group = by_kind.get(kind)
        if not group:
            continue
        times = {(r.time.value, r.time.unit) for r in group if r.time}
        time = next(r.time for r in group if r.time) if len(times) == 1 else None
        if len(times) > 1:
            issues.append(Issue("time_limit", "time_differs_between_rows", f"{kind.value}: {len(times)} times"))
        fees: List[FeeLine] = []
        for row in group:
            issues.extend(row.issues)
            lines, found = row_fees(row)
            fees.extend(lines)
            issues.extend(found)
        channels.append(Channel(kind=kind, time_limit=time, fees=_unique(fees)))
    return channels, issues
