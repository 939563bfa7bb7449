"""The console's settings: embedded defaults that just work, a generated secret kept private, and a
bad value refused at start with the name of its variable."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Iterator

import pytest

from console.db import DEFAULT_URL
from console.errors import ConsoleSettingsError
from console.settings import ConsoleSettings, derive_key, env_name, get_console_settings, load_console_settings

ENV_NAMES = [env_name(name) for name in ConsoleSettings.__fields__]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """No console variable from the machine; the generated secret goes to tmp_path."""
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    secret_file = tmp_path / "var" / "console_secret"
    monkeypatch.setenv("CONSOLE_SECRET_FILE", str(secret_file))
    get_console_settings.cache_clear()
    yield secret_file
    get_console_settings.cache_clear()


def test_the_defaults_run_on_one_machine(clean_env: Path) -> None:
    settings = load_console_settings()
    assert settings.database_url == DEFAULT_URL
    assert (settings.host, settings.port) == ("127.0.0.1", 8090)
    assert settings.rasa_url == "http://127.0.0.1:5005"
    assert settings.rasa_token is None and settings.internal_token is None and settings.redis_url is None
    assert settings.rasa_jwt_secret_file is None
    assert settings.handoff_claim_minutes == 10 and settings.centres_file is None
    assert settings.secure_cookies is False
    assert (settings.login_attempts, settings.lockout_minutes) == (5, 15)


def test_a_secret_is_generated_once_and_kept_private(clean_env: Path) -> None:
    first = load_console_settings().secret.get_secret_value()
    assert len(first) >= 32
    assert stat.S_IMODE(os.stat(clean_env).st_mode) == 0o600
    assert clean_env.read_text().strip() == first
    assert load_console_settings().secret.get_secret_value() == first  # kept, not made again


def test_a_secret_file_others_can_read_is_refused(clean_env: Path) -> None:
    clean_env.parent.mkdir(parents=True)
    clean_env.write_text("k" * 40)
    clean_env.chmod(0o644)
    with pytest.raises(ConsoleSettingsError, match=r"CONSOLE_SECRET: .*chmod 600"):
        load_console_settings()


def test_a_given_secret_is_used_and_no_file_is_written(monkeypatch: pytest.MonkeyPatch, clean_env: Path) -> None:
    monkeypatch.setenv("CONSOLE_SECRET", "s" * 40)
    assert load_console_settings().secret.get_secret_value() == "s" * 40
    assert not clean_env.exists()


def test_the_environment_sets_every_value(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    centres = tmp_path / "centres.yml"
    centres.write_text("centres: []\n")
    env = {
        "DATABASE_URL": "postgresql://console@db.example/console",
        "CONSOLE_SECRET": "x" * 32,
        "CONSOLE_HOST": "192.0.2.10",
        "CONSOLE_PORT": "9000",
        "RASA_URL": "http://rasa:5005/",
        "RASA_API_TOKEN": "rasa-token",
        "CONSOLE_INTERNAL_TOKEN": "internal-token-of-16+",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "CONSOLE_HANDOFF_CLAIM_MINUTES": "7",
        "CONSOLE_CENTRES": str(centres),
        "TELEGRAM_BOT_USERNAME": "@motcua_bot",
        "ZALO_OA_ID": "1234567890",
        "CONSOLE_SECURE_COOKIES": "true",
        "CONSOLE_LOGIN_ATTEMPTS": "3",
        "CONSOLE_LOCKOUT_MINUTES": "30",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = load_console_settings()
    assert settings.database_url == env["DATABASE_URL"] and settings.port == 9000 and settings.host == "192.0.2.10"
    assert settings.rasa_url == "http://rasa:5005"  # no trailing slash to double
    assert settings.rasa_token is not None and settings.rasa_token.get_secret_value() == "rasa-token"
    assert settings.internal_token is not None and settings.internal_token.get_secret_value() == "internal-token-of-16+"
    assert settings.redis_url == "redis://127.0.0.1:6379/0" and settings.handoff_claim_minutes == 7
    assert settings.centres_file == centres and settings.telegram_bot_username == "motcua_bot"
    assert settings.zalo_oa_id == "1234567890" and settings.secure_cookies is True
    assert (settings.login_attempts, settings.lockout_minutes) == (3, 30)
    assert "rasa-token" not in repr(settings) and "x" * 32 not in repr(settings)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("CONSOLE_PORT", "70000", "CONSOLE_PORT: ensure this value is less than or equal to 65535"),
        ("CONSOLE_SECRET", "too-short", "CONSOLE_SECRET: must be at least 32 characters"),
        ("DATABASE_URL", "mysql://db/console", "DATABASE_URL: must be a sqlite:/// or postgresql:// URL"),
        ("DATABASE_URL", "not a url", "DATABASE_URL: is not a database URL"),
        ("RASA_URL", "rasa:5005", "RASA_URL: must start with http:// or https://"),
        ("REDIS_URL", "localhost:6379", "REDIS_URL: must start with redis:// or rediss://"),
        ("CONSOLE_CENTRES", "/khong/co.yml", "CONSOLE_CENTRES: /khong/co.yml is not a file"),
        ("RASA_JWT_SECRET_FILE", "/khong/co", "RASA_JWT_SECRET_FILE: /khong/co is not a file"),
        ("CONSOLE_INTERNAL_TOKEN", "short", "CONSOLE_INTERNAL_TOKEN: must be at least 16 characters"),
        ("CONSOLE_LOGIN_ATTEMPTS", "0", "CONSOLE_LOGIN_ATTEMPTS: ensure this value is greater than or equal to 1"),
        ("CONSOLE_LOCKOUT_MINUTES", "soon", "CONSOLE_LOCKOUT_MINUTES: value is not a valid integer"),
        ("CONSOLE_SECURE_COOKIES", "maybe", "CONSOLE_SECURE_COOKIES: value could not be parsed to a boolean"),
        ("CONSOLE_HANDOFF_CLAIM_MINUTES", "0", "CONSOLE_HANDOFF_CLAIM_MINUTES"),
        ("TELEGRAM_BOT_USERNAME", "bad name!", "TELEGRAM_BOT_USERNAME: must be a Telegram bot username"),
        ("ZALO_OA_ID", "oa-abc", "ZALO_OA_ID: must be the official account's numeric id"),
    ],
)
def test_a_bad_value_is_refused_naming_its_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConsoleSettingsError) as refused:
        get_console_settings()
    assert message in str(refused.value)


def test_a_variable_set_to_nothing_means_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CONSOLE_PORT", "REDIS_URL", "CONSOLE_SECRET", "CONSOLE_SECURE_COOKIES", "DATABASE_URL"):
        monkeypatch.setenv(name, " ")
    settings = load_console_settings()
    assert settings.port == 8090 and settings.redis_url is None and settings.secure_cookies is False
    assert settings.database_url == DEFAULT_URL and len(settings.secret.get_secret_value()) >= 32


def test_the_settings_are_read_once_until_the_cache_is_cleared(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSOLE_PORT", "9001")
    first = get_console_settings()
    monkeypatch.setenv("CONSOLE_PORT", "9002")
    assert get_console_settings() is first and first.port == 9001
    get_console_settings.cache_clear()
    assert get_console_settings().port == 9002


def test_keys_derived_for_different_purposes_differ() -> None:
    settings = load_console_settings(secret="y" * 40)
    cookie, names = derive_key(settings, "session-cookie"), derive_key(settings, "login-name")
    assert len(cookie) == 32 and cookie != names
    assert derive_key(load_console_settings(secret="z" * 40), "session-cookie") != cookie
