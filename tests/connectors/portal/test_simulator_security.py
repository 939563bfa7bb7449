"""The simulator says its data is simulated, and its fault switches are off unless asked for."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Dict, Iterator, Optional, Tuple

import aiohttp
import pytest

from bot.launcher import free_port, start_portal_simulator, stop

CODE = "000.00.53.H48-261101-0004"


async def test_every_dossier_answer_says_it_comes_from_the_simulator(
    portal_url: str, session: aiohttp.ClientSession
) -> None:
    for code in (CODE, "nope", "000.00.00.H99-000000-0500"):
        async with session.get(f"{portal_url}/dossiers/{code}") as response:
            assert response.headers.get("X-Portal-Simulator") == "1", (code, response.status)


def call(url: str, method: str = "GET", body: Optional[dict] = None, token: str = "") -> Tuple[int, Dict[str, str]]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 (loopback)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (loopback)
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


@pytest.fixture
def simulator_cli(request: pytest.FixtureRequest) -> Iterator[str]:
    """`python -m connectors.portal.simulator` with the environment given by the test's param."""
    port = free_port()
    process = start_portal_simulator(port, env={"MOTCUA_SIMULATOR_FAULTS": "", **request.param})
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


@pytest.mark.parametrize("simulator_cli", [{}], indirect=True)
def test_the_fault_switches_are_off_by_default(simulator_cli: str) -> None:
    assert call(f"{simulator_cli}/_sim/faults", "POST", {"mode": "500"})[0] == 404
    assert call(f"{simulator_cli}/_sim/stats")[0] == 404
    status, headers = call(f"{simulator_cli}/dossiers/{CODE}")
    assert status == 200 and headers.get("X-Portal-Simulator") == "1"


@pytest.mark.parametrize("simulator_cli", [{"MOTCUA_SIMULATOR_FAULTS": "1"}], indirect=True)
def test_the_fault_switches_on_when_asked_for(simulator_cli: str) -> None:
    assert call(f"{simulator_cli}/_sim/faults", "POST", {"mode": "500", "times": 1})[0] == 200
    assert call(f"{simulator_cli}/dossiers/{CODE}")[0] == 500
    assert call(f"{simulator_cli}/_sim/stats")[0] == 200


@pytest.mark.parametrize(
    "simulator_cli", [{"MOTCUA_SIMULATOR_FAULTS": "1", "MOTCUA_SIMULATOR_TOKEN": "sim-token-5"}], indirect=True
)
def test_with_a_token_the_fault_switches_need_it(simulator_cli: str) -> None:
    assert call(f"{simulator_cli}/_sim/faults", "POST", {"mode": "500"})[0] == 401
    assert call(f"{simulator_cli}/_sim/faults", "POST", {"mode": "500"}, token="wrong")[0] == 401
    assert call(f"{simulator_cli}/_sim/stats", token="wrong")[0] == 401
    assert call(f"{simulator_cli}/dossiers/{CODE}")[0] == 200  # nothing was switched
    assert call(f"{simulator_cli}/_sim/faults", "POST", {"mode": "500", "times": 1}, token="sim-token-5")[0] == 200
    assert call(f"{simulator_cli}/dossiers/{CODE}")[0] == 500
