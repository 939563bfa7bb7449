"""What the launcher refuses before it starts anything, and how it tells a process that stopped."""

from __future__ import annotations

import subprocess
import sys
import time
from typing import Dict

import pytest

from bot.launcher import ROOT, child_env, free_port, stopped
from bot.processes import spawn, stop, watch


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
    assert "REDIS_URL must start with redis://" in done.stderr and "unix sockets are not supported" in done.stderr


def test_a_partly_configured_channel_stops_the_start_before_anything_runs() -> None:
    done = run_launcher({"TELEGRAM_BOT_TOKEN": "123456:x", "TELEGRAM_WEBHOOK_SECRET": "", "PORTAL_URL": "http://x"})
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "Telegram is partly configured: set TELEGRAM_WEBHOOK_SECRET" in done.stderr
    assert "Starting" not in done.stdout


def test_watch_names_the_first_process_that_stops() -> None:
    long = spawn([sys.executable, "-c", "import time; time.sleep(60)"])
    short = spawn([sys.executable, "-c", "raise SystemExit(3)"])
    try:
        started = time.monotonic()
        assert watch({"Rasa server": long, "action server": short}, poll=0.05) == ("action server", 3)
        assert time.monotonic() - started < 10
        assert long.poll() is None
    finally:
        stop(long)


def test_a_process_that_stopped_is_named_and_the_exit_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert stopped("action server", -9) == 1
    assert stopped("portal simulator", 0) == 1  # stopping by itself, even cleanly, stops the assistant
    assert stopped("Rasa server", 2) == 2
    err = capsys.readouterr().err
    assert "error: the action server stopped (was killed by signal 9); stopping the assistant." in err
    assert "the portal simulator stopped (exited with code 0)" in err
