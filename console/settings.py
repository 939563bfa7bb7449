"""The console's one settings object, read from the environment and validated at start-up.

`get_console_settings()` is what a process reads; a bad value raises `ConsoleSettingsError` whose
message names the environment variable (`CONSOLE_PORT: ensure this value is ...`). With nothing
set, the console runs on one machine: SQLite in var/, a session secret generated once and kept in
`var/console_secret` (mode 0600), the Rasa server on the loopback.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import stat
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Optional

import sqlalchemy as sa
from pydantic import BaseSettings, Field, SecretStr, ValidationError, validator

from console.db import DEFAULT_URL, ROOT
from console.errors import ConsoleSettingsError

DEFAULT_SECRET_FILE = ROOT / "var" / "console_secret"
MIN_SECRET_LENGTH = 32


class ConsoleSettings(BaseSettings):
    database_url: str = Field(DEFAULT_URL, env="DATABASE_URL", description="SQLite (default) or PostgreSQL")
    secret_file: Path = Field(
        DEFAULT_SECRET_FILE, env="CONSOLE_SECRET_FILE", description="where a generated secret is kept"
    )
    secret: SecretStr = Field(
        None, env="CONSOLE_SECRET", description=f"≥ {MIN_SECRET_LENGTH} characters; default: generated once"
    )
    host: str = Field("127.0.0.1", env="CONSOLE_HOST")
    port: int = Field(8090, env="CONSOLE_PORT", ge=1, le=65535)
    rasa_url: str = Field("http://127.0.0.1:5005", env="RASA_URL", description="the Rasa server's HTTP API")
    rasa_token: Optional[SecretStr] = Field(None, env="RASA_API_TOKEN", description="sent to the Rasa HTTP API")
    rasa_jwt_secret_file: Optional[Path] = Field(
        None, env="RASA_JWT_SECRET_FILE", description="the HS256 secret the console signs its Rasa API calls with"
    )
    internal_token: Optional[SecretStr] = Field(
        None, env="CONSOLE_INTERNAL_TOKEN", description="what the assistant's processes send to the internal API"
    )
    redis_url: Optional[str] = Field(None, env="REDIS_URL")
    handoff_claim_minutes: int = Field(10, env="CONSOLE_HANDOFF_CLAIM_MINUTES", ge=1, le=24 * 60)
    centres_file: Optional[Path] = Field(None, env="CONSOLE_CENTRES", description="YAML of centres and hours")
    telegram_bot_username: Optional[str] = Field(None, env="TELEGRAM_BOT_USERNAME")
    zalo_oa_id: Optional[str] = Field(None, env="ZALO_OA_ID")
    secure_cookies: bool = Field(False, env="CONSOLE_SECURE_COOKIES", description="true behind HTTPS")
    kb_stale_days: int = Field(
        365, env="CONSOLE_KB_STALE_DAYS", ge=1, description="a record not verified for longer is marked stale"
    )
    login_attempts: int = Field(5, env="CONSOLE_LOGIN_ATTEMPTS", ge=1, le=100)
    lockout_minutes: int = Field(15, env="CONSOLE_LOCKOUT_MINUTES", ge=1, le=24 * 60)
    login_rate_per_minute: int = Field(
        10, env="CONSOLE_LOGIN_RATE_PER_MINUTE", ge=1, description="login attempts per address per minute"
    )
    insights_retention_days: int = Field(
        180, env="CONSOLE_INSIGHTS_RETENTION_DAYS", ge=1, le=3660, description="turns older than this are deleted"
    )
    insights_amqp_url: Optional[SecretStr] = Field(
        None, env="INSIGHTS_AMQP_URL", description="RabbitMQ the assistant's events come through (default: SQL)"
    )
    insights_amqp_queue: str = Field("motcua_insights", env="INSIGHTS_AMQP_QUEUE", min_length=1, max_length=200)

    class Config:
        env_prefix = "CONSOLE_"

    @validator("*", pre=True)
    def _empty_is_unset(cls, value: Any, field: Any) -> Any:
        """`VAR=` (set to nothing) means the default, as it does for the assistant's settings."""
        if isinstance(value, str) and not value.strip():
            return field.default_factory() if field.default_factory else field.default
        return value

    @validator("database_url")
    def _database_url(cls, value: str) -> str:
        try:
            backend = sa.engine.make_url(value).get_backend_name()
        except sa.exc.ArgumentError as exc:
            raise ValueError("is not a database URL") from exc
        if backend not in ("sqlite", "postgresql"):
            raise ValueError("must be a sqlite:/// or postgresql:// URL")
        return value

    @validator("secret", pre=True, always=True)
    def _secret(cls, value: Any, values: Dict[str, Any]) -> Any:
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if value is not None and (not isinstance(value, str) or value.strip()):
            return value
        path = values.get("secret_file")
        if path is None:  # CONSOLE_SECRET_FILE was refused: that error is the one to report
            return "x" * MIN_SECRET_LENGTH
        try:
            return read_or_create_secret(path)
        except OSError as exc:
            raise ValueError(f"unset, and {path} cannot be used: {exc.strerror}") from exc

    @validator("secret")
    def _secret_length(cls, value: SecretStr) -> SecretStr:
        if len(value.get_secret_value()) < MIN_SECRET_LENGTH:
            raise ValueError(f"must be at least {MIN_SECRET_LENGTH} characters")
        return value

    @validator("internal_token")
    def _internal_token_length(cls, value: Optional[SecretStr]) -> Optional[SecretStr]:
        if value is not None and len(value.get_secret_value()) < 16:
            raise ValueError("must be at least 16 characters")
        return value

    @validator("rasa_url")
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @validator("redis_url")
    def _redis_url(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and not value.startswith(("redis://", "rediss://")):
            raise ValueError("must start with redis:// or rediss://")
        return value

    @validator("insights_amqp_url")
    def _amqp_url(cls, value: Optional[SecretStr]) -> Optional[SecretStr]:
        if value is not None and not value.get_secret_value().startswith(("amqp://", "amqps://")):
            raise ValueError("must start with amqp:// or amqps://")
        return value

    @validator("centres_file", "rasa_jwt_secret_file")
    def _existing_file(cls, value: Optional[Path]) -> Optional[Path]:
        if value is not None and not value.is_file():
            raise ValueError(f"{value} is not a file")
        return value

    @validator("telegram_bot_username")
    def _telegram_username(cls, value: Optional[str]) -> Optional[str]:
        if value is None:
            return None
        value = value.strip().lstrip("@")
        if not (5 <= len(value) <= 32 and value.replace("_", "").isascii() and value.replace("_", "").isalnum()):
            raise ValueError("must be a Telegram bot username (5–32 letters, digits or _)")
        return value

    @validator("zalo_oa_id")
    def _zalo_oa_id(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and not (value.strip().isascii() and value.strip().isdigit()):
            raise ValueError("must be the official account's numeric id")
        return value.strip() if value is not None else None


def read_or_create_secret(path: Path) -> str:
    """The secret kept in `path`, made (random, mode 0600) the first time; refused if others can read it."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # created 0600
        try:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(secrets.token_urlsafe(48) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            # A link, not a rename: two processes starting together keep the one secret made first.
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
        finally:
            os.unlink(tmp)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise ValueError(f"unset, and {path} can be read by other users (mode {mode:o}); run: chmod 600 {path}")
    return path.read_text(encoding="utf-8").strip()


def derive_key(settings: ConsoleSettings, purpose: str) -> bytes:
    """32 bytes for one `purpose` ("session-cookie", "login-name"), derived from the secret."""
    secret = settings.secret.get_secret_value().encode("utf-8")
    return hmac.new(secret, f"motcua-console:{purpose}".encode("ascii"), hashlib.sha256).digest()


def env_name(field_name: str) -> str:
    """The environment variable of a field (`port` → `CONSOLE_PORT`)."""
    field = ConsoleSettings.__fields__.get(field_name)
    explicit = field.field_info.extra.get("env") if field is not None else None
    return str(explicit) if explicit else f"CONSOLE_{field_name.upper()}"


def load_console_settings(**values: Any) -> ConsoleSettings:
    """Settings from the environment (and `values`, which win); a refused value names its variable."""
    try:
        return ConsoleSettings(**values)
    except ValidationError as exc:
        problems = [f"{env_name(str(error['loc'][0]))}: {error['msg']}" for error in exc.errors()]
        raise ConsoleSettingsError("; ".join(problems)) from None


@lru_cache(maxsize=1)
def get_console_settings() -> ConsoleSettings:
    """This process's settings (tests that change the environment call `get_console_settings.cache_clear()`)."""
    return load_console_settings()
