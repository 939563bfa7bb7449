"""What the launcher writes and refuses before it starts anything."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Dict

import pytest
import yaml

from bot.launcher import ROOT, LaunchError, child_env, free_port, write_endpoints
from tests.redis_server import start_redis_server


def test_the_action_server_token_reaches_rasa_without_being_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rasa.utils.endpoints import read_endpoint_config

    token = "launcher-token-0123456789"
    path = write_endpoints("http://127.0.0.1:5055/webhook", tmp_path, {"ACTION_SERVER_TOKEN": token})
    assert token not in path.read_text(encoding="utf-8")
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["action_endpoint"]["token"] == "${ACTION_SERVER_TOKEN}"
    monkeypatch.setenv("ACTION_SERVER_TOKEN", token)  # the Rasa server's environment
    endpoint = read_endpoint_config(str(path), "action_endpoint")
    assert endpoint is not None and endpoint.token == token and endpoint.token_name == "token"


def test_without_a_token_the_action_endpoint_has_none(tmp_path: Path) -> None:
    path = write_endpoints("http://127.0.0.1:5055/webhook", tmp_path, {"ACTION_SERVER_TOKEN": ""})
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["action_endpoint"] == {
        "url": "http://127.0.0.1:5055/webhook"
    }


def test_the_launchers_temporary_directories_are_private() -> None:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="motcua-") as tmp:  # as cmd_run and cmd_replica make them
        assert stat.S_IMODE(os.stat(tmp).st_mode) == 0o700


def test_cors_only_for_the_origins_named() -> None:
    from bot.launcher import cors_arguments

    assert cors_arguments({"MOTCUA_CORS_ORIGINS": ""}) == []
    assert cors_arguments({"MOTCUA_CORS_ORIGINS": "https://a.example, https://b.example"}) == [
        "--cors",
        "https://a.example",
        "https://b.example",
    ]


def test_a_unix_socket_redis_url_is_refused_naming_it(tmp_path: Path) -> None:
    """Rasa's RedisTrackerStore connects to host:port only: a socket path would quietly become
    localhost:6379 (another Redis, or none)."""
    socket_path = tmp_path / "redis.sock"
    redis = start_redis_server(free_port(), "--unixsocket", str(socket_path), "--save", "", "--appendonly", "no")
    try:
        with pytest.raises(LaunchError, match=r"REDIS_URL=unix://.*unix sockets are not supported"):
            write_endpoints("http://127.0.0.1:5055/webhook", tmp_path, {"REDIS_URL": f"unix://{socket_path}?db=0"})
    finally:
        redis.terminate()
        redis.wait()


def run_launcher(env: Dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
    """`python -m bot.launcher run` on free ports; stopped (with its children) if still running."""
    env = {
        **env,
        "RASA_PORT": str(free_port()),
        "ACTION_PORT": str(free_port()),
        "PORTAL_SIMULATOR_PORT": str(free_port()),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.launcher", "run"],
        cwd=ROOT, env=child_env(env), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.terminate()  # SIGTERM: the launcher stops what it started (SIGKILL would orphan it)
        out, err = process.communicate(timeout=60)
        return subprocess.CompletedProcess(process.args, -1, out, err)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def test_production_without_a_portal_url_does_not_start() -> None:
    done = run_launcher({"MOTCUA_ENV": "production", "PORTAL_URL": ""})
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "PORTAL_URL" in done.stderr and "production" in done.stderr
    assert "Starting" not in done.stdout


def test_a_unix_socket_redis_url_stops_the_start() -> None:
    done = run_launcher({"REDIS_URL": "unix:///tmp/motcua-no-such.sock", "PORTAL_URL": "http://127.0.0.1:9"})
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "REDIS_URL=unix:///tmp/motcua-no-such.sock" in done.stderr and "not supported" in done.stderr
