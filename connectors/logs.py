"""Logs that help an operator and protect secrets and citizens: `install()` in every process.

Every process we start (`bot.server`, `bot.action_server`, `python -m connectors.telegram`, the
portal simulator, the launcher) calls `install()` first. From then on:

- every log record made in the process is cleaned before any handler writes it (Rasa's, Sanic's
  and rasa_sdk's handlers included, whenever they were added): the values of the secret
  variables of the environment (`TELEGRAM_BOT_TOKEN`, `ZALO_APP_SECRET`, `PORTAL_TOKEN`,
  `ACTION_SERVER_TOKEN`, any `*_TOKEN`, `*_SECRET`, `*_SECRET_KEY`, `*_PASSWORD`, `*_API_KEY`)
  and the passwords in URL variables (`REDIS_URL`, `DATABASE_URL`, …) become `***`, and so does
  text shaped like a secret whatever its origin: a Bot API token (`123456:AA…`), a password in a
  URL (`redis://user:***@host`), `token=…`, `access_token: …`, `Authorization: Bearer …`;
- `httpx` logs at WARNING: at INFO it writes every Bot API URL python-telegram-bot calls, and
  that URL holds the bot token;
- an error Rasa logs about a citizen's message (its REST channel, when the client went away
  before the answer) keeps what happened and drops the citizen's text.

The cleaning happens in the record itself (the formatted message, the extra fields such as
Sanic's access-log `request`, the traceback), the first time a handler formats it, through
`logging.setLogRecordFactory`; `SecretFilter` does the same as a `logging.Filter`, for handlers
configured by hand.
"""

from __future__ import annotations

import json
import logging
import os
import re
from typing import Any, Callable, Iterable, List, Mapping, Optional
from urllib.parse import quote, unquote, urlsplit

from motcua.settings import get_settings

MASK = "***"
# Variables whose whole value is a secret: these, and any whose name ends like SECRET_NAME.
SECRET_VARIABLES = (
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_WEBHOOK_SECRET",
    "ZALO_APP_SECRET",
    "ZALO_OA_SECRET_KEY",
    "ZALO_ACCESS_TOKEN",
    "ZALO_REFRESH_TOKEN",
    "PORTAL_TOKEN",
    "ACTION_SERVER_TOKEN",
    "MOTCUA_SIMULATOR_TOKEN",
)
SECRET_NAME = re.compile(r"(?:TOKEN|SECRET|SECRET_KEY|PASSWORD|PASSWD|API_KEY|PRIVATE_KEY)$")
# Variables holding a URL that may carry a password: REDIS_URL, DATABASE_URL, RABBITMQ_URL, …
URL_NAME = re.compile(r"(?:_URL|_DSN)$")
MIN_SECRET_CHARS = 4  # shorter values are not secrets, and masking them would shred the logs

SECRET_SHAPES = [
    # a Telegram Bot API token: the bot's id, a colon, 35 characters
    (re.compile(r"(?<![0-9])\d{5,16}:[A-Za-z0-9_-]{30,}"), MASK),
    # a password in a URL: scheme://user:password@host
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s:/@]*):[^\s/@]+@"), rf"\1:{MASK}@"),
    # Authorization: Bearer …, Basic …
    (re.compile(r"(?i)(authorization[\"']?\s*[:=]\s*[\"']?(?:bearer|basic|token)\s+)[^\s\"',;]+"), rf"\1{MASK}"),
    # token=…, access_token: "…", secret_key=…, password=…, X-…-Secret-Token: …
    (
        re.compile(
            r"(?i)(?<![a-z0-9])((?:access|refresh|id|auth|secret)?[_-]?token|(?:client|app|oa)?[_-]?secret(?:[_-]key)?"
            r"|password|passwd|api[_-]?key)([\"']?\s*[=:]\s*[\"']?)[^\s&\"',;}<>]+"
        ),
        rf"\1\2{MASK}",
    ),
]

# Errors that Rasa logs with the citizen's message in them (structlog renders them as JSON, or
# as `event key=value` on a terminal); the text is dropped, what happened is kept.
CITIZEN_TEXT_EVENTS = re.compile(r"rest\.message\.received\.\w+")
CITIZEN_TEXT_KEYS = ("text", "user_text", "user_message", "parse_data_text", "tracker_latest_message")
_STANDARD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}
_CLEANED = "_motcua_cleaned"


def secret_values(env: Mapping[str, str]) -> List[str]:
    """The secrets held by the environment: whole values, and the passwords in URLs."""
    values = set()
    for name, value in env.items():
        if not value:
            continue
        if name in SECRET_VARIABLES or SECRET_NAME.search(name):
            values.add(value)
        if URL_NAME.search(name) and "@" in value:
            try:
                password = urlsplit(value).password
            except ValueError:
                password = None
            if password:
                values.update({password, unquote(password)})
    found = set()
    for value in values:
        if len(value) >= MIN_SECRET_CHARS:
            found.update({value, quote(value, safe=""), json.dumps(value)[1:-1]})
    return sorted(found, key=len, reverse=True)


class Redactor:
    """Masks known secret values and secret-shaped text in a string."""

    def __init__(self, secrets: Iterable[str] = ()):
        self.secrets: List[str] = []
        self._known: Optional[re.Pattern[str]] = None
        for secret in secrets:
            self.add(secret)

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "Redactor":
        return cls(secret_values(os.environ if env is None else env))

    def add(self, secret: str) -> None:
        """A secret learnt at run time (a refreshed access token)."""
        if len(secret) < MIN_SECRET_CHARS or secret in self.secrets:
            return
        self.secrets = sorted([*self.secrets, secret], key=len, reverse=True)  # the longest first
        self._known = re.compile("|".join(map(re.escape, self.secrets)))

    def redact(self, text: str) -> str:
        if self._known is not None:
            text = self._known.sub(MASK, text)
        for shape, replacement in SECRET_SHAPES:
            text = shape.sub(replacement, text)
        return text

    def clean(self, record: logging.LogRecord) -> None:
        """Clean a record in place, once: message (and arguments), extra fields, traceback."""
        if record.__dict__.get(_CLEANED):
            return
        record.__dict__[_CLEANED] = True
        try:
            message = logging.LogRecord.getMessage(record)
        except Exception:  # noqa: BLE001 (the handler would print the arguments in its error)
            message = f"{record.msg} (its arguments could not be formatted and are not logged)"
        cleaned = self.redact(message)
        if record.levelno >= logging.ERROR and record.name.startswith("rasa"):
            cleaned = without_citizen_text(cleaned)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        for name, value in list(vars(record).items()):
            if name not in _STANDARD_ATTRIBUTES and isinstance(value, str):
                setattr(record, name, self.redact(value))
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)


def without_citizen_text(message: str) -> str:
    """An error about a citizen's message, without the message."""
    try:
        data = json.loads(message)
    except ValueError:
        data = None
    if isinstance(data, dict):
        if not any(key in data for key in CITIZEN_TEXT_KEYS):
            return message
        for key in CITIZEN_TEXT_KEYS:
            if key in data:
                data[key] = f"<{len(str(data[key]))} characters not logged>"
        return json.dumps(data)
    event = CITIZEN_TEXT_EVENTS.search(message)
    if event is None:
        return message
    traceback = message.find("Traceback (most recent call last)")
    tail = "\n" + message[traceback:] if traceback >= 0 else ""
    return f"{event.group(0)} (the citizen's message is not logged){tail}"


_active = Redactor()


class SecretFilter(logging.Filter):
    """Cleans every record it sees (see the module's doc); never drops one."""

    def __init__(self, redactor: Optional[Redactor] = None):
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        (self.redactor or _active).clean(record)
        return True


class _CleanedRecord(logging.LogRecord):
    """A record that cleans itself before it is first formatted (every formatter calls getMessage)."""

    def getMessage(self) -> str:
        _active.clean(self)
        return super().getMessage()


_previous_factory: Optional[Callable[..., logging.LogRecord]] = None


def _record_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    assert _previous_factory is not None  # noqa: S101 (set by install)
    record = _previous_factory(*args, **kwargs)
    if type(record) is logging.LogRecord:
        record.__class__ = _CleanedRecord
    return record


def install(env: Optional[Mapping[str, str]] = None) -> Redactor:
    """Clean every log record of this process from now on, with the secrets of `env` (default:
    the environment); quiet httpx. Calling it again takes the secrets anew."""
    global _active, _previous_factory
    _active = Redactor.from_env(env)
    if logging.getLogRecordFactory() is not _record_factory:
        _previous_factory = logging.getLogRecordFactory()
        logging.setLogRecordFactory(_record_factory)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, SecretFilter) for f in handler.filters):
            handler.addFilter(SecretFilter())
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return _active


def add_secret(secret: str) -> None:
    """Mask a secret learnt at run time (a refreshed access token) from now on in this process."""
    _active.add(secret)


def uninstall() -> None:
    """Undo `install()` (tests)."""
    global _active, _previous_factory
    if _previous_factory is not None and logging.getLogRecordFactory() is _record_factory:
        logging.setLogRecordFactory(_previous_factory)
    _previous_factory = None
    _active = Redactor()
    for handler in logging.getLogger().handlers:
        for found in [f for f in handler.filters if isinstance(f, SecretFilter)]:
            handler.removeFilter(found)


def level_from_env() -> int:
    """The log level named by LOG_LEVEL (Rasa's variable, one of the settings), for our own entry points."""
    return int(logging.getLevelName(get_settings().log_level))
