"""`make run` starts everything and stops everything it started, on Ctrl-C and on kill, and when one
of its processes dies (saying which, with an error exit); safe by default: the simulator is
announced loudly and keeps its fault switches off, the action server listens on loopback only, and
the Rasa server sends no CORS headers but for the web chat, which is on (its secret kept in var/,
mode 0600) with its demo page printed."""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Dict, Optional, Tuple

import pytest

from bot.console_link import WEB_SESSION_SECRET_FILE
from bot.launcher import child_env, free_port
from bot.processes import watcher_available
from tests.bot.test_action_server import listening_addresses

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).parents[2]


def listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def fetch(url: str, method: str = "GET", headers: Optional[Dict[str, str]] = None) -> Tuple[int, Dict[str, str]]:
    data = b'{"sender": "launcher", "message": "xin chao"}' if method == "POST" else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})  # noqa: S310 (loopback)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback)
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


def check_safe_defaults(rasa_port: int, action_port: int, portal_port: int, warnings: str) -> None:
    assert "PORTAL_URL is not set" in warnings and "PORTAL SIMULATOR" in warnings, warnings
    status, headers = fetch(f"http://127.0.0.1:{portal_port}/dossiers/000.00.53.H48-261101-0004")
    assert status == 200 and headers.get("X-Portal-Simulator") == "1"
    assert fetch(f"http://127.0.0.1:{portal_port}/_sim/stats")[0] == 404
    assert listening_addresses(action_port) == ["127.0.0.1"]
    assert listening_addresses(rasa_port) == ["127.0.0.1"]  # behind the reverse proxy, not on every address
    origin = {"Origin": "https://elsewhere.example", "Content-Type": "application/json"}
    status, headers = fetch(f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook", "POST", origin)
    assert status == 200 and "Access-Control-Allow-Origin" not in headers
    # The web chat is on with nothing configured, for pages of any origin (signed sessions, no cookie).
    status, headers = fetch(f"http://127.0.0.1:{rasa_port}/webhooks/web/session", "POST", origin)
    assert status == 200 and headers.get("Access-Control-Allow-Origin") == "*"
    assert stat.S_IMODE(WEB_SESSION_SECRET_FILE.stat().st_mode) == 0o600
    status, headers = fetch(f"http://127.0.0.1:{rasa_port}/webhooks/web/demo")
    assert status == 200 and "default-src 'self'" in headers["Content-Security-Policy"]
    status, headers = fetch(f"http://127.0.0.1:{rasa_port}/webhooks/web/widget.js")
    assert (
        status == 200 and {k.lower(): v for k, v in headers.items()}["content-type"] == "text/javascript; charset=utf-8"
    )


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_run_then_stop_leaves_nothing_running(stop_signal: signal.Signals) -> None:
    rasa_port, action_port, portal_port = free_port(), free_port(), free_port()
    unset = (
        "PORTAL_URL",
        "MOTCUA_ENV",
        "MOTCUA_CORS_ORIGINS",
        "ACTION_SERVER_HOST",
        "MOTCUA_SIMULATOR_FAULTS",
        "RASA_HOST",
        "MOTCUA_WEB_SESSION_SECRET",
        "MOTCUA_WEB_ALLOWED_ORIGINS",
    )
    env = {k: v for k, v in child_env({"PORTAL_SIMULATOR_PORT": str(portal_port)}).items() if k not in unset}
    errors = tempfile.TemporaryFile("w+", encoding="utf-8")
    launcher = subprocess.Popen(
        [sys.executable, "-m", "bot.launcher", "run", "--rasa-port", str(rasa_port), "--action-port", str(action_port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=errors,
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
        assert f"Web chat: open http://localhost:{rasa_port}/webhooks/web/demo" in printed
        assert listening(rasa_port) and listening(action_port) and listening(portal_port)
        watchers = [pid for pid, command in children(launcher.pid).items() if "connectors.portal.watcher" in command]
        assert len(watchers) == (1 if watcher_available() else 0)  # with the console link (on by default)
        errors.seek(0)
        check_safe_defaults(rasa_port, action_port, portal_port, errors.read())

        os.kill(launcher.pid, stop_signal)
        assert launcher.wait(timeout=30) in (0, 130)
        deadline = time.monotonic() + 15
        ports = (rasa_port, action_port, portal_port)
        while any(listening(port) for port in ports) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not listening(rasa_port), "the Rasa server outlived the launcher"
        assert not listening(action_port), "the action server outlived the launcher"
        assert not listening(portal_port), "the portal simulator outlived the launcher"
        assert not any(Path(f"/proc/{pid}").exists() for pid in watchers), "the dossier watcher outlived it"
    finally:
        errors.close()
        if launcher.stdout is not None:
            launcher.stdout.close()
        if launcher.poll() is None:
            launcher.terminate()  # SIGTERM: the launcher stops its children; SIGKILL would orphan them
            try:
                launcher.wait(timeout=30)
            except subprocess.TimeoutExpired:
                launcher.kill()


def children(pid: int) -> Dict[int, str]:
    """The direct children of a process, with their command lines."""
    found: Dict[int, str] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found[int(child)] = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    return found


@pytest.mark.parametrize(
    "dies, name",
    [
        ("bot.action_server", "action server"),
        ("connectors.portal.simulator", "portal simulator"),
        pytest.param(
            "connectors.portal.watcher",
            "dossier watcher",
            marks=pytest.mark.skipif(not watcher_available(), reason="no dossier watcher in this build"),
        ),
    ],
)
def test_a_process_that_dies_stops_the_launcher_with_an_error_naming_it(dies: str, name: str) -> None:
    rasa_port, action_port, portal_port = free_port(), free_port(), free_port()
    env = {k: v for k, v in child_env({"PORTAL_SIMULATOR_PORT": str(portal_port)}).items() if k != "PORTAL_URL"}
    errors = tempfile.TemporaryFile("w+", encoding="utf-8")
    launcher = subprocess.Popen(
        [sys.executable, "-m", "bot.launcher", "run", "--rasa-port", str(rasa_port), "--action-port", str(action_port)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=errors, text=True,
    )  # fmt: skip
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
        running = children(launcher.pid)
        victims = [pid for pid, command in running.items() if dies in command]
        errors.seek(0)
        assert len(victims) == 1, (running, errors.read()[-3000:])
        victim = victims[0]
        os.kill(victim, signal.SIGKILL)  # a crash: no chance to clean up
        assert launcher.wait(timeout=60) == 1
        errors.seek(0)
        assert f"error: the {name} stopped (was killed by signal 9); stopping the assistant." in errors.read()
        deadline = time.monotonic() + 15
        while any(listening(port) for port in (rasa_port, action_port, portal_port)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(listening(port) for port in (rasa_port, action_port, portal_port)), "a server outlived it"
    finally:
        errors.close()
        if launcher.stdout is not None:
            launcher.stdout.close()
        if launcher.poll() is None:
            launcher.terminate()
            try:
                launcher.wait(timeout=30)
            except subprocess.TimeoutExpired:
                launcher.kill()
