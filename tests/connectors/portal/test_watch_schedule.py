"""How often a watched dossier is polled: more often as its appointment comes near."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from connectors.portal.watcher_schedule import FINAL, Schedule, status_name, warning_due
from dossiers.model import VIETNAM, Status

NOW = dt.datetime(2026, 11, 22, 10, 0, tzinfo=VIETNAM)


def at(days: int, hour: int = 16) -> dt.datetime:
    return dt.datetime.combine(NOW.date() + dt.timedelta(days=days), dt.time(hour), VIETNAM)


def test_the_interval_shortens_as_the_appointment_nears() -> None:
    schedule = Schedule(far=21_600, soon=3_600, near=900, soon_days=3, jitter=0)
    processing = Status.PROCESSING
    assert schedule.interval(None, processing, NOW) == 21_600  # no appointment
    assert schedule.interval(at(10), processing, NOW) == 21_600
    assert schedule.interval(at(2), processing, NOW) == 3_600  # within 3 days
    assert schedule.interval(at(0), processing, NOW) == 900  # the appointment day
    assert schedule.interval(at(0, 8), processing, NOW) == 900  # today, already past: overdue
    assert schedule.interval(at(-5), processing, NOW) == 900  # overdue
    assert schedule.interval(at(0), Status.DONE, NOW) == 21_600  # done: waiting to be collected


def test_a_poll_is_never_later_than_the_start_of_a_shorter_interval() -> None:
    schedule = Schedule(far=21_600, soon=3_600, near=900, soon_days=3, jitter=0)
    # the soon window opens in 2 h: polled then, not 6 h from now
    appointment = NOW + dt.timedelta(days=3, hours=2)
    assert schedule.next_poll(NOW, appointment, Status.PROCESSING) == NOW + dt.timedelta(hours=2)
    # tomorrow's appointment: polled hourly, and at 07:00 on the day (the warning)
    evening = dt.datetime(2026, 11, 22, 23, 0, tzinfo=VIETNAM)
    assert schedule.next_poll(evening, at(1), Status.PROCESSING) == evening + dt.timedelta(hours=1)
    night = dt.datetime(2026, 11, 23, 6, 30, tzinfo=VIETNAM)
    assert schedule.next_poll(night, at(1), Status.PROCESSING) == night + dt.timedelta(minutes=15)
    far = schedule.next_poll(NOW, at(20), Status.PROCESSING)
    assert far == NOW + dt.timedelta(hours=6)


def test_jitter_spreads_polls_within_its_share() -> None:
    schedule = Schedule(far=1000, soon=100, near=10, jitter=0.1, rng=random.Random(3))  # noqa: S311
    draws = [(schedule.next_poll(NOW, None, Status.PROCESSING) - NOW).total_seconds() for _ in range(200)]
    assert 900 <= min(draws) < 950 and 1050 < max(draws) <= 1100
    assert len({round(d) for d in draws}) > 50


def test_failed_polls_back_off_up_to_the_ordinary_interval() -> None:
    schedule = Schedule(far=21_600, soon=3_600, near=900, jitter=0)
    waits = [(schedule.retry(NOW, n) - NOW).total_seconds() for n in range(6)]
    assert waits == [900, 1800, 3600, 7200, 14_400, 21_600]


def test_the_appointment_day_warning_is_due_from_seven_on_the_day_while_not_done() -> None:
    appointment = at(0)
    assert warning_due(appointment, Status.PROCESSING, NOW, VIETNAM) == "2026-11-22"
    assert warning_due(appointment, Status.SUPPLEMENT, NOW, VIETNAM) == "2026-11-22"
    early = dt.datetime(2026, 11, 22, 6, 59, tzinfo=VIETNAM)
    assert warning_due(appointment, Status.PROCESSING, early, VIETNAM) is None
    assert warning_due(appointment, Status.DONE, NOW, VIETNAM) is None
    assert warning_due(at(1), Status.PROCESSING, NOW, VIETNAM) is None
    assert warning_due(None, Status.PROCESSING, NOW, VIETNAM) is None
    # the day is Vietnam's, whatever the zone of the clock
    assert warning_due(appointment, Status.PROCESSING, NOW.astimezone(dt.timezone.utc), VIETNAM) == "2026-11-22"


def test_final_statuses_and_status_names() -> None:
    assert Status.RETURNED in FINAL and Status.NOT_ACCEPTED in FINAL and Status.DONE not in FINAL
    assert status_name("4") == status_name(4) == status_name("processing") == status_name(Status.PROCESSING)
    assert status_name(Status.PROCESSING) == "PROCESSING"
    assert status_name(None) is None
    with pytest.raises(KeyError):
        status_name("overdue")
