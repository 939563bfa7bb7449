"""The command line that starts the assistant (used by `make run`, `make chat`, `make replica`).

    python -m bot.launcher run                 action server :5055 + Rasa server :5005 (REST),
                                               + the portal simulator :8085 unless PORTAL_URL is set
                                               + the helper console :8090 unless MOTCUA_CONSOLE=off
                                                 (bot/console_link.py: the human handoff)
                                               + with the console, the dossier watcher (notifications)
                                               + the web chat (a session secret kept in var/ unless
                                                 MOTCUA_WEB_SESSION_SECRET is set), its demo page printed
    python -m bot.launcher chat                the same servers, talked to through `bot.server shell`
    python -m bot.launcher replica --port 5006 one more Rasa server sharing Redis and the action server
    python -m bot.launcher conversation-tests  `rasa test core` (through bot.server) on tests/conversations

Every process started here is stopped when the launcher ends, Ctrl-C and `kill` included; and
when one of them stops by itself (a crashed action server, simulator or Rasa server), the
launcher says which, stops the others and exits with an error.

The files Rasa is given are made by bot/rasa_config.py, the processes by bot/processes.py.
Safe by default: the action server (`python -m bot.action_server`) listens on 127.0.0.1 and, with
ACTION_SERVER_TOKEN set, requires the token that the Rasa servers are given through endpoints
(`token: ${ACTION_SERVER_TOKEN}`, expanded by Rasa: the secret is never written to a file); the
Rasa server sends no CORS headers unless MOTCUA_CORS_ORIGINS names the origins, and its HTTP API
stays off; without PORTAL_URL the simulator is started with a warning, and not at all when
MOTCUA_ENV=production; REDIS_URL must be redis:// or rediss:// (Rasa's tracker store speaks TCP only).
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, Iterator, List, Optional

from bot.console_link import DEFAULT_CONSOLE_PORT, console_enabled, link_env, web_chat_env
from bot.processes import (
    MODEL_DIR,
    RASA,
    dossier_watcher,
    free_port,
    helper_console,
    rasa_command,
    spawn,
    start_action_server,
    start_portal_simulator,
    start_rasa_server,
    stop,
    wait_http,
    watch,
)
from bot.rasa_config import (
    CHANNEL_VARIABLES,
    ROOT,
    LaunchError,
    check_config,
    check_portal,
    check_redis,
    child_env,
    cors_arguments,
    enabled_channels,
    redact_url,
    settings_for,
    write_credentials,
    write_endpoints,
)
from connectors import logs

# Other code imports these from here.
__all__ = [
    "CHANNEL_VARIABLES",
    "MODEL_DIR",
    "RASA",
    "ROOT",
    "LaunchError",
    "action_server",
    "check_config",
    "check_redis",
    "child_env",
    "cors_arguments",
    "free_port",
    "main",
    "portal",
    "require_model",
    "spawn",
    "start_action_server",
    "start_portal_simulator",
    "start_rasa_server",
    "stop",
    "wait_http",
    "write_credentials",
    "write_endpoints",
]

RASA_SERVER, ACTION_SERVER, SIMULATOR, SHELL = "Rasa server", "action server", "portal simulator", "Rasa shell"

SIMULATOR_WARNING = """
************************************************************************************
*  PORTAL_URL is not set: dossier lookups go to the bundled PORTAL SIMULATOR.      *
*  Its dossiers are invented demo data; no citizen's real dossier is looked up.    *
*  Set PORTAL_URL (and PORTAL_TOKEN) to the province portal's dossier API.         *
*  With MOTCUA_ENV=production the assistant refuses to start without PORTAL_URL.   *
************************************************************************************
"""


@contextlib.contextmanager
def portal(
    port: Optional[int] = None,
    env: Optional[Dict[str, str]] = None,
    watched: Optional[Dict[str, subprocess.Popen]] = None,
) -> Iterator[str]:
    """PORTAL_URL when it is set; otherwise the bundled simulator, run for the block (with a
    warning; refused when MOTCUA_ENV=production), and added to `watched`."""
    settings = settings_for(env)
    if settings.portal_url:
        yield settings.portal_url
        return
    check_portal(env)
    port = port or settings.portal_simulator_port
    print(SIMULATOR_WARNING, file=sys.stderr, flush=True)
    print(f"Starting the portal simulator on :{port} (PORTAL_URL is not set) …", flush=True)
    process = start_portal_simulator(port, env=env)
    if watched is not None:
        watched[SIMULATOR] = process
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


@contextlib.contextmanager
def action_server(
    port: Optional[int] = None,
    env: Optional[Dict[str, str]] = None,
    watched: Optional[Dict[str, subprocess.Popen]] = None,
) -> Iterator[str]:
    """Run an action server for the block (added to `watched`); yields its webhook URL."""
    port = port or free_port()
    process = start_action_server(port, env)
    if watched is not None:
        watched[ACTION_SERVER] = process
    try:
        yield f"http://127.0.0.1:{port}/webhook"
    finally:
        stop(process)


def require_model() -> None:
    if not any(MODEL_DIR.glob("*.tar.gz")):
        raise LaunchError("no trained model in models/: run `make train` first")


def stopped(name: str, code: int) -> int:
    """A process stopped by itself: say which, and exit with an error (the others are stopped)."""
    how = f"was killed by signal {-code}" if code < 0 else f"exited with code {code}"
    print(f"\nerror: the {name} stopped ({how}); stopping the assistant.", file=sys.stderr, flush=True)
    return code if code > 0 else 1


def cmd_run(args: argparse.Namespace) -> int:
    check_config()
    require_model()
    watched: Dict[str, subprocess.Popen] = {}
    link = link_env(args.console_port, args.rasa_port) if console_enabled() else {}
    web = web_chat_env()
    with tempfile.TemporaryDirectory(prefix="motcua-") as tmp, portal(watched=watched) as portal_url:
        print(f"Starting the action server on :{args.action_port} …", flush=True)
        with (
            action_server(args.action_port, env={"PORTAL_URL": portal_url, **link}, watched=watched) as action_url,
            helper_console(args.console_port, link, watched),
        ):
            endpoints = write_endpoints(action_url, Path(tmp), env=link)
            print(f"Starting the Rasa server on :{args.rasa_port} (loading the model) …", flush=True)
            rasa = start_rasa_server(args.rasa_port, endpoints, env={**link, **web})
            watched[RASA_SERVER] = rasa
            try:
                with dossier_watcher(link, portal_url, watched):
                    print(ready_text(args.rasa_port, portal_url, web), flush=True)
                    return stopped(*watch(watched))
            except KeyboardInterrupt:
                print("\nStopping …", flush=True)
                return 0
            finally:
                stop(rasa)


def ready_text(rasa_port: int, portal_url: str, web: Dict[str, str]) -> str:
    """What `make run` prints once the assistant answers."""
    url = f"http://localhost:{rasa_port}/webhooks/rest/webhook"
    channels = enabled_channels(web)
    text = (
        "\nThe assistant is ready. Talk to it over REST:\n"
        f"  curl -s {url} -H 'Content-Type: application/json' \\\n"
        '    -d \'{"sender": "demo", "message": "làm giấy khai sinh cần giấy tờ gì"}\'\n'
        f"Dossier lookups go to {redact_url(portal_url)} (demo codes: README).\n"
        f"Channels: {', '.join(['rest', *channels])} (POST /webhooks/<channel>/webhook).\n"
    )
    if "web" in channels and not settings_for().production:
        text += (
            f"Web chat: open http://localhost:{rasa_port}/webhooks/web/demo (the widget on a demo page; "
            "README: Web chat on the province's website).\n"
        )
    return text + "Or in a terminal: make chat. Press Ctrl-C to stop.\n"


def cmd_chat(args: argparse.Namespace) -> int:
    """`python -m bot.server shell`: the Rasa server of `make run` (same patches, endpoints and
    credentials) with Rasa's command-line channel, in this terminal."""
    check_config()
    require_model()
    watched: Dict[str, subprocess.Popen] = {}
    with (
        tempfile.TemporaryDirectory(prefix="motcua-") as tmp,
        portal(watched=watched) as portal_url,
        action_server(env={"PORTAL_URL": portal_url}, watched=watched) as action_url,
    ):
        endpoints = write_endpoints(action_url, Path(tmp))
        shell = [
            *rasa_command(), "shell",
            "--model", str(MODEL_DIR),
            "--endpoints", str(endpoints),
            "--credentials", str(write_credentials(Path(tmp))),
            "--interface", "127.0.0.1",
            "--port", str(free_port()),
        ]  # fmt: skip
        # in this terminal's process group: it reads the keyboard, and Ctrl-C reaches it too
        process = subprocess.Popen(shell, cwd=ROOT, env=child_env())
        watched[SHELL] = process
        try:
            name, code = watch(watched)
            return code if name == SHELL else stopped(name, code)
        except KeyboardInterrupt:
            return 0
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def cmd_conversation_tests(args: argparse.Namespace) -> int:
    """`rasa test core` predicts each next action; it does not run custom actions. It runs through
    bot.server, so the dialogue predictions tested are made the way the served assistant makes them."""
    require_model()
    test = [
        *rasa_command(), "test", "core",
        "--model", str(MODEL_DIR),
        "--stories", str(ROOT / "tests" / "conversations"),
        "--out", str(ROOT / "results" / "conversations"),
        "--fail-on-prediction-errors",
    ]  # fmt: skip
    return subprocess.call(test, cwd=ROOT, env=child_env())


def cmd_replica(args: argparse.Namespace) -> int:
    """One more Rasa server sharing Redis (trackers, locks) and the running action server."""
    require_model()
    if not settings_for().redis_url:
        raise LaunchError("a replica shares conversations through Redis: set REDIS_URL (and use it for make run too)")
    # the replica relays the paused conversations it receives to the console, as the first server does
    link = link_env(args.console_port) if console_enabled() else {}
    with tempfile.TemporaryDirectory(prefix="motcua-replica-") as tmp:
        endpoints = write_endpoints(f"http://127.0.0.1:{args.action_port}/webhook", Path(tmp), env=link)
        print(f"Starting a Rasa server replica on :{args.port} (loading the model) …", flush=True)
        # the web chat's sessions are signed with the first server's secret (var/), so either replica checks them
        rasa = start_rasa_server(args.port, endpoints, env={**link, **web_chat_env()})
        try:
            print(f"Replica ready: http://localhost:{args.port}/webhooks/rest/webhook. Ctrl-C stops it.", flush=True)
            return stopped(*watch({RASA_SERVER: rasa}))
        except KeyboardInterrupt:
            return 0
        finally:
            stop(rasa)


def _stop_on_sigterm() -> None:
    """`kill` (SIGTERM) stops the children like Ctrl-C does: their own process groups would
    otherwise outlive the launcher."""

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def main(argv: Optional[List[str]] = None) -> int:
    _stop_on_sigterm()
    logs.install()
    try:
        settings = settings_for()
    except LaunchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    parser = argparse.ArgumentParser(prog="python -m bot.launcher")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="action server + Rasa server with the REST channel")
    run.add_argument("--rasa-port", type=int, default=settings.rasa_port)
    run.add_argument("--action-port", type=int, default=settings.action_port)
    run.add_argument("--console-port", type=int, default=DEFAULT_CONSOLE_PORT)
    run.set_defaults(func=cmd_run)
    commands.add_parser("chat", help="talk in this terminal").set_defaults(func=cmd_chat)
    replica = commands.add_parser("replica", help="one more Rasa server on Redis (REDIS_URL)")
    replica.add_argument("--port", type=int, default=5006)
    replica.add_argument("--action-port", type=int, default=settings.action_port)
    replica.add_argument("--console-port", type=int, default=DEFAULT_CONSOLE_PORT)
    replica.set_defaults(func=cmd_replica)
    commands.add_parser("conversation-tests", help="rasa test core with an action server").set_defaults(
        func=cmd_conversation_tests
    )
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except LaunchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
