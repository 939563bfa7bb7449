"""A bad setting stops the action server at start, naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from motcua.settings import Settings

ROOT = Path(__file__).parents[2]


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("MOTCUA_TIMEZONE", "Mars/Base", "MOTCUA_TIMEZONE 'Mars/Base' is not a known time zone"),
        ("MOTCUA_KB_DIR", "/khong/co", "MOTCUA_KB_DIR /khong/co is not a directory"),
        ("MOTCUA_TODAY", "22/11/2026", "invalid date format"),
        ("PORTAL_URL", "portal.tinh.gov.vn/api", "PORTAL_URL must start with http:// or https://"),
        ("REDIS_URL", "localhost:6379", "REDIS_URL must start with redis:// or rediss://"),
        ("REDIS_URL", "unix:///run/redis.sock", "REDIS_URL must start with redis:// or rediss://"),
        ("MOTCUA_LOOKUP_LIMIT", "0", "lookup_limit"),
        ("MOTCUA_PORTAL_DEADLINE_SECONDS", "10", "portal_deadline_seconds"),
    ],
)
def test_bad_setting_stops_start_up(variable: str, value: str, message: str) -> None:
    env = {**os.environ, variable: value, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", "import bot.actions"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL 'LOUD' is not one of"),
        ("RASA_PORT", "70000", "less than or equal to 65535"),
        ("MOTCUA_TIMEZONE", "Mars/Base", "MOTCUA_TIMEZONE 'Mars/Base' is not a known time zone"),
    ],
)
def test_the_launcher_refuses_a_bad_setting_before_starting_anything(variable: str, value: str, message: str) -> None:
    env = {**os.environ, variable: value, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "bot.launcher", "run"], env=env, capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 1
    assert "a setting is refused" in result.stderr and message in result.stderr
    assert "Starting" not in result.stdout


def test_a_variable_set_to_nothing_means_the_default() -> None:
    settings = Settings.from_env({"REDIS_URL": "", "RASA_PORT": " ", "MOTCUA_SIMULATOR_FAULTS": "", "LOG_LEVEL": ""})
    assert settings.redis_url is None and settings.rasa_port == 5005
    assert settings.simulator_faults is False and settings.log_level == "INFO"


def test_both_servers_read_the_same_names() -> None:
    """The launcher checks the environment its children get with the same object they read."""
    env = {
        "REDIS_URL": "redis://127.0.0.1:6379/3",
        "MOTCUA_TRUSTED_PROXIES": "192.0.2.10, 192.0.2.11",
        "MOTCUA_PUBLIC_REST": "true",
        "ZALO_TOKEN_FILE": "/var/lib/motcua/zalo.json",
        "ACTION_SERVER_TOKEN": "abc" + "def",
        "MOTCUA_POPULAR_PROCEDURES": '["khai-sinh"]',
        "MOTCUA_TIMEZONE": "Asia/Tokyo",
    }
    settings = Settings.from_env(env)
    assert settings.redis_url == "redis://127.0.0.1:6379/3"
    assert settings.trusted_proxy_addresses == {"192.0.2.10", "192.0.2.11"}
    assert settings.public_rest is True and str(settings.zalo_token_file) == "/var/lib/motcua/zalo.json"
    assert settings.action_server_token is not None and "abcdef" not in repr(settings)  # a secret is not printed
    assert settings.popular_procedures == ["khai-sinh"]
    assert settings.now().tzinfo is not None and settings.now().utcoffset().total_seconds() == 9 * 3600  # type: ignore[union-attr]
