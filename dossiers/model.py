"""A dossier as the portal contract describes it, and what its dates mean today.

Contract: `GET {PORTAL_URL}/dossiers/{code}` → `{"code", "procedure_code", "procedure_name",
"applicant_name", "phone", "status_code" (1–10, the national codes), "status_text", "received_at",
"appointment_at", "completed_at", "returned_at" (ISO 8601 with offset, or null), "agency", "note"}`.

"Trễ hạn" (overdue) is not a status: it is computed here from the appointment date, in the time
zone of the `now` it is given (the assistant's `MOTCUA_TIMEZONE`, Asia/Ho_Chi_Minh by default).
While the dossier waits for the citizen (papers to add, fees to pay) the clock is theirs, so it
is not called overdue.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Optional

from pydantic import BaseModel, Field, StrictStr, validator

from motcua.settings import VIETNAM  # the default zone (the simulator's, the tests'); the assistant's is a setting


class Status(enum.IntEnum):
    """The 10 national status codes (used when provinces sync to the national portal)."""

    SUBMITTED = 1  # Mới đăng ký
    RECEIVED = 2  # Được tiếp nhận
    NOT_ACCEPTED = 3  # Không được tiếp nhận
    PROCESSING = 4  # Đang xử lý
    SUPPLEMENT = 5  # Yêu cầu bổ sung giấy tờ
    PAYMENT = 6  # Yêu cầu thực hiện nghĩa vụ tài chính
    WITHDRAWN = 7  # Công dân yêu cầu rút hồ sơ
    STOPPED = 8  # Dừng xử lý
    DONE = 9  # Đã xử lý xong
    RETURNED = 10  # Đã trả kết quả


# The agency is working on these; the appointment date is its promise.
AGENCY_CLOCK = frozenset({Status.RECEIVED, Status.PROCESSING})
# Finished one way or another.
CLOSED = frozenset({Status.NOT_ACCEPTED, Status.WITHDRAWN, Status.STOPPED, Status.DONE, Status.RETURNED})


class Timing(enum.Enum):
    NONE = "none"  # no appointment, or nothing to say
    ON_TIME = "on_time"
    DUE_SOON = "due_soon"  # due within one working day
    OVERDUE = "overdue"  # still with the agency after the appointment
    DONE_LATE = "done_late"  # finished after the appointment


class Dossier(BaseModel):
    code: StrictStr
    procedure_code: Optional[StrictStr] = None
    procedure_name: StrictStr
    applicant_name: StrictStr
    phone: Optional[StrictStr] = None
    status_code: Status
    status_text: Optional[StrictStr] = None
    received_at: Optional[dt.datetime] = None
    appointment_at: Optional[dt.datetime] = None
    completed_at: Optional[dt.datetime] = None
    returned_at: Optional[dt.datetime] = None
    agency: Optional[StrictStr] = None
    note: Optional[StrictStr] = Field(None, description="the supplement request or the refusal reason")
    # Not in the contract: set by the client when the answer came from the bundled simulator
    # (header X-Portal-Simulator: 1), so the citizen is told the data is not real.
    simulated: bool = False

    @validator("received_at", "appointment_at", "completed_at", "returned_at")
    def _with_offset(cls, value: Optional[dt.datetime]) -> Optional[dt.datetime]:
        if value is not None and value.tzinfo is None:
            raise ValueError("a date-time needs its UTC offset (ISO 8601, e.g. 2026-11-20T08:00:00+07:00)")
        return value

    def timing(self, now: dt.datetime) -> Timing:
        """Overdue, due soon, on time or finished late, from the appointment date."""
        if self.appointment_at is None:
            return Timing.NONE
        zone = now.tzinfo or VIETNAM
        due = self.appointment_at.astimezone(zone)
        if self.status_code in CLOSED:
            finished = self.completed_at or self.returned_at
            if self.status_code in (Status.DONE, Status.RETURNED) and finished and finished > due:
                return Timing.DONE_LATE
            return Timing.NONE
        if self.status_code not in AGENCY_CLOCK:
            return Timing.NONE  # waiting for the citizen (papers, fees) or not received yet
        now = now.astimezone(zone)
        if now > due:
            return Timing.OVERDUE
        if due.date() <= next_working_day(now.date()):
            return Timing.DUE_SOON
        return Timing.ON_TIME

    def phone_ends_with(self, digits: str) -> bool:
        return bool(self.phone) and "".join(c for c in self.phone or "" if c.isdigit()).endswith(digits)


def next_working_day(day: dt.date) -> dt.date:
    """The next Monday–Friday after `day` (public holidays are not known here)."""
    day += dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def mask_name(name: str) -> str:
    """ "Nguyễn Văn An" -> "Nguyễn V*** A": the family name, then initials only."""
    words = name.split()
    if len(words) <= 1:
        return f"{name[:1]}***" if name else ""
    middle = [f"{w[0]}***" for w in words[1:-1]]
    return " ".join([words[0], *middle, words[-1][0]])
