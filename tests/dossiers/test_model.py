from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from dossiers.model import VIETNAM, Dossier, Status, Timing, mask_name, next_working_day

NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=VIETNAM)  # a Friday


def dossier(status: int, appointment: dt.datetime | None, **extra: object) -> Dossier:
    return Dossier.parse_obj(
        {
            "code": "000.00.53.H48-261101-0004",
            "procedure_name": "Chứng thực bản sao từ bản chính",
            "applicant_name": "Phạm Minh Đức",
            "phone": "0905123404",
            "status_code": status,
            "appointment_at": appointment.isoformat() if appointment else None,
            **extra,
        }
    )


def at(days: float, hour: int = 16) -> dt.datetime:
    return (NOW + dt.timedelta(days=days)).replace(hour=hour, minute=0)


@pytest.mark.parametrize(
    ("status", "appointment", "timing"),
    [
        (4, at(-1), Timing.OVERDUE),
        (2, at(-3), Timing.OVERDUE),
        (4, at(0), Timing.DUE_SOON),  # today
        (4, at(3), Timing.DUE_SOON),  # Monday: the next working day after Friday
        (4, at(4), Timing.ON_TIME),  # Tuesday
        (5, at(-1), Timing.NONE),  # waiting for the citizen's papers: their clock
        (6, at(-1), Timing.NONE),  # waiting for the citizen's payment
        (1, None, Timing.NONE),
        (3, at(-1), Timing.NONE),
    ],
)
def test_overdue_and_due_soon_are_computed_from_the_appointment(
    status: int, appointment: dt.datetime | None, timing: Timing
) -> None:
    assert dossier(status, appointment).timing(NOW) is timing


def test_a_result_after_the_appointment_is_done_late() -> None:
    late = dossier(9, at(-3), completed_at=at(-1).isoformat())
    on_time = dossier(10, at(-3), completed_at=at(-4).isoformat(), returned_at=at(-3, 9).isoformat())
    assert late.timing(NOW) is Timing.DONE_LATE
    assert on_time.timing(NOW) is Timing.NONE


def test_dates_without_an_offset_are_refused() -> None:
    with pytest.raises(ValidationError, match="UTC offset"):
        dossier(4, None, received_at="2026-11-20T08:00:00")


def test_status_codes_outside_the_ten_are_refused() -> None:
    with pytest.raises(ValidationError):
        dossier(11, None)
    assert dossier(10, None).status_code is Status.RETURNED


def test_names_are_masked() -> None:
    assert mask_name("Nguyễn Văn An") == "Nguyễn V*** A"
    assert mask_name("Lê Thị Hồng Nhung") == "Lê T*** H*** N"
    assert mask_name("Trần Bình") == "Trần B"
    assert mask_name("Mai") == "M***"


def test_phone_digits() -> None:
    d = dossier(4, None)
    assert d.phone_ends_with("3404")
    assert not d.phone_ends_with("3405")
    assert not dossier(4, None, phone=None).phone_ends_with("3404")


def test_next_working_day_skips_the_weekend() -> None:
    assert next_working_day(dt.date(2026, 11, 20)) == dt.date(2026, 11, 23)
    assert next_working_day(dt.date(2026, 11, 22)) == dt.date(2026, 11, 23)
    assert next_working_day(dt.date(2026, 11, 23)) == dt.date(2026, 11, 24)


def test_the_due_date_is_judged_in_the_zone_of_now() -> None:
    """Due on Tuesday 01:00 in Hà Nội, which is Monday 18:00 in UTC: on a Friday it is due
    within a working day for an assistant that keeps UTC (MOTCUA_TIMEZONE), not for one in Hà Nội."""
    processing = dossier(4, dt.datetime(2026, 11, 24, 1, 0, tzinfo=VIETNAM))
    assert processing.timing(NOW) is Timing.ON_TIME
    assert processing.timing(NOW.astimezone(dt.timezone.utc)) is Timing.DUE_SOON
