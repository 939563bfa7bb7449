"""Many invented dossiers whose statuses move on a schedule, for the watcher's benchmark.

`python -m connectors.portal.simulator --synthetic 100000` serves, beside the fixtures, dossiers
`000.00.53.H99-2611DD-NNNN` (index i: DD = i // 10000 + 1, NNNN = i % 10000). Each is being
processed (status 4), its appointment today, within 3 days or later (shares given); a share of
them moves, once, at a time drawn within `duration` seconds of the start, to 9 (result ready) or
5 (papers to add). Nothing is stored per dossier but its appointment day and its change, so
100,000 of them take a few MB. `changes(now)` lists the moves made so far (code, new status, the
time it happened), which the benchmark compares with when the citizen was told.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import re
import time
from array import array
from typing import Any, Callable, Dict, List, Optional

from dossiers.model import VIETNAM, Status

_CODE = re.compile(r"^000\.00\.53\.H99-2611(\d{2})-(\d{4})$")
MAX_COUNT = 300_000


def synthetic_code(index: int) -> str:
    return f"000.00.53.H99-2611{index // 10_000 + 1:02d}-{index % 10_000:04d}"


class Synthetic:
    def __init__(
        self,
        count: int,
        today: dt.date,
        *,
        seed: int = 1,
        start: Optional[float] = None,
        duration: float = 300.0,
        changes: float = 0.03,
        today_share: float = 0.005,
        soon_share: float = 0.02,
        clock: Callable[[], float] = time.time,
    ):
        if not 0 < count <= MAX_COUNT:
            raise ValueError(f"count must be within 1..{MAX_COUNT}")
        rng = random.Random(seed)  # noqa: S311 - invented data
        self.count = count
        self.today = today
        self.clock = clock
        self.start = clock() if start is None else start
        self.days = array("h")  # appointment: days from today
        self.change_at = array("d")  # epoch seconds, NaN: never
        self.moves_to = bytearray(count)
        for _ in range(count):
            draw = rng.random()
            if draw < today_share:
                self.days.append(0)
            else:
                self.days.append(rng.randint(1, 3) if draw < today_share + soon_share else rng.randint(4, 30))
            moves = rng.random() < changes
            self.change_at.append(self.start + rng.uniform(0, duration) if moves else math.nan)
        for i in range(count):
            self.moves_to[i] = Status.DONE if rng.random() < 0.8 else Status.SUPPLEMENT
        self.order = sorted(
            (i for i in range(count) if not math.isnan(self.change_at[i])), key=self.change_at.__getitem__
        )
        self.removed: set = set()

    def index(self, code: str) -> Optional[int]:
        found = _CODE.match(code)
        if not found:
            return None
        index = (int(found.group(1)) - 1) * 10_000 + int(found.group(2))
        return index if index < self.count and index not in self.removed else None

    def status(self, index: int, now: float) -> Status:
        moved = self.change_at[index] <= now  # False for NaN
        return Status(self.moves_to[index]) if moved else Status.PROCESSING

    def record(self, code: str) -> Optional[Dict[str, Any]]:
        index = self.index(code)
        if index is None:
            return None
        status = self.status(index, self.clock())
        received = dt.datetime.combine(self.today - dt.timedelta(days=5), dt.time(9, 0), VIETNAM)
        due = dt.datetime.combine(self.today + dt.timedelta(days=self.days[index]), dt.time(16, 0), VIETNAM)
        completed = dt.datetime.fromtimestamp(self.change_at[index], VIETNAM) if status is Status.DONE else None
        return {
            "code": code,
            "procedure_code": "1.004222",
            "procedure_name": "Đăng ký thường trú",
            "applicant_name": "Người Thử Nghiệm",
            "phone": f"0905{index:06d}",
            "status_code": int(status),
            "status_text": None,
            "received_at": received.isoformat(),
            "appointment_at": due.isoformat(),
            "completed_at": completed.isoformat() if completed else None,
            "returned_at": None,
            "agency": "UBND phường Thử Nghiệm",
            "note": "Bổ sung bản sao giấy khai sinh." if status is Status.SUPPLEMENT else None,
        }

    def changes(self, now: Optional[float] = None) -> List[Dict[str, Any]]:
        """The moves made by `now`, oldest first."""
        now = self.clock() if now is None else now
        made = []
        for index in self.order:
            if self.change_at[index] > now:
                break
            made.append(
                {"code": synthetic_code(index), "status_code": self.moves_to[index], "at": self.change_at[index]}
            )
        return made
