"""One settings object, read from the environment and validated at start-up."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any, List, Optional
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseSettings, Field, validator

from procedures_kb.loader import DATA_DIR
from procedures_kb.search import DEFAULT_THRESHOLD


class Settings(BaseSettings):
    kb_dir: Path = Field(DATA_DIR, description="directory of procedure YAML files")
    search_threshold: float = Field(DEFAULT_THRESHOLD, gt=0, le=1)
    kb_reload_seconds: float = Field(2.0, ge=0, description="how often to look for KB changes (0: every message)")
    timezone: str = "Asia/Ho_Chi_Minh"
    today: Optional[dt.date] = Field(None, description="fixed date for demos and tests (YYYY-MM-DD)")
    portal_url: Optional[str] = Field(None, env="PORTAL_URL", description="the province portal's dossier API")
    portal_token: Optional[str] = Field(None, env="PORTAL_TOKEN", description="sent as Authorization: Bearer")
    portal_deadline_seconds: float = Field(4.0, gt=0, le=4.5, description="a lookup answers within this time")
    portal_cache_seconds: float = Field(60.0, ge=0)
    lookup_limit: int = Field(5, ge=1, description="dossier lookups per sender per window")
    lookup_window_seconds: float = Field(600.0, gt=0)
    lookup_global_per_minute: int = Field(
        120, ge=1, description="dossier lookups per minute for the whole assistant (all senders together)"
    )
    dossier_digit_attempts: int = Field(
        5, ge=1, description="wrong phone-digit attempts per dossier code (all senders together) per window"
    )
    dossier_attempt_window_seconds: float = Field(86_400.0, gt=0, description="window of the attempts above")
    dossier_status_before_check: bool = Field(
        True,
        description="show the status to whoever has the code; false: nothing before the owner check, "
        "and codes that exist and codes that do not answer alike",
    )
    redis_url: Optional[str] = Field(None, env="REDIS_URL", description="shared cache and rate limits")
    popular_procedures: List[str] = Field(
        default_factory=lambda: ["khai-sinh", "thuong-tru", "tam-tru", "can-cuoc"],
        description="offered as buttons when the citizen has not named a procedure",
    )

    class Config:
        env_prefix = "MOTCUA_"

    @validator("kb_dir")
    def _kb_dir_exists(cls, value: Path) -> Path:
        if not value.is_dir():
            raise ValueError(f"MOTCUA_KB_DIR {value} is not a directory")
        return value

    @validator("timezone")
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"MOTCUA_TIMEZONE {value!r} is not a known time zone") from exc
        return value

    @validator("portal_url", "redis_url")
    def _url(cls, value: Optional[str], field: Any) -> Optional[str]:
        if not value:
            return None
        scheme = value.split("://", 1)[0]
        # No unix:// for Redis: Rasa 3.6's Redis tracker store connects over TCP only (bot/launcher.py).
        allowed = ("http", "https") if field.name == "portal_url" else ("redis", "rediss")
        if "://" not in value or scheme not in allowed:
            name = "PORTAL_URL" if field.name == "portal_url" else "REDIS_URL"
            raise ValueError(f"{name} must start with {' or '.join(s + '://' for s in allowed)}")
        return value

    def now(self) -> dt.datetime:
        """Now in Vietnam; with a fixed `today` (demos, tests), 10:00 on that day."""
        zone = ZoneInfo(self.timezone)
        return dt.datetime.combine(self.today, dt.time(10, 0), zone) if self.today else dt.datetime.now(zone)

    def current_date(self) -> dt.date:
        """Today in Vietnam (fee lines with validity dates are chosen by it)."""
        if self.today:
            return self.today
        return dt.datetime.now(ZoneInfo(self.timezone)).date()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()  # type: ignore[call-arg]  # values come from the environment
