"""Start, watch and stop the assistant's processes (used by `make run`, `make chat` and tests).

    python -m bot.launcher run                 action server :5055 + Rasa server :5005 (REST),
                                               + the portal simulator :8085 unless PORTAL_URL is set
    python -m bot.launcher chat                the same servers + `rasa shell` in this terminal
    python -m bot.launcher replica --port 5006 one more Rasa server sharing Redis and the action server
    python -m bot.launcher conversation-tests  `rasa test core` (through bot.server) on tests/conversations

Every process started here is stopped when the launcher ends, Ctrl-C included.

Safe by default: the action server (`python -m bot.action_server`) listens on 127.0.0.1 and, with
ACTION_SERVER_TOKEN set, requires the token that the Rasa servers are given through endpoints.yml
(`token: ${ACTION_SERVER_TOKEN}`, expanded by Rasa: the secret is never written to a file); the
Rasa server sends no CORS headers unless MOTCUA_CORS_ORIGINS names the origins, and its HTTP API
stays off; without PORTAL_URL the simulator is started with a warning, and not at all when
MOTCUA_ENV=production; REDIS_URL must be redis:// or rediss:// (Rasa's tracker store speaks TCP only).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO, Dict, Iterator, List, Optional, Sequence
from urllib.parse import unquote, urlparse

import yaml

from connectors import logs

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RASA = str(BIN / "rasa")
MODEL_DIR = ROOT / "models"
ENDPOINTS = ROOT / "endpoints.yml"
CREDENTIALS = ROOT / "credentials.yml"


class LaunchError(RuntimeError):
    """A process did not start or did not become ready in time."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def child_env(extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    env = dict(os.environ)
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(extra or {})
    for name, value in CHANNEL_DEFAULTS.items():
        if not env.get(name):
            env[name] = value
    return env


# A channel is on when all its variables are set; these have defaults.
CHANNEL_VARIABLES: Dict[str, List[str]] = {
    "connectors.telegram.TelegramInput": ["TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET"],
    "connectors.zalo.ZaloInput": [
        "ZALO_APP_ID",
        "ZALO_APP_SECRET",
        "ZALO_OA_SECRET_KEY",
        "ZALO_ACCESS_TOKEN",
        "ZALO_REFRESH_TOKEN",
    ],
    "connectors.web.WebChatInput": ["MOTCUA_WEB_SESSION_SECRET"],
}
CHANNEL_DEFAULTS = {
    "TELEGRAM_API_BASE_URL": "https://api.telegram.org/bot",
    "ZALO_API_BASE_URL": "https://openapi.zalo.me",
    "ZALO_OAUTH_BASE_URL": "https://oauth.zaloapp.com",
}


def write_credentials(directory: Path, env: Optional[Dict[str, str]] = None) -> Path:
    """A copy of credentials.yml with only the channels whose variables are all set (REST always).
    A channel with some variables set and others missing is a mistake: it stops the start."""
    env = child_env(env)
    config = yaml.safe_load(CREDENTIALS.read_text(encoding="utf-8")) or {}
    for channel, variables in CHANNEL_VARIABLES.items():
        missing = [v for v in variables if not env.get(v)]
        if missing and len(missing) < len(variables):
            raise LaunchError(f"{channel.split('.')[1].title()} is partly configured: set {', '.join(missing)}")
        if missing:
            config.pop(channel, None)
    path = directory / "credentials.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def enabled_channels(env: Optional[Dict[str, str]] = None) -> List[str]:
    env = child_env(env)
    return [c.split(".")[1] for c, variables in CHANNEL_VARIABLES.items() if all(env.get(v) for v in variables)]


TRACKER_RECORD_EXP = 7 * 86_400  # a conversation idle for a week is forgotten (MOTCUA_TRACKER_RECORD_EXP_SECONDS)


def redis_stores(redis_url: str, env: Dict[str, str]) -> Dict[str, Dict[str, object]]:
    """endpoints.yml entries for Rasa's Redis tracker store and our atomic lock store."""
    parsed = urlparse(redis_url)
    db = int((parsed.path or "/0").strip("/") or 0)
    tracker: Dict[str, object] = {
        "type": "redis",
        "url": parsed.hostname or "localhost",
        "port": parsed.port or 6379,
        "db": db,
        "key_prefix": "motcua",
        "record_exp": int(env.get("MOTCUA_TRACKER_RECORD_EXP_SECONDS") or TRACKER_RECORD_EXP),
        "use_ssl": parsed.scheme == "rediss",
    }
    if parsed.password:
        tracker["password"] = unquote(parsed.password)
    if parsed.username:
        tracker["username"] = unquote(parsed.username)
    return {"tracker_store": tracker, "lock_store": {"type": "bot.lock_store.AtomicRedisLockStore", "url": redis_url}}


def check_redis(redis_url: str) -> None:
    """Fail fast, naming REDIS_URL, when it is malformed, a unix socket, or nothing answers there."""
    import redis

    if urlparse(redis_url).scheme == "unix":
        # Rasa 3.6's RedisTrackerStore takes a host and a port only (redis.StrictRedis(host=…,
        # port=…)): a socket path would silently become localhost:6379.
        raise LaunchError(
            f"REDIS_URL={_redact(redis_url)}: unix sockets are not supported (Rasa's Redis tracker store "
            "connects over TCP only); use redis://host:port/db or rediss://…"
        )
    try:
        client = redis.Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
    except (ValueError, redis.RedisError) as exc:
        raise LaunchError(f"REDIS_URL={_redact(redis_url)} does not work: {exc}") from exc


def _redact(url: str) -> str:
    parsed = urlparse(url)
    return url.replace(f":{parsed.password}@", ":***@") if parsed.password else url


def write_endpoints(action_url: str, directory: Path, env: Optional[Dict[str, str]] = None) -> Path:
    """A copy of endpoints.yml whose action endpoint points at `action_url`; with REDIS_URL set,
    trackers and locks go to Redis (shared by every Rasa replica). With ACTION_SERVER_TOKEN set,
    Rasa sends it to the action server: the file says `${ACTION_SERVER_TOKEN}`, which Rasa expands
    from its environment when it reads the file, so the token is not written anywhere."""
    env = child_env(env)
    config = yaml.safe_load(ENDPOINTS.read_text(encoding="utf-8")) or {}
    config["action_endpoint"] = {"url": action_url}
    if env.get("ACTION_SERVER_TOKEN"):
        config["action_endpoint"]["token"] = "${ACTION_SERVER_TOKEN}"  # noqa: S105 (a reference, expanded by Rasa)
    if env.get("REDIS_URL"):
        check_redis(env["REDIS_URL"])
        config.update(redis_stores(env["REDIS_URL"], env))
    path = directory / "endpoints.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


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


def spawn(args: List[str], env: Optional[Dict[str, str]] = None, log: Optional[IO[str]] = None) -> subprocess.Popen:
    """Start a process in its own process group (Ctrl-C reaches the launcher, which then stops
    children in order); its output goes to this terminal, or with `log` to that file (both streams)."""
    output = {"stdout": log, "stderr": subprocess.STDOUT} if log is not None else {}
    return subprocess.Popen(args, cwd=ROOT, env=child_env(env), start_new_session=True, **output)  # type: ignore[call-overload]


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


def cors_arguments(env: Optional[Dict[str, str]] = None) -> List[str]:
    """`--cors` with the origins of MOTCUA_CORS_ORIGINS (comma- or space-separated), else nothing:
    a browser page elsewhere gets no permission to call the assistant unless one is named."""
    origins = (child_env(env).get("MOTCUA_CORS_ORIGINS") or "").replace(",", " ").split()
    return ["--cors", *origins] if origins else []


def start_rasa_server(
    port: int,
    endpoints: Path,
    model: Path = MODEL_DIR,
    env: Optional[Dict[str, str]] = None,
    timeout: float = 300,
    stock: bool = False,
    log: Optional[IO[str]] = None,
) -> subprocess.Popen:
    """Our Rasa server (`python -m bot.server run`); `stock=True` runs plain `rasa run`, as a
    Rasa user gets it (the benchmarks' baseline). Never with --enable-api: the HTTP API (trackers,
    parse, events) is not for the public side. It listens on 127.0.0.1, behind the reverse proxy
    of the README, unless RASA_HOST names another address."""
    server = [RASA] if stock else [sys.executable, "-m", "bot.server"]
    args = [
        *server, "run",
        "--model", str(model),
        "--credentials", str(write_credentials(endpoints.parent, env)),
        "--endpoints", str(endpoints),
        "--port", str(port),
        "--interface", child_env(env).get("RASA_HOST") or "127.0.0.1",
        *cors_arguments(env),
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


SIMULATOR_WARNING = """
************************************************************************************
*  PORTAL_URL is not set: dossier lookups go to the bundled PORTAL SIMULATOR.      *
*  Its dossiers are invented demo data; no citizen's real dossier is looked up.    *
*  Set PORTAL_URL (and PORTAL_TOKEN) to the province portal's dossier API.         *
*  With MOTCUA_ENV=production the assistant refuses to start without PORTAL_URL.   *
************************************************************************************
"""


def check_config(env: Optional[Dict[str, str]] = None) -> None:
    """What can be refused before anything starts: the portal and REDIS_URL."""
    check_portal(env)
    redis_url = child_env(env).get("REDIS_URL")
    if redis_url:
        check_redis(redis_url)


def check_portal(env: Optional[Dict[str, str]] = None) -> None:
    """Without PORTAL_URL the simulator would answer citizens: never in production."""
    env = child_env(env)
    if not env.get("PORTAL_URL") and env.get("MOTCUA_ENV", "").strip().lower() == "production":
        raise LaunchError(
            "MOTCUA_ENV=production and PORTAL_URL is not set: the portal simulator (invented dossiers) "
            "is not started in production. Set PORTAL_URL (and PORTAL_TOKEN) to the province portal's dossier API."
        )


@contextlib.contextmanager
def portal(port: Optional[int] = None, env: Optional[Dict[str, str]] = None) -> Iterator[str]:
    """PORTAL_URL when it is set; otherwise the bundled simulator, run for the block (with a
    warning; refused when MOTCUA_ENV=production)."""
    if os.environ.get("PORTAL_URL"):
        yield os.environ["PORTAL_URL"]
        return
    check_portal(env)
    port = port or int(os.environ.get("PORTAL_SIMULATOR_PORT", "8085"))
    print(SIMULATOR_WARNING, file=sys.stderr, flush=True)
    print(f"Starting the portal simulator on :{port} (PORTAL_URL is not set) …", flush=True)
    process = start_portal_simulator(port, env=env)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


@contextlib.contextmanager
def action_server(port: Optional[int] = None, env: Optional[Dict[str, str]] = None) -> Iterator[str]:
    """Run an action server for the block; yields its webhook URL."""
    port = port or free_port()
    process = start_action_server(port, env)
    try:
        yield f"http://127.0.0.1:{port}/webhook"
    finally:
        stop(process)


def require_model() -> None:
    if not any(MODEL_DIR.glob("*.tar.gz")):
        raise LaunchError("no trained model in models/: run `make train` first")


def cmd_run(args: argparse.Namespace) -> int:
    check_config()
    require_model()
    with tempfile.TemporaryDirectory(prefix="motcua-") as tmp, portal() as portal_url:
        print(f"Starting the action server on :{args.action_port} …", flush=True)
        with action_server(args.action_port, env={"PORTAL_URL": portal_url}) as action_url:
            endpoints = write_endpoints(action_url, Path(tmp))
            print(f"Starting the Rasa server on :{args.rasa_port} (loading the model) …", flush=True)
            rasa = start_rasa_server(args.rasa_port, endpoints)
            try:
                url = f"http://localhost:{args.rasa_port}/webhooks/rest/webhook"
                print(
                    "\nThe assistant is ready. Talk to it over REST:\n"
                    f"  curl -s {url} -H 'Content-Type: application/json' \\\n"
                    '    -d \'{"sender": "demo", "message": "làm giấy khai sinh cần giấy tờ gì"}\'\n'
                    f"Dossier lookups go to {_redact(portal_url)} (demo codes: README).\n"
                    f"Channels: {', '.join(['rest', *enabled_channels()])} (POST /webhooks/<channel>/webhook).\n"
                    "Or in a terminal: make chat. Press Ctrl-C to stop.\n",
                    flush=True,
                )
                return rasa.wait()
            except KeyboardInterrupt:
                print("\nStopping …", flush=True)
                return 0
            finally:
                stop(rasa)


def cmd_chat(args: argparse.Namespace) -> int:
    check_config()
    require_model()
    with (
        tempfile.TemporaryDirectory(prefix="motcua-") as tmp,
        portal() as portal_url,
        action_server(env={"PORTAL_URL": portal_url}) as action_url,
    ):
        endpoints = write_endpoints(action_url, Path(tmp))
        shell = [RASA, "shell", "--model", str(MODEL_DIR), "--endpoints", str(endpoints), "--port", str(free_port())]
        try:
            return subprocess.call(shell, cwd=ROOT, env=child_env())
        except KeyboardInterrupt:
            return 0


def cmd_conversation_tests(args: argparse.Namespace) -> int:
    """`rasa test core` predicts each next action; it does not run custom actions. It runs through
    bot.server, so the dialogue predictions tested are made the way the served assistant makes them."""
    require_model()
    test = [
        sys.executable, "-m", "bot.server", "test", "core",
        "--model", str(MODEL_DIR),
        "--stories", str(ROOT / "tests" / "conversations"),
        "--out", str(ROOT / "results" / "conversations"),
        "--fail-on-prediction-errors",
    ]  # fmt: skip
    return subprocess.call(test, cwd=ROOT, env=child_env())


def cmd_replica(args: argparse.Namespace) -> int:
    """One more Rasa server sharing Redis (trackers, locks) and the running action server."""
    require_model()
    if not os.environ.get("REDIS_URL"):
        raise LaunchError("a replica shares conversations through Redis: set REDIS_URL (and use it for make run too)")
    with tempfile.TemporaryDirectory(prefix="motcua-replica-") as tmp:
        endpoints = write_endpoints(f"http://127.0.0.1:{args.action_port}/webhook", Path(tmp))
        print(f"Starting a Rasa server replica on :{args.port} (loading the model) …", flush=True)
        rasa = start_rasa_server(args.port, endpoints)
        try:
            print(f"Replica ready: http://localhost:{args.port}/webhooks/rest/webhook. Ctrl-C stops it.", flush=True)
            return rasa.wait()
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
    parser = argparse.ArgumentParser(prog="python -m bot.launcher")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="action server + Rasa server with the REST channel")
    run.add_argument("--rasa-port", type=int, default=int(os.environ.get("RASA_PORT", "5005")))
    run.add_argument("--action-port", type=int, default=int(os.environ.get("ACTION_PORT", "5055")))
    run.set_defaults(func=cmd_run)
    commands.add_parser("chat", help="talk in this terminal").set_defaults(func=cmd_chat)
    replica = commands.add_parser("replica", help="one more Rasa server on Redis (REDIS_URL)")
    replica.add_argument("--port", type=int, default=5006)
    replica.add_argument("--action-port", type=int, default=int(os.environ.get("ACTION_PORT", "5055")))
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
