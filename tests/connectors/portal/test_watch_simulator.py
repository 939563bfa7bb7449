"""The simulator's dossiers move: through its guarded test API (the watcher's tests) and on a
schedule of invented dossiers (the watcher's benchmark)."""

from __future__ import annotations

import datetime as dt
from typing import Awaitable, Callable, List

import aiohttp
from aiohttp.test_utils import TestServer

from connectors.portal.simulator import Simulator, load_fixtures
from connectors.portal.simulator_synthetic import Synthetic, synthetic_code
from dossiers.model import Dossier, Status
from tests.connectors.portal.conftest import TODAY

CODE = "000.00.53.H48-261101-0004"


async def serve(simulator: Simulator, aiohttp_server: Callable[..., Awaitable[TestServer]]) -> str:
    return str((await aiohttp_server(simulator.app())).make_url("")).rstrip("/")


async def test_a_dossier_moves_and_goes_through_the_test_api(portal_url: str, session: aiohttp.ClientSession) -> None:
    async with session.post(f"{portal_url}/_sim/dossiers/{CODE}", json={"status_code": 5, "note": "Thiếu CCCD."}) as r:
        assert r.status == 200 and (await r.json())["status_code"] == 5
    async with session.get(f"{portal_url}/dossiers/{CODE}") as response:
        moved = Dossier.parse_obj(await response.json())
    assert moved.status_code is Status.SUPPLEMENT and moved.note == "Thiếu CCCD."
    assert moved.applicant_name == "Phạm Minh Đức" and moved.appointment_at is not None  # the rest kept
    async with session.get(f"{portal_url}/_sim/changes") as response:
        [change] = (await response.json())["changes"]
    assert change["code"] == CODE and change["status_code"] == 5
    for body in ({"status_code": 11}, {"phone": "0900000000"}, {}, ["x"]):
        async with session.post(f"{portal_url}/_sim/dossiers/{CODE}", json=body) as response:
            assert response.status == 400, body
    async with session.post(f"{portal_url}/_sim/dossiers/nope", json={"status_code": 4}) as response:
        assert response.status == 404
    async with session.delete(f"{portal_url}/_sim/dossiers/{CODE}") as response:
        assert response.status == 200
    async with session.get(f"{portal_url}/dossiers/{CODE}") as response:
        assert response.status == 404


async def test_the_test_api_is_guarded_like_the_faults(
    aiohttp_server: Callable[..., Awaitable[TestServer]], session: aiohttp.ClientSession
) -> None:
    off = await serve(Simulator(load_fixtures(), today=TODAY, faults_api=False), aiohttp_server)
    async with session.post(f"{off}/_sim/dossiers/{CODE}", json={"status_code": 10}) as response:
        assert response.status == 404
    async with session.get(f"{off}/dossiers/{CODE}") as response:
        assert (await response.json())["status_code"] == 4  # unchanged
    guarded = await serve(Simulator(load_fixtures(), today=TODAY, faults_token="s3cret-token"), aiohttp_server)
    async with session.post(f"{guarded}/_sim/dossiers/{CODE}", json={"status_code": 10}) as response:
        assert response.status == 401
    headers = {"Authorization": "Bearer s3cret-token"}
    async with session.post(f"{guarded}/_sim/dossiers/{CODE}", json={"status_code": 10}, headers=headers) as response:
        assert response.status == 200


async def test_requests_are_counted_per_second(portal_url: str, session: aiohttp.ClientSession) -> None:
    for _ in range(3):
        async with session.get(f"{portal_url}/dossiers/{CODE}") as response:
            assert response.status == 200
    async with session.get(f"{portal_url}/_sim/stats") as response:
        stats = await response.json()
    assert stats["requests"] == 3 and sum(stats["per_second"].values()) == 3


def test_synthetic_dossiers_move_on_their_schedule() -> None:
    now: List[float] = [1000.0]
    synthetic = Synthetic(20_000, TODAY, seed=7, start=1000.0, duration=100.0, changes=0.1, clock=lambda: now[0])
    assert synthetic.index(synthetic_code(12_345)) == 12_345 and synthetic_code(12_345) == "000.00.53.H99-261102-2345"
    assert synthetic.index(synthetic_code(20_000)) is None and synthetic.index("000.00.53.H48-261101-0004") is None
    assert synthetic.changes() == []
    moving = synthetic.order
    assert 1800 < len(moving) < 2200  # 10 %
    first = synthetic_code(moving[0])
    record = synthetic.record(first)
    assert record is not None
    before = Dossier.parse_obj(record)
    assert before.status_code is Status.PROCESSING and before.appointment_at is not None
    now[0] = 1101.0
    after = Dossier.parse_obj(synthetic.record(first))
    assert after.status_code in (Status.DONE, Status.SUPPLEMENT)
    assert len(synthetic.changes()) == len(moving)
    assert all(1000 <= c["at"] <= 1100 for c in synthetic.changes())
    days = [synthetic.days[i] for i in range(20_000)]
    assert 50 < days.count(0) < 150 and 300 < sum(1 for d in days if 1 <= d <= 3) < 500  # 0.5 %, 2 %
    today = after.appointment_at.date() - dt.timedelta(days=synthetic.days[moving[0]])  # type: ignore[union-attr]
    assert today == TODAY


async def test_the_simulator_serves_synthetic_dossiers_beside_the_fixtures(
    aiohttp_server: Callable[..., Awaitable[TestServer]], session: aiohttp.ClientSession
) -> None:
    synthetic = Synthetic(100, TODAY, changes=1.0, duration=0.0)  # every one has moved already
    url = await serve(Simulator(load_fixtures(), today=TODAY, synthetic=synthetic), aiohttp_server)
    async with session.get(f"{url}/dossiers/{synthetic_code(42)}") as response:
        assert response.status == 200
        assert Dossier.parse_obj(await response.json()).status_code in (Status.DONE, Status.SUPPLEMENT)
    async with session.get(f"{url}/dossiers/{synthetic_code(100)}") as response:
        assert response.status == 404
    async with session.get(f"{url}/dossiers/{CODE}") as response:
        assert response.status == 200
    async with session.get(f"{url}/_sim/changes") as response:
        assert len((await response.json())["changes"]) == 100
