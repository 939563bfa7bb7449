"""The working hours of the service centres, whose helpers take over chats: when a centre is open,
when it opens next, and how to say that to a citizen in Vietnamese.

The centres come from a YAML file (`console/centres.yml` by default):

    centres:
      - id: default
        name: Trung tâm Phục vụ hành chính công
        timezone: Asia/Ho_Chi_Minh          # the default
        hours:
          mon-fri: ["07:30-11:30", "13:30-17:00"]
          sat: ["07:30-11:30"]
        holidays: [2027-01-01]

A centre is open from the start of a span up to (not at) its end, on a day that is not a holiday.
A wrong file stops start-up with every problem named by its centre and field.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ValidationError, validator

from console.handoff.errors import CentresError

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "centres.yml"
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SEARCH_DAYS = 400
_SPAN = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)-([01]?\d|2[0-3]|24):([0-5]\d)$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")

# What a citizen reads (NFC).
WEEKDAY_NAMES = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")
NOW = "ngay bây giờ"
TODAY = "nay"
TOMORROW = "mai"
HOUR = "giờ"


class _Loader(yaml.SafeLoader):
    """YAML without implicit dates: a holiday stays text until the model checks it, so a wrong one
    ("2026-02-30") is reported with its centre and field instead of failing the whole file."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _period(hour: int) -> str:
    return "sáng" if hour < 11 else "trưa" if hour < 13 else "chiều" if hour < 18 else "tối"


Span = Tuple[time, time]


def _parse_span(text: Any, day: str) -> Span:
    found = _SPAN.match(text.replace(" ", "")) if isinstance(text, str) else None
    if not found:
        raise ValueError(f"{day}: {text!r} is not a span like '07:30-11:30' (quote it in YAML)")
    start_h, start_m, end_h, end_m = (int(g) for g in found.groups())
    start = time(start_h, start_m)
    end = time(23, 59, 59, 999999) if end_h == 24 else time(end_h, end_m)
    if end_h == 24 and end_m:
        raise ValueError(f"{day}: {text!r} ends after midnight")
    if end <= start:
        raise ValueError(f"{day}: {text!r} ends before it starts")
    return start, end


def _days(key: str) -> List[str]:
    first, _, last = key.strip().lower().partition("-")
    if first not in DAYS or (last and last not in DAYS) or (last and DAYS.index(last) < DAYS.index(first)):
        raise ValueError(f"{key!r} is not a day ({', '.join(DAYS)}) or a range of days like 'mon-fri'")
    return list(DAYS[DAYS.index(first) : DAYS.index(last or first) + 1])


class Centre(BaseModel):
    id: str
    name: str
    timezone: str = DEFAULT_TIMEZONE
    hours: Dict[str, List[str]]  # after validation: every day (mon…sun) with its sorted spans, "07:30-11:30"
    holidays: List[date] = []

    class Config:
        extra = "forbid"
        allow_mutation = False

    @validator("id")
    def _id(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError("must be 1-64 letters, digits, '.', '_' or '-'")
        return value

    @validator("name")
    def _name(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value.strip()

    @validator("timezone")
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not a time zone (like {DEFAULT_TIMEZONE!r})") from None
        return value

    @validator("hours", pre=True)
    def _hours(cls, value: Any) -> Dict[str, List[str]]:
        if not isinstance(value, dict):
            raise ValueError("must map days ('mon', 'mon-fri') to lists of spans ('07:30-11:30')")
        week: Dict[str, List[Span]] = {day: [] for day in DAYS}
        given: Dict[str, str] = {}
        for key, spans in value.items():
            if not isinstance(spans, list):
                spans = [spans]
            for day in _days(str(key)):
                if day in given:
                    raise ValueError(f"{day} is given twice ({given[day]!r} and {key!r})")
                given[day] = str(key)
                week[day] = sorted(_parse_span(span, day) for span in spans)
                for (_, end), (start, _) in zip(week[day], week[day][1:], strict=False):
                    if start < end:
                        raise ValueError(f"{day}: spans overlap")
        if not any(week.values()):
            raise ValueError("the centre never opens")
        return {day: [f"{s:%H:%M}-{'24:00' if e.second else f'{e:%H:%M}'}" for s, e in week[day]] for day in DAYS}

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def spans(self, weekday: int) -> List[Span]:
        """The opening spans of a weekday (0 is Monday), in order."""
        return [_parse_span(span, DAYS[weekday]) for span in self.hours[DAYS[weekday]]]


def load_centres(path: Optional[Path] = None) -> Dict[str, Centre]:
    """The centres of a YAML file (None: the shipped `console/centres.yml`) by id; `CentresError`
    naming every wrong centre and field."""
    path = Path(path) if path is not None else DEFAULT_PATH
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 (a safe loader)
    except OSError as exc:
        raise CentresError(f"{path}: cannot be read ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise CentresError(f"{path}: is not valid YAML ({exc})") from exc
    items = raw.get("centres") if isinstance(raw, dict) else None
    if not isinstance(items, list) or not items:
        raise CentresError(f"{path}: expected 'centres:' with a list of centres")
    centres: Dict[str, Centre] = {}
    problems: List[str] = []
    for number, item in enumerate(items, 1):
        label = f"centre {item['id']!r}" if isinstance(item, dict) and item.get("id") else f"centre #{number}"
        try:
            centre = Centre.parse_obj(item)
        except ValidationError as exc:
            problems += [f"{label}: {'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
            continue
        if centre.id in centres:
            problems.append(f"{label}: id: given twice")
        centres[centre.id] = centre
    if problems:
        raise CentresError(f"{path}: " + "; ".join(problems))
    return centres


def _local(centre: Centre, now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    return now.astimezone(centre.zone)


def is_open(centre: Centre, now: datetime) -> bool:
    """Whether helpers of the centre are at work at `now` (aware)."""
    local = _local(centre, now)
    if local.date() in centre.holidays:
        return False
    moment = local.time()
    return any(start <= moment < end for start, end in centre.spans(local.weekday()))


def next_opening(centre: Centre, now: datetime) -> datetime:
    """When the centre next opens, in its time zone (`now` itself while it is open); holidays and
    closed days are skipped."""
    local = _local(centre, now)
    if is_open(centre, local):
        return local
    for offset in range(SEARCH_DAYS):
        day = local.date() + timedelta(days=offset)
        if day in centre.holidays:
            continue
        for start, _ in centre.spans(day.weekday()):
            opening = datetime.combine(day, start, tzinfo=centre.zone)
            if opening > local:
                return opening
    raise CentresError(f"centre {centre.id!r}: does not open in the next {SEARCH_DAYS} days")


def format_next_opening(when: datetime, now: datetime) -> str:
    """`when` as a citizen says it, seen from `now`, in `when`'s zone: "13 giờ 30 chiều nay",
    "7 giờ 30 sáng mai (thứ Hai, 08/12)", "7 giờ 30 sáng thứ Hai (08/12)"."""
    if when.tzinfo is None or now.tzinfo is None:
        raise ValueError("both times must be timezone-aware")
    now = now.astimezone(when.tzinfo)
    if when <= now:
        return NOW
    clock = f"{when.hour} {HOUR}" + (f" {when.minute:02d}" if when.minute else "") + f" {_period(when.hour)}"
    day = f"{when:%d/%m}" if when.year == now.year else f"{when:%d/%m/%Y}"
    weekday = WEEKDAY_NAMES[when.weekday()]
    days = (when.date() - now.date()).days
    if days == 0:
        return f"{clock} {TODAY}"
    if days == 1:
        return f"{clock} {TOMORROW} ({weekday}, {day})"
    return f"{clock} {weekday} ({day})"
