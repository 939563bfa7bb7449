"""Turn a procedure record into the answer to one question (papers, fee, time, place…).

Every fact printed here is a field of the record; nothing is computed or guessed beyond
formatting. Each answer names the procedure and its official code, says when a fact group
is not verified, and ends with the legal basis, the source and the last-verified date (for a
record imported from the national catalogue and not yet reviewed, the date of the copy).
How each fact is written (papers, fees, times, dates, channels, sources, the warning of a fact not
verified) is `procedures_kb.wording`, which the helpers' desk uses too, so both word a fact alike;
this module puts the facts together into answers, for the assistant and for the preview of a
draft in the console's KB editor. Pure functions, no Rasa imports.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum
from typing import Dict, List, Optional, Tuple

from procedures_kb import answer_text as msg
from procedures_kb import wording
from procedures_kb.schema import ChannelKind, FactGroup, Procedure, Source


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
    return msg.HEADING.format(heading=msg.ASPECT_HEADINGS[aspect.value], title=wording.titled(procedure))


def _fee_lines(procedure: Procedure, today: dt.date) -> List[str]:
    lines = []
    for channels, fees in wording.fees_by_channel(procedure, today):
        if len(fees) == 1:
            lines.append(f"• {channels}: {fees[0]}")
        else:
            lines.append(f"• {channels}:")
            lines.extend(f"   – {fee}" for fee in fees)
    return lines


def _time_lines(procedure: Procedure) -> List[str]:
    return [f"• {channels}: {time}" for channels, time in wording.times_by_channel(procedure)]


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
        lines.append(f"{wording.case_title(case)}:")
        for doc in case.documents[: MAX_DOCUMENTS - number]:
            number += 1
            lines.append(f"{number}. {wording.format_document(doc)}")
    if number < total:
        source = wording.official_source(procedure, FactGroup.documents)
        lines.append(msg.MORE_DOCUMENTS.format(count=total - number, source=source))
    return lines


def _where_lines(procedure: Procedure) -> List[str]:
    agency = wording.agency_line(procedure)
    lines = [agency] if agency else []
    ways = [wording.way_of_filing(channel) for channel in procedure.channels if channel.available]
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
        lines.append(msg.ONLINE_TIME.format(time=wording.format_time(online.time_limit)))
    fees = online.fees_on(today)
    if len(fees) == 1:
        lines.append(msg.ONLINE_FEE.format(fee=wording.format_fee(fees[0])))
    elif fees:
        lines.append(msg.ONLINE_FEE.format(fee="").rstrip())
        lines.extend(f"   – {wording.format_fee(fee)}" for fee in fees)
    return lines


def _steps_lines(procedure: Procedure) -> List[str]:
    lines = wording.step_lines(procedure)
    if lines and procedure.result:
        lines.append(wording.RESULT.format(result=procedure.result))
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


def _condition_lines(procedure: Procedure) -> List[str]:
    lines = wording.applicant_lines(procedure)
    if procedure.requirements:
        lines.append(msg.REQUIREMENTS)
        lines.extend(f"• {item}" for item in procedure.requirements)
    return lines


def _form_lines(procedure: Procedure) -> List[str]:
    """The record's forms, then the forms its papers name; never a file of our own."""
    names = [wording.form_name(form) + (f" — {form.url}" if form.url else "") for form in procedure.forms]
    lines = [msg.FORM_LINE.format(name=name) for name in names + wording.paper_forms(procedure)]
    if lines:
        lines.append(msg.FORM_GET.format(source=wording.official_source(procedure, FactGroup.forms)))
    return lines


def _result_lines(procedure: Procedure) -> List[str]:
    lines = wording.result_lines(procedure)
    missing = [
        part
        for part, known in ((msg.PART_VALIDITY, procedure.validity), (msg.PART_DELIVERY, procedure.delivery))
        if not known
    ]
    if lines and missing:
        source = wording.official_source(procedure, FactGroup.result)
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
        return wording.deadline_lines(procedure)
    if aspect == Aspect.presence:
        return wording.presence_lines(procedure)
    if aspect == Aspect.conditions:
        return _condition_lines(procedure)
    if aspect == Aspect.form:
        return _form_lines(procedure)
    if aspect == Aspect.result:
        return _result_lines(procedure)
    return _overview_lines(procedure, today)


def _format_source(source: Source) -> str:
    return f"{source.title} ({source.url})" if source.url else source.title


def footer_lines(procedure: Procedure, aspect: Aspect) -> List[str]:
    lines = []
    if procedure.legal_basis:
        items = "; ".join(doc.number for doc in procedure.legal_basis)
        lines.append(msg.LEGAL_BASIS.format(items=items))
    sources = wording.sources_of(procedure, ASPECT_GROUPS[aspect])
    lines.append(msg.SOURCE.format(items="; ".join(_format_source(s) for s in sources[:2])))
    lines.append(wording.verified_line(procedure))
    return lines


def unverified_lines(procedure: Procedure, aspect: Aspect, has_body: bool) -> List[str]:
    """The warning shown when a fact group behind this answer is not verified."""
    groups = ASPECT_GROUPS[aspect]
    source = wording.official_source(procedure, groups[0])
    if aspect in NEW_ASPECTS:  # a group the record does not hold is said missing, not unverified
        groups = tuple(g for g in groups if procedure.holds(g))
    words = msg.ASPECT_WORDS[aspect.value]
    warning = wording.fact_warning(procedure, groups, words, source, msg.HOTLINE, known=has_body)
    return [warning] if warning else []


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
