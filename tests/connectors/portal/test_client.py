"""HttpPortal against the simulator and against fakes that fail on purpose."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from typing import Any, Awaitable, Callable, Dict, List

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from connectors.portal.breaker import CircuitBreaker
from connectors.portal.client import HttpPortal
from connectors.portal.errors import DossierNotFound, PortalAuthError, PortalBadResponse, PortalUnavailable
from connectors.portal.simulator import Simulator, load_fixtures
from dossiers.model import Status

Server = Callable[..., Awaitable[TestServer]]


def portal(url: str, session: aiohttp.ClientSession, **kwargs: object) -> HttpPortal:
    options: Dict[str, Any] = {"attempt_timeout": 0.5, "deadline": 2.0, "backoff": 0.01}
    options.update(kwargs)
    return HttpPortal(url, session, **options)


async def test_a_dossier_from_the_simulator(portal_url: str, session: aiohttp.ClientSession) -> None:
    dossier = await portal(portal_url, session).get_dossier("000.00.53.H48-261101-0005")
    assert dossier.status_code is Status.SUPPLEMENT
    assert dossier.procedure_name == "Đăng ký khai sinh"
    assert dossier.note and "giấy chứng sinh" in dossier.note
    assert dossier.received_at is not None
    assert dossier.received_at.utcoffset() == dt.timedelta(hours=7)


async def test_an_agency_code_with_slashes(portal_url: str, session: aiohttp.ClientSession) -> None:
    dossier = await portal(portal_url, session).get_dossier("03706/2026/07906")
    assert dossier.procedure_name == "Cấp lại thẻ bảo hiểm y tế"


async def test_unknown_code_is_not_found(portal_url: str, session: aiohttp.ClientSession) -> None:
    with pytest.raises(DossierNotFound):
        await portal(portal_url, session).get_dossier("000.00.53.H48-261101-9999")


async def test_answers_are_cached_and_errors_are_not(
    portal_url: str, session: aiohttp.ClientSession, simulator: Simulator
) -> None:
    client = portal(portal_url, session, attempts=1)
    await client.get_dossier("000.00.53.H48-261101-0004")
    await client.get_dossier("000.00.53.H48-261101-0004")
    assert simulator.requests == 1
    for _ in range(2):
        with pytest.raises(DossierNotFound):
            await client.get_dossier("000.00.53.H48-261101-9999")
    assert simulator.requests == 3
    for _ in range(2):
        with pytest.raises(PortalUnavailable):
            await client.get_dossier("000.00.00.H99-000000-0500")
    assert simulator.requests == 5


async def test_transient_errors_are_retried_then_succeed(
    portal_url: str, session: aiohttp.ClientSession, simulator: Simulator
) -> None:
    simulator.mode, simulator.times = "500", 2
    dossier = await portal(portal_url, session, attempts=3).get_dossier("000.00.53.H48-261101-0009")
    assert dossier.status_code is Status.DONE
    assert simulator.requests == 3


@pytest.mark.parametrize("mode", ["500", "timeout"])
async def test_a_failing_portal_gives_up_within_the_deadline(
    mode: str, portal_url: str, session: aiohttp.ClientSession, simulator: Simulator
) -> None:
    simulator.mode = mode
    started = time.monotonic()
    with pytest.raises(PortalUnavailable):
        await portal(portal_url, session, attempts=3, deadline=1.2).get_dossier("000.00.53.H48-261101-0009")
    assert time.monotonic() - started < 1.6


async def test_429_with_a_long_retry_after_is_not_waited_for(
    portal_url: str, session: aiohttp.ClientSession, simulator: Simulator
) -> None:
    started = time.monotonic()
    with pytest.raises(PortalUnavailable, match="429"):
        await portal(portal_url, session).get_dossier("000.00.00.H99-000000-0429")
    assert time.monotonic() - started < 1.0
    assert simulator.requests == 1  # Retry-After: 30 is beyond the deadline: no hammering


async def test_malformed_json_is_a_bad_response_and_not_retried(
    portal_url: str, session: aiohttp.ClientSession, simulator: Simulator
) -> None:
    with pytest.raises(PortalBadResponse, match="malformed"):
        await portal(portal_url, session).get_dossier("000.00.00.H99-000000-0422")
    assert simulator.requests == 1


async def test_a_contract_violation_names_the_fields(aiohttp_server: Server, session: aiohttp.ClientSession) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.json_response({"code": "x", "status_code": 42, "procedure_name": "p", "applicant_name": "a"})

    app = web.Application()
    app.router.add_get("/dossiers/{code}", handler)
    server = await aiohttp_server(app)
    with pytest.raises(PortalBadResponse, match="status_code"):
        await portal(str(server.make_url("")), session).get_dossier("000.00.53.H48-261101-0004")


async def test_the_token_is_sent_and_a_refusal_is_an_auth_error(
    aiohttp_server: Server, session: aiohttp.ClientSession
) -> None:
    simulator = Simulator(load_fixtures(), token="s3cret")
    server = await aiohttp_server(simulator.app())
    url = str(server.make_url(""))
    assert (await portal(url, session, token="s3cret").get_dossier("000.00.53.H48-261101-0004")).code
    with pytest.raises(PortalAuthError):
        await portal(url, session, token="wrong").get_dossier("000.00.53.H48-261101-0004")


async def test_the_circuit_opens_after_repeated_failures_and_closes_when_the_portal_is_back(
    portal_url: str, session: aiohttp.ClientSession, simulator: Simulator
) -> None:
    now: List[float] = [0.0]
    breaker = CircuitBreaker(threshold=3, reset_after=30, clock=lambda: now[0])
    client = portal(portal_url, session, attempts=1, breaker=breaker, cache_ttl=0)
    simulator.mode = "500"
    for _ in range(3):
        with pytest.raises(PortalUnavailable, match="HTTP 500"):
            await client.get_dossier("000.00.53.H48-261101-0004")
    assert simulator.requests == 3
    with pytest.raises(PortalUnavailable, match="circuit open"):
        await client.get_dossier("000.00.53.H48-261101-0004")
    assert simulator.requests == 3  # the dead portal is left alone
    now[0] = 31.0  # half-open: one trial goes through and fails -> open again
    with pytest.raises(PortalUnavailable, match="HTTP 500"):
        await client.get_dossier("000.00.53.H48-261101-0004")
    with pytest.raises(PortalUnavailable, match="circuit open"):
        await client.get_dossier("000.00.53.H48-261101-0004")
    assert simulator.requests == 4
    simulator.mode = None  # the portal is back
    now[0] = 62.0
    assert (await client.get_dossier("000.00.53.H48-261101-0004")).code
    assert (await client.get_dossier("000.00.53.H48-261101-0009")).code
    assert simulator.requests == 6


async def test_a_slow_portal_does_not_hold_other_lookups(
    portal_url: str, session: aiohttp.ClientSession, simulator: Simulator
) -> None:
    client = portal(portal_url, session, attempts=1, deadline=1.0)
    slow = asyncio.create_task(client.get_dossier("000.00.00.H99-000000-0408"))
    started = time.monotonic()
    fast = await client.get_dossier("000.00.53.H48-261101-0004")
    assert fast.code and time.monotonic() - started < 0.5
    with pytest.raises(PortalUnavailable, match="timeout"):
        await slow
