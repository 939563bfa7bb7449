"""A dossier in words for the citizen: the status for anyone who has the code, the details for
the owner (who proved it with the last 4 digits of the phone on file).

Before the owner check nothing names the applicant or the procedure (a procedure can say much
about a person: a divorce, an adoption, a criminal record): only the status in plain words,
whether it is late, and what the citizen does next. The phone number is never shown. Answers
from the bundled simulator say that the data is not real.
"""

from __future__ import annotations

import datetime as dt
from typing import List, Optional

from bot import messages as msg
from dossiers.model import Dossier, Status, Timing, mask_name

TIMING_LINES = {
    Timing.OVERDUE: msg.DOSSIER_OVERDUE.format(hotline=msg.HOTLINE),
    Timing.DUE_SOON: msg.DOSSIER_DUE_SOON,
    Timing.DONE_LATE: msg.DOSSIER_DONE_LATE,
}


def _when(moment: Optional[dt.datetime], now: dt.datetime) -> str:
    """A date-time as the citizen reads it, in the assistant's time zone (that of `now`)."""
    return moment.astimezone(now.tzinfo).strftime("%H:%M ngày %d/%m/%Y") if moment else ""


def status_words(dossier: Dossier) -> str:
    return msg.STATUS_WORDS[int(dossier.status_code)]


def has_details(dossier: Dossier) -> bool:
    """Is there anything beyond the status to show the owner?"""
    return bool(dossier.received_at or dossier.appointment_at or dossier.note)


def status_reply(dossier: Dossier, now: dt.datetime, ask_digits: bool) -> str:
    """What anyone with the code sees: the status in plain words, whether it is late, the next step."""
    lines = [
        msg.DOSSIER_HEADING.format(code=dossier.code),
        msg.DOSSIER_STATUS.format(status=status_words(dossier)),
    ]
    timing = TIMING_LINES.get(dossier.timing(now))
    if timing:
        lines.append(timing)
    lines.append(msg.DOSSIER_NEXT.format(step=msg.STATUS_NEXT_STEP[int(dossier.status_code)]))
    if ask_digits:
        extra = msg.DOSSIER_DIGITS_EXTRA.get(dossier.status_code.name, "") if dossier.note else ""
        lines.append(msg.DOSSIER_ASK_DIGITS.format(extra=extra))
    return _with_footer(lines, dossier)


def details_reply(dossier: Dossier, now: dt.datetime, kb_title: Optional[str] = None) -> str:
    """What the owner sees: dates, agency, the supplement request or the reason, the next step."""
    lines: List[str] = [
        msg.DOSSIER_DETAILS_HEADING.format(code=dossier.code, procedure=dossier.procedure_name),
        msg.DOSSIER_APPLICANT.format(name=mask_name(dossier.applicant_name)),
        msg.DOSSIER_STATUS.format(status=status_words(dossier)),
    ]
    for template, moment in (
        (msg.DOSSIER_RECEIVED, dossier.received_at),
        (msg.DOSSIER_APPOINTMENT, dossier.appointment_at),
        (msg.DOSSIER_COMPLETED, dossier.completed_at),
        (msg.DOSSIER_RETURNED, dossier.returned_at),
    ):
        if moment:
            lines.append(template.format(date=_when(moment, now)))
    if dossier.agency:
        lines.append(msg.DOSSIER_AGENCY.format(agency=dossier.agency))
    if dossier.note:
        template = msg.DOSSIER_NOTE.get(dossier.status_code.name, msg.DOSSIER_NOTE_OTHER)
        lines.append(template.format(note=dossier.note))
    timing = TIMING_LINES.get(dossier.timing(now))
    if timing:
        lines.append(timing)
    lines.append(msg.DOSSIER_NEXT.format(step=msg.STATUS_NEXT_STEP[int(dossier.status_code)]))
    if kb_title and dossier.status_code in (Status.SUPPLEMENT, Status.NOT_ACCEPTED):
        lines.append(msg.DOSSIER_PAPERS_HINT.format(title=kb_title))
    return _with_footer(lines, dossier)


def _with_footer(lines: List[str], dossier: Dossier) -> str:
    if dossier.simulated:
        lines.append(msg.DOSSIER_SIMULATED)
    return "\n".join(lines)
