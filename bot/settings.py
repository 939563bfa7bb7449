"""One settings object, read from the environment and validated at start-up."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import List, Optional
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

    def current_date(self) -> dt.date:
        """Today in Vietnam (fee lines with validity dates are chosen by it)."""
        if self.today:
            return self.today
        return dt.datetime.now(ZoneInfo(self.timezone)).date()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()  # type: ignore[call-arg]  # values come from the environment
