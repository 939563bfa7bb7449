"""How one fact of a record is written: dates, amounts, fee lines, time limits, papers, and
channels that print the same facts written together. Pure functions, no Rasa imports."""

from __future__ import annotations

import datetime as dt
from typing import Callable, List, Sequence, Tuple

from bot import messages as msg
from procedures_kb.schema import Channel, ChannelKind, Document, FeeLine, TimeLimit, TimeUnit


def format_date(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def format_amount(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


def format_fee(fee: FeeLine) -> str:
    if fee.free:
        text = msg.FEE_FREE
    elif fee.set_by_province:
        text = msg.FEE_PROVINCE
    else:
        text = msg.FEE_AMOUNT.format(amount=format_amount(fee.amount or 0))
        if fee.unit:
            text += msg.FEE_PER_UNIT.format(unit=fee.unit)
    details = [fee.description] if fee.description else []
    if fee.valid_to:
        details.append(msg.FEE_UNTIL.format(date=format_date(fee.valid_to)))
    elif fee.valid_from:
        details.append(msg.FEE_FROM.format(date=format_date(fee.valid_from)))
    if details:
        text += " — " + "; ".join(details)
    if fee.exemptions:
        text += ". " + msg.FEE_EXEMPTIONS.format(items="; ".join(fee.exemptions))
    return text


def format_time(limit: TimeLimit) -> str:
    if limit.unit == TimeUnit.same_day:
        text = msg.SAME_DAY
    elif limit.unit == TimeUnit.immediately:
        text = msg.IMMEDIATELY
    else:
        value = limit.value or 0
        number = str(int(value)) if float(value).is_integer() else str(value).replace(".", ",")
        text = f"{number} {msg.UNIT_NAMES[limit.unit.value]}"
    if limit.note:
        text += f" ({limit.note})"
    return text


def format_document(doc: Document) -> str:
    parts = [doc.name]
    counts = []
    if doc.originals:
        counts.append(msg.DOC_ORIGINALS.format(count=doc.originals))
    if doc.copies:
        counts.append(msg.DOC_COPIES.format(count=doc.copies))
    if doc.form:
        parts.append(msg.DOC_FORM.format(form=doc.form))
    parts.extend(counts)
    text = "; ".join(parts)
    if doc.condition:
        text += " " + msg.DOC_CONDITION.format(condition=doc.condition)
    return text


def channel_names(kinds: Sequence[ChannelKind]) -> str:
    names = [msg.CHANNEL_NAMES[kind.value] for kind in kinds]
    joined = msg.CHANNEL_JOIN.join(names)
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
