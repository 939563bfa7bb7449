"""One settings object for every process of the assistant, read from the environment and
validated at start-up: the Rasa server's channels, the action server and the launcher all read
`get_settings()`, so each setting has one name, one default and one check.

Secrets of the chat platforms (bot tokens, app secrets) are not here: Rasa gives them to each
channel from its credentials (`bot/rasa_config.py` writes them as `${VAR}` references).
"""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from pathlib import Path
from typing import Any, FrozenSet, List, Mapping, Optional
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseSettings, Field, SecretStr, validator

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
VIETNAM = ZoneInfo(DEFAULT_TIMEZONE)  # the default zone; a process reads `Settings.zone`
# The helper console's database when DATABASE_URL is unset (console/db.py says the same; the
# assistant's event broker writes the insights' events there).
DEFAULT_DATABASE_URL = f"sqlite:///{Path(__file__).resolve().parent.parent / 'var' / 'console.db'}"
DEFAULT_INSIGHTS_QUEUE = "motcua_insights"


class Settings(BaseSettings):
    # -- the knowledge base (action server, KB tools) ------------------------------------------
    kb_dir: Optional[Path] = Field(None, description="directory of procedure files (default: the shipped KB)")
    search_threshold: Optional[float] = Field(None, gt=0, le=1, description="default: the search's own")
    kb_reload_seconds: float = Field(2.0, ge=0, description="how often to look for KB changes (0: every message)")
    popular_procedures: List[str] = Field(
        default_factory=lambda: ["khai-sinh", "thuong-tru", "tam-tru", "can-cuoc"],
        description="offered as buttons when the citizen has not named a procedure",
    )
    # -- time -------------------------------------------------------------------------------------
    timezone: str = DEFAULT_TIMEZONE
    today: Optional[dt.date] = Field(None, description="fixed date for demos and tests (YYYY-MM-DD)")
    # -- the province portal and the dossier limits (action server) ------------------------------
    portal_url: Optional[str] = Field(None, env="PORTAL_URL", description="the province portal's dossier API")
    portal_token: Optional[SecretStr] = Field(None, env="PORTAL_TOKEN", description="sent as Authorization: Bearer")
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
    # -- shared state (both servers) --------------------------------------------------------------
    redis_url: Optional[str] = Field(None, env="REDIS_URL", description="conversations, limits, cache, dedupe")
    tracker_record_exp_seconds: int = Field(7 * 86_400, gt=0, description="an idle conversation is forgotten")
    # -- the Rasa server and its channels ---------------------------------------------------------
    rasa_host: str = Field("127.0.0.1", env="RASA_HOST", description="the address the Rasa server listens on")
    rasa_port: int = Field(5005, env="RASA_PORT", ge=1, le=65535)
    public_rest: bool = Field(False, description="accept the REST channel from other machines (not the default)")
    trusted_proxies: str = Field(
        "", description="comma-separated addresses of reverse proxies on other machines whose X-Real-IP is believed"
    )
    cors_origins: str = Field("", description="web origins allowed to call the Rasa server (comma- or space-separated)")
    web_allowed_origins: str = Field(
        "*", description="origins whose pages may use the web chat (comma- or space-separated; * any: the default)"
    )
    zalo_token_file: Optional[Path] = Field(None, env="ZALO_TOKEN_FILE", description="where Zalo's token pair is kept")
    # -- the action server ------------------------------------------------------------------------
    action_server_host: str = Field("127.0.0.1", env="ACTION_SERVER_HOST")
    action_port: int = Field(5055, env="ACTION_PORT", ge=1, le=65535)
    action_server_token: Optional[SecretStr] = Field(None, env="ACTION_SERVER_TOKEN")
    # -- the human handoff (action server, Rasa server, console) ----------------------------------
    console: bool = Field(True, description="`make run` starts the helper console (off: the hotline only)")
    console_url: Optional[str] = Field(
        None, env="CONSOLE_URL", description="the helper console's internal API (a citizen asks for a person)"
    )
    console_internal_token: Optional[SecretStr] = Field(
        None, env="CONSOLE_INTERNAL_TOKEN", description="what the assistant's processes show the console's internal API"
    )
    rasa_jwt_secret_file: Optional[Path] = Field(
        None,
        env="RASA_JWT_SECRET_FILE",
        description="the HS256 secret of the Rasa HTTP API's JWTs (a file); with it the API is on, for the console",
    )
    handoff_console_timeout_seconds: float = Field(3.0, gt=0, le=10, description="a call to the console answers within")
    # -- the insights: Rasa's event stream, read by the console (bot/event_broker.py) -------------
    insights: bool = Field(True, description="send the conversations' events to the console's insights (off: none)")
    database_url: Optional[str] = Field(
        None, env="DATABASE_URL", description="the console's database, where events go (default: var/console.db)"
    )
    insights_amqp_url: Optional[SecretStr] = Field(
        None, env="INSIGHTS_AMQP_URL", description="RabbitMQ (amqp://user:password@host:5672/vhost) instead of SQL"
    )
    insights_amqp_queue: str = Field(DEFAULT_INSIGHTS_QUEUE, env="INSIGHTS_AMQP_QUEUE", min_length=1, max_length=200)
    # -- the launcher -----------------------------------------------------------------------------
    env: str = Field("", description="'production' refuses the portal simulator")
    portal_simulator_port: int = Field(8085, env="PORTAL_SIMULATOR_PORT", ge=1, le=65535)
    log_level: str = Field("INFO", env="LOG_LEVEL")
    # -- the bundled portal simulator (demos and tests; never a citizen's portal) ----------------
    simulator_faults: bool = Field(False, description="turn on the simulator's /_sim fault API (tests)")
    simulator_token: Optional[SecretStr] = Field(None, description="the token /_sim requires")
    # -- the dossier watcher (python -m connectors.portal.watcher: status notifications) ----------
    watcher_portal_rps: float = Field(
        5.0, gt=0, env="WATCHER_PORTAL_RPS", description="portal requests per second, all watchers together"
    )
    watcher_poll_seconds: float = Field(21_600.0, gt=0, description="a watched dossier's poll interval (6 h)")
    watcher_poll_soon_seconds: float = Field(
        3_600.0, gt=0, description="… within `watcher_soon_days` of the appointment"
    )
    watcher_poll_near_seconds: float = Field(900.0, gt=0, description="… on the appointment day and when overdue")
    watcher_soon_days: float = Field(3.0, ge=0, description="how close to the appointment the 'soon' interval starts")
    watcher_jitter: float = Field(0.1, ge=0, lt=1, description="each interval is drawn within ± this share")
    watcher_lease_seconds: float = Field(
        120.0, gt=0, description="a claimed dossier or notification is another's after"
    )
    watcher_subscription_days: int = Field(90, ge=1, description="a subscription ends by itself after")
    # -- notifications of a dossier's changes: the offer (action server), the delivery (watcher) --
    notifications: bool = Field(
        True, description="offer notices of a dossier's changes after the owner check (needs RASA_JWT_SECRET_FILE)"
    )
    notify_max_subscriptions: int = Field(5, ge=1, description="dossiers one conversation may follow at once")
    rasa_url: str = Field("http://127.0.0.1:5005", env="RASA_URL", description="the Rasa HTTP API notices go through")
    notify_telegram_per_second: float = Field(30.0, gt=0, description="notices sent to Telegram per second, in all")
    notify_telegram_chat_seconds: float = Field(1.0, ge=0, description="at least this long between two to one chat")
    notify_max_wait_seconds: float = Field(10.0, ge=0, description="past this wait for its turn, a notice is retried")
    zalo_zns_template_id: Optional[str] = Field(
        None, env="ZALO_ZNS_TEMPLATE_ID", description="the approved ZNS template for notices past Zalo's 7-day window"
    )
    zalo_zns_base_url: Optional[str] = Field(
        None, env="ZALO_ZNS_BASE_URL", description="where ZNS is (default: connectors.platforms.ZALO_ZNS_BASE_URL)"
    )

    class Config:
        env_prefix = "MOTCUA_"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "Settings":
        """The settings a process started with `env` will read (the launcher checks its children's)."""
        values: dict = {}
        for field in cls.__fields__.values():
            for name in field.field_info.extra["env_names"]:
                found = next((v for k, v in env.items() if k.lower() == name and v != ""), None)
                if found is not None:
                    values[field.alias] = json.loads(found) if field.is_complex() else found
                    break
        return cls(_env_file=None, **values)  # type: ignore[call-arg]

    @validator("*", pre=True)
    def _empty_is_unset(cls, value: Any, field: Any) -> Any:
        """`VAR=` (set to nothing) means the default, as it does for the shell and Rasa's `${VAR}`."""
        if isinstance(value, str) and not value.strip():
            return field.default_factory() if field.default_factory else field.default
        return value

    @validator("kb_dir")
    def _kb_dir_exists(cls, value: Optional[Path]) -> Optional[Path]:
        if value is not None and not value.is_dir():
            raise ValueError(f"MOTCUA_KB_DIR {value} is not a directory")
        return value

    @validator("timezone")
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"MOTCUA_TIMEZONE {value!r} is not a known time zone") from exc
        return value

    @validator("console_url")
    def _console_url(cls, value: Optional[str]) -> Optional[str]:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("CONSOLE_URL must start with http:// or https://")
        return value.rstrip("/") if value else None

    @validator("rasa_url", "zalo_zns_base_url")
    def _http_url(cls, value: Optional[str], field: Any) -> Optional[str]:
        if value is None:
            return None
        if not value.startswith(("http://", "https://")):
            name = "RASA_URL" if field.name == "rasa_url" else "ZALO_ZNS_BASE_URL"
            raise ValueError(f"{name} must start with http:// or https://")
        return value.rstrip("/")

    @validator("portal_url", "redis_url")
    def _url(cls, value: Optional[str], field: Any) -> Optional[str]:
        if not value:
            return None
        scheme = value.split("://", 1)[0]
        allowed = ("http", "https") if field.name == "portal_url" else ("redis", "rediss")
        if "://" not in value or scheme not in allowed:
            name = "PORTAL_URL" if field.name == "portal_url" else "REDIS_URL"
            # Rasa 3.6's Redis tracker store takes a host and a port only: a socket path would
            # silently become localhost:6379.
            why = " (unix sockets are not supported: Rasa's Redis tracker store connects over TCP only)"
            raise ValueError(
                f"{name} must start with {' or '.join(s + '://' for s in allowed)}" + (why if scheme == "unix" else "")
            )
        return value

    @validator("insights_amqp_url")
    def _amqp_url(cls, value: Optional[SecretStr]) -> Optional[SecretStr]:
        if value is not None and not value.get_secret_value().startswith(("amqp://", "amqps://")):
            raise ValueError("INSIGHTS_AMQP_URL must start with amqp:// or amqps://")
        return value

    @validator("database_url")
    def _database_url(cls, value: Optional[str]) -> Optional[str]:
        if value and not value.startswith(("sqlite:///", "postgresql")):
            raise ValueError("DATABASE_URL must be a sqlite:/// or postgresql:// URL")
        return value

    @validator("log_level")
    def _known_level(cls, value: str) -> str:
        if value.upper() not in ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG"):
            raise ValueError(f"LOG_LEVEL {value!r} is not one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return value.upper()

    @property
    def production(self) -> bool:
        return self.env.strip().lower() == "production"

    @property
    def trusted_proxy_addresses(self) -> FrozenSet[str]:
        return frozenset(a.strip() for a in self.trusted_proxies.split(",") if a.strip())

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def now(self) -> dt.datetime:
        """Now in Vietnam; with a fixed `today` (demos, tests), 10:00 on that day."""
        return dt.datetime.combine(self.today, dt.time(10, 0), self.zone) if self.today else dt.datetime.now(self.zone)

    def current_date(self) -> dt.date:
        """Today in Vietnam (fee lines with validity dates are chosen by it)."""
        return self.today or dt.datetime.now(self.zone).date()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """This process's settings (tests that change the environment call `get_settings.cache_clear()`)."""
    return Settings()  # type: ignore[call-arg]  # values come from the environment
