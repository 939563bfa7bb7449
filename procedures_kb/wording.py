"""How one fact of a procedure record is written, for everyone who shows it: the assistant's answers
(`procedures_kb/answers.py`) and the helpers' procedure desk (`console/desk.py`, `console/checklist.py`).

Papers, fees, time limits, dates, channels, where to file, the deadline, who must go, who may file,
forms, the result, the record's sources and date, and the sentences said of a fact that is not
verified or not known, so that a helper reads a fact in the very words a citizen gets. The sentences
these functions fill are here too, in one place (Vietnamese, NFC); the bot's other sentences stay in
`bot/messages.py`, the desk's in `console/desk.py`. Pure functions, no Rasa imports. The national
hotline is the caller's (`connectors.messages.HOTLINE`): this package imports nothing of the channels.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable, List, Optional, Sequence, Tuple

from procedures_kb.schema import (
    Case,
    Channel,
    ChannelKind,
    Document,
    FactGroup,
    FeeLine,
    Form,
    Procedure,
    Source,
    TimeLimit,
    TimeUnit,
)

# --- the sentences of the facts ---------------------------------------------------------------

OFFICIAL_PORTAL = "https://dichvucong.gov.vn"
CODE = "mã TTHC {code}"

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
WAY_IN_PERSON = "trực tiếp tại Bộ phận một cửa"
WAY_ONLINE = "trực tuyến"
WAY_ONLINE_AT = "trực tuyến tại {url}"
WAY_POST = "qua dịch vụ bưu chính"

RESULT = "Kết quả: {result}"
VALIDITY = "Thời hạn sử dụng: {validity}"
DELIVERY = "Cách nhận kết quả: {ways}"
DELIVERY_KINDS = {
    "counter": "trực tiếp tại nơi nộp hồ sơ",
    "post": "qua dịch vụ bưu chính công ích (gửi về địa chỉ bạn đăng ký, có thể mất phí gửi)",
    "electronic": "bản điện tử trên tài khoản Cổng Dịch vụ công / VNeID",
}

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

# --- one value ----------------------------------------------------------------------------------


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


# --- the facts of a record ----------------------------------------------------------------------


def titled(procedure: Procedure) -> str:
    """The procedure's title with its official code ("Đăng ký khai sinh (mã TTHC 1.001193)")."""
    if procedure.primary_code:
        return f"{procedure.title} ({CODE.format(code=procedure.primary_code)})"
    return procedure.title


def case_title(case: Case) -> str:
    return case.name + (f" ({case.condition})" if case.condition else "")


def fees_by_channel(procedure: Procedure, today: dt.date) -> List[Tuple[str, List[str]]]:
    """The fee lines in force on `today`, under the channels they apply to ("Nộp trực tiếp và …")."""
    groups = grouped_by_channel(procedure.channels, lambda ch: [format_fee(fee) for fee in ch.fees_on(today)])
    return [(channel_names(kinds), fees) for kinds, fees in groups]


def times_by_channel(procedure: Procedure) -> List[Tuple[str, str]]:
    """The processing time of each channel, channels with the same time together."""
    groups = grouped_by_channel(procedure.channels, lambda ch: [format_time(ch.time_limit)] if ch.time_limit else [])
    return [(channel_names(kinds), times[0]) for kinds, times in groups]


def agency_line(procedure: Procedure) -> Optional[str]:
    agency = procedure.agency
    if agency is None:
        return None
    return AGENCY.format(name=agency.name + (f" ({agency.note})" if agency.note else ""))


def way_of_filing(channel: Channel) -> str:
    """How one channel files a dossier ("trực tiếp tại Bộ phận một cửa", "trực tuyến tại …")."""
    if channel.kind == ChannelKind.in_person:
        return WAY_IN_PERSON
    if channel.kind == ChannelKind.online:
        return WAY_ONLINE_AT.format(url=channel.url) if channel.url else WAY_ONLINE
    return WAY_POST


def step_lines(procedure: Procedure) -> List[str]:
    return [f"{number}. {step}" for number, step in enumerate(procedure.steps, start=1)]


def deadline_lines(procedure: Procedure) -> List[str]:
    deadline = procedure.deadline
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


def presence_lines(procedure: Procedure) -> List[str]:
    presence = procedure.presence
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


def applicant_lines(procedure: Procedure) -> List[str]:
    """Who may file and at what age; the requirements that follow are listed by the caller."""
    lines = [APPLICANTS.format(applicants=procedure.applicants)] if procedure.applicants else []
    ages = procedure.age_range
    if ages is not None:
        if ages.max is None:
            text = AGE_FROM.format(min=ages.min)
        elif ages.min == 0:
            text = AGE_UNDER.format(limit=ages.max + 1)
        else:
            text = AGE_BETWEEN.format(min=ages.min, limit=ages.max + 1)
        lines.append(AGES.format(ages=text))
    return lines


def form_name(form: Form) -> str:
    """A form of the record: its code and name, and the text that issued it."""
    name = FORM_CODE.format(code=form.code, name=form.name) if form.code else form.name
    return name + (FORM_ISSUED.format(issued_by=form.issued_by) if form.issued_by else "")


def paper_forms(procedure: Procedure) -> List[str]:
    """The forms the papers name that the record's own forms do not ("Tờ khai …: mẫu CT01")."""
    named = {form.name.lower() for form in procedure.forms}
    codes = [form.code for form in procedure.forms if form.code]
    lines = []
    for case in procedure.cases:
        for doc in case.documents:
            listed = doc.name.lower() in named or any(code in f"{doc.name} {doc.form}" for code in codes)
            if doc.form and not listed:
                named.add(doc.name.lower())
                lines.append(f"{doc.name}: {doc.form}")
    return lines


def result_lines(procedure: Procedure) -> List[str]:
    lines = [RESULT.format(result=procedure.result)] if procedure.result else []
    if procedure.validity:
        lines.append(VALIDITY.format(validity=procedure.validity))
    if procedure.delivery:
        ways = "; ".join(
            DELIVERY_KINDS[way.kind.value] + (f" ({way.note})" if way.note else "") for way in procedure.delivery
        )
        lines.append(DELIVERY.format(ways=ways))
    return lines


# --- where a fact comes from, and how sure it is -------------------------------------------------


def official_source(procedure: Procedure, group: Optional[FactGroup] = None) -> str:
    """Where a fact can be checked: a source URL of the record (of the group first), else the national portal."""
    candidates = (procedure.sources_for(group) if group else []) + procedure.sources
    for source in candidates:
        if source.url:
            return source.url
    return OFFICIAL_PORTAL


def sources_of(procedure: Procedure, groups: Sequence[FactGroup]) -> List[Source]:
    """The sources behind the groups, each once; with no link among them, the record's first linked
    source is added (or its first source, when it has no link at all)."""
    sources: List[Source] = []
    for group in groups:
        for source in procedure.sources_for(group):
            if source not in sources:
                sources.append(source)
    if not any(source.url for source in sources):
        sources += [s for s in procedure.sources if s.url and s not in sources][:1]
    return sources or procedure.sources[:1]


def verified_line(procedure: Procedure) -> str:
    """The record's date: the last check by an editor, or the day of the catalogue's copy."""
    if procedure.imported_from:
        return IMPORTED_COPY.format(date=format_date(procedure.last_verified))
    return LAST_VERIFIED.format(date=format_date(procedure.last_verified))


def fact_warning(
    procedure: Procedure, groups: Sequence[FactGroup], words: str, source: str, hotline: str, known: bool = True
) -> Optional[str]:
    """What is said under a fact: that nothing verified is known of it (`known` false), that the groups
    behind it are not verified (with the editor's notes), or nothing when they all are. `words` name
    the fact inside the sentence ("lệ phí"); `source` is where to check it."""
    if not known:
        return NO_FACT.format(aspect=words, source=source, hotline=hotline)
    unverified = [group for group in groups if not procedure.is_verified(group)]
    if not unverified:
        return None
    notes = [mark.note for group in unverified if (mark := procedure.provenance.get(group)) and mark.note]
    note = UNVERIFIED_NOTE.format(note="; ".join(notes)) if notes else ""
    return UNVERIFIED.format(aspect=words, note=note, source=source, hotline=hotline)
