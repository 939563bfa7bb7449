from __future__ import annotations

import datetime as dt
from typing import AsyncIterator, Awaitable, Callable

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from connectors.portal.simulator import Simulator, load_fixtures

TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def simulator() -> Simulator:
    return Simulator(load_fixtures(), today=TODAY)


@pytest.fixture
async def portal_url(simulator: Simulator, aiohttp_server: Callable[..., Awaitable[TestServer]]) -> str:
    server = await aiohttp_server(simulator.app())
    return str(server.make_url("")).rstrip("/")


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as s:
        yield s
