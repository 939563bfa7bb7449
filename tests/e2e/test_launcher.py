"""`make run` starts everything and stops everything it started, on Ctrl-C and on kill."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.launcher import child_env, free_port

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).parents[2]


def listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_run_then_stop_leaves_nothing_running(stop_signal: signal.Signals) -> None:
    rasa_port, action_port, portal_port = free_port(), free_port(), free_port()
    env = {k: v for k, v in child_env({"PORTAL_SIMULATOR_PORT": str(portal_port)}).items() if k != "PORTAL_URL"}
    launcher = subprocess.Popen(
        [sys.executable, "-m", "bot.launcher", "run", "--rasa-port", str(rasa_port), "--action-port", str(action_port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert launcher.stdout is not None
        printed = ""
        deadline = time.monotonic() + 240
        while "Press Ctrl-C to stop." not in printed and time.monotonic() < deadline:
            line = launcher.stdout.readline()
            if not line and launcher.poll() is not None:
                break
            printed += line
        assert "The assistant is ready" in printed, printed
        assert f"http://localhost:{rasa_port}/webhooks/rest/webhook" in printed
        assert f"Dossier lookups go to http://127.0.0.1:{portal_port}" in printed
        assert listening(rasa_port) and listening(action_port) and listening(portal_port)

        os.kill(launcher.pid, stop_signal)
        assert launcher.wait(timeout=30) in (0, 130)
        deadline = time.monotonic() + 15
        ports = (rasa_port, action_port, portal_port)
        while any(listening(port) for port in ports) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not listening(rasa_port), "the Rasa server outlived the launcher"
        assert not listening(action_port), "the action server outlived the launcher"
        assert not listening(portal_port), "the portal simulator outlived the launcher"
    finally:
        if launcher.poll() is None:
            launcher.terminate()  # SIGTERM: the launcher stops its children; SIGKILL would orphan them
            try:
                launcher.wait(timeout=30)
            except subprocess.TimeoutExpired:
                launcher.kill()
