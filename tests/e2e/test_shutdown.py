"""A stopping Rasa server sends the Zalo answers still on their way before it exits (Zalo got its
200 long before: an answer dropped at shutdown would be lost for good)."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path
from typing import Iterator, Tuple

import pytest

from bot.launcher import free_port, start_action_server, start_rasa_server, stop, write_endpoints
from tests.e2e.conftest import TODAY, Fakes, wait_for, zalo_env
from tests.e2e.test_channels import zalo
from tests.fakes.zalo_api import text_event

pytestmark = pytest.mark.e2e


@pytest.fixture
def own_servers(tmp_path: Path, portal_url: str, fakes: Fakes) -> Iterator[Tuple[str, int]]:
    env = {"MOTCUA_TODAY": TODAY, "PORTAL_URL": portal_url, **zalo_env(fakes, tmp_path / "tokens.json")}
    action_port, rasa_port = free_port(), free_port()
    actions = start_action_server(action_port, env=env)
    try:
        endpoints = write_endpoints(f"http://127.0.0.1:{action_port}/webhook", tmp_path)
        rasa = start_rasa_server(rasa_port, endpoints, env=env)
        try:
            yield f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook", rasa.pid
        finally:
            stop(rasa)
    finally:
        stop(actions)


def test_zalo_answers_in_flight_are_sent_before_the_server_stops(own_servers: Tuple[str, int], fakes: Fakes) -> None:
    webhook, pid = own_servers
    users = [f"shutdown-{i}" for i in range(3)]
    for i, user in enumerate(users):
        event = text_event(fakes.zalo.app_id, user, "đăng ký thường trú mất bao lâu", f"shutdown-m{i}")
        assert asyncio.run(zalo(webhook, event))[0] == 200  # acknowledged at once, answered in the background
    os.killpg(pid, signal.SIGTERM)  # as the launcher stops it
    for user in users:
        [reply] = wait_for(lambda user=user: fakes.zalo.sent_to(user), timeout=20)  # type: ignore[misc]
        assert "7 ngày làm việc" in reply["text"]
