"""When the watcher asks the portal about a dossier again, and what ends a subscription.

A dossier is polled more often as its appointment (ngày hẹn trả) comes near:
- on the appointment day and while it is overdue: every `near` seconds (15 min by default);
- within `soon_days` days of the appointment: every `soon` seconds (hourly);
- otherwise, or without an appointment: every `far` seconds (6 h).
Each interval is drawn within ± `jitter` of itself, so polls spread out instead of coming in waves,
and never passes the moment the next, shorter interval starts (the start of the 'soon' window, or
`WARN_FROM` on the appointment day, when the appointment-day warning is due).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Optional
from zoneinfo import ZoneInfo

from dossiers.model import CLOSED, Status
from motcua.settings import VIETNAM, Settings

# The dossier is over for the citizen: nothing more will happen to it (notified, then the
# subscription ends). DONE is not final: the result waits to be collected (RETURNED comes next).
FINAL = frozenset({Status.NOT_ACCEPTED, Status.WITHDRAWN, Status.STOPPED, Status.RETURNED})
# The appointment-day warning is not sent before this local time (no message at midnight).
WARN_FROM = dt.time(7, 0)


def status_name(value: object) -> Optional[str]:
    """A status as the store keeps it (the `Status` name) from a name, a number or a `Status`."""
    if value is None or value == "":
        return None
    if isinstance(value, Status):
        return value.name
    text = str(value).strip()
    if text.isdigit():
        return Status(int(text)).name
    return Status[text.upper()].name


def warning_due(appointment: Optional[dt.datetime], status: Status, now: dt.datetime, zone: ZoneInfo) -> Optional[str]:
    """The appointment day (ISO) when the appointment is today, the dossier is not done and it is
    past WARN_FROM; else None."""
    if appointment is None or status in CLOSED:
        return None
    local = now.astimezone(zone)
    day = appointment.astimezone(zone).date()
    if day != local.date() or local.time() < WARN_FROM:
        return None
    return day.isoformat()


@dataclass
class Schedule:
    far: float = 21_600.0
    soon: float = 3_600.0
    near: float = 900.0
    soon_days: float = 3.0
    jitter: float = 0.1
    zone: ZoneInfo = VIETNAM
    rng: random.Random = field(default_factory=random.Random)

    @classmethod
    def from_settings(cls, settings: Settings, rng: Optional[random.Random] = None) -> "Schedule":
        return cls(
            far=settings.watcher_poll_seconds,
            soon=settings.watcher_poll_soon_seconds,
            near=settings.watcher_poll_near_seconds,
            soon_days=settings.watcher_soon_days,
            jitter=settings.watcher_jitter,
            zone=settings.zone,
            rng=rng or random.Random(),  # noqa: S311 - spreading polls, not a secret
        )

    def interval(self, appointment: Optional[dt.datetime], status: Optional[Status], now: dt.datetime) -> float:
        """The interval (seconds, before jitter) for a dossier in this state at `now`."""
        if appointment is None or (status is not None and status in CLOSED):
            return self.far
        local_now = now.astimezone(self.zone)
        due = appointment.astimezone(self.zone)
        if due.date() <= local_now.date():
            return self.near  # the appointment day, or overdue
        if due - now <= dt.timedelta(days=self.soon_days):
            return self.soon
        return self.far

    def _boundary(self, appointment: dt.datetime, now: dt.datetime) -> Optional[dt.datetime]:
        """The next moment a shorter interval starts, if any."""
        due = appointment.astimezone(self.zone)
        soon_starts = due - dt.timedelta(days=self.soon_days)
        day_starts = dt.datetime.combine(due.date(), WARN_FROM, self.zone)
        upcoming = [t for t in (soon_starts, day_starts) if t > now]
        return min(upcoming) if upcoming else None

    def next_poll(self, now: dt.datetime, appointment: Optional[dt.datetime], status: Optional[Status]) -> dt.datetime:
        """When to poll next: now + the jittered interval, not past the next shorter interval's start."""
        base = self.interval(appointment, status, now)
        spread = self.rng.uniform(1 - self.jitter, 1 + self.jitter) if self.jitter else 1.0
        moment = now + dt.timedelta(seconds=base * spread)
        if appointment is not None and (status is None or status not in CLOSED):
            boundary = self._boundary(appointment, now)
            if boundary is not None and boundary < moment:
                # a little after the boundary, spread over the shorter interval's jitter
                moment = boundary + dt.timedelta(seconds=self.rng.uniform(0, self.jitter * self.near))
        return moment

    def retry(self, now: dt.datetime, failures: int) -> dt.datetime:
        """After a failed poll: the near interval, doubling with each failure in a row, at most the far one."""
        wait = min(self.near * 2 ** min(failures, 10), self.far)
        spread = self.rng.uniform(1 - self.jitter, 1 + self.jitter) if self.jitter else 1.0
        return now + dt.timedelta(seconds=wait * spread)
