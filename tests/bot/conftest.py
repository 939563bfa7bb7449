from __future__ import annotations

import os
import signal
import subprocess
from dataclasses import dataclass
from typing import Iterator

import pytest

from tests.bot.actions.dossier_chat import portal, simulator, simulator_url  # noqa: F401 (fixtures for the dossier tests)


@pytest.fixture
def rasa_as_shipped() -> Iterator[None]:
    """Rasa's classes as they were before the test, whatever `bot.server.install()` did in it."""
    from bot import server

    missing = object()
    before = [(owner, name, owner.__dict__.get(name, missing)) for owner, name, _ in server.PATCHES]
    yield
    for owner, name, original in before:
        if original is missing:
            if name in owner.__dict__:
                delattr(owner, name)
        else:
            setattr(owner, name, original)


@dataclass
class OwnRedis:
    """A redis-server of a test's own on a free port, that the test may freeze and thaw."""

    port: int
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def freeze(self) -> None:
        """SIGSTOP: connections stay open and nothing answers (an overloaded or partitioned Redis)."""
        os.kill(self.process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)


@pytest.fixture
def own_redis() -> Iterator[OwnRedis]:
    from bot.launcher import free_port
    from tests.redis_server import start_redis_server

    port = free_port()
    server = OwnRedis(port, start_redis_server(port, "--save", "", "--appendonly", "no"))
    try:
        yield server
    finally:
        if server.process.poll() is None:  # the test may have stopped it
            server.thaw()
        server.process.terminate()
        server.process.wait(timeout=10)
