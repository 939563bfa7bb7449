"""What Rasa is given: credentials (REST always; the other channels from their variables, as
${VAR} references), endpoints (action server, token reference, Redis stores), CORS."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Dict

import pytest
import yaml
from rasa.core.run import create_http_input_channels
from rasa.shared.utils.io import read_config_file
from rasa.utils.endpoints import read_endpoint_config

from bot.processes import free_port
from bot.rasa_config import (
    CHANNEL_VARIABLES,
    CHANNELS,
    CREDENTIALS,
    LaunchError,
    cors_arguments,
    enabled_channels,
    write_credentials,
    write_endpoints,
)
from motcua.settings import DEFAULT_DATABASE_URL
from tests.redis_server import start_redis_server

CHANNEL_ENV: Dict[str, str] = {
    "TELEGRAM_BOT_TOKEN": "123456:config-test-token",
    "TELEGRAM_WEBHOOK_SECRET": "config-test-secret",
    "ZALO_APP_ID": "zalo-app-value",
    "ZALO_APP_SECRET": "zalo-app-secret-value",
    "ZALO_OA_SECRET_KEY": "zalo-oa-key-value",
    "ZALO_ACCESS_TOKEN": "zalo-access-value",
    "ZALO_REFRESH_TOKEN": "zalo-refresh-value",
    "MOTCUA_WEB_SESSION_SECRET": "w" * 40,
}
EVERY_VARIABLE = sorted({variable for keys in CHANNELS.values() for variable in keys.values()})


@pytest.fixture
def no_channel_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in EVERY_VARIABLE:
        monkeypatch.delenv(name, raising=False)


def test_plain_rasa_run_reads_credentials_yml_with_no_variable_set(no_channel_variables: None) -> None:
    """`rasa run --credentials credentials.yml` with no channel configured: Rasa's own reading (it
    stops on an unset ${VAR}), and the channels it makes from it: REST only."""
    assert read_config_file(str(CREDENTIALS)) == {"connectors.rest.ResilientRestInput": None}
    channels = create_http_input_channels(None, str(CREDENTIALS))
    assert [channel.name() for channel in channels] == ["rest"]


def test_the_written_credentials_name_every_channel_whose_variables_are_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_channel_variables: None
) -> None:
    path = write_credentials(tmp_path, CHANNEL_ENV)
    text = path.read_text(encoding="utf-8")
    assert not any(value in text for value in CHANNEL_ENV.values())  # references, not secrets
    written = yaml.safe_load(text)
    assert list(written) == ["connectors.rest.ResilientRestInput", *CHANNELS]
    assert written["connectors.telegram.TelegramInput"]["token"] == "${TELEGRAM_BOT_TOKEN}"
    assert enabled_channels(CHANNEL_ENV) == ["telegram", "zalo", "web"]
    for name, value in CHANNEL_ENV.items():  # the Rasa server's environment (child_env adds defaults)
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", "https://api.telegram.org/bot")
    monkeypatch.setenv("ZALO_API_BASE_URL", "https://openapi.zalo.me")
    monkeypatch.setenv("ZALO_OAUTH_BASE_URL", "https://oauth.zaloapp.com")
    expanded = read_config_file(str(path))
    assert expanded["connectors.telegram.TelegramInput"]["token"] == CHANNEL_ENV["TELEGRAM_BOT_TOKEN"]
    assert expanded["connectors.web.WebChatInput"] == {"session_secret": CHANNEL_ENV["MOTCUA_WEB_SESSION_SECRET"]}
    channels = create_http_input_channels(None, str(path))
    assert sorted(channel.name() for channel in channels) == ["rest", "telegram", "web", "zalo"]


def test_a_channel_is_on_only_with_all_its_variables(tmp_path: Path, no_channel_variables: None) -> None:
    only_web = {"MOTCUA_WEB_SESSION_SECRET": "w" * 40}
    written = yaml.safe_load(write_credentials(tmp_path, only_web).read_text(encoding="utf-8"))
    assert list(written) == ["connectors.rest.ResilientRestInput", "connectors.web.WebChatInput"]
    assert CHANNEL_VARIABLES["connectors.telegram.TelegramInput"] == ["TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET"]
    with pytest.raises(LaunchError, match="Telegram is partly configured: set TELEGRAM_WEBHOOK_SECRET"):
        write_credentials(tmp_path, {"TELEGRAM_BOT_TOKEN": "123456:x"})


def test_the_action_server_token_reaches_rasa_without_being_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = "launcher-token-0123456789"
    path = write_endpoints("http://127.0.0.1:5055/webhook", tmp_path, {"ACTION_SERVER_TOKEN": token})
    assert token not in path.read_text(encoding="utf-8")
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["action_endpoint"]["token"] == "${ACTION_SERVER_TOKEN}"
    monkeypatch.setenv("ACTION_SERVER_TOKEN", token)  # the Rasa server's environment
    endpoint = read_endpoint_config(str(path), "action_endpoint")
    assert endpoint is not None and endpoint.token == token and endpoint.token_name == "token"


def test_without_a_token_the_action_endpoint_has_none(tmp_path: Path) -> None:
    env = {"ACTION_SERVER_TOKEN": "", "REDIS_URL": "", "DATABASE_URL": "", "INSIGHTS_AMQP_URL": ""}
    path = write_endpoints("http://127.0.0.1:5055/webhook", tmp_path, {**env, "MOTCUA_INSIGHTS": "true"})
    assert yaml.safe_load(path.read_text(encoding="utf-8")) == {
        "action_endpoint": {"url": "http://127.0.0.1:5055/webhook"},
        # the insights' events, into the console's default database (tests/bot/test_event_broker.py)
        "event_broker": {"type": "bot.event_broker.MaskingSQLEventBroker", "url": DEFAULT_DATABASE_URL},
        # the embedded in-memory stores: Rasa's tracker store; its lock store, polled every 50 ms
        "lock_store": {"type": "bot.lock_store.PromptInMemoryLockStore"},
    }


def test_with_the_console_the_in_memory_tracker_store_relays(tmp_path: Path) -> None:
    env = {"REDIS_URL": "", "CONSOLE_URL": "http://127.0.0.1:8090"}
    written = yaml.safe_load(write_endpoints("http://127.0.0.1:5055/webhook", tmp_path, env).read_text("utf-8"))
    assert written["tracker_store"] == {"type": "bot.tracker_store.HandoffInMemoryTrackerStore"}


def test_with_redis_the_endpoints_name_our_stores(tmp_path: Path) -> None:
    path = write_endpoints("http://127.0.0.1:5055/webhook", tmp_path, {"REDIS_URL": "redis://127.0.0.1:6379/13"})
    written = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert written["tracker_store"]["type"] == "bot.tracker_store.ResilientRedisTrackerStore"
    assert (written["tracker_store"]["url"], written["tracker_store"]["db"]) == ("127.0.0.1", 13)
    assert written["lock_store"] == {"type": "bot.lock_store.AtomicRedisLockStore", "url": "redis://127.0.0.1:6379/13"}


def test_the_launchers_temporary_directories_are_private() -> None:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="motcua-") as tmp:  # as cmd_run and cmd_replica make them
        assert stat.S_IMODE(os.stat(tmp).st_mode) == 0o700


def test_cors_only_for_the_origins_named() -> None:
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
        with pytest.raises(LaunchError, match=r"REDIS_URL must start with redis:// .*unix sockets are not supported"):
            write_endpoints("http://127.0.0.1:5055/webhook", tmp_path, {"REDIS_URL": f"unix://{socket_path}?db=0"})
    finally:
        redis.terminate()
        redis.wait()
