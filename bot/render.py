"""Turn a procedure record into the answer to one question (papers, fee, time, place…).

Every fact printed here is a field of the record; nothing is computed or guessed beyond
formatting. Each answer names the procedure and its official code, says when a fact group
is not verified, and ends with the legal basis, the source and the last-verified date (for a
record imported from the national catalogue and not yet reviewed, the date of the copy).
Pure functions, no Rasa imports: tests and the helper console call them directly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum
from typing import Dict, List, Optional, Tuple

from bot import messages as msg
from bot.formatting import channel_names, format_date, format_document, format_fee, format_time, grouped_by_channel
from procedures_kb.schema import (
    ChannelKind,
    FactGroup,
    Procedure,
    Source,
)


class Aspect(str, Enum):
    """What the citizen asks about a procedure; one intent each."""

    documents = "documents"
    fee = "fee"
    time = "time"
    where = "where"
    steps = "steps"
    online = "online"
    overview = "overview"
    deadline = "deadline"  # the deadline the citizen must meet (not the processing time)
    presence = "presence"  # who must go, whether someone else may file
    conditions = "conditions"  # who may file, on what conditions
    form = "form"  # the application forms
    result = "result"  # the result paper, its validity, how to receive it


# The fact groups an answer about each aspect relies on (first one decides the footer source).
ASPECT_GROUPS: Dict[Aspect, Tuple[FactGroup, ...]] = {
    Aspect.documents: (FactGroup.documents,),
    Aspect.fee: (FactGroup.fees,),
    Aspect.time: (FactGroup.time_limit,),
    Aspect.where: (FactGroup.agency, FactGroup.channels),
    Aspect.steps: (FactGroup.steps,),
    Aspect.online: (FactGroup.channels,),
    Aspect.overview: (FactGroup.agency, FactGroup.time_limit, FactGroup.fees),
    Aspect.deadline: (FactGroup.deadline,),
    Aspect.presence: (FactGroup.presence,),
    Aspect.conditions: (FactGroup.conditions,),
    Aspect.form: (FactGroup.forms, FactGroup.documents),
    Aspect.result: (FactGroup.result, FactGroup.validity, FactGroup.delivery),
}


# Answers whose facts can differ by province.
PROVINCE_ASPECTS = frozenset({Aspect.fee, Aspect.where, Aspect.online, Aspect.overview})


@dataclass(frozen=True)
class Place:
    """The province an answer is for, as far as the knowledge base can tell."""

    name: Optional[str] = None  # the province the citizen named
    local: bool = False  # the record shown is that province's own version
    with_local_facts: Tuple[str, ...] = ()  # provinces that have their own version


def header(procedure: Procedure, aspect: Aspect) -> str:
    title = procedure.title
    if procedure.primary_code:
        title += f" ({msg.CODE.format(code=procedure.primary_code)})"
    return msg.HEADING.format(heading=msg.ASPECT_HEADINGS[aspect.value], title=title)


def _fee_lines(procedure: Procedure, today: dt.date) -> List[str]:
    groups = grouped_by_channel(procedure.channels, lambda ch: [format_fee(f) for f in ch.fees_on(today)])
    lines = []
    for kinds, fees in groups:
        if len(fees) == 1:
            lines.append(f"• {channel_names(kinds)}: {fees[0]}")
        else:
            lines.append(f"• {channel_names(kinds)}:")
            lines.extend(f"   – {fee}" for fee in fees)
    return lines


def _time_lines(procedure: Procedure) -> List[str]:
    groups = grouped_by_channel(procedure.channels, lambda ch: [format_time(ch.time_limit)] if ch.time_limit else [])
    return [f"• {channel_names(kinds)}: {times[0]}" for kinds, times in groups]


# Papers listed in one answer; a longer list (some catalogue records have dozens) ends with a
# link to the whole list, so an answer stays readable in a chat.
MAX_DOCUMENTS = 15


def _document_lines(procedure: Procedure) -> List[str]:
    lines: List[str] = []
    number = 0
    total = sum(len(case.documents) for case in procedure.cases)
    for case in procedure.cases:
        if not case.documents:
            continue
        if number >= MAX_DOCUMENTS:
            break
        title = case.name + (f" ({case.condition})" if case.condition else "")
        lines.append(f"{title}:")
        for doc in case.documents[: MAX_DOCUMENTS - number]:
            number += 1
            lines.append(f"{number}. {format_document(doc)}")
    if number < total:
        source = official_source(procedure, FactGroup.documents)
        lines.append(msg.MORE_DOCUMENTS.format(count=total - number, source=source))
    return lines


def _where_lines(procedure: Procedure) -> List[str]:
    lines = []
    if procedure.agency:
        agency = procedure.agency.name + (f" ({procedure.agency.note})" if procedure.agency.note else "")
        lines.append(msg.AGENCY.format(name=agency))
    ways = []
    for channel in procedure.channels:
        if not channel.available:
            continue
        if channel.kind == ChannelKind.in_person:
            ways.append(msg.WAY_IN_PERSON)
        elif channel.kind == ChannelKind.online:
            ways.append(msg.WAY_ONLINE_AT.format(url=channel.url) if channel.url else msg.WAY_ONLINE)
        else:
            ways.append(msg.WAY_POST)
    if ways:
        lines.append(msg.WAYS_TO_FILE.format(ways="; ".join(ways)))
    return lines


def _online_lines(procedure: Procedure, today: dt.date) -> List[str]:
    online = procedure.channel(ChannelKind.online)
    if online is None:
        return []
    if not online.available:
        return [msg.ONLINE_NO]
    where = msg.ONLINE_WHERE.format(url=online.url) if online.url else ""
    lines = [msg.ONLINE_YES.format(where=where)]
    if online.note:
        lines.append(online.note)
    if online.time_limit:
        lines.append(msg.ONLINE_TIME.format(time=format_time(online.time_limit)))
    fees = online.fees_on(today)
    if len(fees) == 1:
        lines.append(msg.ONLINE_FEE.format(fee=format_fee(fees[0])))
    elif fees:
        lines.append(msg.ONLINE_FEE.format(fee="").rstrip())
        lines.extend(f"   – {format_fee(fee)}" for fee in fees)
    return lines


def _steps_lines(procedure: Procedure) -> List[str]:
    lines = [f"{i}. {step}" for i, step in enumerate(procedure.steps, start=1)]
    if lines and procedure.result:
        lines.append(msg.RESULT.format(result=procedure.result))
    return lines


def _overview_lines(procedure: Procedure, today: dt.date) -> List[str]:
    lines = _where_lines(procedure)
    times = _time_lines(procedure)
    if times:
        lines.append(msg.ASPECT_HEADINGS["time"] + ":")
        lines.extend(times)
    fees = _fee_lines(procedure, today)
    if fees:
        lines.append(msg.ASPECT_HEADINGS["fee"] + ":")
        lines.extend(fees)
    return lines


def _deadline_lines(procedure: Procedure) -> List[str]:
    deadline = procedure.deadline
    if deadline is None:
        return []
    time = f"{deadline.value} {msg.DEADLINE_UNITS[deadline.unit.value]}"
    who = msg.DEADLINE_WHO.format(who=deadline.who) if deadline.who else ""
    lines = [msg.DEADLINE.format(time=time, counted_from=deadline.counted_from, who=who)]
    if deadline.if_missed:
        lines.append(msg.DEADLINE_MISSED.format(consequence=deadline.if_missed))
    if deadline.basis:
        lines.append(msg.DEADLINE_BASIS.format(basis=deadline.basis))
    return lines


def _presence_lines(procedure: Procedure) -> List[str]:
    presence = procedure.presence
    if presence is None:
        return []
    lines = []
    if presence.who:
        lines.append(msg.PRESENCE_WHO.format(who=presence.who))
    how = msg.PRESENCE_HOW.format(how=presence.how) if presence.how else ""
    if presence.representation is True:
        lines.append(msg.PRESENCE_YES.format(how=how))
    elif presence.representation is False:
        lines.append(msg.PRESENCE_NO.format(how=how))
    elif presence.how:
        lines.append(presence.how)
    if presence.note:
        lines.append(presence.note)
    return lines


def _ages(procedure: Procedure) -> Optional[str]:
    ages = procedure.age_range
    if ages is None:
        return None
    if ages.max is None:
        return msg.AGE_FROM.format(min=ages.min)
    if ages.min == 0:
        return msg.AGE_UNDER.format(limit=ages.max + 1)
    return msg.AGE_BETWEEN.format(min=ages.min, limit=ages.max + 1)


def _condition_lines(procedure: Procedure) -> List[str]:
    lines = []
    if procedure.applicants:
        lines.append(msg.APPLICANTS.format(applicants=procedure.applicants))
    ages = _ages(procedure)
    if ages:
        lines.append(msg.AGES.format(ages=ages))
    if procedure.requirements:
        lines.append(msg.REQUIREMENTS)
        lines.extend(f"• {item}" for item in procedure.requirements)
    return lines


def _form_lines(procedure: Procedure) -> List[str]:
    """The record's forms, then the forms its papers name; never a file of our own."""
    lines = []
    for form in procedure.forms:
        name = msg.FORM_CODE.format(code=form.code, name=form.name) if form.code else form.name
        issued = msg.FORM_ISSUED.format(issued_by=form.issued_by) if form.issued_by else ""
        where = f" — {form.url}" if form.url else ""
        lines.append(msg.FORM_LINE.format(name=name + issued + where))
    named = {form.name.lower() for form in procedure.forms}
    codes = [form.code for form in procedure.forms if form.code]
    for case in procedure.cases:
        for doc in case.documents:
            listed = doc.name.lower() in named or any(code in f"{doc.name} {doc.form}" for code in codes)
            if doc.form and not listed:
                named.add(doc.name.lower())
                lines.append(msg.FORM_LINE.format(name=f"{doc.name}: {doc.form}"))
    if lines:
        lines.append(msg.FORM_GET.format(source=official_source(procedure, FactGroup.forms)))
    return lines


def _result_lines(procedure: Procedure) -> List[str]:
    lines = []
    if procedure.result:
        lines.append(msg.RESULT.format(result=procedure.result))
    if procedure.validity:
        lines.append(msg.VALIDITY.format(validity=procedure.validity))
    if procedure.delivery:
        ways = "; ".join(
            msg.DELIVERY_KINDS[way.kind.value] + (f" ({way.note})" if way.note else "") for way in procedure.delivery
        )
        lines.append(msg.DELIVERY.format(ways=ways))
    missing = [
        part
        for part, known in ((msg.PART_VALIDITY, procedure.validity), (msg.PART_DELIVERY, procedure.delivery))
        if not known
    ]
    if lines and missing:
        source = official_source(procedure, FactGroup.result)
        lines.append(msg.MISSING_PART.format(part=" và ".join(missing), source=source, hotline=msg.HOTLINE))
    return lines


NEW_ASPECTS = frozenset({Aspect.deadline, Aspect.presence, Aspect.conditions, Aspect.form, Aspect.result})


def body_lines(procedure: Procedure, aspect: Aspect, today: dt.date) -> List[str]:
    if aspect == Aspect.documents:
        return _document_lines(procedure)
    if aspect == Aspect.fee:
        return _fee_lines(procedure, today)
    if aspect == Aspect.time:
        return _time_lines(procedure)
    if aspect == Aspect.where:
        return _where_lines(procedure)
    if aspect == Aspect.steps:
        return _steps_lines(procedure)
    if aspect == Aspect.online:
        return _online_lines(procedure, today)
    if aspect == Aspect.deadline:
        return _deadline_lines(procedure)
    if aspect == Aspect.presence:
        return _presence_lines(procedure)
    if aspect == Aspect.conditions:
        return _condition_lines(procedure)
    if aspect == Aspect.form:
        return _form_lines(procedure)
    if aspect == Aspect.result:
        return _result_lines(procedure)
    return _overview_lines(procedure, today)


def official_source(procedure: Procedure, group: Optional[FactGroup] = None) -> str:
    """Where a citizen can check a fact: a source URL of the record, else the national portal."""
    candidates = (procedure.sources_for(group) if group else []) + procedure.sources
    for source in candidates:
        if source.url:
            return source.url
    return msg.OFFICIAL_PORTAL


def _format_source(source: Source) -> str:
    return f"{source.title} ({source.url})" if source.url else source.title


def footer_lines(procedure: Procedure, aspect: Aspect) -> List[str]:
    lines = []
    if procedure.legal_basis:
        items = "; ".join(doc.number for doc in procedure.legal_basis)
        lines.append(msg.LEGAL_BASIS.format(items=items))
    sources: List[Source] = []
    for group in ASPECT_GROUPS[aspect]:
        for source in procedure.sources_for(group):
            if source not in sources:
                sources.append(source)
    if not any(source.url for source in sources):
        sources += [s for s in procedure.sources if s.url and s not in sources][:1]
    if not sources:
        sources = procedure.sources[:1]
    lines.append(msg.SOURCE.format(items="; ".join(_format_source(s) for s in sources[:2])))
    if procedure.imported_from:
        lines.append(msg.IMPORTED_COPY.format(date=format_date(procedure.last_verified)))
    else:
        lines.append(msg.LAST_VERIFIED.format(date=format_date(procedure.last_verified)))
    return lines


def unverified_lines(procedure: Procedure, aspect: Aspect, has_body: bool) -> List[str]:
    """The warning shown when a fact group behind this answer is not verified."""
    words = msg.ASPECT_WORDS[aspect.value]
    groups = ASPECT_GROUPS[aspect]
    source = official_source(procedure, groups[0])
    if not has_body:
        return [msg.NO_FACT.format(aspect=words, source=source, hotline=msg.HOTLINE)]
    if aspect in NEW_ASPECTS:  # a group the record does not hold is said missing, not unverified
        groups = tuple(g for g in groups if procedure.holds(g))
    unverified = [g for g in groups if not procedure.is_verified(g)]
    if not unverified:
        return []
    notes = [mark.note for g in unverified if (mark := procedure.provenance.get(g)) and mark.note]
    note = msg.UNVERIFIED_NOTE.format(note="; ".join(notes)) if notes else ""
    return [msg.UNVERIFIED.format(aspect=words, note=note, source=source, hotline=msg.HOTLINE)]


def place_lines(procedure: Procedure, aspect: Aspect, today: dt.date, place: Place) -> Tuple[List[str], List[str]]:
    """Lines before the facts (which province they are for) and after (ask for the province)."""
    if place.name and place.local:
        return [msg.PROVINCE_APPLIES.format(province=place.name)], []
    if place.name and aspect in PROVINCE_ASPECTS:
        return [msg.PROVINCE_NO_LOCAL.format(province=place.name)], []
    provincial_fee = any(fee.set_by_province for ch in procedure.channels for fee in ch.fees_on(today))
    if not place.name and provincial_fee and aspect in (Aspect.fee, Aspect.overview):
        after = [msg.PROVINCE_ASK]
        if place.with_local_facts:
            after.append(msg.PROVINCE_HAS_LOCAL.format(provinces=", ".join(place.with_local_facts)))
        return [], after
    return [], []


def render_answer(procedure: Procedure, aspect: Aspect, today: dt.date, place: Place = Place()) -> str:
    """The full answer text: heading, province, facts, unverified warning, basis, source, date."""
    body = body_lines(procedure, aspect, today)
    before, after = place_lines(procedure, aspect, today, place)
    parts = [header(procedure, aspect), *before]
    if body:
        parts.append("\n".join(body))
    parts.extend(after)
    warning = unverified_lines(procedure, aspect, has_body=bool(body))
    if warning:
        parts.append("\n".join(warning))
    if aspect == Aspect.overview:
        parts.append(msg.OVERVIEW_ASK_MORE)
    parts.append("\n".join(footer_lines(procedure, aspect)))
    # One message per answer: Rasa's channels split a text at blank lines into separate
    # bubbles, which would part the facts from their source.
    return "\n".join(parts)
