"""A real redis-server of a test's own, on a port of its choosing."""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest
import redis


def start_redis_server(port: int, *options: str) -> subprocess.Popen:
    """Start redis-server on 127.0.0.1:`port` with `options`, and wait until it answers."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed (the machines have it: apt install redis-server)")
    process = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), *options], stdout=subprocess.DEVNULL
    )
    client = redis.Redis(port=port, socket_connect_timeout=0.2)
    for _ in range(100):
        try:
            client.ping()
            return process
        except redis.RedisError:
            time.sleep(0.05)
    process.terminate()
    raise RuntimeError("redis-server did not start")
