"""Working hours: the shipped centre is open Monday to Friday 07:30–11:30 and 13:30–17:00 and
Saturday morning, in Hanoi time, closed on holidays; the next opening is said in Vietnamese."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from console.handoff.errors import CentresError
from console.handoff.hours import DEFAULT_PATH, Centre, format_next_opening, is_open, load_centres, next_opening

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def at(year: int, month: int, day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=HANOI)


@pytest.fixture(scope="module")
def centre() -> Centre:
    return load_centres()["default"]


def test_the_shipped_file_has_the_default_centre(centre: Centre) -> None:
    assert load_centres(None) == load_centres(DEFAULT_PATH) == {"default": centre}
    assert (centre.id, centre.name, centre.timezone) == (
        "default",
        "Trung tâm Phục vụ hành chính công",
        "Asia/Ho_Chi_Minh",
    )
    assert centre.hours["mon"] == centre.hours["fri"] == ["07:30-11:30", "13:30-17:00"]
    assert (centre.hours["sat"], centre.hours["sun"]) == (["07:30-11:30"], [])


@pytest.mark.parametrize(
    ("when", "open_"),
    [
        (at(2026, 12, 7, 7, 29, 59), False),  # Monday, just before opening
        (at(2026, 12, 7, 7, 30), True),
        (at(2026, 12, 7, 11, 29, 59), True),
        (at(2026, 12, 7, 11, 30), False),  # lunch break
        (at(2026, 12, 7, 12, 45), False),
        (at(2026, 12, 7, 13, 30), True),
        (at(2026, 12, 7, 16, 59), True),
        (at(2026, 12, 7, 17, 0), False),
        (at(2026, 12, 11, 15, 0), True),  # Friday afternoon
        (at(2026, 12, 12, 7, 30), True),  # Saturday morning
        (at(2026, 12, 12, 11, 30), False),
        (at(2026, 12, 12, 14, 0), False),  # Saturday afternoon
        (at(2026, 12, 13, 9, 0), False),  # Sunday
        (at(2027, 1, 1, 9, 0), False),  # New Year's Day, a Friday
        (at(2027, 4, 30, 9, 0), False),  # 30/4
        (datetime(2026, 12, 7, 0, 30, tzinfo=timezone.utc), True),  # 07:30 in Hanoi
        (datetime(2026, 12, 7, 10, 0, tzinfo=timezone.utc), False),  # 17:00 in Hanoi
    ],
)
def test_open_or_closed(centre: Centre, when: datetime, open_: bool) -> None:
    assert is_open(centre, when) is open_


@pytest.mark.parametrize(
    ("now", "opening"),
    [
        (at(2026, 12, 7, 9, 0), at(2026, 12, 7, 9, 0)),  # open: now
        (at(2026, 12, 7, 6, 0), at(2026, 12, 7, 7, 30)),
        (at(2026, 12, 7, 11, 30), at(2026, 12, 7, 13, 30)),
        (at(2026, 12, 7, 17, 0), at(2026, 12, 8, 7, 30)),
        (at(2026, 12, 11, 18, 0), at(2026, 12, 12, 7, 30)),  # Friday evening: Saturday morning
        (at(2026, 12, 12, 11, 30), at(2026, 12, 14, 7, 30)),  # Saturday noon: Monday
        (at(2026, 12, 13, 20, 0), at(2026, 12, 14, 7, 30)),  # Sunday
        (at(2026, 12, 31, 17, 0), at(2027, 1, 2, 7, 30)),  # New Year's Day skipped
        (at(2027, 4, 29, 17, 0), at(2027, 5, 3, 7, 30)),  # 30/4 (Fri), 1/5 (Sat), Sunday skipped
        (datetime(2026, 12, 7, 4, 45, tzinfo=timezone.utc), at(2026, 12, 7, 13, 30)),  # 11:45 Hanoi
    ],
)
def test_next_opening(centre: Centre, now: datetime, opening: datetime) -> None:
    found = next_opening(centre, now)
    assert found == opening and found.utcoffset() == opening.utcoffset()


@pytest.mark.parametrize(
    ("now", "said"),
    [
        (at(2026, 12, 7, 12, 0), "13 giờ 30 chiều nay"),
        (at(2026, 12, 7, 6, 0), "7 giờ 30 sáng nay"),
        (at(2025, 12, 7, 10, 0), "7 giờ 30 sáng mai (thứ Hai, 08/12)"),  # Sunday
        (at(2026, 12, 11, 18, 0), "7 giờ 30 sáng mai (thứ Bảy, 12/12)"),
        (at(2026, 12, 12, 12, 0), "7 giờ 30 sáng thứ Hai (14/12)"),
        (at(2026, 12, 31, 17, 0), "7 giờ 30 sáng thứ Bảy (02/01/2027)"),
        (at(2026, 12, 7, 9, 0), "ngay bây giờ"),
    ],
)
def test_the_next_opening_in_vietnamese(centre: Centre, now: datetime, said: str) -> None:
    text = format_next_opening(next_opening(centre, now), now)
    assert text == said
    assert unicodedata.is_normalized("NFC", text)


@pytest.mark.parametrize(
    ("when", "said"),
    [
        (at(2026, 12, 7, 8, 0), "8 giờ sáng nay"),
        (at(2026, 12, 7, 12, 0), "12 giờ trưa nay"),
        (at(2026, 12, 7, 18, 5), "18 giờ 05 tối nay"),
        (at(2026, 12, 13, 8, 0), "8 giờ sáng Chủ nhật (13/12)"),
    ],
)
def test_times_of_day(when: datetime, said: str) -> None:
    assert format_next_opening(when, at(2026, 12, 7, 7, 0)) == said


def test_naive_times_are_refused(centre: Centre) -> None:
    with pytest.raises(ValueError):
        is_open(centre, datetime(2026, 12, 7, 9, 0))
    with pytest.raises(ValueError):
        format_next_opening(datetime(2026, 12, 7, 9, 0), at(2026, 12, 7, 8, 0))


def test_a_centre_of_another_zone(tmp_path: Path) -> None:
    path = tmp_path / "centres.yml"
    path.write_text(
        "centres:\n  - id: paris\n    name: Đại sứ quán\n    timezone: Europe/Paris\n"
        '    hours: {mon-fri: "09:00-12:00"}\n',
        encoding="utf-8",
    )
    paris = load_centres(path)["paris"]
    monday_9_paris = datetime(2026, 12, 7, 8, 0, tzinfo=timezone.utc)
    assert is_open(paris, monday_9_paris)
    assert next_opening(paris, datetime(2026, 12, 7, 11, 0, tzinfo=timezone.utc)) == datetime(
        2026, 12, 8, 9, 0, tzinfo=ZoneInfo("Europe/Paris")
    )


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "centres.yml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = '  - id: {id}\n    name: Trung tâm\n    hours:\n      mon-fri: ["07:30-11:30"]\n'


@pytest.mark.parametrize(
    ("centre_yaml", "expected"),
    [
        (
            '  - id: q1\n    name: Q1\n    timezone: Asia/Hanoi_City\n    hours: {mon: "07:30-11:30"}\n',
            "centre 'q1': timezone: 'Asia/Hanoi_City' is not a time zone",
        ),
        (
            '  - id: q1\n    name: Q1\n    hours: {mon: "11:30-07:30"}\n',
            "centre 'q1': hours: mon: '11:30-07:30' ends before it starts",
        ),
        (
            '  - id: q1\n    name: Q1\n    hours: {mon: "7h30 đến 11h30"}\n',
            "centre 'q1': hours: mon: '7h30 đến 11h30' is not a span",
        ),
        (
            "  - id: q1\n    name: Q1\n    hours: {mon: [07:30-11:30, 11:00-12:00]}\n",
            "centre 'q1': hours: mon: spans overlap",
        ),
        (
            '  - id: q1\n    name: Q1\n    hours: {mon-fri: "07:30-11:30", fri: "13:30-17:00"}\n',
            "centre 'q1': hours: fri is given twice",
        ),
        ('  - id: q1\n    name: Q1\n    hours: {monday: "07:30-11:30"}\n', "centre 'q1': hours: 'monday' is not a day"),
        ("  - id: q1\n    name: Q1\n    hours: {}\n", "centre 'q1': hours: the centre never opens"),
        ('  - id: q1\n    hours: {mon: "07:30-11:30"}\n', "centre 'q1': name: field required"),
        (
            '  - id: q1\n    name: Q1\n    hours: {mon: "07:30-11:30"}\n    holidays: [2026-02-30]\n',
            "centre 'q1': holidays.0: invalid date format",
        ),
        (
            '  - id: q1\n    name: Q1\n    hours: {mon: "07:30-11:30"}\n    hour: 1\n',
            "centre 'q1': hour: extra fields not permitted",
        ),
        ('  - name: Q1\n    hours: {mon: "07:30-11:30"}\n', "centre #2: id: field required"),
        ('  - id: quận 1\n    name: Q1\n    hours: {mon: "07:30-11:30"}\n', "centre 'quận 1': id: must be"),
        (GOOD.format(id="q1") + GOOD.format(id="q1"), "centre 'q1': id: given twice"),
    ],
)
def test_a_wrong_file_names_the_centre_and_the_field(tmp_path: Path, centre_yaml: str, expected: str) -> None:
    path = write(tmp_path, "centres:\n" + GOOD.format(id="ok") + centre_yaml)
    with pytest.raises(CentresError) as refused:
        load_centres(path)
    assert str(refused.value).startswith(f"{path}: ")
    assert expected in str(refused.value)
    assert "'ok'" not in str(refused.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("centres: [", "is not valid YAML"),
        ("centres: []\n", "expected 'centres:' with a list of centres"),
        ("- id: q1\n", "expected 'centres:' with a list of centres"),
    ],
)
def test_a_file_that_is_not_a_list_of_centres(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(CentresError, match=expected):
        load_centres(write(tmp_path, text))


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CentresError, match="cannot be read"):
        load_centres(tmp_path / "nowhere.yml")


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'centres:\n  - id: a\n    name: A\n    hours: {mon: "25:00-26:00"}\n'
        '  - id: b\n    name: ""\n    hours: {sun: "08:00-24:00"}\n',
    )
    with pytest.raises(CentresError) as refused:
        load_centres(path)
    assert "centre 'a': hours: mon:" in str(refused.value) and "centre 'b': name: must not be empty" in str(
        refused.value
    )


def test_a_day_may_end_at_midnight(tmp_path: Path) -> None:
    late = load_centres(write(tmp_path, 'centres:\n  - id: n\n    name: N\n    hours: {sun: "20:00-24:00"}\n'))["n"]
    assert is_open(late, at(2026, 12, 13, 23, 59, 59)) and not is_open(late, at(2026, 12, 14, 0, 0))
    assert late.hours["sun"] == ["20:00-24:00"]
