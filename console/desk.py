"""The procedure desk's words, how it writes one fact, and its search.

A helper at a one-stop centre reads the same facts a citizen gets from the assistant, in the same
wording: the console may not import `bot` (imports run one way), so the sentences and the few
formatting rules of `bot/messages.py` and `bot/formatting.py` that the desk needs are written again
here, and `tests/console/test_checklist.py` checks, over every record of the knowledge base, that
both write each paper, fee, time limit and date alike. The search is the knowledge base's own
(`KnowledgeBase.search`, the one the bot uses: accent-insensitive, aliases such as "cccd", "đk").
All text is Vietnamese, NFC.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable, List, Optional, Sequence, Tuple

from connectors.messages import HOTLINE as HOTLINE
from procedures_kb import Procedure
from procedures_kb.schema import Channel, ChannelKind, Document, FactGroup, FeeLine, Level, TimeLimit, TimeUnit
from procedures_kb.text import nfc

# --- the bot's wording (bot/messages.py), for the facts the desk prints ---------------------

OFFICIAL_PORTAL = "https://dichvucong.gov.vn"
CODE = "mã TTHC {code}"
CHANNEL_NAMES = {"in_person": "Nộp trực tiếp", "online": "Nộp trực tuyến", "post": "Qua bưu chính"}
CHANNEL_JOIN = " và "
UNIT_NAMES = {"working_days": "ngày làm việc", "days": "ngày", "hours": "giờ"}
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
WAYS_HEADING = "Cách nộp"
WAY_IN_PERSON = "trực tiếp tại Bộ phận một cửa"
WAY_ONLINE = "trực tuyến"
WAY_ONLINE_AT = "trực tuyến tại {url}"
WAY_POST = "qua dịch vụ bưu chính"
RESULT = "Kết quả: {result}"
DEADLINE = "Chậm nhất {time} {counted_from}{who}."
DEADLINE_WHO = " ({who})"
DEADLINE_BASIS = "Căn cứ thời hạn: {basis}"
DEADLINE_MISSED = "Nếu quá hạn: {consequence}"
DEADLINE_UNITS = {"days": "ngày", "working_days": "ngày làm việc", "months": "tháng"}
PRESENCE_WHO = "Người phải có mặt: {who}"
PRESENCE_YES = "Người khác có thể nộp thay: có{how}"
PRESENCE_NO = "Người khác có thể nộp thay: không — người yêu cầu phải tự đi{how}"
PRESENCE_HOW = " — {how}"
APPLICANTS = "Đối tượng thực hiện: {applicants}"
AGES = "Độ tuổi: {ages}"
AGE_FROM = "từ đủ {min} tuổi"
AGE_UNDER = "dưới {limit} tuổi"
AGE_BETWEEN = "từ đủ {min} đến dưới {limit} tuổi"
FORM_CODE = "Mẫu {code}: {name}"
FORM_ISSUED = " (ban hành kèm {issued_by})"
VALIDITY = "Thời hạn sử dụng: {validity}"
DELIVERY = "Cách nhận kết quả: {ways}"
DELIVERY_KINDS = {
    "counter": "trực tiếp tại nơi nộp hồ sơ",
    "post": "qua dịch vụ bưu chính công ích (gửi về địa chỉ bạn đăng ký, có thể mất phí gửi)",
    "electronic": "bản điện tử trên tài khoản Cổng Dịch vụ công / VNeID",
}
NO_FACT = (
    "Hiện chưa có thông tin {aspect} đã được kiểm chứng cho thủ tục này. "
    "Bạn vui lòng xem tại {source} hoặc gọi tổng đài {hotline}."
)
UNVERIFIED = (
    "⚠️ Thông tin {aspect} trên chưa được xác minh với nguồn chính thức{note}. "
    "Bạn vui lòng kiểm tra lại tại {source} hoặc gọi tổng đài {hotline} trước khi đi nộp."
)
UNVERIFIED_NOTE = " ({note})"
LAST_VERIFIED = "Cập nhật: {date}"
IMPORTED_COPY = "Sao từ Cổng Dịch vụ công quốc gia ngày {date}, chưa được cán bộ rà soát."

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


def format_date(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def format_amount(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


def format_fee(fee: FeeLine) -> str:
    if fee.free:
        text = FEE_FREE
    elif fee.set_by_province:
        text = FEE_PROVINCE
    else:
        text = FEE_AMOUNT.format(amount=format_amount(fee.amount or 0))
        if fee.unit:
            text += FEE_PER_UNIT.format(unit=fee.unit)
    details = [fee.description] if fee.description else []
    if fee.valid_to:
        details.append(FEE_UNTIL.format(date=format_date(fee.valid_to)))
    elif fee.valid_from:
        details.append(FEE_FROM.format(date=format_date(fee.valid_from)))
    if details:
        text += " — " + "; ".join(details)
    if fee.exemptions:
        text += ". " + FEE_EXEMPTIONS.format(items="; ".join(fee.exemptions))
    return text


def format_time(limit: TimeLimit) -> str:
    if limit.unit == TimeUnit.same_day:
        text = SAME_DAY
    elif limit.unit == TimeUnit.immediately:
        text = IMMEDIATELY
    else:
        value = limit.value or 0
        number = str(int(value)) if float(value).is_integer() else str(value).replace(".", ",")
        text = f"{number} {UNIT_NAMES[limit.unit.value]}"
    if limit.note:
        text += f" ({limit.note})"
    return text


def format_document(doc: Document) -> str:
    parts = [doc.name]
    counts = []
    if doc.originals:
        counts.append(DOC_ORIGINALS.format(count=doc.originals))
    if doc.copies:
        counts.append(DOC_COPIES.format(count=doc.copies))
    if doc.form:
        parts.append(DOC_FORM.format(form=doc.form))
    parts.extend(counts)
    text = "; ".join(parts)
    if doc.condition:
        text += " " + DOC_CONDITION.format(condition=doc.condition)
    return text


def channel_names(kinds: Sequence[ChannelKind]) -> str:
    joined = CHANNEL_JOIN.join(CHANNEL_NAMES[kind.value] for kind in kinds)
    return joined[:1] + joined[1:].lower()


def grouped_by_channel(
    channels: Sequence[Channel], lines_of: Callable[[Channel], List[str]]
) -> List[Tuple[List[ChannelKind], List[str]]]:
    """Channels that would print the same lines are shown together ("Nộp trực tiếp và trực tuyến")."""
    groups: List[Tuple[List[ChannelKind], List[str]]] = []
    for channel in channels:
        if not channel.available:
            continue
        lines = lines_of(channel)
        if not lines:
            continue
        for kinds, existing in groups:
            if existing == lines:
                kinds.append(channel.kind)
                break
        else:
            groups.append(([channel.kind], lines))
    return groups


def official_source(procedure: Procedure, group: Optional[FactGroup] = None) -> str:
    """Where a fact can be checked: a source URL of the record (of the group first), else the national portal."""
    candidates = (procedure.sources_for(group) if group else []) + procedure.sources
    for source in candidates:
        if source.url:
            return source.url
    return OFFICIAL_PORTAL


def verified_line(procedure: Procedure) -> str:
    """The record's date: the last check by an editor, or the day of the catalogue's copy."""
    if procedure.imported_from:
        return IMPORTED_COPY.format(date=format_date(procedure.last_verified))
    return LAST_VERIFIED.format(date=format_date(procedure.last_verified))


def deadline_lines(p: Procedure) -> List[str]:
    deadline = p.deadline
    if deadline is None:
        return []
    time = f"{deadline.value} {DEADLINE_UNITS[deadline.unit.value]}"
    who = DEADLINE_WHO.format(who=deadline.who) if deadline.who else ""
    lines = [DEADLINE.format(time=time, counted_from=deadline.counted_from, who=who)]
    if deadline.if_missed:
        lines.append(DEADLINE_MISSED.format(consequence=deadline.if_missed))
    if deadline.basis:
        lines.append(DEADLINE_BASIS.format(basis=deadline.basis))
    return lines


def presence_lines(p: Procedure) -> List[str]:
    presence = p.presence
    if presence is None:
        return []
    lines = [PRESENCE_WHO.format(who=presence.who)] if presence.who else []
    how = PRESENCE_HOW.format(how=presence.how) if presence.how else ""
    if presence.representation is True:
        lines.append(PRESENCE_YES.format(how=how))
    elif presence.representation is False:
        lines.append(PRESENCE_NO.format(how=how))
    elif presence.how:
        lines.append(presence.how)
    return lines + ([presence.note] if presence.note else [])


def conditions_lines(p: Procedure) -> List[str]:
    lines = [APPLICANTS.format(applicants=p.applicants)] if p.applicants else []
    ages = p.age_range
    if ages is not None:
        if ages.max is None:
            text = AGE_FROM.format(min=ages.min)
        elif ages.min == 0:
            text = AGE_UNDER.format(limit=ages.max + 1)
        else:
            text = AGE_BETWEEN.format(min=ages.min, limit=ages.max + 1)
        lines.append(AGES.format(ages=text))
    return lines + list(p.requirements)


def result_lines(p: Procedure) -> List[str]:
    lines = [RESULT.format(result=p.result)] if p.result else []
    if p.validity:
        lines.append(VALIDITY.format(validity=p.validity))
    if p.delivery:
        ways = "; ".join(DELIVERY_KINDS[w.kind.value] + (f" ({w.note})" if w.note else "") for w in p.delivery)
        lines.append(DELIVERY.format(ways=ways))
    return lines


def legal_basis_lines(p: Procedure) -> List[str]:
    return [
        doc.number + (f" — {doc.title}" if doc.title else "") + (f" ({doc.note})" if doc.note else "")
        for doc in p.legal_basis
    ]


def clean_query(raw: str) -> str:
    """A query as the search reads it: NFC, single spaces, at most MAX_QUERY_CHARS characters."""
    return nfc(" ".join(raw.split()))[:MAX_QUERY_CHARS]
