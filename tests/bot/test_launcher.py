"""What the launcher refuses before it starts anything, how it tells a process that stopped, and what
it adds by itself: the web chat's kept secret, the demo page's address, the dossier watcher."""

from __future__ import annotations

import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

from bot import processes
from bot.console_link import WEB_SESSION_SECRET, web_chat_env
from bot.launcher import ROOT, child_env, free_port, ready_text, stopped
from bot.processes import spawn, stop, watch
from bot.rasa_config import enabled_channels
from connectors.web import Sessions


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


def test_the_web_chat_is_on_with_a_secret_kept_in_var_unless_the_operator_gave_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(WEB_SESSION_SECRET, raising=False)
    made = web_chat_env(tmp_path)
    secret = made[WEB_SESSION_SECRET]
    assert len(secret) >= 32 and Sessions(secret)  # long enough for the channel
    kept = tmp_path / "web_session_secret"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600 and kept.read_text().strip() == secret
    assert web_chat_env(tmp_path) == made  # the same after a restart: the pages' sessions still hold
    assert "web" in enabled_channels(made)
    monkeypatch.setenv(WEB_SESSION_SECRET, "o" * 40)
    assert web_chat_env(tmp_path / "other") == {} and not (tmp_path / "other").exists()


def test_the_ready_text_names_the_demo_page_except_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MOTCUA_ENV", raising=False)
    web = {WEB_SESSION_SECRET: "w" * 40}
    text = ready_text(5005, "http://127.0.0.1:8085", web)
    assert "Web chat: open http://localhost:5005/webhooks/web/demo" in text
    assert "Channels: rest, web" in text and text.rstrip().endswith("Press Ctrl-C to stop.")
    monkeypatch.setenv("MOTCUA_ENV", "production")
    assert "/webhooks/web/demo" not in ready_text(5005, "https://portal.example", web)  # no demo page there


def test_the_dossier_watcher_runs_with_the_console_link_only(monkeypatch: pytest.MonkeyPatch) -> None:
    started: List[Dict[str, str]] = []

    def start(env: Optional[Dict[str, str]] = None, log: Any = None) -> subprocess.Popen:
        started.append(dict(env or {}))
        return spawn([sys.executable, "-c", "import time; time.sleep(60)"])

    monkeypatch.setattr(processes, "start_watcher", start)
    monkeypatch.setattr(processes, "watcher_available", lambda: True)
    watched: Dict[str, subprocess.Popen] = {}
    with processes.dossier_watcher({}, "http://127.0.0.1:8085", watched):  # MOTCUA_CONSOLE=off: no Rasa API
        assert watched == {}
    link = {"RASA_URL": "http://127.0.0.1:5005", "RASA_JWT_SECRET_FILE": "/var/jwt"}
    with processes.dossier_watcher(link, "http://127.0.0.1:8085", watched):
        process = watched[processes.WATCHER]
        assert process.poll() is None
    assert process.poll() is not None  # stopped with the assistant
    assert started == [{**link, "PORTAL_URL": "http://127.0.0.1:8085"}]
    monkeypatch.setattr(processes, "watcher_available", lambda: False)  # a build without the watcher
    with processes.dossier_watcher(link, "http://127.0.0.1:8085", {}):
        assert len(started) == 1


def test_an_allowed_web_origin_that_is_not_an_origin_stops_the_start() -> None:
    done = run_launcher({"MOTCUA_WEB_ALLOWED_ORIGINS": "dichvucong.example.gov.vn", "PORTAL_URL": "http://x"})
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "MOTCUA_WEB_ALLOWED_ORIGINS: 'dichvucong.example.gov.vn' is not an origin" in done.stderr
    assert "Starting" not in done.stdout
