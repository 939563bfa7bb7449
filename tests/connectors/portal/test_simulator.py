"""The simulator serves the contract, covers every status, and fails on request."""

from __future__ import annotations

import datetime as dt

import aiohttp

from connectors.portal.simulator import Simulator, demo_codes, resolve_date
from dossiers.model import VIETNAM, Dossier, Status, Timing
from tests.connectors.portal.conftest import TODAY


def test_relative_dates_follow_today() -> None:
    assert resolve_date("-12d 08:30", dt.date(2026, 11, 22)) == "2026-11-10T08:30:00+07:00"
    assert resolve_date("+0d 17:00", dt.date(2026, 11, 22)) == "2026-11-22T17:00:00+07:00"
    assert resolve_date("2026-01-02T08:00:00+07:00", TODAY) == "2026-01-02T08:00:00+07:00"
    assert resolve_date(None, TODAY) is None


def test_fixtures_cover_every_status_overdue_and_due_soon(simulator: Simulator) -> None:
    dossiers = [Dossier.parse_obj(simulator.record(code)) for code in demo_codes(simulator.dossiers)]
    assert {d.status_code for d in dossiers} == set(Status)
    now = dt.datetime.combine(TODAY, dt.time(10), VIETNAM)
    timings = {d.timing(now) for d in dossiers}
    assert {Timing.OVERDUE, Timing.DUE_SOON, Timing.ON_TIME} <= timings
    assert all(d.note for d in dossiers if d.status_code in (Status.SUPPLEMENT, Status.NOT_ACCEPTED))


async def test_faults_are_switched_over_http(portal_url: str, session: aiohttp.ClientSession) -> None:
    async with session.post(f"{portal_url}/_sim/faults", json={"mode": "500", "times": 1}) as response:
        assert response.status == 200
    async with session.get(f"{portal_url}/dossiers/000.00.53.H48-261101-0004") as response:
        assert response.status == 500
    async with session.get(f"{portal_url}/dossiers/000.00.53.H48-261101-0004") as response:
        assert response.status == 200
        assert (await response.json())["applicant_name"] == "Phạm Minh Đức"
    async with session.get(f"{portal_url}/dossiers/nope") as response:
        assert response.status == 404 and await response.json() == {"error": "not_found"}
    async with session.post(f"{portal_url}/_sim/faults", json={"mode": "explode"}) as response:
        assert response.status == 400
    async with session.get(f"{portal_url}/_sim/stats") as response:
        assert (await response.json())["requests"] == 3
