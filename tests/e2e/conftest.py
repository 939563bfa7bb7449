"""Servers for end-to-end tests: the real action server and Rasa server on free ports."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterator, List

import aiohttp
import pytest

from bot.launcher import (
    MODEL_DIR,
    free_port,
    start_action_server,
    start_portal_simulator,
    start_rasa_server,
    stop,
    write_endpoints,
)

TODAY = "2026-11-22"


@pytest.fixture(scope="session")
def portal_url() -> Iterator[str]:
    """The portal simulator as the fake province portal, on a free port."""
    port = free_port()
    portal = start_portal_simulator(port, env={"MOTCUA_TODAY": TODAY})
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(portal)


@pytest.fixture(scope="session")
def webhook(tmp_path_factory: pytest.TempPathFactory, portal_url: str) -> Iterator[str]:
    if not any(MODEL_DIR.glob("*.tar.gz")):
        pytest.fail("no trained model in models/: run `make train` (make test does it)")
    env = {"MOTCUA_TODAY": TODAY, "PORTAL_URL": portal_url}
    action_port = free_port()
    actions = start_action_server(action_port, env=env)
    try:
        endpoints = write_endpoints(f"http://127.0.0.1:{action_port}/webhook", tmp_path_factory.mktemp("e2e"))
        rasa_port = free_port()
        rasa = start_rasa_server(rasa_port, Path(endpoints), env=env)
        try:
            yield f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook"
        finally:
            stop(rasa)
    finally:
        stop(actions)


async def say(webhook: str, sender: str, message: str) -> List[Dict[str, Any]]:
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        async with session.post(webhook, json={"sender": sender, "message": message}) as response:
            assert response.status == 200
            return list(await response.json())
