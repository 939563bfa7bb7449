"""The files and settings a Rasa server is started with: endpoints, credentials, CORS, checks.

- endpoints: a copy of endpoints.yml with the action server's URL; with ACTION_SERVER_TOKEN set,
  `token: ${ACTION_SERVER_TOKEN}` (expanded by Rasa from its environment: the secret is never
  written to a file); with REDIS_URL set, the Redis tracker store (bot.tracker_store) and lock
  store (bot.lock_store), translated from the URL; the event broker of the insights
  (bot.event_broker): into the console's database (DATABASE_URL, written as `${DATABASE_URL}`, else
  var/console.db), or RabbitMQ with INSIGHTS_AMQP_URL set; none with MOTCUA_INSIGHTS=off.
- credentials: credentials.yml (the REST channel, always on) plus each channel whose variables are
  all set (Telegram, Zalo, the web chat: `make run` sets its secret, bot/console_link.py), written
  as `${VAR}` references too. credentials.yml alone works with a plain `rasa run`: it names no
  variable.
- the environment every process started here gets (`child_env`), which Rasa expands `${VAR}` from.

Nothing here starts a process (bot/processes.py does) or reads a socket, except `check_redis`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Dict, List, Optional
from urllib.parse import unquote, urlparse

import yaml
from pydantic import ValidationError

from connectors import platforms
from connectors.web_widget.origins import Origins
from motcua.settings import DEFAULT_DATABASE_URL, Settings

ROOT = Path(__file__).resolve().parent.parent
ENDPOINTS = ROOT / "endpoints.yml"
CREDENTIALS = ROOT / "credentials.yml"


class LaunchError(RuntimeError):
    """The assistant cannot start: a setting is refused, or a process did not start or stopped."""


# The channels other than REST: each is on when all its required variables are set, and its entry
# in the credentials Rasa reads is {key: ${VARIABLE}}.
CHANNELS: Dict[str, Dict[str, str]] = {
    # POST /webhooks/telegram/webhook
    "connectors.telegram.TelegramInput": {
        "token": "TELEGRAM_BOT_TOKEN",
        "webhook_secret": "TELEGRAM_WEBHOOK_SECRET",
        "api_base_url": "TELEGRAM_API_BASE_URL",
    },
    # POST /webhooks/zalo/webhook
    "connectors.zalo.ZaloInput": {
        "app_id": "ZALO_APP_ID",
        "app_secret": "ZALO_APP_SECRET",
        "oa_secret_key": "ZALO_OA_SECRET_KEY",
        "access_token": "ZALO_ACCESS_TOKEN",
        "refresh_token": "ZALO_REFRESH_TOKEN",
        "api_base_url": "ZALO_API_BASE_URL",
        "oauth_base_url": "ZALO_OAUTH_BASE_URL",
    },
    # POST /webhooks/web/session, then /webhooks/web/webhook {"session", "message"} (connectors/web.py)
    "connectors.web.WebChatInput": {"session_secret": "MOTCUA_WEB_SESSION_SECRET"},
}
# A channel is on when all its variables are set; these have defaults.
CHANNEL_DEFAULTS = {
    "TELEGRAM_API_BASE_URL": platforms.TELEGRAM_API_BASE_URL,
    "ZALO_API_BASE_URL": platforms.ZALO_API_BASE_URL,
    "ZALO_OAUTH_BASE_URL": platforms.ZALO_OAUTH_BASE_URL,
}
CHANNEL_VARIABLES: Dict[str, List[str]] = {
    channel: [v for v in keys.values() if v not in CHANNEL_DEFAULTS] for channel, keys in CHANNELS.items()
}


def child_env(extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    """The environment of every process the launcher starts: this one's, `extra`, and defaults."""
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


def settings_for(env: Optional[Dict[str, str]] = None) -> Settings:
    """The settings the processes started with `env` will read, checked before any starts."""
    try:
        return Settings.from_env(child_env(env))
    except ValidationError as exc:
        problems = "; ".join(str(error["msg"]) for error in exc.errors())
        raise LaunchError(f"a setting is refused: {problems}") from None
    except ValueError as exc:  # a list or mapping setting that is not JSON
        raise LaunchError(f"a setting is refused: {exc}") from None


def channel_credentials(env: Optional[Dict[str, str]] = None) -> Dict[str, Dict[str, str]]:
    """The credentials entries of the channels whose variables are all set, as ${VAR} references.
    A channel with some variables set and others missing is a mistake: it stops the start."""
    env = child_env(env)
    entries: Dict[str, Dict[str, str]] = {}
    for channel, variables in CHANNEL_VARIABLES.items():
        missing = [v for v in variables if not env.get(v)]
        if missing and len(missing) < len(variables):
            raise LaunchError(f"{channel.split('.')[1].title()} is partly configured: set {', '.join(missing)}")
        if not missing:
            entries[channel] = {key: f"${{{variable}}}" for key, variable in CHANNELS[channel].items()}
    return entries


def write_credentials(directory: Path, env: Optional[Dict[str, str]] = None) -> Path:
    """credentials.yml plus the channels whose variables are all set (REST always)."""
    config = yaml.safe_load(CREDENTIALS.read_text(encoding="utf-8")) or {}
    config.update(channel_credentials(env))
    path = directory / "credentials.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def enabled_channels(env: Optional[Dict[str, str]] = None) -> List[str]:
    env = child_env(env)
    return [c.split(".")[1] for c, variables in CHANNEL_VARIABLES.items() if all(env.get(v) for v in variables)]


TRACKER_STORE = "bot.tracker_store.ResilientRedisTrackerStore"
LOCK_STORE = "bot.lock_store.AtomicRedisLockStore"


def redis_stores(redis_url: str, settings: Settings) -> Dict[str, Dict[str, object]]:
    """endpoints.yml entries for our Redis tracker store (Rasa's keys: host, port, db …) and lock store."""
    parsed = urlparse(redis_url)
    db = int((parsed.path or "/0").strip("/") or 0)
    tracker: Dict[str, object] = {
        "type": TRACKER_STORE,
        "url": parsed.hostname or "localhost",
        "port": parsed.port or 6379,
        "db": db,
        "key_prefix": "motcua",
        "record_exp": settings.tracker_record_exp_seconds,
        "use_ssl": parsed.scheme == "rediss",
    }
    if parsed.password:
        tracker["password"] = unquote(parsed.password)
    if parsed.username:
        tracker["username"] = unquote(parsed.username)
    return {"tracker_store": tracker, "lock_store": {"type": LOCK_STORE, "url": redis_url}}


SQL_EVENT_BROKER = "bot.event_broker.MaskingSQLEventBroker"
PIKA_EVENT_BROKER = "bot.event_broker.MaskingPikaEventBroker"


def event_broker(settings: Settings) -> Optional[Dict[str, object]]:
    """The endpoints entry of the insights' event broker (None: off). URLs that may hold a password
    are `${VAR}` references, expanded by Rasa from its environment."""
    if not settings.insights:
        return None
    if not (settings.console or settings.database_url or settings.insights_amqp_url):
        return None  # the hotline only (MOTCUA_CONSOLE=false), and no database named: no one would read them
    if settings.insights_amqp_url:
        return {"type": PIKA_EVENT_BROKER, "url": "${INSIGHTS_AMQP_URL}", "queues": [settings.insights_amqp_queue]}
    if settings.database_url:
        return {"type": SQL_EVENT_BROKER, "url": "${DATABASE_URL}"}
    return {"type": SQL_EVENT_BROKER, "url": DEFAULT_DATABASE_URL}


def redact_url(url: str) -> str:
    parsed = urlparse(url)
    return url.replace(f":{parsed.password}@", ":***@") if parsed.password else url


def check_redis(redis_url: str) -> None:
    """Fail fast, naming REDIS_URL, when nothing answers there (its form is checked by the settings)."""
    import redis

    from connectors.redis_clients import sync_client

    try:
        client = sync_client(redis_url)
        client.ping()
    except (ValueError, redis.RedisError) as exc:
        raise LaunchError(f"REDIS_URL={redact_url(redis_url)} does not work: {exc}") from exc


def write_endpoints(action_url: str, directory: Path, env: Optional[Dict[str, str]] = None) -> Path:
    """A copy of endpoints.yml whose action endpoint points at `action_url`; with REDIS_URL set,
    trackers and locks go to Redis (shared by every Rasa replica). With ACTION_SERVER_TOKEN set,
    Rasa sends it to the action server: the file says `${ACTION_SERVER_TOKEN}`, which Rasa expands
    from its environment when it reads the file, so the token is not written anywhere."""
    settings = settings_for(env)
    config = yaml.safe_load(ENDPOINTS.read_text(encoding="utf-8")) or {}
    config["action_endpoint"] = {"url": action_url}
    if settings.action_server_token:
        config["action_endpoint"]["token"] = "${ACTION_SERVER_TOKEN}"  # noqa: S105 (a reference, expanded by Rasa)
    if settings.redis_url:
        check_redis(settings.redis_url)
        config.update(redis_stores(settings.redis_url, settings))
    else:  # the in-memory stores: the lock polled promptly; the tracker store relays to the console
        config["lock_store"] = {"type": "bot.lock_store.PromptInMemoryLockStore"}
        if settings.console_url:
            config["tracker_store"] = {"type": "bot.tracker_store.HandoffInMemoryTrackerStore"}
    broker = event_broker(settings)
    if broker:
        config["event_broker"] = broker
    path = directory / "endpoints.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def cors_arguments(env: Optional[Dict[str, str]] = None) -> List[str]:
    """`--cors` with the origins of MOTCUA_CORS_ORIGINS (comma- or space-separated), else nothing:
    a browser page elsewhere gets no permission to call the assistant unless one is named."""
    origins = settings_for(env).cors_origins.replace(",", " ").split()
    return ["--cors", *origins] if origins else []


def check_portal(env: Optional[Dict[str, str]] = None) -> None:
    """Without PORTAL_URL the simulator would answer citizens: never in production."""
    settings = settings_for(env)
    if not settings.portal_url and settings.production:
        raise LaunchError(
            "MOTCUA_ENV=production and PORTAL_URL is not set: the portal simulator (invented dossiers) "
            "is not started in production. Set PORTAL_URL (and PORTAL_TOKEN) to the province portal's dossier API."
        )


def check_config(env: Optional[Dict[str, str]] = None) -> None:
    """What can be refused before anything starts: the portal, REDIS_URL and the channels (the web
    chat's allowed origins included)."""
    settings = settings_for(env)
    check_portal(env)
    channel_credentials(env)
    try:
        Origins.parse(settings.web_allowed_origins)
    except ValueError as exc:
        raise LaunchError(str(exc)) from None
    if settings.redis_url:
        check_redis(settings.redis_url)
