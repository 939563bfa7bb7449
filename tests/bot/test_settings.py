"""A bad setting stops the action server at start, naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

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
