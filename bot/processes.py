"""Start, watch and stop the assistant's server processes (for bot.launcher, the tests and bench).

Each server runs in its own process group (so Ctrl-C reaches the launcher, which then stops its
children in order), and is started only when its readiness URL answers. `watch` waits on several
at once and says which one stopped first. The helper console and the dossier watcher run for a
block (`helper_console`, `dossier_watcher`) when the console link is on (bot/console_link.py).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO, Dict, Iterator, List, Optional, Sequence, Tuple

from bot.console_link import api_arguments
from bot.rasa_config import ROOT, LaunchError, child_env, cors_arguments, settings_for, write_credentials

CONSOLE, WATCHER = "helper console", "dossier watcher"
BIN = Path(sys.executable).parent
RASA = str(BIN / "rasa")
MODEL_DIR = ROOT / "models"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, process: subprocess.Popen, timeout: float) -> None:
    """Poll `url` until it answers 200; fail early if the process dies."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise LaunchError(f"process exited with code {process.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback only)
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.5)
    raise LaunchError(f"{url} did not answer within {timeout:.0f} s")


def stop(process: subprocess.Popen, grace: float = 10.0) -> None:
    """SIGTERM the process group, then SIGKILL what is left after `grace` seconds."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def watch(processes: Dict[str, subprocess.Popen], poll: float = 0.5) -> Tuple[str, int]:
    """Wait until one of the named processes exits; its name and exit code."""
    while True:
        for name, process in processes.items():
            code = process.poll()
            if code is not None:
                return name, code
        time.sleep(poll)


def spawn(args: List[str], env: Optional[Dict[str, str]] = None, log: Optional[IO[str]] = None) -> subprocess.Popen:
    """Start a process in its own process group; its output goes to this terminal, or with `log`
    to that file (both streams)."""
    output = {"stdout": log, "stderr": subprocess.STDOUT} if log is not None else {}
    return subprocess.Popen(args, cwd=ROOT, env=child_env(env), start_new_session=True, **output)  # type: ignore[call-overload]  # noqa: S603


def start_ready(
    args: List[str], ready_url: str, env: Optional[Dict[str, str]], timeout: float, log: Optional[IO[str]] = None
) -> subprocess.Popen:
    """Spawn a server and wait until `ready_url` answers; stop it if it never does."""
    process = spawn(args, env, log)
    try:
        wait_http(ready_url, process, timeout)
    except LaunchError:
        stop(process)
        raise
    return process


def start_action_server(
    port: int, env: Optional[Dict[str, str]] = None, timeout: float = 120, log: Optional[IO[str]] = None
) -> subprocess.Popen:
    """`python -m bot.action_server`: rasa_sdk's server on 127.0.0.1 (ACTION_SERVER_HOST), with
    the token check when ACTION_SERVER_TOKEN is set."""
    args = [sys.executable, "-m", "bot.action_server", "--actions", "bot.actions", "--port", str(port)]
    return start_ready(args, f"http://127.0.0.1:{port}/health", env, timeout, log)


def rasa_command(stock: bool = False) -> List[str]:
    """Our Rasa command line (`python -m bot.server`), or with `stock=True` plain `rasa`."""
    return [RASA] if stock else [sys.executable, "-m", "bot.server"]


def start_rasa_server(
    port: int,
    endpoints: Path,
    model: Path = MODEL_DIR,
    env: Optional[Dict[str, str]] = None,
    timeout: float = 300,
    stock: bool = False,
    log: Optional[IO[str]] = None,
) -> subprocess.Popen:
    """Our Rasa server (`python -m bot.server run`); `stock=True` runs plain `rasa run`, without
    bot.rasa_patches (the benchmarks' comparison). The HTTP API (trackers, parse, events) is on only
    for the helper console, behind JWTs signed with the secret of RASA_JWT_SECRET_FILE
    (bot/console_link.py); never with a token in URLs. It listens on 127.0.0.1, behind the reverse
    proxy of the README, unless RASA_HOST names another address."""
    settings = settings_for(env)
    jwt_file = str(settings.rasa_jwt_secret_file) if settings.rasa_jwt_secret_file else None
    args = [
        *rasa_command(stock), "run",
        "--model", str(model),
        "--credentials", str(write_credentials(endpoints.parent, env)),
        "--endpoints", str(endpoints),
        "--port", str(port),
        "--interface", settings.rasa_host,
        *cors_arguments(env),
        *api_arguments(jwt_file),
    ]  # fmt: skip
    return start_ready(args, f"http://127.0.0.1:{port}/", env, timeout, log)


def start_portal_simulator(
    port: int,
    env: Optional[Dict[str, str]] = None,
    timeout: float = 30,
    args: Sequence[str] = (),
    log: Optional[IO[str]] = None,
) -> subprocess.Popen:
    command = [sys.executable, "-m", "connectors.portal.simulator", "--port", str(port), *args]
    return start_ready(command, f"http://127.0.0.1:{port}/health", env, timeout, log)


def start_console(
    port: int, env: Optional[Dict[str, str]] = None, timeout: float = 60, log: Optional[IO[str]] = None
) -> subprocess.Popen:
    """The helper console (`python -m console serve`), migrated and answering /health."""
    args = [sys.executable, "-m", "console", "serve", "--port", str(port)]
    return start_ready(args, f"http://127.0.0.1:{port}/health", env, timeout, log)


WATCHER_MODULE = "connectors.portal.watcher"


def watcher_available() -> bool:
    """Is the dossier watcher (status notifications) part of this assistant?"""
    return importlib.util.find_spec(WATCHER_MODULE) is not None


def start_watcher(env: Optional[Dict[str, str]] = None, log: Optional[IO[str]] = None) -> subprocess.Popen:
    """`python -m connectors.portal.watcher`: polls the subscribed dossiers and sends the notices
    through the Rasa HTTP API (RASA_URL, RASA_JWT_SECRET_FILE); it has no port to wait for."""
    return spawn([sys.executable, "-m", WATCHER_MODULE], env, log)


@contextlib.contextmanager
def dossier_watcher(link: Dict[str, str], portal_url: str, watched: Dict[str, subprocess.Popen]) -> Iterator[None]:
    """The dossier watcher for the block (added to `watched`), when the console link is on (its
    notices go through the Rasa HTTP API, which the link turns on) and the watcher is installed."""
    if not link or not watcher_available():
        yield
        return
    print("Starting the dossier watcher (notifications of dossier changes) …", flush=True)
    process = start_watcher(env={**link, "PORTAL_URL": portal_url})
    watched[WATCHER] = process
    try:
        yield
    finally:
        stop(process)


@contextlib.contextmanager
def helper_console(port: int, link: Dict[str, str], watched: Dict[str, subprocess.Popen]) -> Iterator[None]:
    """The helper console for the block (added to `watched`), when the link is on."""
    if not link:
        yield
        return
    print(f"Starting the helper console on :{port} …", flush=True)
    process = start_console(port, env=link)
    watched[CONSOLE] = process
    print(
        "Helper accounts: .venv/bin/python -m console users add NAME --role helper (README: For helpers)",
        flush=True,
    )
    try:
        yield
    finally:
        stop(process)
