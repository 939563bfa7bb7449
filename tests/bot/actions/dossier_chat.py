"""A citizen's turns through the dossier actions, and the portal simulator behind them."""

from __future__ import annotations

from typing import Any, AsyncIterator, Awaitable, Callable, Dict, List

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.dossier_services import DossierServices, reset_services
from connectors.portal.client import HttpPortal
from connectors.portal.ratelimit import MemoryRateLimiter
from connectors.portal.simulator import Simulator, load_fixtures
from motcua.settings import Settings, get_settings
from tests.bot.actions.test_actions import DOMAIN
from tests.connectors.portal.conftest import TODAY


class Chat:
    """One citizen's turns through the actions, keeping slots and events as Rasa would."""

    def __init__(self, sender: str = "citizen-1") -> None:
        self.sender = sender
        self.slots: Dict[str, Any] = {name: None for name in DOMAIN["slots"]}
        self.events: List[Dict[str, Any]] = []

    async def say(self, action: Action, text: str) -> str:
        self.events.append({"event": "user", "text": text})
        message = {"text": text, "intent": {"name": "x", "confidence": 1.0}, "entities": []}
        tracker = Tracker(self.sender, dict(self.slots), message, list(self.events), False, None, {}, "action_listen")
        dispatcher = CollectingDispatcher()
        for event in await action.run(dispatcher, tracker, DOMAIN):
            self.events.append(event)
            if event["event"] == "slot":
                self.slots[event["name"]] = event["value"]
        return "\n\n".join(m.get("text") or m.get("response") or "" for m in dispatcher.messages)


@pytest.fixture
def simulator() -> Simulator:
    return Simulator(load_fixtures(), today=TODAY)


def services_for(url: str, session: aiohttp.ClientSession, settings: Settings | None = None) -> DossierServices:
    """Dossier services on the portal at `url`, with 5 lookups per sender per 10 minutes."""
    services = DossierServices(settings or get_settings())
    services.use(
        portal=HttpPortal(url, session, attempt_timeout=0.5, deadline=1.5, backoff=0.01),
        limiter=MemoryRateLimiter(5, 600),
    )
    return services


@pytest.fixture
async def simulator_url(simulator: Simulator, aiohttp_server: Callable[..., Awaitable[TestServer]]) -> str:
    server = await aiohttp_server(simulator.app())
    return str(server.make_url("")).rstrip("/")


@pytest.fixture
async def portal(simulator_url: str) -> AsyncIterator[DossierServices]:
    async with aiohttp.ClientSession() as session:
        services = services_for(simulator_url, session)
        reset_services(services)
        yield services
    reset_services()
