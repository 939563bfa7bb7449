"""What a subscriber of a dossier is sent when it moves: the notice of a status change and the warning
on the day of the appointment when the dossier is not done. Short, plain Vietnamese (NFC), with the
same words as the assistant's replies (dossiers/wording.py): the procedure, the new status, what to
do next (papers to add, the fee to pay, where and when to collect), the code masked, and how to stop.

The subscriber passed the owner check (the last 4 digits of the phone on file) when they asked for
notices, so the procedure and the agency's note are theirs to read; the code is masked all the same
(`000.00.53.H48-261101-****`): a notice can show on a locked phone's screen, and the full code with
4 digits is what unlocks a dossier's details. The applicant's name and phone are never in a notice.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Dict, List, Optional

from dossiers import wording
from dossiers.model import Dossier, Status

HOTLINE = "1800 1096"  # the national public-service hotline (the same as connectors.messages.HOTLINE)
STOP_WORDS = "hủy theo dõi"  # what a citizen sends to stop the notices (bot/actions/notify.py)

# A dossier in one of these will not move again: no offer of notices, and subscriptions end.
FINAL = frozenset({Status.NOT_ACCEPTED, Status.WITHDRAWN, Status.STOPPED, Status.RETURNED})
# Done with: no warning on the appointment day.
NOT_DUE = frozenset({*FINAL, Status.DONE})

KIND_STATUS = "status"
KIND_APPOINTMENT_TODAY = "appointment_today"

HEADING = "Thông báo hồ sơ {code} — {procedure}"
CHANGED = "Hồ sơ vừa chuyển sang tình trạng mới: {status}."
APPOINTMENT = "Ngày hẹn trả: {date}"
PLACE = "Nơi nhận kết quả: {agency}"
AGENCY = "Cơ quan giải quyết: {agency}"
NEXT = "Bước tiếp theo: {step}"
STOP = f'Muốn dừng nhận thông báo, bạn nhắn "{STOP_WORDS}".'
TODAY = (
    "Hôm nay ({day}) là ngày hẹn trả kết quả{time}, nhưng hồ sơ chưa có kết quả (tình trạng: {status}). "
    "Trước khi đến nhận, bạn gọi cho {whom} hoặc tổng đài {hotline} để hỏi lại, tránh mất công đi lại."
)
TODAY_WHOM_AGENCY = "{agency}"
TODAY_WHOM_DEFAULT = "cơ quan giải quyết"


def mask_code(code: str) -> str:
    """The code with its sequence hidden (the unit and the day stay, so the citizen knows which
    dossier): the same form as the logs' (`connectors.portal.client.redact`)."""
    return code[:-4] + "****" if len(code) > 4 else "****"


def is_final(dossier: Dossier) -> bool:
    """The dossier will not move again (returned, refused, withdrawn, stopped)."""
    return dossier.status_code in FINAL


def status_words(dossier: Dossier) -> str:
    return wording.STATUS_WORDS[int(dossier.status_code)]


def when(moment: dt.datetime, now: dt.datetime) -> str:
    """A date-time as the citizen reads it, in the time zone of `now` (the assistant's)."""
    return moment.astimezone(now.tzinfo).strftime("%H:%M ngày %d/%m/%Y")


def _heading(dossier: Dossier) -> str:
    return HEADING.format(code=mask_code(dossier.code), procedure=dossier.procedure_name)


def _finish(lines: List[str], dossier: Dossier) -> str:
    if dossier.simulated:
        lines.append(wording.SIMULATED)
    lines.append(STOP)
    return unicodedata.normalize("NFC", "\n".join(lines))


def status_notice(dossier: Dossier, now: dt.datetime) -> str:
    """The notice of the dossier's new status: what it is, what the citizen does now."""
    lines = [_heading(dossier), CHANGED.format(status=status_words(dossier))]
    if dossier.note:
        template = wording.NOTE.get(dossier.status_code.name, wording.NOTE_OTHER)
        lines.append(template.format(note=dossier.note))
    if dossier.status_code is Status.DONE:  # come and collect it: when and where, when the portal says
        if dossier.appointment_at:
            lines.append(APPOINTMENT.format(date=when(dossier.appointment_at, now)))
        if dossier.agency:
            lines.append(PLACE.format(agency=dossier.agency))
    elif dossier.agency and dossier.status_code in (Status.SUPPLEMENT, Status.PAYMENT, Status.STOPPED):
        lines.append(AGENCY.format(agency=dossier.agency))
    lines.append(NEXT.format(step=wording.STATUS_NEXT_STEP[int(dossier.status_code)]))
    return _finish(lines, dossier)


def appointment_today_notice(dossier: Dossier, now: dt.datetime) -> str:
    """The warning on the appointment day, for a dossier still without a result."""
    appointment = dossier.appointment_at.astimezone(now.tzinfo) if dossier.appointment_at else None
    time = f" (hẹn lúc {appointment:%H:%M})" if appointment and (appointment.hour, appointment.minute) != (0, 0) else ""
    whom = TODAY_WHOM_AGENCY.format(agency=dossier.agency) if dossier.agency else TODAY_WHOM_DEFAULT
    day = (appointment or now).strftime("%d/%m/%Y")
    text = TODAY.format(day=day, time=time, status=status_words(dossier), whom=whom, hotline=HOTLINE)
    return _finish([_heading(dossier), text], dossier)


def notice(kind: str, dossier: Dossier, now: dt.datetime) -> str:
    """The text for a notice of `kind` ("status" or "appointment_today")."""
    if kind == KIND_APPOINTMENT_TODAY:
        return appointment_today_notice(dossier, now)
    if kind == KIND_STATUS:
        return status_notice(dossier, now)
    raise ValueError(f"unknown kind of notice: {kind!r}")


def appointment_is_today(dossier: Dossier, now: dt.datetime) -> bool:
    """The appointment is on `now`'s day (in its time zone) and the dossier is not done."""
    if dossier.appointment_at is None or dossier.status_code in NOT_DUE:
        return False
    return dossier.appointment_at.astimezone(now.tzinfo).date() == now.date()


def template_data(kind: str, dossier: Dossier, now: dt.datetime) -> Dict[str, str]:
    """The parameters of the ZNS template (README, "Dossier status notifications"): short values,
    no personal data but the masked code; each cut to the length ZNS allows for its kind."""
    appointment: Optional[str] = (
        dossier.appointment_at.astimezone(now.tzinfo).strftime("%d/%m/%Y") if dossier.appointment_at else ""
    )
    step = wording.STATUS_NEXT_STEP[int(dossier.status_code)]
    if kind == KIND_APPOINTMENT_TODAY:
        step = f"Hôm nay là ngày hẹn nhưng hồ sơ chưa có kết quả; gọi {HOTLINE} trước khi đến."
    return {
        "ma_ho_so": mask_code(dossier.code)[:30],
        "thu_tuc": dossier.procedure_name[:200],
        "trang_thai": status_words(dossier)[:100],
        "ngay_hen": appointment or "",
        "buoc_tiep_theo": step[:200],
    }
