from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from typing import Iterator

import pytest
import redis


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

    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed (the machines have it: apt install redis-server)")
    port = free_port()
    args = [binary, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--port", str(port)]
    server = OwnRedis(port, subprocess.Popen(args, stdout=subprocess.DEVNULL))
    client = redis.Redis(port=port, socket_connect_timeout=0.2)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.RedisError:
            time.sleep(0.05)
    try:
        yield server
    finally:
        server.thaw()
        server.process.terminate()
        server.process.wait(timeout=10)
